/* AppArmor: template rendering, compilation with apparmor_parser, loading
 * once per rendering, and the control's decisions through the hs_host_t seam. */
#include "lsm_testutil.h"

#include "apparmor.h"
#include "cli.h"
#include "fileio.h"
#include "harden/lsm.h"

#include <fcntl.h>
#include <sys/wait.h>

static const char *const plain_config
    = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
      "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"]}},\"root\":{\"path\":\"r\"}}";
static const char *const net_raw_config
    = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
      "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\"]}},\"root\":{\"path\":\"r\"}}";

/* A host with AppArmor and a fake parser that "loads" into a fake kernel
 * profile list and counts its calls. */
typedef struct
{
  char *dir, *parser, *profiles, *calls;
  hs_host_t host;
} fake_host_t;

static void
fake_host_init (fake_host_t *f, bool parser_fails)
{
  char *script;
  int fd;

  f->dir = lsm_tmpdir ();
  f->parser = hs_xasprintf ("%s/apparmor_parser", f->dir);
  f->profiles = hs_xasprintf ("%s/profiles", f->dir);
  f->calls = hs_xasprintf ("%s/calls", f->dir);
  if (parser_fails)
    script = hs_xasprintf ("#!/bin/sh\necho \"$2\" >> '%s'\n"
                           "echo 'AppArmor parser error at line 3: syntax error' >&2\nexit 1\n",
                           f->calls);
  else
    script = hs_xasprintf ("#!/bin/sh\n[ \"$1\" = -Kr ] || exit 3\necho \"$2\" >> '%s'\n"
                           "n=$(sed -n 's/^profile \\([^ ]*\\) .*/\\1/p' \"$2\")\n"
                           "echo \"$n (enforce)\" >> '%s'\n",
                           f->calls, f->profiles);
  fd = open (f->parser, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (hs_write_all (fd, script, strlen (script)), 0);
  close (fd);
  free (script);
  fd = open (f->profiles, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (hs_write_all (fd, "docker-default (enforce)\n", 25), 0);
  close (fd);
  f->host = (hs_host_t){ .apparmor_enabled = true,
                         .apparmor_parser = f->parser,
                         .apparmor_profiles = f->profiles };
}

static void
fake_host_release (fake_host_t *f)
{
  lsm_rmrf (f->dir);
  free (f->dir);
  free (f->parser);
  free (f->profiles);
  free (f->calls);
}

static int
count_lines (const char *path)
{
  FILE *f = fopen (path, "re");
  int n = 0, c;

  if (f == NULL)
    return 0;
  while ((c = fgetc (f)) != EOF)
    n += c == '\n';
  fclose (f);
  return n;
}

static hs_policy_t *
policy_for (const fake_host_t *f, const char *extra)
{
  /* The capabilities control is off: these tests give the apparmor control
   * the bounding sets they want it to see (NET_RAW among them). */
  char *text = hs_xasprintf ("{\"state_dir\":\"%s/state\",\"capabilities\":{\"mode\":\"off\"}%s%s}",
                             f->dir, extra ? "," : "", extra ? extra : "");
  hs_policy_t *p = lsm_policy (text, NULL);

  ck_assert_ptr_nonnull (p);
  free (text);
  return p;
}

static void
render (const char *config, const char *settings_text, hs_apparmor_profile_t *ret)
{
  hs_json_t *spec = test_parse (config);
  hs_json_t *settings = settings_text ? test_parse (settings_text) : NULL;
  hs_error_t err = NULL;

  if (hs_apparmor_render_for (spec, settings, ret, &err) < 0)
    ck_abort_msg ("render: %s", err->msg);
  hs_json_free (spec);
  hs_json_free (settings);
}

/* Compile without loading: works without AppArmor in the kernel. */
static void
assert_compiles (const hs_apparmor_profile_t *p)
{
  char *dir = lsm_tmpdir ();
  char *src = hs_xasprintf ("%s/%s", dir, p->name);
  char *cmd = hs_xasprintf ("apparmor_parser -Q -K -o '%s/out' '%s' 2>'%s/err'", dir, src, dir);
  int fd = open (src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (hs_write_all (fd, p->text, strlen (p->text)), 0);
  close (fd);
  ck_assert_msg (system (cmd) == 0, "apparmor_parser rejected %s:\n%s", p->name, p->text);
  lsm_rmrf (dir);
  free (dir);
  free (src);
  free (cmd);
}

START_TEST (test_render_rules)
{
  hs_apparmor_profile_t a = { 0 }, b = { 0 }, c = { 0 };
  static const char *const always[] = {
    "deny mount,",
    "deny network alg,",
    "deny /proc/sysrq-trigger rwklx,",
    "deny /proc/kcore rwklx,",
    "deny /sys/firmware/** rwklx,",
    "deny /sys/kernel/security/** rwklx,",
    "deny /proc/* w,",
    "deny /sys/fs/{[^c],c[^g],cg[^r],cgr[^o],cgro[^u],cgrou[^p],cgroup?}** wklx,",
    "signal (receive) peer=runc,",
    "signal (receive) peer=crun,",
    "signal (receive) peer=unconfined,",
  };

  render (plain_config, NULL, &a);
  render (net_raw_config, NULL, &b);
  render (plain_config, NULL, &c);
  for (size_t i = 0; i < sizeof (always) / sizeof (*always); i++)
    {
      ck_assert_msg (strstr (a.text, always[i]) != NULL, "missing: %s", always[i]);
      ck_assert_msg (strstr (b.text, always[i]) != NULL, "missing: %s", always[i]);
    }
  ck_assert_ptr_nonnull (strstr (a.text, "deny network raw,"));
  ck_assert_ptr_nonnull (strstr (a.text, "deny network packet,"));
  ck_assert_ptr_null (strstr (b.text, "deny network raw,"));
  ck_assert_ptr_null (strstr (b.text, "deny network packet,"));
  /* named by digest: equal renderings share a name, others do not */
  ck_assert_str_eq (a.name, c.name);
  ck_assert_str_eq (a.text, c.text);
  ck_assert_str_ne (a.name, b.name);
  ck_assert_int_eq (strlen (a.name), 25);
  ck_assert_int_eq (strncmp (a.name, "hardshim-", 9), 0);
  ck_assert_int_eq (strncmp (a.name + 9, a.digest + 7, 16), 0);
  {
    char *self = hs_xasprintf ("signal (send,receive) peer=%s,", a.name);
    char *head = hs_xasprintf ("profile %s flags=", a.name);
    ck_assert_ptr_nonnull (strstr (a.text, self));
    ck_assert_ptr_nonnull (strstr (a.text, head));
    free (self);
    free (head);
  }
  ck_assert_ptr_null (strstr (a.text, "{{"));
  ck_assert_ptr_null (strstr (a.text, "%if"));
  hs_apparmor_profile_release (&a);
  hs_apparmor_profile_release (&b);
  hs_apparmor_profile_release (&c);
}
END_TEST

/* Every distinct rendering compiles. */
START_TEST (test_renderings_compile)
{
  static const struct
  {
    const char *config, *settings;
  } cases[] = {
    { "{}", NULL },
    { "{\"process\":{}}", NULL },
    { NULL, NULL },
    { NULL, "{\"signal_peers\":[\"unconfined\"]}" },
    { NULL, "{\"signal_peers\":[]}" },
    { NULL, "{\"signal_peers\":[\"my-engine\",\"/usr/bin/podman\",\"k8s.io:runtime\"]}" },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    for (int raw = 0; raw < 2; raw++)
      {
        hs_apparmor_profile_t p = { 0 };

        render (cases[i].config ? cases[i].config
                : raw           ? net_raw_config
                                : plain_config,
                cases[i].settings, &p);
        assert_compiles (&p);
        hs_apparmor_profile_release (&p);
      }
}
END_TEST

/* The compile check can fail: a broken rendering is rejected. */
START_TEST (test_parser_rejects_broken_profile)
{
  hs_apparmor_profile_t p = { 0 };
  hs_apparmor_params_t params = { 0 };
  hs_error_t err = NULL;
  char *dir = lsm_tmpdir ();
  char *src = hs_xasprintf ("%s/broken", dir);
  char *cmd = hs_xasprintf ("apparmor_parser -Q -K -o '%s/out' '%s' 2>/dev/null", dir, src);
  int fd;

  ck_assert_int_eq (hs_apparmor_render ("profile {{name}} {\n  deny mount\n}\n", &params, &p, &err),
                    0);
  fd = open (src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ck_assert_int_eq (hs_write_all (fd, p.text, strlen (p.text)), 0);
  close (fd);
  ck_assert_int_ne (system (cmd), 0);
  hs_apparmor_profile_release (&p);
  lsm_rmrf (dir);
  free (dir);
  free (src);
  free (cmd);
}
END_TEST

START_TEST (test_template_errors)
{
  static const struct
  {
    const char *tmpl, *expect;
  } cases[] = {
    { "%if what\nx\n%endif\n", "unknown condition `what`" },
    { "%if no_net_raw\n%if no_net_raw\n%endif\n", "nested %if" },
    { "%if no_net_raw\nx\n", "%if without %endif" },
    { "%endif\n", "%endif without %if" },
    { "%include x\n", "unknown directive" },
    { "profile {{nam}} {}\n", "unknown placeholder" },
  };
  hs_apparmor_params_t params = { 0 };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      hs_apparmor_profile_t p = { 0 };
      hs_error_t err = NULL;

      ck_assert_int_lt (hs_apparmor_render (cases[i].tmpl, &params, &p, &err), 0);
      ck_assert_msg (strstr (err->msg, cases[i].expect) != NULL, "%s: got %s", cases[i].expect,
                     err->msg);
      hs_error_release (&err);
    }
}
END_TEST

START_TEST (test_net_raw_detection)
{
  static const struct
  {
    const char *bounding;
    bool raw;
  } cases[] = {
    { "[\"CAP_NET_RAW\"]", true },
    { "[\"cap_net_raw\"]", true },
    { "[\"NET_RAW\"]", true },
    { "[\"CAP_NET_ADMIN\"]", false },
    { "[]", false },
    { "\"CAP_NET_RAW\"", false },
    { "[1,\"CAP_NET_RAWX\"]", false },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      hs_json_t *v = test_parse (cases[i].bounding);
      ck_assert_msg (hs_apparmor_bounding_has_net_raw (v) == cases[i].raw, "%s", cases[i].bounding);
      hs_json_free (v);
    }
  ck_assert (!hs_apparmor_bounding_has_net_raw (NULL));
}
END_TEST

/* Policy values that would reach the profile text or defeat the control. */
START_TEST (test_policy_validation)
{
  static const struct
  {
    const char *policy, *expect;
  } cases[] = {
    { "{\"apparmor\":{\"mode\":\"enforce\"}}",
      "`apparmor.mode`: expected one of required, best-effort, audit, off" },
    { "{\"apparmor\":{\"mode\":\"requried\"}}", "`apparmor.mode`: expected one of" },
    { "{\"apparmor\":{\"mode\":true}}", "`apparmor.mode`: expected one of" },
    { "{\"apparmor\":{\"profile\":\"x\"}}", "`apparmor.profile`: unknown setting" },
    { "{\"apparmor\":{\"signal_peers\":[\"a b\"]}}", "`apparmor.signal_peers[0]`" },
    { "{\"apparmor\":{\"signal_peers\":[\"x,\\n  capability sys_admin\"]}}",
      "not a plain profile name" },
    { "{\"apparmor\":{\"signal_peers\":[\"*\"]}}", "not a plain profile name" },
    { "{\"apparmor\":{\"signal_peers\":\"runc\"}}", "expected an array of strings" },
    { "{\"apparmor\":{\"allowed_profiles\":[\"unconfined\"]}}", "use an exception" },
    { "{\"apparmor\":{\"allowed_profiles\":[\"\"]}}", "empty name" },
    { "{\"apparmor\":[]}", "policy key `apparmor`: expected an object" },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      char *msg = NULL;

      ck_assert_ptr_null (lsm_policy (cases[i].policy, &msg));
      ck_assert_msg (strstr (msg, cases[i].expect) != NULL, "%s: got %s", cases[i].policy, msg);
      free (msg);
    }
  {
    hs_policy_t *p = lsm_policy ("{\"apparmor\":{\"mode\":\"required\",\"signal_peers\":[\"runc\"],"
                                 "\"allowed_profiles\":[\"custom\"]}}",
                                 NULL);
    ck_assert_ptr_nonnull (p);
    hs_policy_free (p);
  }
}
END_TEST

/* Host without AppArmor (real detection here, forced through the seam). */
START_TEST (test_not_enabled)
{
  hs_host_t none = { 0 }, nolib = { .apparmor_undetectable = true };
  hs_policy_t *best = lsm_policy ("{\"state_dir\":\"/nonexistent/hs\"}", NULL);
  hs_policy_t *req = lsm_policy ("{\"state_dir\":\"/nonexistent/hs\","
                                 "\"apparmor\":{\"mode\":\"required\"}}",
                                 NULL);
  lsm_result_t r;

  lsm_harden (plain_config, best, &none, "/run/runc", "c1", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_ptr_null (lsm_str (r.spec, "process", "apparmorProfile"));
  ck_assert (lsm_audited (&r.audit, "apparmor", "note", "AppArmor not enabled, skipped"));
  lsm_result_release (&r);

  lsm_harden (plain_config, req, &none, "/run/runc", "c1", false, &r);
  ck_assert (r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "AppArmor is required by host policy (apparmor.mode), "
                                        "but AppArmor is not enabled on this host"));
  ck_assert_ptr_nonnull (strstr (r.err, "control `apparmor`"));
  lsm_result_release (&r);

  /* built without libapparmor: fails closed when required, says why */
  lsm_harden (plain_config, req, &nolib, "/run/runc", "c1", false, &r);
  ck_assert (r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "built without libapparmor"));
  lsm_result_release (&r);
  lsm_harden (plain_config, best, &nolib, "/run/runc", "c1", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert (lsm_audited (&r.audit, "apparmor", "note", "AppArmor not enabled, skipped"));
  lsm_result_release (&r);

  /* unconfined is refused whatever the host */
  lsm_harden ("{\"process\":{\"apparmorProfile\":\"unconfined\"}}", best, &none, "/r", "c1", false,
              &r);
  ck_assert (r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "`unconfined`"));
  lsm_result_release (&r);
  hs_policy_free (best);
  hs_policy_free (req);
}
END_TEST

START_TEST (test_enabled_sets_and_loads_once)
{
  fake_host_t f;
  hs_policy_t *p;
  hs_apparmor_profile_t want = { 0 };
  lsm_result_t r;
  char *record;

  fake_host_init (&f, false);
  p = policy_for (&f, NULL);
  render (plain_config, NULL, &want);

  lsm_harden (plain_config, p, &f.host, "/run/runc", "c1", false, &r);
  ck_assert_msg (r.err == NULL, "%s", r.err);
  ck_assert_str_eq (lsm_str (r.spec, "process", "apparmorProfile"), want.name);
  ck_assert (lsm_audited (&r.audit, "apparmor", "changed", "rendered from host policy"));
  ck_assert_int_eq (count_lines (f.calls), 1);
  lsm_result_release (&r);
  /* the profile file and digest record stay under <state_dir>/apparmor */
  record = hs_xasprintf ("%s/state/apparmor/%s.digest", f.dir, want.name);
  ck_assert_int_eq (access (record, F_OK), 0);

  /* same rendering again: nothing is loaded */
  lsm_harden (plain_config, p, &f.host, "/run/runc", "c2", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_str_eq (lsm_str (r.spec, "process", "apparmorProfile"), want.name);
  ck_assert_int_eq (count_lines (f.calls), 1);
  lsm_result_release (&r);

  /* NET_RAW in the bounding set: another rendering, loaded once */
  lsm_harden (net_raw_config, p, &f.host, "/run/runc", "c3", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_str_ne (lsm_str (r.spec, "process", "apparmorProfile"), want.name);
  ck_assert_int_eq (count_lines (f.calls), 2);
  lsm_result_release (&r);

  /* the kernel lost it (unloaded by hand): loaded again despite the record */
  {
    int fd = open (f.profiles, O_WRONLY | O_TRUNC | O_CLOEXEC);
    close (fd);
  }
  lsm_harden (plain_config, p, &f.host, "/run/runc", "c4", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_int_eq (count_lines (f.calls), 3);
  lsm_result_release (&r);

  /* a record with another digest: loaded again */
  {
    hs_error_t err = NULL;
    char *dir = hs_xasprintf ("%s/state/apparmor", f.dir);
    int dfd = hs_open_dir (dir, &err);
    char *name = hs_xasprintf ("%s.digest", want.name);
    ck_assert_int_eq (hs_write_file_atomic_at (dfd, name, "sha256:00\n", 10, NULL, &err), 0);
    close (dfd);
    free (name);
    free (dir);
  }
  lsm_harden (plain_config, p, &f.host, "/run/runc", "c5", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_int_eq (count_lines (f.calls), 4);
  lsm_result_release (&r);

  /* dry run (hardshimctl check: no id) sets the name but loads nothing */
  lsm_harden (net_raw_config, p, &f.host, NULL, NULL, false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_int_eq (count_lines (f.calls), 4);
  lsm_result_release (&r);

  free (record);
  hs_apparmor_profile_release (&want);
  hs_policy_free (p);
  fake_host_release (&f);
}
END_TEST

/* Concurrent creates of the same rendering load it exactly once. */
START_TEST (test_concurrent_load_once)
{
  enum
  {
    N = 20
  };
  fake_host_t f;
  hs_policy_t *p;
  pid_t pids[N];

  fake_host_init (&f, false);
  p = policy_for (&f, NULL);
  for (int i = 0; i < N; i++)
    {
      pids[i] = fork ();
      ck_assert_int_ge (pids[i], 0);
      if (pids[i] == 0)
        {
          lsm_result_t r;
          char id[32];

          snprintf (id, sizeof (id), "c%d", i);
          lsm_harden (plain_config, p, &f.host, "/run/runc", id, false, &r);
          _exit (r.err == NULL && lsm_str (r.spec, "process", "apparmorProfile") != NULL ? 0 : 1);
        }
    }
  for (int i = 0; i < N; i++)
    {
      int status;
      ck_assert_int_eq (waitpid (pids[i], &status, 0), pids[i]);
      ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  ck_assert_int_eq (count_lines (f.calls), 1);
  hs_policy_free (p);
  fake_host_release (&f);
}
END_TEST

START_TEST (test_load_failure_is_an_error)
{
  fake_host_t f;
  hs_policy_t *p;
  lsm_result_t r;

  fake_host_init (&f, true);
  p = policy_for (&f, NULL);
  lsm_harden (plain_config, p, &f.host, "/run/runc", "c1", false, &r);
  ck_assert_ptr_nonnull (r.err);
  ck_assert (!r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "load AppArmor profile `hardshim-"));
  ck_assert_ptr_nonnull (strstr (r.err, "syntax error"));
  lsm_result_release (&r);
  /* no record was left: the next create tries again */
  lsm_harden (plain_config, p, &f.host, "/run/runc", "c2", false, &r);
  ck_assert_ptr_nonnull (r.err);
  ck_assert_int_eq (count_lines (f.calls), 2);
  lsm_result_release (&r);
  hs_policy_free (p);
  fake_host_release (&f);

  /* no parser at all */
  fake_host_init (&f, false);
  f.host.apparmor_parser = "/nonexistent/apparmor_parser";
  p = policy_for (&f, NULL);
  lsm_harden (plain_config, p, &f.host, "/run/runc", "c1", false, &r);
  ck_assert_ptr_nonnull (r.err);
  ck_assert_ptr_nonnull (strstr (r.err, "cannot run `/nonexistent/apparmor_parser`"));
  lsm_result_release (&r);
  hs_policy_free (p);
  fake_host_release (&f);
}
END_TEST

/* Golden table: (config profile, policy) -> (profile after, verdict). */
START_TEST (test_config_profiles)
{
  static const struct
  {
    const char *profile; /* JSON value of process.apparmorProfile, NULL: absent */
    const char *policy;
    const char *want;    /* "@": hardshim's rendering; NULL: absent */
    const char *refusal; /* substring, NULL: admitted */
  } cases[] = {
    { NULL, NULL, "@", NULL },
    { "\"\"", NULL, "@", NULL },
    { "null", NULL, "@", NULL },
    { "\"docker-default\"", NULL, "@", NULL },
    { "\"custom\"", "\"apparmor\":{\"allowed_profiles\":[\"custom\"]}", "custom", NULL },
    { "\"docker-default\"", "\"apparmor\":{\"allowed_profiles\":[\"custom\"]}", "@", NULL },
    { "\"unconfined\"", NULL, NULL, "`unconfined`" },
    { "\"unconfined\"", "\"apparmor\":{\"allowed_profiles\":[\"custom\"]}", NULL, "`unconfined`" },
    { "7", NULL, NULL, "`process.apparmorProfile`" },
    /* audit: recorded, nothing changes */
    { "\"docker-default\"", "\"apparmor\":{\"mode\":\"audit\"}", "docker-default", NULL },
    { "\"unconfined\"", "\"apparmor\":{\"mode\":\"audit\"}", "unconfined", NULL },
    /* off: not even unconfined is looked at */
    { "\"unconfined\"", "\"apparmor\":{\"mode\":\"off\"}", "unconfined", NULL },
    { NULL, "\"apparmor\":{\"mode\":\"required\"}", "@", NULL },
  };
  fake_host_t f;
  hs_apparmor_profile_t want = { 0 };

  fake_host_init (&f, false);
  render (plain_config, NULL, &want);
  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      hs_policy_t *p = policy_for (&f, cases[i].policy);
      char *config = cases[i].profile
                         ? hs_xasprintf ("{\"process\":{\"apparmorProfile\":%s,\"capabilities\":"
                                         "{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"]}}}",
                                         cases[i].profile)
                         : hs_xstrdup (plain_config);
      const char *expect
          = cases[i].want && strcmp (cases[i].want, "@") == 0 ? want.name : cases[i].want;
      lsm_result_t r;
      const char *got;

      lsm_harden (config, p, &f.host, "/run/runc", "c1", false, &r);
      if (cases[i].refusal)
        {
          /* a wrong type is an error of config validation, before any control */
          ck_assert_msg (r.err != NULL, "case %zu admitted", i);
          ck_assert_msg (r.refused || strstr (r.err, "expected string") != NULL, "case %zu: %s", i,
                         r.err);
          ck_assert_msg (strstr (r.err, cases[i].refusal) != NULL, "case %zu: %s", i, r.err);
        }
      else
        {
          ck_assert_msg (r.err == NULL, "case %zu: %s", i, r.err);
          got = lsm_str (r.spec, "process", "apparmorProfile");
          if (expect == NULL)
            ck_assert_ptr_null (got);
          else
            ck_assert_msg (got && strcmp (got, expect) == 0, "case %zu: got %s", i,
                           got ? got : "(absent)");
        }
      lsm_result_release (&r);
      hs_policy_free (p);
      free (config);
    }
  hs_apparmor_profile_release (&want);
  fake_host_release (&f);
}
END_TEST

/* exec --process FILE: (profile, policy) -> (profile after, verdict). */
START_TEST (test_exec_process_file)
{
  static const struct
  {
    const char *process, *policy, *want, *refusal;
  } cases[] = {
    { "{\"args\":[\"sh\"]}", NULL, NULL, NULL },
    { "{\"apparmorProfile\":\"docker-default\"}", NULL, NULL, NULL },
    { "{\"apparmorProfile\":\"hardshim-0123456789abcdef\"}", NULL, NULL, NULL },
    { "{\"apparmorProfile\":\"custom\"}", "\"apparmor\":{\"allowed_profiles\":[\"custom\"]}",
      "custom", NULL },
    { "{\"apparmorProfile\":\"unconfined\"}", NULL, NULL, "`unconfined`" },
    { "{\"apparmorProfile\":[]}", NULL, NULL, "expected a string" },
  };
  hs_host_t hosts[2] = { { 0 }, { .apparmor_enabled = true } };

  for (size_t h = 0; h < 2; h++)
    for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
      {
        char *text
            = hs_xasprintf ("{\"state_dir\":\"/nonexistent/hs\"%s%s}", cases[i].policy ? "," : "",
                            cases[i].policy ? cases[i].policy : "");
        hs_policy_t *p = lsm_policy (text, NULL);
        lsm_result_t r;

        lsm_harden (cases[i].process, p, &hosts[h], NULL, "c1", true, &r);
        if (cases[i].refusal)
          ck_assert_msg (r.refused && strstr (r.err, cases[i].refusal), "case %zu", i);
        else
          {
            const char *got = lsm_str (r.spec, "process", "apparmorProfile");
            ck_assert_msg (r.err == NULL, "case %zu: %s", i, r.err);
            if (cases[i].want)
              ck_assert_str_eq (got, cases[i].want);
            else
              ck_assert_ptr_null (got);
          }
        lsm_result_release (&r);
        hs_policy_free (p);
        free (text);
      }
}
END_TEST

/* exec --apparmor and restore --lsm-profile, parsed as runc would. */
START_TEST (test_flags)
{
  static const struct
  {
    const char *argv[8];
    const char *policy;
    const char *refusal;
  } cases[] = {
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" }, NULL, "`unconfined`" },
    { { "hardshim", "exec", "--apparmor=docker-default", "c1", "sh" },
      NULL,
      "not in apparmor.allowed_profiles" },
    { { "hardshim", "exec", "--apparmor", "custom", "c1", "sh" },
      "\"apparmor\":{\"allowed_profiles\":[\"custom\"]}",
      NULL },
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" },
      "\"apparmor\":{\"mode\":\"off\"}",
      NULL },
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" },
      "\"apparmor\":{\"mode\":\"audit\"}",
      NULL },
    { { "hardshim", "exec", "c1", "sh" }, NULL, NULL },
    { { "hardshim", "restore", "--lsm-profile", "apparmor:unconfined", "c1" },
      NULL,
      "`unconfined`" },
    { { "hardshim", "restore", "--lsm-profile", "apparmor:own-profile", "c1" }, NULL, NULL },
    { { "hardshim", "restore", "--lsm-profile", "apparmor:other", "c1" },
      NULL,
      "not in apparmor.allowed_profiles" },
    { { "hardshim", "restore", "--lsm-profile", "bogus", "c1" },
      NULL,
      "expected apparmor:PROFILE or selinux:LABEL" },
  };
  hs_json_t *config = test_parse ("{\"process\":{\"apparmorProfile\":\"own-profile\"}}");
  hs_host_t host = { .apparmor_enabled = true };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      char *text = hs_xasprintf ("{%s}", cases[i].policy ? cases[i].policy : "");
      hs_policy_t *p = lsm_policy (text, NULL);
      hs_invocation_t inv;
      hs_error_t err = NULL;
      hs_audit_t audit;
      int argc = 0, r;

      while (cases[i].argv[argc])
        argc++;
      ck_assert_int_eq (
          hs_cli_parse (argc, (char *const *) cases[i].argv, HS_DIALECT_GO, &inv, &err), 0);
      hs_audit_init (&audit, inv.verb_name, "c1", NULL, p->digest);
      r = hs_lsm_harden_flags (&inv, inv.verb == HS_VERB_RESTORE ? config : NULL, p, &host, &audit,
                               &err);
      if (cases[i].refusal)
        {
          ck_assert_msg (r < 0, "case %zu admitted", i);
          ck_assert_msg (strstr (err->msg, cases[i].refusal) != NULL, "case %zu: %s", i, err->msg);
          hs_error_release (&err);
        }
      else
        ck_assert_msg (r == 0, "case %zu: %s", i, err ? err->msg : "");
      hs_audit_release (&audit);
      hs_cli_release (&inv);
      hs_policy_free (p);
      free (text);
    }
  hs_json_free (config);
}
END_TEST

static Suite *
apparmor_suite (void)
{
  Suite *s = suite_create ("apparmor");
  TCase *t = tcase_create ("render");

  tcase_set_timeout (t, 60);
  tcase_add_test (t, test_render_rules);
  tcase_add_test (t, test_renderings_compile);
  tcase_add_test (t, test_parser_rejects_broken_profile);
  tcase_add_test (t, test_template_errors);
  tcase_add_test (t, test_net_raw_detection);
  suite_add_tcase (s, t);
  t = tcase_create ("control");
  tcase_set_timeout (t, 60);
  tcase_add_test (t, test_policy_validation);
  tcase_add_test (t, test_not_enabled);
  tcase_add_test (t, test_enabled_sets_and_loads_once);
  tcase_add_test (t, test_concurrent_load_once);
  tcase_add_test (t, test_load_failure_is_an_error);
  tcase_add_test (t, test_config_profiles);
  tcase_add_test (t, test_exec_process_file);
  tcase_add_test (t, test_flags);
  suite_add_tcase (s, t);
  return s;
}

TEST_MAIN (apparmor_suite ())
