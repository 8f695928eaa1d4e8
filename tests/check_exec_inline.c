/* exec without a process file: --cap, --no-new-privs, --user, --cwd and
 * the command are put through the controls and argv is rewritten to
 * match; the container's
 * config is found through the runtime's state. */
#include "harden_golden.h"

#include "cli.h"
#include "container_state.h"
#include "exec_inline.h"

#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  const char *name;
  hs_dialect_t dialect;
  const char *argv;      /* space separated, after argv[0] */
  const char *policy;    /* NULL: restricted */
  const char *container; /* NULL: unknown */
  const char *expect;    /* argv afterwards; NULL: unchanged */
  const char *verdict;   /* refusal substring */
} inline_case_t;

#define NNP_FALSE "{\"ociVersion\":\"1.0.2\",\"process\":{\"noNewPrivileges\":false}}"
#define CHOWN_ONLY                                                                                 \
  "{\"ociVersion\":\"1.0.2\",\"process\":{\"noNewPrivileges\":true,\"capabilities\":"              \
  "{\"bounding\":[\"CAP_CHOWN\"]}}}"

static const inline_case_t cases[] = {
  { "runc: --cap SYS_ADMIN removed", HS_DIALECT_GO, "exec --cap CAP_SYS_ADMIN c1 sh", NULL, NULL,
    "exec c1 sh", NULL },
  { "runc: --cap=X removed, allowed --cap kept", HS_DIALECT_GO,
    "--root /r exec --cap=CAP_SYS_ADMIN --cap CAP_CHOWN -c CAP_NET_RAW c1 sh", NULL, NULL,
    "--root /r exec --cap CAP_CHOWN c1 sh", NULL },
  { "runc: allowed --cap kept, nothing to rewrite", HS_DIALECT_GO, "exec --cap CAP_KILL c1 sh",
    NULL, NULL, NULL, NULL },
  { "runc: --no-new-privs=false set to true", HS_DIALECT_GO, "exec --no-new-privs=false c1 sh",
    NULL, NULL, "exec --no-new-privs=true c1 sh", NULL },
  { "runc: -no-new-privs=0 set to true", HS_DIALECT_GO, "exec -no-new-privs=0 -t c1 sh", NULL, NULL,
    "exec -no-new-privs=true -t c1 sh", NULL },
  { "runc: --no-new-privs kept", HS_DIALECT_GO, "exec --no-new-privs c1 sh", NULL, NULL, NULL,
    NULL },
  { "runc: container without no_new_privs gets the flag", HS_DIALECT_GO, "exec c1 sh", NULL,
    NNP_FALSE, "exec --no-new-privs c1 sh", NULL },
  { "runc: hardened container, no flags: unchanged", HS_DIALECT_GO, "exec c1 sh", NULL, CHOWN_ONLY,
    NULL, NULL },
  { "runc: --cap held to the container's bounding set", HS_DIALECT_GO,
    "exec --cap CAP_KILL --cap CAP_CHOWN c1 sh", NULL, CHOWN_ONLY, "exec --cap CAP_CHOWN c1 sh",
    NULL },
  { "runc: unknown --cap refused", HS_DIALECT_GO, "exec --cap CAP_NOPE c1 sh", NULL, NULL, NULL,
    "unknown capability `CAP_NOPE`" },
  { "runc: reject mode refuses --cap", HS_DIALECT_GO, "exec --cap CAP_SYS_ADMIN c1 sh",
    "{\"capabilities\":{\"mode\":\"reject\"}}", NULL, NULL, "removed CAP_SYS_ADMIN" },
  { "runc: reject mode refuses --no-new-privs=false", HS_DIALECT_GO,
    "exec --no-new-privs=false c1 sh", "{\"no_new_privileges\":{\"mode\":\"reject\"}}", NULL, NULL,
    "no_new_privileges" },
  { "runc: policy in audit mode changes nothing", HS_DIALECT_GO,
    "exec --cap CAP_SYS_ADMIN --no-new-privs=false c1 sh", "{\"mode\":\"audit\"}", NULL, NULL,
    NULL },
  { "runc: capabilities off keeps --cap", HS_DIALECT_GO, "exec --cap CAP_SYS_ADMIN c1 sh",
    "{\"capabilities\":{\"mode\":\"off\"}}", NULL, NULL, NULL },
  { "runc: --user 0 refused by an enforced non_root_user", HS_DIALECT_GO, "exec --user 0:0 c1 sh",
    "{\"non_root_user\":{\"mode\":\"enforce\"}}", NULL, NULL, "`process.user.uid`" },
  { "runc: --user 1000 admitted", HS_DIALECT_GO, "exec -u 1000 c1 sh",
    "{\"non_root_user\":{\"mode\":\"enforce\"}}", NULL, NULL, NULL },
  { "crun: no flag: --no-new-privs added (crun ignores the config)", HS_DIALECT_ARGP, "exec c1 sh",
    NULL, CHOWN_ONLY, "exec --no-new-privs c1 sh", NULL },
  { "crun: --no-new-privs given: unchanged", HS_DIALECT_ARGP, "exec --no-new-privs c1 sh", NULL,
    NULL, NULL, NULL },
  { "crun: cluster -dcX", HS_DIALECT_ARGP, "exec -dcCAP_SYS_ADMIN --no-new-privs c1 sh", NULL, NULL,
    "exec -d --no-new-privs c1 sh", NULL },
  { "crun: cluster -dc X", HS_DIALECT_ARGP, "exec -dc CAP_SYS_ADMIN --no-new-privs c1 sh", NULL,
    NULL, "exec -d --no-new-privs c1 sh", NULL },
  { "crun: -cX, --cap=X, abbreviated --ca X", HS_DIALECT_ARGP,
    "exec -cCAP_SYS_ADMIN --cap=CAP_NET_ADMIN --ca CAP_SYS_PTRACE --cap CAP_CHOWN --no-new-privs "
    "c1 sh",
    NULL, NULL, "exec --cap CAP_CHOWN --no-new-privs c1 sh", NULL },
  { "crun: --cap removed and --no-new-privs added", HS_DIALECT_ARGP,
    "--root /r exec --cap CAP_SYS_ADMIN c1 sh", NULL, NULL, "--root /r exec --no-new-privs c1 sh",
    NULL },
  { "runc: --cwd /proc/self/fd/7 refused (CVE-2024-21626)", HS_DIALECT_GO,
    "exec --cwd /proc/self/fd/7 --no-new-privs c1 sh", NULL, NULL, NULL,
    "process.cwd /proc/self/fd/7 reaches into /proc" },
  { "crun: --cwd=/proc/1/cwd refused", HS_DIALECT_ARGP,
    "exec --cwd=/proc/1/cwd --no-new-privs c1 sh", NULL, NULL, NULL, "control `cwd_clean`" },
  { "runc: --cwd written clean", HS_DIALECT_GO, "exec --cwd //srv/./app/ --no-new-privs c1 sh",
    NULL, NULL, "exec --cwd /srv/app --no-new-privs c1 sh", NULL },
  { "crun: --cwd=X written clean", HS_DIALECT_ARGP, "exec --cwd=/srv/ --no-new-privs c1 sh", NULL,
    NULL, "exec --cwd=/srv --no-new-privs c1 sh", NULL },
  { "runc: a clean --cwd is kept", HS_DIALECT_GO, "exec --cwd /srv --no-new-privs c1 sh", NULL,
    NULL, NULL, NULL },
  { "runc: exec argv /proc/self/exe refused", HS_DIALECT_GO,
    "exec --no-new-privs c1 /proc/self/exe", NULL, NULL, NULL, "control `exec_path`" },
  { "runc: exec argv through a leaked fd refused", HS_DIALECT_GO,
    "exec --no-new-privs c1 /proc/self/fd/7/../../../../bin/sh", NULL, NULL, NULL,
    "CVE-2024-21626" },
  { "runc: relative exec argv against the container's cwd in /proc", HS_DIALECT_GO,
    "exec --no-new-privs c1 ./x", NULL,
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"noNewPrivileges\":true,\"cwd\":\"/proc/1/cwd\"}}",
    NULL, "/proc/1/cwd/./x reaches into /proc" },
  { "runc: bare exec argv through the container's PATH in /proc", HS_DIALECT_GO,
    "exec --no-new-privs c1 sh", NULL,
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"noNewPrivileges\":true,\"env\":[\"PATH=/proc/self/fd/"
    "5\"]}}",
    NULL, "found through PATH" },
  { "runc: exec cwd_clean off keeps --cwd", HS_DIALECT_GO,
    "exec --cwd /proc/self/fd/7 --no-new-privs c1 sh", "{\"cwd_clean\":{\"mode\":\"off\"}}", NULL,
    NULL, NULL },
};

static char *
join (char *const *argv)
{
  char *out = hs_xstrdup ("");

  for (size_t i = 1; argv[i] != NULL; i++)
    {
      char *next = hs_xasprintf ("%s%s%s", out, i > 1 ? " " : "", argv[i]);
      free (out);
      out = next;
    }
  return out;
}

START_TEST (test_inline)
{
  const inline_case_t *c = &cases[_i];
  char *line = hs_xasprintf ("hardshim %s", c->argv);
  char *argv[64];
  int argc = 0;
  hs_invocation_t inv;
  hs_error_t err = NULL;
  hs_policy_t *policy = golden_policy (c->policy);
  hs_json_t *container = c->container ? test_parse (c->container) : NULL;
  hs_host_t host = { 0 };
  hs_audit_t audit;
  char **out = NULL;
  int r;

  for (char *s = strtok (line, " "); s != NULL && argc < 63; s = strtok (NULL, " "))
    argv[argc++] = s;
  argv[argc] = NULL;
  r = hs_cli_parse (argc, argv, c->dialect, &inv, &err);
  ck_assert_msg (r == 0, "%s: parse: %s", c->name, err ? err->msg : "");
  hs_audit_init (&audit, "exec", inv.id, NULL, policy->digest);
  r = hs_exec_inline_harden (&inv, policy, &host, &audit, container, &out, &err);
  if (c->verdict != NULL)
    {
      ck_assert_msg (r < 0, "%s: admitted", c->name);
      ck_assert_msg (strstr (err->msg, c->verdict) != NULL, "%s: `%s` lacks `%s`", c->name,
                     err->msg, c->verdict);
    }
  else
    {
      ck_assert_msg (r == 0, "%s: refused: %s", c->name, err ? err->msg : "");
      if (c->expect == NULL)
        ck_assert_msg (out == NULL, "%s: argv rewritten to `%s`", c->name, join (out));
      else
        {
          char *got;
          ck_assert_msg (out != NULL, "%s: argv not rewritten", c->name);
          got = join (out);
          ck_assert_msg (strcmp (got, c->expect) == 0, "%s:\n got  %s\n want %s", c->name, got,
                         c->expect);
          ck_assert_ptr_eq (out[0], argv[0]);
          free (got);
        }
    }
  hs_exec_inline_argv_free (out);
  hs_error_release (&err);
  hs_audit_release (&audit);
  hs_cli_release (&inv);
  hs_json_free (container);
  hs_policy_free (policy);
  free (line);
}
END_TEST

static void
write_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  ck_assert_ptr_nonnull (f);
  fputs (text, f);
  fclose (f);
}

/* crun: <root>/<id>/config.json; runc: <root>/<id>/state.json -> bundle. */
START_TEST (test_container_state)
{
  char tmp[] = "/tmp/hs-check-state.XXXXXX";
  char *p, *source = NULL;
  hs_json_t *cfg = NULL;
  hs_invocation_t inv;
  hs_error_t err = NULL;

  ck_assert_ptr_nonnull (mkdtemp (tmp));
  p = hs_xasprintf ("%s/crun", tmp), mkdir (p, 0700), free (p);
  p = hs_xasprintf ("%s/crun/c1", tmp), mkdir (p, 0700), free (p);
  p = hs_xasprintf ("%s/crun/c1/config.json", tmp);
  write_file (p, "{\"ociVersion\":\"1.0.2\",\"hostname\":\"from-crun\",\"root\":{\"path\":"
                 "\"rootfs\"}}");
  free (p);
  p = hs_xasprintf ("%s/crun/c1/status", tmp);
  write_file (p, "{\"pid\":1,\"rootfs\":\"crun-rootfs\",\"bundle\":\"/abs\"}");
  free (p);
  p = hs_xasprintf ("%s/runc", tmp), mkdir (p, 0700), free (p);
  p = hs_xasprintf ("%s/runc/c1", tmp), mkdir (p, 0700), free (p);
  p = hs_xasprintf ("%s/bundle", tmp), mkdir (p, 0700), free (p);
  p = hs_xasprintf ("%s/bundle/config.json", tmp);
  write_file (p, "{\"ociVersion\":\"1.0.2\",\"hostname\":\"from-bundle\",\"root\":{\"path\":"
                 "\"rootfs\"}}");
  free (p);
  {
    char *state = hs_xasprintf (
        "{\"id\":\"c1\",\"config\":{\"rootfs\":\"/abs/runc-rootfs\",\"labels\":[\"x=y\","
        "\"bundle=%s/bundle\"]}}",
        tmp);
    p = hs_xasprintf ("%s/runc/c1/state.json", tmp);
    write_file (p, state);
    free (p);
    free (state);
  }

  {
    char *root = hs_xasprintf ("%s/crun", tmp);
    char *argv[] = { "hardshim", "--root", root, "exec", "c1", "sh", NULL };
    ck_assert_int_eq (hs_cli_parse (6, argv, HS_DIALECT_ARGP, &inv, &err), 0);
    hs_container_config_load (&inv, &cfg, &source);
    ck_assert_ptr_nonnull (cfg);
    ck_assert_str_eq (hs_json_get (cfg, "hostname")->str, "from-crun");
    /* a relative root.path: the runtime's resolved rootfs instead */
    ck_assert_str_eq (hs_json_path (cfg, "root", "path", NULL)->str, "/abs/crun-rootfs");
    hs_json_free (cfg);
    free (source);
    hs_cli_release (&inv);
    free (root);
  }
  {
    char *root = hs_xasprintf ("%s/runc", tmp);
    char *argv[] = { "hardshim", "--root", root, "exec", "c1", "sh", NULL };
    char *argv2[] = { "hardshim", "--root", root, "exec", "..", "sh", NULL };
    ck_assert_int_eq (hs_cli_parse (6, argv, HS_DIALECT_GO, &inv, &err), 0);
    hs_container_config_load (&inv, &cfg, &source);
    ck_assert_ptr_nonnull (cfg);
    ck_assert_str_eq (hs_json_get (cfg, "hostname")->str, "from-bundle");
    ck_assert_str_eq (hs_json_path (cfg, "root", "path", NULL)->str, "/abs/runc-rootfs");
    hs_json_free (cfg);
    free (source);
    hs_cli_release (&inv);
    /* an id that would leave the root is never looked up */
    ck_assert_int_eq (hs_cli_parse (6, argv2, HS_DIALECT_GO, &inv, &err), 0);
    hs_container_config_load (&inv, &cfg, &source);
    ck_assert_ptr_null (cfg);
    hs_cli_release (&inv);
    free (root);
  }
  {
    char *argv[] = { "hardshim", "--root", tmp, "exec", "missing", "sh", NULL };
    ck_assert_int_eq (hs_cli_parse (6, argv, HS_DIALECT_GO, &inv, &err), 0);
    hs_container_config_load (&inv, &cfg, &source);
    ck_assert_ptr_null (cfg);
    ck_assert_ptr_null (source);
    hs_cli_release (&inv);
  }
  p = hs_xasprintf ("rm -rf '%s'", tmp);
  ck_assert_int_eq (system (p), 0);
  free (p);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("exec_inline");
  TCase *tc = tcase_create ("argv");

  tcase_add_loop_test (tc, test_inline, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_container_state);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
