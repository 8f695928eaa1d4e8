#include "host.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* `runc features` reports build-time support; only the kernel knows if a
 * module is active, and both runtimes fail a create that names an absent one. */
static bool
apparmor_enabled (void)
{
  char c = 0;
  int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return false;
  if (read (fd, &c, 1) != 1)
    c = 0;
  close (fd);
  return c == 'Y';
}

static bool
selinux_enabled (void)
{
  struct stat st;

  return stat ("/sys/fs/selinux/enforce", &st) == 0;
}

void
hs_host_detect (hs_host_t *host)
{
  host->apparmor_enabled = apparmor_enabled ();
  host->selinux_enabled = selinux_enabled ();
}
