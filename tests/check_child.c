/* hs_child_init: a child dies with its parent (also when the parent died
 * before the call), keeps no fd above 2 but the one asked for, and has the
 * CPU bound. Real processes: this test is a child subreaper, so orphaned
 * grandchildren come back to it and their end can be seen. */
#include "testutil.h"

#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void
setup (void)
{
  ck_assert_int_eq (prctl (PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* A pipe: the grandchild's pid goes up it. */
static pid_t
read_pid (int fd)
{
  pid_t pid = -1;
  ck_assert_int_eq (read (fd, &pid, sizeof (pid)), (ssize_t) sizeof (pid));
  return pid;
}

static int
wait_for (pid_t pid)
{
  int status;
  while (waitpid (pid, &status, 0) < 0)
    ck_assert_int_eq (errno, EINTR);
  return status;
}

/* The middle process starts a grandchild (which calls hs_child_init with
 * the middle's pid, after the middle is gone when `late`) and exits. */
static pid_t
orphan_grandchild (bool late)
{
  int p[2];
  pid_t middle, g;

  ck_assert_int_eq (pipe (p), 0);
  middle = fork ();
  ck_assert_int_ge (middle, 0);
  if (middle == 0)
    {
      pid_t me = getpid ();
      pid_t child = fork ();
      if (child == 0)
        {
          if (late)
            while (getppid () == me)
              usleep (1000);
          hs_child_init (me, -1, 0);
          if (late)
            _exit (0); /* not reached: the parent is already gone */
          for (;;)
            pause ();
        }
      (void) write (p[1], &child, sizeof (child));
      if (!late)
        usleep (100000); /* let the grandchild reach pause () */
      _exit (0);
    }
  close (p[1]);
  g = read_pid (p[0]);
  close (p[0]);
  ck_assert_int_eq (wait_for (middle), 0);
  return g;
}

START_TEST (test_dies_with_parent)
{
  int status = wait_for (orphan_grandchild (false));
  ck_assert_msg (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
                 "the child outlived its parent (status %#x)", status);
}
END_TEST

START_TEST (test_parent_gone_before_call)
{
  int status = wait_for (orphan_grandchild (true));
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 127,
                 "a child whose parent died before hs_child_init ran on (status %#x)", status);
}
END_TEST

START_TEST (test_fds_and_cpu)
{
  int drop = open ("/dev/null", O_RDONLY); /* below and above the kept one */
  int keep = open ("/dev/null", O_RDONLY);
  int hole = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = getpid (), pid;

  ck_assert_int_ge (hole, 0);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      struct rlimit rl;
      int sig = 0;

      hs_child_init (parent, keep, 3);
      if (fcntl (keep, F_GETFD) < 0 || fcntl (drop, F_GETFD) >= 0 || fcntl (hole, F_GETFD) >= 0)
        _exit (1);
      if (fcntl (0, F_GETFD) < 0 && fcntl (1, F_GETFD) < 0 && fcntl (2, F_GETFD) < 0)
        _exit (2);
      if (getrlimit (RLIMIT_CPU, &rl) < 0 || rl.rlim_cur != 3 || rl.rlim_max != 4)
        _exit (3);
      if (prctl (PR_GET_PDEATHSIG, &sig) < 0 || sig != SIGKILL)
        _exit (4);
      _exit (0);
    }
  ck_assert_int_eq (wait_for (pid), 0);
  close (keep);
  close (drop);
  close (hole);
}
END_TEST

START_TEST (test_cpu_bound_kills)
{
  pid_t parent = getpid (), pid = fork ();
  int status;

  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      hs_child_init (parent, -1, 1);
      for (volatile unsigned long i = 0;; i++)
        ;
    }
  status = wait_for (pid);
  ck_assert_msg (WIFSIGNALED (status)
                     && (WTERMSIG (status) == SIGXCPU || WTERMSIG (status) == SIGKILL),
                 "a spinning child was not stopped by its CPU bound (status %#x)", status);
}
END_TEST

static Suite *
child_suite (void)
{
  Suite *s = suite_create ("child");
  TCase *tc = tcase_create ("child");

  tcase_add_checked_fixture (tc, setup, NULL); /* not inherited by fork */
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_dies_with_parent);
  tcase_add_test (tc, test_parent_gone_before_call);
  tcase_add_test (tc, test_fds_and_cpu);
  tcase_add_test (tc, test_cpu_bound_kills);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (child_suite ())
