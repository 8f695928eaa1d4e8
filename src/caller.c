#include "caller.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Any extent `inside outside count` of the map covering host id 0 makes
 * some id of this namespace host root. An unreadable map counts as one
 * that does: only a map that says otherwise makes the caller unprivileged. */
bool
hs_caller_map_reaches_host_root (const char *path)
{
  cleanup_file FILE *f = fopen (path, "re");
  uint64_t inside, outside, count;
  bool any = false;

  if (f == NULL)
    return true;
  while (fscanf (f, "%" SCNu64 " %" SCNu64 " %" SCNu64, &inside, &outside, &count) == 3)
    {
      any = true;
      if (outside == 0 && count > 0)
        return true;
    }
  return !any || !feof (f);
}

/* A host user other than root, with no capability in any set it could
 * raise (no file capabilities, no ambient ones). */
static bool
plain_host_user (void)
{
  cleanup_file FILE *f = NULL;
  char line[256];
  bool none = false;

  if (geteuid () == 0 || getuid () == 0)
    return false;
  f = fopen ("/proc/self/status", "re");
  if (f == NULL)
    return false;
  while (fgets (line, sizeof line, f))
    if (strncmp (line, "CapPrm:", 7) == 0)
      none = strtoull (line + 7, NULL, 16) == 0;
  return none;
}

bool
hs_caller_unprivileged (void)
{
  static int cached = -1;

  if (cached < 0)
    cached = !(hs_caller_map_reaches_host_root ("/proc/self/uid_map")
               || hs_caller_map_reaches_host_root ("/proc/self/gid_map"))
             || plain_host_user ();
  return cached;
}

uid_t
hs_caller_overflow_uid (void)
{
  static long cached = -1;

  if (cached < 0)
    {
      cleanup_file FILE *f = fopen ("/proc/sys/kernel/overflowuid", "re");

      if (f == NULL || fscanf (f, "%ld", &cached) != 1 || cached < 0)
        cached = 65534;
    }
  return (uid_t) cached;
}

bool
hs_caller_trusts_owner (uid_t uid)
{
  return uid == 0 || uid == geteuid ()
         || (hs_caller_unprivileged () && uid == hs_caller_overflow_uid ());
}

int
hs_caller_state_dir (char **ret_dir, char **ret_audit_log, hs_error_t *err)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  cleanup_free char *dir = NULL;

  if (xdg == NULL || xdg[0] != '/')
    return hs_error_make (err, 0,
                          "hardshim runs without host root (a rootless engine) and keeps its "
                          "state in `$XDG_RUNTIME_DIR/hardshim`, but XDG_RUNTIME_DIR is %s",
                          xdg == NULL ? "not set" : "not an absolute path");
  dir = hs_xasprintf ("%s/hardshim", xdg);
  /* owner and mode are checked where state is used (state_dir.c) */
  if (mkdir (dir, 0711) < 0 && errno != EEXIST)
    return hs_error_make (err, errno, "create `%s`", dir);
  *ret_audit_log = hs_xasprintf ("%s/audit.jsonl", dir);
  *ret_dir = TAKE_PTR (dir);
  return 0;
}
