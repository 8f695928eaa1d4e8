/* namespaces: golden table (tests/data/harden/namespaces.json), the
 * engines' configs, and joining a namespace that is not the host's. */
#include "harden_golden.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* A namespace a child of this test made is "another container's":
 * joining it by path is allowed. */
START_TEST (test_join_other_namespace_allowed)
{
  const char *cfg = "{\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                    "{\"type\":\"ipc\"},{\"type\":\"mount\"},{\"type\":\"network\"},"
                    "{\"type\":\"uts\",\"path\":\"/proc/%d/ns/uts\"}]}}";
  cleanup_free char *ptext = golden_policy_text ("namespaces", NULL, NULL);
  cleanup_free char *perr = NULL, *refusal = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = NULL;
  cleanup_free char *text = NULL;
  hs_audit_t audit;
  int ready[2];
  char c;
  pid_t child;

  ck_assert_int_eq (pipe (ready), 0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      if (unshare (CLONE_NEWUTS) == 0)
        (void) write (ready[1], "x", 1);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  ck_assert_int_eq (read (ready[0], &c, 1), 1);
  text = hs_xasprintf (cfg, (int) child);
  config = test_parse (text);
  hs_audit_init (&audit, "create", "t", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  ck_assert_msg (refusal == NULL, "refused: %s", refusal);
}
END_TEST

GOLDEN_SUITE ("namespaces", tcase_add_test (tc, test_join_other_namespace_allowed))

TEST_MAIN (golden_suite ())
