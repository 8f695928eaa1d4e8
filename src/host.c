#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_APPARMOR
#include <sys/apparmor.h>
#endif
#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

/* `runc features` reports build-time support; only the kernel knows if a
 * module is active, and both runtimes fail a create that names an absent one.
 * Without the library hardshim cannot tell: it says so, and policy that
 * requires the module fails closed. */
static void
detect_apparmor (hs_host_t *host)
{
#ifdef HAVE_APPARMOR
  /* aa_is_enabled() also checks securityfs is mounted, which loading needs. */
  host->apparmor_enabled = aa_is_enabled () == 1;
#else
  host->apparmor_undetectable = true;
#endif
}

static void
detect_selinux (hs_host_t *host)
{
#ifdef HAVE_SELINUX
  host->selinux_enabled = is_selinux_enabled () == 1;
#else
  host->selinux_undetectable = true;
#endif
}

void
hs_host_detect (hs_host_t *host)
{
  *host = (hs_host_t){ 0 };
  detect_apparmor (host);
  detect_selinux (host);
}
