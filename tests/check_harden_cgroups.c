/* cgroups: golden table (tests/data/harden/cgroups.json), and a cgroups
 * path that holds processes already (this test's own cgroup). */
#include "harden_golden_b.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A cgroup of two levels holding a child process, made under the first
 * writable hierarchy; NULL when there is none (not root). */
static char *
make_populated (pid_t *ret_child, char **ret_dir)
{
  static const char *const roots[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup", NULL };

  for (size_t i = 0; roots[i] != NULL; i++)
    {
      cleanup_free char *top = hs_xasprintf ("%s/hardshim-test-%d", roots[i], (int) getpid ());
      cleanup_free char *leaf = hs_xasprintf ("%s/c", top);
      cleanup_free char *procs = hs_xasprintf ("%s/cgroup.procs", leaf);
      FILE *f;
      pid_t child;

      if (mkdir (top, 0755) < 0)
        continue;
      if (mkdir (leaf, 0755) < 0)
        {
          rmdir (top);
          continue;
        }
      child = fork ();
      if (child == 0)
        {
          pause ();
          _exit (0);
        }
      f = fopen (procs, "w");
      if (f == NULL || fprintf (f, "%d\n", (int) child) < 0 || fclose (f) != 0)
        {
          kill (child, SIGKILL);
          waitpid (child, NULL, 0);
          rmdir (leaf);
          rmdir (top);
          continue;
        }
      *ret_child = child;
      *ret_dir = hs_xstrdup (top);
      return hs_xasprintf ("/hardshim-test-%d/c", (int) getpid ());
    }
  return NULL;
}

START_TEST (test_populated_cgroup_refused)
{
  cleanup_free char *ptext = golden_policy_text ("cgroups", NULL, NULL);
  cleanup_free char *perr = NULL, *cfg = NULL, *refusal = NULL, *dir = NULL, *leaf = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = NULL;
  pid_t child = -1;
  cleanup_free char *cg = make_populated (&child, &dir);
  hs_audit_t audit;

  if (cg == NULL)
    return; /* no cgroup hierarchy this test may write to */
  ck_assert_msg (p != NULL, "%s", perr);
  cfg = hs_xasprintf ("{\"root\":{\"path\":\"r\"},\"linux\":{\"cgroupsPath\":\"%s\"}}", cg);
  config = test_parse (cfg);
  hs_audit_init (&audit, "create", "t", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  leaf = hs_xasprintf ("%s/c", dir);
  /* the reaped child may leave the cgroup a moment later (EBUSY) */
  for (int i = 0; i < 100 && rmdir (leaf) < 0 && errno == EBUSY; i++)
    usleep (10000);
  rmdir (dir);
  ck_assert_msg (refusal != NULL && strstr (refusal, "holds processes or cgroups already"),
                 "%s: %s", cg, refusal);
}
END_TEST

/* refusal (or NULL) of cgroupsPath `cg` under the default settings */
static char *
judge_path (const char *cg)
{
  cleanup_free char *ptext = golden_policy_text ("cgroups", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_free char *cfg
      = hs_xasprintf ("{\"root\":{\"path\":\"r\"},\"linux\":{\"cgroupsPath\":\"%s\"}}", cg);
  cleanup_json hs_json_t *config = test_parse (cfg);
  hs_audit_t audit;
  char *refusal;

  ck_assert_msg (p != NULL, "%s", perr);
  hs_audit_init (&audit, "create", "t", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  return refusal;
}

/* A parent cgroup (no processes of its own, a child cgroup) is refused:
 * its limits would bind what is below it; an empty leaf is admitted. */
START_TEST (test_parent_cgroup_refused)
{
  cleanup_free char *top = hs_xasprintf ("/sys/fs/cgroup/pids/hardshim-test-p%d", (int) getpid ());
  cleanup_free char *mid = hs_xasprintf ("%s/p", top);
  cleanup_free char *leaf = hs_xasprintf ("%s/child", mid);
  cleanup_free char *parent_cg = hs_xasprintf ("/hardshim-test-p%d/p", (int) getpid ());
  cleanup_free char *leaf_cg = hs_xasprintf ("/hardshim-test-p%d/p/child", (int) getpid ());
  cleanup_free char *r_parent = NULL, *r_leaf = NULL;

  if (mkdir (top, 0755) < 0)
    return; /* no pids hierarchy this test may write to */
  ck_assert_int_eq (mkdir (mid, 0755), 0);
  ck_assert_int_eq (mkdir (leaf, 0755), 0);
  r_parent = judge_path (parent_cg);
  r_leaf = judge_path (leaf_cg);
  rmdir (leaf);
  rmdir (mid);
  rmdir (top);
  ck_assert_msg (r_parent != NULL && strstr (r_parent, "holds processes or cgroups already"),
                 "parent: %s", r_parent);
  ck_assert_msg (r_leaf == NULL, "an empty leaf: %s", r_leaf);
}
END_TEST

GOLDEN_SUITE ("cgroups", tcase_add_test (tc, test_populated_cgroup_refused);
              tcase_add_test (tc, test_parent_cgroup_refused))

TEST_MAIN (golden_suite ())
