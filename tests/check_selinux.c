/* SELinux: MCS category allocation (uniqueness under concurrency, release
 * on delete, exhaustion, stale records) and the control's decisions through
 * the hs_host_t seam. */
#include "lsm_testutil.h"

#include "cli.h"
#include "fileio.h"
#include "harden/lsm.h"
#include "mcs.h"
#include "registry.h"
#include "release.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>

static const char *const plain_config
    = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
      "\"root\":{\"path\":\"r\"},\"linux\":{}}";

static void
reserve_ok (const char *state, const char *root, const char *id, unsigned lo, unsigned hi,
            unsigned *c1, unsigned *c2)
{
  hs_error_t err = NULL;

  if (hs_mcs_reserve (state, root, id, lo, hi, c1, c2, &err) < 0)
    ck_abort_msg ("reserve %s: %s", id, err->msg);
  ck_assert_uint_ge (*c1, lo);
  ck_assert_uint_le (*c2, hi);
  ck_assert_uint_lt (*c1, *c2);
}

/* A record that becomes unreadable still holds exactly its pair, by the
 * claim beside it: never handed out twice, never refusing everyone. */
START_TEST (test_unreadable_record_holds_its_pair)
{
  char *dir = lsm_tmpdir ();
  char *key = hs_registry_key ("/run/runc", "a");
  char *rec = hs_xasprintf ("%s/%s/%s", dir, HS_MCS_KIND, key);
  unsigned a1, a2, b1, b2, c1, c2;
  hs_error_t err = NULL;
  FILE *f;

  reserve_ok (dir, "/run/runc", "a", 0, 2, &a1, &a2);
  f = fopen (rec, "w");
  ck_assert_ptr_nonnull (f);
  fputs ("{torn", f);
  fclose (f);
  reserve_ok (dir, "/run/runc", "b", 0, 2, &b1, &b2);
  reserve_ok (dir, "/run/runc", "c", 0, 2, &c1, &c2);
  ck_assert (b1 != a1 || b2 != a2);
  ck_assert (c1 != a1 || c2 != a2);
  ck_assert_int_lt (hs_mcs_reserve (dir, "/run/runc", "d", 0, 2, &c1, &c2, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "no free SELinux category pair"));
  hs_error_release (&err);
  /* without its claim (an earlier version's record) it could hold any */
  {
    char *claim = hs_xasprintf ("%s/%s/%.32s.p%u-%u", dir, HS_MCS_KIND, key, a1, a2);
    ck_assert_int_eq (unlink (claim), 0);
    free (claim);
  }
  ck_assert_int_lt (hs_mcs_reserve (dir, "/run/runc", "d", 0, 5, &c1, &c2, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "unreadable and names no pair"));
  hs_error_release (&err);
  lsm_rmrf (dir);
  free (dir);
  free (key);
  free (rec);
}
END_TEST

/* 50 processes reserve at once from a range with only 55 pairs. */
START_TEST (test_unique_under_concurrency)
{
  enum
  {
    N = 50
  };
  char *dir = lsm_tmpdir ();
  char *out = hs_xasprintf ("%s/pairs", dir);
  pid_t pids[N];
  unsigned seen[N][2];
  int n = 0;
  FILE *f;

  for (int i = 0; i < N; i++)
    {
      pids[i] = fork ();
      ck_assert_int_ge (pids[i], 0);
      if (pids[i] == 0)
        {
          hs_error_t err = NULL;
          unsigned c1, c2;
          char id[16], line[64];
          int fd, len;

          snprintf (id, sizeof (id), "c%d", i);
          if (hs_mcs_reserve (dir, "/run/runc", id, 0, 10, &c1, &c2, &err) < 0)
            _exit (2);
          len = snprintf (line, sizeof (line), "%u %u\n", c1, c2);
          fd = open (out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
          _exit (fd >= 0 && write (fd, line, (size_t) len) == len ? 0 : 3);
        }
    }
  for (int i = 0; i < N; i++)
    {
      int status;
      ck_assert_int_eq (waitpid (pids[i], &status, 0), pids[i]);
      ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child %d failed", i);
    }
  f = fopen (out, "re");
  ck_assert_ptr_nonnull (f);
  while (n < N && fscanf (f, "%u %u", &seen[n][0], &seen[n][1]) == 2)
    n++;
  fclose (f);
  ck_assert_int_eq (n, N);
  for (int i = 0; i < N; i++)
    for (int j = i + 1; j < N; j++)
      ck_assert_msg (seen[i][0] != seen[j][0] || seen[i][1] != seen[j][1],
                     "pair c%u,c%u handed out twice", seen[i][0], seen[i][1]);
  lsm_rmrf (dir);
  free (dir);
  free (out);
}
END_TEST

static void
release_via_delete_noting (const char *state, const char *root, const char *id, size_t notes)
{
  char *policy_text = hs_xasprintf ("{\"state_dir\":\"%s\"}", state);
  hs_policy_t *p = lsm_policy (policy_text, NULL);
  const char *argv[] = { "hardshim", "--root", root, "delete", id, NULL };
  hs_invocation_t inv;
  hs_error_t err = NULL;
  hs_audit_t audit;

  ck_assert_int_eq (hs_cli_parse (5, (char *const *) argv, HS_DIALECT_GO, &inv, &err), 0);
  hs_audit_init (&audit, "delete", id, NULL, p->digest);
  hs_release_container (p, &inv, &audit);
  ck_assert_int_eq (audit.len, notes); /* 0: no trouble recorded */
  hs_audit_release (&audit);
  hs_cli_release (&inv);
  hs_policy_free (p);
  free (policy_text);
}

static void
release_via_delete (const char *state, const char *root, const char *id)
{
  release_via_delete_noting (state, root, id, 0);
}

/* runc's state of a container whose init is `pid` (0: our own process). */
static void
write_runc_state (const char *dir, pid_t pid)
{
  char *stat_path = hs_xasprintf ("/proc/%d/stat", pid ? (int) pid : (int) getpid ());
  char *path = hs_xasprintf ("%s/state.json", dir), *text, buf[1024], *p;
  unsigned long long start = 1;
  FILE *f = fopen (stat_path, "re");
  size_t n;

  if (f != NULL)
    {
      n = fread (buf, 1, sizeof (buf) - 1, f);
      buf[n] = '\0';
      fclose (f);
      p = strrchr (buf, ')') + 2;
      for (int field = 3; field < 22; field++)
        p = strchr (p, ' ') + 1;
      start = strtoull (p, NULL, 10);
    }
  text = hs_xasprintf ("{\"init_process_pid\":%d,\"init_process_start\":%llu}",
                       pid ? (int) pid : (int) getpid (), start);
  {
    FILE *out = fopen (path, "we");
    ck_assert_ptr_nonnull (out);
    fputs (text, out);
    fclose (out);
  }
  free (stat_path);
  free (path);
  free (text);
}

START_TEST (test_exhaustion_and_release_on_delete)
{
  char *dir = lsm_tmpdir ();
  unsigned p[3][2], c1, c2;
  hs_error_t err = NULL;

  /* c0..c2 holds three pairs */
  reserve_ok (dir, "/run/runc", "a", 0, 2, &p[0][0], &p[0][1]);
  reserve_ok (dir, "/run/runc", "b", 0, 2, &p[1][0], &p[1][1]);
  reserve_ok (dir, "/run/runc", "c", 0, 2, &p[2][0], &p[2][1]);
  ck_assert (p[0][0] != p[1][0] || p[0][1] != p[1][1]);
  ck_assert (p[0][0] != p[2][0] || p[0][1] != p[2][1]);
  ck_assert (p[1][0] != p[2][0] || p[1][1] != p[2][1]);
  ck_assert_int_lt (hs_mcs_reserve (dir, "/run/runc", "d", 0, 2, &c1, &c2, &err), 0);
  ck_assert (hs_error_is_refusal (&err));
  ck_assert_str_eq (err->msg, "no free SELinux category pair in c0..c2: every pair is held by a "
                              "running container (widen selinux.categories or remove "
                              "containers)");
  hs_error_release (&err);

  /* the same id under another runtime root is another container */
  ck_assert_int_lt (hs_mcs_reserve (dir, "/run/crun", "a", 0, 2, &c1, &c2, &err), 0);
  hs_error_release (&err);

  /* delete gives b's pair back; d gets it */
  release_via_delete (dir, "/run/runc", "b");
  reserve_ok (dir, "/run/runc", "d", 0, 2, &c1, &c2);
  ck_assert_uint_eq (c1, p[1][0]);
  ck_assert_uint_eq (c2, p[1][1]);
  /* deleting what holds nothing is fine */
  release_via_delete (dir, "/run/runc", "never-created");
  lsm_rmrf (dir);
  free (dir);
}
END_TEST

START_TEST (test_retry_keeps_pair)
{
  char *dir = lsm_tmpdir ();
  unsigned a1, a2, b1, b2;

  reserve_ok (dir, "/run/runc", "a", 0, 1023, &a1, &a2);
  reserve_ok (dir, "/run/runc", "a", 0, 1023, &b1, &b2);
  ck_assert_uint_eq (a1, b1);
  ck_assert_uint_eq (a2, b2);
  lsm_rmrf (dir);
  free (dir);
}
END_TEST

static void
write_record (const char *state, const char *root, const char *id, long long created,
              const char *value)
{
  char *dir = hs_xasprintf ("%s/selinux", state);
  char *key = hs_registry_key (root, id);
  char *text = hs_xasprintf ("{\"id\":\"%s\",\"root\":\"%s\",\"created\":%lld,\"value\":%s}", id,
                             root, created, value);
  hs_error_t err = NULL;
  int dfd;

  mkdir (state, 0700);
  mkdir (dir, 0700);
  dfd = hs_open_dir (dir, &err);
  ck_assert_int_ge (dfd, 0);
  ck_assert_int_eq (hs_write_file_atomic_at (dfd, key, text, strlen (text), NULL, &err), 0);
  close (dfd);
  free (dir);
  free (key);
  free (text);
}

static bool
record_exists (const char *state, const char *root, const char *id)
{
  char *key = hs_registry_key (root, id);
  char *path = hs_xasprintf ("%s/selinux/%s", state, key);
  bool r = access (path, F_OK) == 0;

  free (key);
  free (path);
  return r;
}

START_TEST (test_stale_records_reclaimed)
{
  char *dir = lsm_tmpdir ();
  char *state = hs_xasprintf ("%s/state", dir);
  char *root = hs_xasprintf ("%s/runc", dir);
  char *live = hs_xasprintf ("%s/runc/live", dir);
  hs_error_t err = NULL;
  unsigned c1, c2;

  /* a crash left a record: old, and the runtime has no such container */
  write_record (state, root, "crashed", 1000, "{\"c\":[0,1]}");
  reserve_ok (state, root, "new", 0, 1, &c1, &c2);
  ck_assert_uint_eq (c1, 0);
  ck_assert_uint_eq (c2, 1);
  ck_assert (!record_exists (state, root, "crashed"));
  ck_assert (record_exists (state, root, "new"));
  release_via_delete (state, root, "new");

  /* old, but the runtime still has the container, its init running: kept
   * (the reserve made the runtime root, as the runtime would, to witness it) */
  ck_assert (mkdir (root, 0700) == 0 || errno == EEXIST);
  ck_assert_int_eq (mkdir (live, 0700), 0);
  write_runc_state (live, 0);
  write_record (state, root, "live", 1000, "{\"c\":[0,1]}");
  ck_assert_int_lt (hs_mcs_reserve (state, root, "new2", 0, 1, &c1, &c2, &err), 0);
  hs_error_release (&err);
  ck_assert (record_exists (state, root, "live"));
  /* a delete while it runs (the runtime refuses it) gives nothing back */
  release_via_delete_noting (state, root, "live", 1);
  ck_assert (record_exists (state, root, "live"));
  /* its init has exited (stopped: it never runs again): delete releases */
  {
    pid_t child = fork ();

    ck_assert_int_ge (child, 0);
    if (child == 0)
      _exit (0);
    ck_assert_int_eq (waitpid (child, NULL, 0), child);
    write_runc_state (live, child);
  }
  release_via_delete (state, root, "live");
  ck_assert (!record_exists (state, root, "live"));

  /* young, no runtime state yet (its create is on its way): kept */
  write_record (state, root, "young", (long long) time (NULL), "{\"c\":[0,1]}");
  ck_assert_int_lt (hs_mcs_reserve (state, root, "new3", 0, 1, &c1, &c2, &err), 0);
  hs_error_release (&err);
  ck_assert (record_exists (state, root, "young"));

  lsm_rmrf (dir);
  free (dir);
  free (state);
  free (root);
  free (live);
}
END_TEST

START_TEST (test_parse_level)
{
  static const struct
  {
    const char *level;
    int ok;
    unsigned a, b;
  } cases[] = {
    { "s0:c1,c2", 0, 1, 2 },        { "s0:c0,c1023", 0, 0, 1023 }, { "s0", -1, 0, 0 },
    { "s0:c2,c1", -1, 0, 0 },       { "s0:c1,c1", -1, 0, 0 },      { "s0:c1,c1024", -1, 0, 0 },
    { "s0:c1.c5", -1, 0, 0 },       { "s0:c1,c2,c3", -1, 0, 0 },   { "s0:c,c2", -1, 0, 0 },
    { "s0-s0:c0.c1023", -1, 0, 0 },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      unsigned a = 99, b = 99;
      ck_assert_int_eq (hs_mcs_parse_level (cases[i].level, &a, &b), cases[i].ok);
      if (cases[i].ok == 0)
        {
          ck_assert_uint_eq (a, cases[i].a);
          ck_assert_uint_eq (b, cases[i].b);
        }
    }
}
END_TEST

START_TEST (test_policy_validation)
{
  static const struct
  {
    const char *policy, *expect;
  } cases[] = {
    { "{\"selinux\":{\"mode\":\"enforce\"}}",
      "`selinux.mode`: expected one of required, best-effort, audit, off" },
    { "{\"selinux\":{\"categories\":[5,5]}}", "`selinux.categories`" },
    { "{\"selinux\":{\"categories\":[0,1024]}}", "`selinux.categories`" },
    { "{\"selinux\":{\"categories\":[-1,3]}}", "`selinux.categories`" },
    { "{\"selinux\":{\"categories\":[0]}}", "`selinux.categories`" },
    { "{\"selinux\":{\"categories\":[0.5,3]}}", "`selinux.categories`" },
    { "{\"selinux\":{\"allowed_types\":[\"spc_t\"]}}", "use an exception" },
    { "{\"selinux\":{\"allowed_types\":[\"unconfined_t\"]}}", "use an exception" },
    { "{\"selinux\":{\"allowed_types\":[\"a:b\"]}}", "not an SELinux type" },
    { "{\"selinux\":{\"type\":\"spc_t\"}}", "unconfined types give no separation" },
    { "{\"selinux\":{\"type\":\"container_t:s0\"}}", "`selinux.type`" },
    { "{\"selinux\":{\"user\":\"\"}}", "`selinux.user`" },
    { "{\"selinux\":{\"level\":\"s0:c1\"}}", "`selinux.level`" },
    { "{\"selinux\":{\"level\":\"s\"}}", "`selinux.level`" },
    { "{\"selinux\":{\"label\":\"x\"}}", "`selinux.label`: unknown setting" },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      char *msg = NULL;

      ck_assert_ptr_null (lsm_policy (cases[i].policy, &msg));
      ck_assert_msg (strstr (msg, cases[i].expect) != NULL, "%s: got %s", cases[i].policy, msg);
      free (msg);
    }
}
END_TEST

static hs_policy_t *
policy_at (const char *state, const char *extra)
{
  char *text
      = hs_xasprintf ("{\"state_dir\":\"%s\"%s%s}", state, extra ? "," : "", extra ? extra : "");
  hs_policy_t *p = lsm_policy (text, NULL);

  ck_assert_ptr_nonnull (p);
  free (text);
  return p;
}

START_TEST (test_enabled_labels)
{
  char *dir = lsm_tmpdir ();
  hs_host_t host = { .selinux_enabled = true };
  hs_policy_t *p = policy_at (dir, NULL);
  lsm_result_t a, b;
  unsigned a1, a2, b1, b2;
  const char *pl, *ml;
  char *want_ml;

  lsm_harden (plain_config, p, &host, "/run/runc", "a", false, &a);
  ck_assert_msg (a.err == NULL, "%s", a.err);
  pl = lsm_str (a.spec, "process", "selinuxLabel");
  ml = lsm_str (a.spec, "linux", "mountLabel");
  ck_assert_ptr_nonnull (pl);
  ck_assert_int_eq (sscanf (pl, "system_u:system_r:container_t:s0:c%u,c%u", &a1, &a2), 2);
  want_ml = hs_xasprintf ("system_u:object_r:container_file_t:s0:c%u,c%u", a1, a2);
  ck_assert_str_eq (ml, want_ml);
  ck_assert (lsm_audited (&a.audit, "selinux", "changed", "MCS-separated"));
  free (want_ml);

  lsm_harden (plain_config, p, &host, "/run/runc", "b", false, &b);
  ck_assert_ptr_null (b.err);
  pl = lsm_str (b.spec, "process", "selinuxLabel");
  ck_assert_int_eq (sscanf (pl, "system_u:system_r:container_t:s0:c%u,c%u", &b1, &b2), 2);
  ck_assert (a1 != b1 || a2 != b2);
  lsm_result_release (&a);
  lsm_result_release (&b);

  /* no linux object at all: created for the mount label */
  lsm_harden ("{\"process\":{}}", p, &host, "/run/runc", "c", false, &a);
  ck_assert_ptr_null (a.err);
  ck_assert_ptr_nonnull (lsm_str (a.spec, "linux", "mountLabel"));
  lsm_result_release (&a);
  hs_policy_free (p);
  lsm_rmrf (dir);
  free (dir);
}
END_TEST

/* Golden table: (labels in the config, policy) -> (labels after, verdict). */
START_TEST (test_config_labels)
{
  static const struct
  {
    const char *pl, *ml; /* JSON values; NULL: absent */
    const char *policy;
    const char *want_pl, *want_ml; /* "@": hardshim's own with its pair; NULL: absent */
    const char *refusal;
  } cases[] = {
    /* the engine's own label with an allowed type is kept, the mount label follows it */
    { "\"system_u:system_r:container_t:s0:c5,c9\"", NULL, NULL,
      "system_u:system_r:container_t:s0:c5,c9", "system_u:object_r:container_file_t:s0:c5,c9",
      NULL },
    { "\"system_u:system_r:container_t:s0:c5,c9\"",
      "\"system_u:object_r:container_file_t:s0:c5,c9\"", NULL,
      "system_u:system_r:container_t:s0:c5,c9", "system_u:object_r:container_file_t:s0:c5,c9",
      NULL },
    /* a mount label with other categories is brought in line */
    { "\"system_u:system_r:container_t:s0:c5,c9\"",
      "\"system_u:object_r:container_file_t:s0:c1,c2\"", NULL,
      "system_u:system_r:container_t:s0:c5,c9", "system_u:object_r:container_file_t:s0:c5,c9",
      NULL },
    { "\"system_u:system_r:svirt_lxc_net_t:s0:c5,c9\"", NULL, NULL, "@", "@", NULL },
    { "\"system_u:system_r:svirt_lxc_net_t:s0:c5,c9\"", NULL,
      "\"selinux\":{\"allowed_types\":[\"svirt_lxc_net_t\"]}",
      "system_u:system_r:svirt_lxc_net_t:s0:c5,c9", "system_u:object_r:container_file_t:s0:c5,c9",
      NULL },
    { NULL, "\"system_u:object_r:container_file_t:s0:c1,c2\"", NULL, "@", "@", NULL },
    { "\"\"", NULL, NULL, "@", "@", NULL },
    { "\"system_u:system_r:spc_t:s0\"", NULL, NULL, NULL, NULL,
      "has an unconfined type (`spc_t`)" },
    { "\"unconfined_u:unconfined_r:unconfined_t:s0\"", NULL, NULL, NULL, NULL,
      "unconfined type (`unconfined_t`)" },
    { "\"system_u:system_r:unconfined_container_t:s0\"", NULL, NULL, NULL, NULL,
      "unconfined type" },
    { NULL, "\"system_u:object_r:spc_t:s0\"", NULL, NULL, NULL, "`linux.mountLabel`" },
    { "\"container_t\"", NULL, NULL, NULL, NULL, "is not a valid SELinux label" },
    { "\"system_u:system_r:container_t\"", NULL, NULL, NULL, NULL, "not a valid SELinux label" },
    { "\"system_u:system_r:container t:s0\"", NULL, NULL, NULL, NULL, "not a valid" },
    { "{}", NULL, NULL, NULL, NULL, "`process.selinuxLabel`: expected string" },
    /* audit: recorded, nothing changes, nothing reserved */
    { NULL, NULL, "\"selinux\":{\"mode\":\"audit\"}", NULL, NULL, NULL },
    { "\"system_u:system_r:spc_t:s0\"", NULL, "\"selinux\":{\"mode\":\"audit\"}",
      "system_u:system_r:spc_t:s0", NULL, NULL },
    { "\"system_u:system_r:spc_t:s0\"", NULL, "\"selinux\":{\"mode\":\"off\"}",
      "system_u:system_r:spc_t:s0", NULL, NULL },
  };
  hs_host_t host = { .selinux_enabled = true };

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      char *dir = lsm_tmpdir ();
      hs_policy_t *p = policy_at (dir, cases[i].policy);
      hs_json_t *config = test_parse (plain_config);
      char *text;
      lsm_result_t r;

      if (cases[i].pl)
        hs_json_set (hs_json_get (config, "process"), "selinuxLabel", test_parse (cases[i].pl));
      if (cases[i].ml)
        hs_json_set (hs_json_get (config, "linux"), "mountLabel", test_parse (cases[i].ml));
      text = test_emit (config);
      lsm_harden (text, p, &host, "/run/runc", "c1", false, &r);
      if (cases[i].refusal)
        {
          ck_assert_msg (r.err != NULL, "case %zu admitted", i);
          ck_assert_msg (strstr (r.err, cases[i].refusal) != NULL, "case %zu: %s", i, r.err);
          /* a wrong type is an error of config validation, before any control */
          if (strstr (r.err, "expected string") == NULL)
            ck_assert_msg (r.refused && strstr (r.err, "control `selinux`") != NULL, "case %zu: %s",
                           i, r.err);
        }
      else
        {
          const char *pl = lsm_str (r.spec, "process", "selinuxLabel");
          const char *ml = lsm_str (r.spec, "linux", "mountLabel");
          unsigned c1, c2;

          ck_assert_msg (r.err == NULL, "case %zu: %s", i, r.err);
          if (cases[i].want_pl && strcmp (cases[i].want_pl, "@") == 0)
            {
              char *want_ml;
              ck_assert_msg (
                  pl && sscanf (pl, "system_u:system_r:container_t:s0:c%u,c%u", &c1, &c2) == 2,
                  "case %zu: %s", i, pl);
              want_ml = hs_xasprintf ("system_u:object_r:container_file_t:s0:c%u,c%u", c1, c2);
              ck_assert_str_eq (ml, want_ml);
              free (want_ml);
            }
          else
            {
              if (cases[i].want_pl)
                ck_assert_msg (pl && strcmp (pl, cases[i].want_pl) == 0, "case %zu: %s", i, pl);
              else
                ck_assert_msg (pl == NULL || cases[i].pl != NULL, "case %zu: %s", i, pl);
              if (cases[i].want_ml)
                ck_assert_msg (ml && strcmp (ml, cases[i].want_ml) == 0, "case %zu: %s", i, ml);
              else
                ck_assert_msg (ml == NULL, "case %zu: %s", i, ml);
            }
        }
      lsm_result_release (&r);
      hs_json_free (config);
      hs_policy_free (p);
      free (text);
      lsm_rmrf (dir);
      free (dir);
    }
}
END_TEST

/* A kept label's pair is recorded: hardshim never hands it to another. */
START_TEST (test_kept_label_pair_recorded)
{
  char *dir = lsm_tmpdir ();
  hs_host_t host = { .selinux_enabled = true };
  hs_policy_t *p = policy_at (dir, "\"selinux\":{\"categories\":[0,1]}");
  lsm_result_t r;

  lsm_harden ("{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c0,c1\"}}", p,
              &host, "/run/runc", "podman-made", false, &r);
  ck_assert_ptr_null (r.err);
  lsm_result_release (&r);
  /* c0..c1 holds one pair, and the kept label holds it */
  lsm_harden (plain_config, p, &host, "/run/runc", "next", false, &r);
  ck_assert (r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "no free SELinux category pair in c0..c1"));
  ck_assert_ptr_nonnull (strstr (r.err, "control `selinux`"));
  lsm_result_release (&r);
  hs_policy_free (p);
  lsm_rmrf (dir);
  free (dir);
}
END_TEST

/* A bundle hardshim hardened before, run again as another container: the
 * label it carries is hardshim's old one, so the pair is reserved afresh. */
START_TEST (test_rehardened_bundle_gets_own_pair)
{
  char *dir = lsm_tmpdir ();
  hs_host_t host = { .selinux_enabled = true };
  hs_policy_t *p = policy_at (dir, NULL);
  lsm_result_t a, b, c;
  char *again;
  const char *pa, *pb;

  lsm_harden (plain_config, p, &host, "/run/runc", "first", false, &a);
  ck_assert_ptr_null (a.err);
  hs_harden_mark (a.spec, p);
  again = test_emit (a.spec);
  lsm_harden (again, p, &host, "/run/runc", "second", false, &b);
  ck_assert_ptr_null (b.err);
  pa = lsm_str (a.spec, "process", "selinuxLabel");
  pb = lsm_str (b.spec, "process", "selinuxLabel");
  ck_assert_str_ne (pa, pb);
  ck_assert_str_ne (lsm_str (a.spec, "linux", "mountLabel"),
                    lsm_str (b.spec, "linux", "mountLabel"));
  /* the same container again (create retried) keeps its pair */
  lsm_harden (again, p, &host, "/run/runc", "first", false, &c);
  ck_assert_ptr_null (c.err);
  ck_assert_str_eq (lsm_str (c.spec, "process", "selinuxLabel"), pa);
  lsm_result_release (&a);
  lsm_result_release (&b);
  lsm_result_release (&c);
  free (again);
  hs_policy_free (p);
  lsm_rmrf (dir);
  free (dir);
}
END_TEST

START_TEST (test_configurable_types)
{
  char *dir = lsm_tmpdir ();
  hs_host_t host = { .selinux_enabled = true };
  hs_policy_t *p = policy_at (dir, "\"selinux\":{\"user\":\"my_u\",\"role\":\"my_r\","
                                   "\"type\":\"my_t\",\"file_role\":\"my_object_r\","
                                   "\"file_type\":\"my_file_t\",\"level\":\"s1\","
                                   "\"categories\":[5,6]}");
  lsm_result_t r;

  lsm_harden (plain_config, p, &host, "/run/runc", "c1", false, &r);
  ck_assert_msg (r.err == NULL, "%s", r.err);
  ck_assert_str_eq (lsm_str (r.spec, "process", "selinuxLabel"), "my_u:my_r:my_t:s1:c5,c6");
  ck_assert_str_eq (lsm_str (r.spec, "linux", "mountLabel"), "my_u:my_object_r:my_file_t:s1:c5,c6");
  lsm_result_release (&r);
  /* container_t is no longer the allowed type: replaced */
  lsm_harden ("{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c0,c1\"}}", p,
              &host, "/run/runc", "c1", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_str_eq (lsm_str (r.spec, "process", "selinuxLabel"), "my_u:my_r:my_t:s1:c5,c6");
  lsm_result_release (&r);
  hs_policy_free (p);
  lsm_rmrf (dir);
  free (dir);
}
END_TEST

START_TEST (test_not_enabled)
{
  char *dir = lsm_tmpdir ();
  char *regdir = hs_xasprintf ("%s/selinux", dir);
  hs_host_t none = { 0 }, nolib = { .selinux_undetectable = true };
  hs_policy_t *best = policy_at (dir, NULL);
  hs_policy_t *req = policy_at (dir, "\"selinux\":{\"mode\":\"required\"}");
  lsm_result_t r;

  lsm_harden (plain_config, best, &none, "/run/runc", "c1", false, &r);
  ck_assert_ptr_null (r.err);
  ck_assert_ptr_null (lsm_str (r.spec, "process", "selinuxLabel"));
  ck_assert_ptr_null (lsm_str (r.spec, "linux", "mountLabel"));
  ck_assert (lsm_audited (&r.audit, "selinux", "note", "SELinux not enabled, skipped"));
  lsm_result_release (&r);
  ck_assert_int_ne (access (regdir, F_OK), 0); /* nothing reserved */

  lsm_harden (plain_config, req, &none, "/run/runc", "c1", false, &r);
  ck_assert (r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "SELinux is required by host policy (selinux.mode), "
                                        "but SELinux is not enabled on this host"));
  lsm_result_release (&r);
  lsm_harden (plain_config, req, &nolib, "/run/runc", "c1", false, &r);
  ck_assert (r.refused);
  ck_assert_ptr_nonnull (strstr (r.err, "built without libselinux"));
  lsm_result_release (&r);

  /* spc_t is refused whatever the host */
  lsm_harden ("{\"process\":{\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}}", best, &none,
              "/run/runc", "c1", false, &r);
  ck_assert (r.refused);
  lsm_result_release (&r);

  /* dry run on an enabled host (no id): a label without reserved categories */
  {
    hs_host_t on = { .selinux_enabled = true };
    lsm_harden (plain_config, best, &on, NULL, NULL, false, &r);
    ck_assert_ptr_null (r.err);
    ck_assert_str_eq (lsm_str (r.spec, "process", "selinuxLabel"),
                      "system_u:system_r:container_t:s0");
    lsm_result_release (&r);
    ck_assert_int_ne (access (regdir, F_OK), 0);
  }
  hs_policy_free (best);
  hs_policy_free (req);
  lsm_rmrf (dir);
  free (dir);
  free (regdir);
}
END_TEST

START_TEST (test_exec_process_file)
{
  static const struct
  {
    const char *process, *refusal;
  } cases[] = {
    { "{\"args\":[\"sh\"]}", NULL },
    { "{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\"}", NULL },
    { "{\"selinuxLabel\":\"\"}", NULL },
    { "{\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}", "unconfined type (`spc_t`)" },
    { "{\"selinuxLabel\":\"bogus\"}", "not a valid SELinux label" },
  };
  hs_host_t hosts[2] = { { 0 }, { .selinux_enabled = true } };
  hs_policy_t *p = policy_at ("/nonexistent/hs", NULL);

  for (size_t h = 0; h < 2; h++)
    for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
      {
        lsm_result_t r;

        lsm_harden (cases[i].process, p, &hosts[h], NULL, "c1", true, &r);
        if (cases[i].refusal)
          ck_assert_msg (r.refused && strstr (r.err, cases[i].refusal), "case %zu", i);
        else
          {
            const char *got = lsm_str (r.spec, "process", "selinuxLabel");
            ck_assert_msg (r.err == NULL, "case %zu: %s", i, r.err);
            ck_assert_msg (got == NULL || *got == '\0', "case %zu: %s", i, got);
          }
        lsm_result_release (&r);
      }
  hs_policy_free (p);
}
END_TEST

START_TEST (test_flags)
{
  static const struct
  {
    const char *argv[8];
    const char *refusal;
  } cases[] = {
    { { "hardshim", "exec", "--process-label", "system_u:system_r:spc_t:s0", "c1", "sh" },
      "unconfined type" },
    { { "hardshim", "exec", "--process-label=system_u:system_r:container_t:s0:c7,c8", "c1", "sh" },
      "is not the container's own" },
    { { "hardshim", "exec", "--process-label", "nonsense", "c1", "sh" }, "not a valid" },
    { { "hardshim", "restore", "--lsm-profile", "selinux:system_u:system_r:container_t:s0:c1,c2",
        "c1" },
      NULL },
    { { "hardshim", "restore", "--lsm-profile", "selinux:system_u:system_r:container_t:s0:c3,c4",
        "c1" },
      "is not the container's own" },
    { { "hardshim", "restore", "--lsm-profile", "selinux:system_u:system_r:spc_t:s0", "c1" },
      "unconfined type" },
  };
  hs_json_t *config
      = test_parse ("{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\"}}");
  hs_host_t host = { .selinux_enabled = true };
  hs_policy_t *p = lsm_policy ("{}", NULL);

  for (size_t i = 0; i < sizeof (cases) / sizeof (*cases); i++)
    {
      hs_invocation_t inv;
      hs_error_t err = NULL;
      hs_audit_t audit;
      int argc = 0, r;

      while (cases[i].argv[argc])
        argc++;
      ck_assert_int_eq (
          hs_cli_parse (argc, (char *const *) cases[i].argv, HS_DIALECT_ARGP, &inv, &err), 0);
      hs_audit_init (&audit, inv.verb_name, "c1", NULL, p->digest);
      r = hs_lsm_harden_flags (&inv, inv.verb == HS_VERB_RESTORE ? config : NULL, p, &host, &audit,
                               &err);
      if (cases[i].refusal)
        {
          ck_assert_msg (r < 0 && strstr (err->msg, cases[i].refusal), "case %zu: %s", i,
                         err ? err->msg : "admitted");
          hs_error_release (&err);
        }
      else
        ck_assert_msg (r == 0, "case %zu: %s", i, err ? err->msg : "");
      hs_audit_release (&audit);
      hs_cli_release (&inv);
    }
  hs_policy_free (p);
  hs_json_free (config);
}
END_TEST

static Suite *
selinux_suite (void)
{
  Suite *s = suite_create ("selinux");
  TCase *t = tcase_create ("mcs");

  tcase_set_timeout (t, 60);
  tcase_add_test (t, test_unique_under_concurrency);
  tcase_add_test (t, test_unreadable_record_holds_its_pair);
  tcase_add_test (t, test_exhaustion_and_release_on_delete);
  tcase_add_test (t, test_retry_keeps_pair);
  tcase_add_test (t, test_stale_records_reclaimed);
  tcase_add_test (t, test_parse_level);
  suite_add_tcase (s, t);
  t = tcase_create ("control");
  tcase_set_timeout (t, 60);
  tcase_add_test (t, test_policy_validation);
  tcase_add_test (t, test_enabled_labels);
  tcase_add_test (t, test_config_labels);
  tcase_add_test (t, test_kept_label_pair_recorded);
  tcase_add_test (t, test_rehardened_bundle_gets_own_pair);
  tcase_add_test (t, test_configurable_types);
  tcase_add_test (t, test_not_enabled);
  tcase_add_test (t, test_exec_process_file);
  tcase_add_test (t, test_flags);
  suite_add_tcase (s, t);
  return s;
}

TEST_MAIN (selinux_suite ())
