/* rename_swap A B: exchange the names A and B (renameat2 RENAME_EXCHANGE)
 * as fast as it can, until killed: the attacker of tests/e2e/mount-races.sh
 * (a bundle owner on the host, or container root in a shared volume). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
int
main (int argc, char **argv)
{
  if (argc != 3)
    return 2;
  for (;;)
    if (syscall (SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0)
      {
        perror ("renameat2");
        return 1;
      }
}
