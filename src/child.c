#include "child.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define FD_SCAN_MAX 65536 /* without close_range: how far to close by hand */

static int
close_above (unsigned from, unsigned to)
{
  if (from > to)
    return 0;
  if (close_range (from, to, 0) == 0)
    return 0;
  if (errno != ENOSYS && errno != EPERM)
    return -1;
  /* no close_range (old kernel, seccomp): by hand */
  for (unsigned fd = from; fd <= to && fd < FD_SCAN_MAX; fd++)
    (void) close ((int) fd);
  return 0;
}

void
hs_child_init (pid_t parent, int keep_fd, unsigned cpu_seconds)
{
  /* The parent-death signal must be set before the parent is checked:
   * a parent dying in between is then caught by one or the other. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
    _exit (127);
  if (keep_fd > 2)
    {
      if (close_above (3, (unsigned) keep_fd - 1) < 0
          || close_above ((unsigned) keep_fd + 1, ~0U) < 0)
        _exit (127);
    }
  else if (close_above (3, ~0U) < 0)
    _exit (127);
  if (cpu_seconds > 0)
    {
      /* the soft limit sends SIGXCPU (fatal), the hard one SIGKILL */
      struct rlimit rl = { cpu_seconds, cpu_seconds + 1 };
      if (setrlimit (RLIMIT_CPU, &rl) < 0)
        _exit (127);
    }
}
