/* Temp-directory helpers for unit tests that touch the file system. */
#ifndef HS_TESTFS_H
#define HS_TESTFS_H

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* A fresh directory under /tmp; caller frees the path (and may leave it). */
static inline char *
test_tmpdir (void)
{
  char *dir = hs_xstrdup ("/tmp/hardshim-unit.XXXXXX");

  ck_assert_ptr_nonnull (mkdtemp (dir));
  return dir;
}

/* Write `text` to dir/name with `mode`; returns the full path (caller frees). */
static inline char *
test_write (const char *dir, const char *name, const char *text, mode_t mode)
{
  char *path = hs_xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "w");

  ck_assert_msg (f != NULL, "cannot create %s", path);
  ck_assert_int_eq (fwrite (text, 1, strlen (text), f), strlen (text));
  ck_assert_int_eq (fclose (f), 0);
  ck_assert_int_eq (chmod (path, mode), 0);
  return path;
}

static inline void
test_rm_rf (const char *dir)
{
  char *cmd = hs_xasprintf ("rm -rf '%s'", dir);

  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
}

/* Names in dir (one per line, sorted), for "nothing was left behind". */
static inline char *
test_ls (const char *dir)
{
  char *cmd = hs_xasprintf ("ls -A '%s'", dir);
  FILE *p = popen (cmd, "r");
  char *out = hs_xcalloc (1, 65536);

  ck_assert_ptr_nonnull (p);
  (void) !fread (out, 1, 65535, p);
  pclose (p);
  free (cmd);
  return out;
}

#endif
