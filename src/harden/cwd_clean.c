/* cwd_clean: process.cwd is where the runtime chdirs before it execs the
 * program, after it has set up the container but while its own fds may
 * still be open (runc up to 1.1.11 leaked a host directory fd: cwd
 * /proc/self/fd/N put the process in the host's tree, CVE-2024-21626).
 * The cwd must be absolute and clean, and must reach neither /proc as
 * written nor through a link in the image. Redundant "/" and "." are
 * dropped; ".." is refused (what it undoes depends on links the kernel
 * follows, not on the text). Held for create and for every exec (--cwd
 * and process files). */
#include "harden/advisories.h"
#include "harden/controls.h"
#include "harden/process_paths.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "cwd_clean"

static bool
has_dotdot (const char *p)
{
  while (*p)
    {
      size_t n;

      while (*p == '/')
        p++;
      n = strcspn (p, "/");
      if (n == 2 && p[0] == '.' && p[1] == '.')
        return true;
      p += n;
    }
  return false;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *process = hs_process_object (h);
  hs_json_t *cwd = process ? hs_json_get (process, "cwd") : NULL;
  cleanup_free char *clean = NULL;
  hs_rootfs_t root = { .fd = -1 };
  bool open = false;
  int r;

  (void) settings;
  if (cwd == NULL || cwd->type == HS_JSON_NULL)
    return 0; /* the runtime's own default ("/" or the container's) */
  if (cwd->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, "process.cwd", "expected a string");
  if (cwd->str[0] != '/')
    return hs_harden_refuse (h, err, "process.cwd",
                             "process.cwd `%s` is not absolute: what it is relative to is the "
                             "runtime's choice (advisories: %s)",
                             cwd->str, HS_ADV_LEAKED_FD);
  if (has_dotdot (cwd->str))
    return hs_harden_refuse (h, err, "process.cwd",
                             "process.cwd `%s` is not clean (`..`): what it undoes depends on the "
                             "links the kernel follows (advisories: %s)",
                             cwd->str, HS_ADV_LEAKED_FD);
  if ((r = hs_process_rootfs (h, &root, &open, err)) < 0)
    return r;
  r = hs_process_path_check (h, open ? &root : NULL, "process.cwd", "process.cwd", cwd->str,
                             HS_ADV_LEAKED_FD, err);
  hs_rootfs_close (&root);
  if (r < 0)
    return r;
  clean = hs_path_clean (cwd->str);
  if (strcmp (clean, cwd->str) != 0)
    {
      hs_json_t *after = hs_json_new_string (clean);

      hs_harden_change (h, "process.cwd", cwd, after,
                        "process.cwd written clean (redundant `/` and `.` dropped)");
      hs_json_set (process, "cwd", after);
    }
  return 0;
}

const hs_control_t hs_control_cwd_clean = {
  .name = CONTROL,
  .summary = "process.cwd absolute, clean, and not in /proc as written or through the "
             "image's links (create and exec)",
  .doc = "process.cwd (config.json, exec process files, `exec --cwd`) must be absolute\n"
         "and without `..`; redundant `/` and `.` are dropped. Refused: a cwd at or\n"
         "below /proc as written, or that a symbolic link in the image (or in the bind\n"
         "volume it lies in, read in the volume's source) leads below /proc (read\n"
         "without following links; for an exec the container's rootfs, as the\n"
         "runtime's state records it). procfs's magic links (/proc/self/fd/N, cwd, root)\n"
         "reach what the runtime holds open: runc up to 1.1.11 leaked a host directory\n"
         "fd (CVE-2024-21626). Holds with and without a user namespace. No settings.\n",
  .apply = apply,
  .apply_process = apply,
};
