#include "host.h"
#include "caller.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* libapparmor and libselinux (with its pcre2) are loaded here, on first
 * use, not linked: only create, run, restore and exec ask, so pass-through
 * verbs never pay for loading them. A library that cannot be loaded is
 * the same as one hardshim was built without. */
static int (*lib_function (const char *soname, const char *name)) (void)
{
  void *lib = dlopen (soname, RTLD_NOW | RTLD_LOCAL);

  return lib ? (int (*) (void)) dlsym (lib, name) : NULL;
}

/* What the kernel shows without any library: a module that is not in the
 * kernel at all needs no library to say so. AppArmor has module parameters,
 * so it is in /sys/module when built in; SELinux registers its selinuxfs.
 * Only a kernel that has the module pays for loading the library. */
#ifdef HAVE_APPARMOR
static bool
kernel_lacks_apparmor (void)
{
  return access ("/sys/module/apparmor", F_OK) < 0 && errno == ENOENT;
}
#endif

#ifdef HAVE_SELINUX
static bool
kernel_lacks_selinux (void)
{
  char buf[4096];
  ssize_t n;
  int fd = open ("/proc/filesystems", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof (buf) - 1);
  close (fd);
  /* a listing that does not fit is not trusted to be complete */
  if (n <= 0 || (size_t) n == sizeof (buf) - 1)
    return false;
  buf[n] = '\0';
  return strstr (buf, "\tselinuxfs\n") == NULL;
}
#endif

/* `runc features` reports build-time support; only the kernel knows if a
 * module is active, and both runtimes fail a create that names an absent one.
 * Without the library hardshim cannot tell: it says so, and policy that
 * requires the module fails closed. */
static void
detect_apparmor (hs_host_t *host)
{
#ifdef HAVE_APPARMOR
  int (*enabled) (void);

  if (kernel_lacks_apparmor ())
    return;
  /* aa_is_enabled() also checks securityfs is mounted, which loading needs. */
  enabled = lib_function ("libapparmor.so.1", "aa_is_enabled");
  if (enabled == NULL)
    host->apparmor_undetectable = true;
  else
    host->apparmor_enabled = enabled () == 1;
#else
  host->apparmor_undetectable = true;
#endif
}

static void
detect_selinux (hs_host_t *host)
{
#ifdef HAVE_SELINUX
  int (*enabled) (void);

  if (kernel_lacks_selinux ())
    return;
  enabled = lib_function ("libselinux.so.1", "is_selinux_enabled");
  if (enabled == NULL)
    host->selinux_undetectable = true;
  else
    host->selinux_enabled = enabled () == 1;
#else
  host->selinux_undetectable = true;
#endif
}

static bool
unified_cgroups (void)
{
  struct statfs fs;

  return statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

void
hs_host_detect (hs_host_t *host)
{
  *host = (hs_host_t){ 0 };
  detect_apparmor (host);
  detect_selinux (host);
  host->caller_unprivileged = hs_caller_unprivileged ();
  host->caller_without_cgroups = host->caller_unprivileged && !unified_cgroups ();
}
