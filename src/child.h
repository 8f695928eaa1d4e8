/* hardshim: the children hardshim starts during a create (the user
 * namespace holder, the libseccomp validation, apparmor_parser, the
 * runtime's feature probe) die with it and hold nothing of its.
 *
 * A SIGKILL of hardshim at any point must not leave a process behind: one
 * would keep its user namespace, a lock another create waits for, or an
 * engine's pipe open. */
#ifndef HS_CHILD_H
#define HS_CHILD_H

#include <sys/types.h>

/* Call first in a child of fork/clone, with `parent` = getpid () taken
 * before the fork: SIGKILL when the parent dies (also when it died before
 * this call: the parent is compared), every fd above 2 but `keep_fd` (-1:
 * none) closed, so no lock, pipe or engine fd is inherited, and at most
 * `cpu_seconds` of CPU (0: no bound; past it SIGKILL). On any failure
 * the child exits with 127. */
void hs_child_init (pid_t parent, int keep_fd, unsigned cpu_seconds);

#endif
