/* namespaces: golden table (tests/data/harden/namespaces.json), the
 * engines' configs, and joining a namespace that is not the host's. */
#include "harden_golden_b.h"

#include <fcntl.h>
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

/* Namespace paths: a plain file is no namespace; a namespace file reached
 * through a directory others can write could be swapped after the check. */
static char *
join_verdict (const char *path)
{
  cleanup_free char *ptext = golden_policy_text ("namespaces", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = test_parse ("{\"root\":{\"path\":\"r\"},\"linux\":{"
                                               "\"namespaces\":[{\"type\":\"uts\"}]}}");
  hs_audit_t audit;
  char *refusal;

  hs_json_set_exact (hs_json_path (config, "linux", "namespaces", NULL)->items[0], "path",
                     hs_json_new_string (path));
  hs_audit_init (&audit, "create", "t", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  return refusal;
}

START_TEST (test_namespace_path_checks)
{
  char dir[] = "/tmp/hs-ns-XXXXXX";
  cleanup_free char *file = NULL, *link = NULL, *r1 = NULL, *r2 = NULL, *r3 = NULL;
  int fd;

  ck_assert (mkdtemp (dir) != NULL);
  file = hs_xasprintf ("%s/plain", dir);
  link = hs_xasprintf ("%s/uts", dir);
  fd = open (file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ck_assert_int_ge (fd, 0);
  close (fd);
  /* a link to a namespace that is not the host's (a child's) */
  ck_assert_int_eq (symlink ("/proc/thread-self/ns/uts", link), 0);
  r1 = join_verdict (file);
  r2 = join_verdict (link);
  r3 = join_verdict ("relative/ns");
  unlink (file);
  unlink (link);
  rmdir (dir);
  ck_assert_msg (r1 && strstr (r1, "is not a namespace"), "%s", r1 ? r1 : "admitted");
  /* the link is reached through /tmp (world-writable): refused whatever it names */
  ck_assert_msg (r2 && strstr (r2, "lies in /tmp, which someone other than root could change"),
                 "%s", r2 ? r2 : "admitted");
  ck_assert_msg (r3 && strstr (r3, "must be absolute"), "%s", r3 ? r3 : "admitted");
}
END_TEST

GOLDEN_SUITE ("namespaces", tcase_add_test (tc, test_join_other_namespace_allowed);
              tcase_add_test (tc, test_namespace_path_checks))

TEST_MAIN (golden_suite ())
