/* Root filesystems for the image gate's unit tests, built from the
 * fixtures under tests/data/image_gate with the shell. */
#ifndef HS_GATE_TESTUTIL_H
#define HS_GATE_TESTUTIL_H

#include <stdarg.h>

#include "testfs.h"

#define GATE_DATA TEST_DATA_DIR "/image_gate"

static inline void __attribute__ ((format (printf, 1, 2))) test_sh (const char *fmt, ...)
{
  va_list ap;
  char *cmd;

  va_start (ap, fmt);
  cmd = hs_xvasprintf (fmt, ap);
  va_end (ap);
  ck_assert_msg (system (cmd) == 0, "failed: %s", cmd);
  free (cmd);
}

/* A Debian 12 rootfs: os-release as Debian ships it (a link to
 * ../usr/lib/os-release) and the small dpkg status. */
static inline char *
test_debian_rootfs (void)
{
  char *dir = test_tmpdir ();

  test_sh ("cd '%s' && mkdir -p etc usr/lib var/lib/dpkg && cp '%s/os-release.debian12' "
           "usr/lib/os-release && ln -s ../usr/lib/os-release etc/os-release && cp "
           "'%s/dpkg-status.small' var/lib/dpkg/status",
           dir, GATE_DATA, GATE_DATA);
  return dir;
}

static inline char *
test_alpine_rootfs (void)
{
  char *dir = test_tmpdir ();

  test_sh ("cd '%s' && mkdir -p etc lib/apk/db && cp '%s/os-release.alpine318' etc/os-release "
           "&& cp '%s/apk-installed.alpine318' lib/apk/db/installed",
           dir, GATE_DATA, GATE_DATA);
  return dir;
}

/* Distroless: os-release and status.d/, no status file. */
static inline char *
test_distroless_rootfs (void)
{
  char *dir = test_tmpdir ();

  test_sh ("cd '%s' && mkdir -p etc var/lib/dpkg && cp '%s/os-release.debian12' etc/os-release "
           "&& cp -r '%s/statusd' var/lib/dpkg/status.d",
           dir, GATE_DATA, GATE_DATA);
  return dir;
}

#endif
