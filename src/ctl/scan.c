/* hardshimctl scan ROOTFS [--json]: the image gate's matcher and verdict
 * outside any container, for CI. Exit 0: nothing at or above the policy's
 * threshold; 1: what the node's gate would refuse in enforce; 2: error. */
#include "ctl/gate_args.h"
#include "cleanup.h"
#include "gate_scan.h"
#include "image_tar.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#define SCAN_USAGE                                                                                 \
  "scan [--policy FILE] [--settings GATE.json] [--feed-dir DIR] [--json] ROOTFS|IMAGE.tar"

static const char *const class_names[] = { "refused", "unfixed", "below-threshold", "excepted" };

static int
remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path) < 0 ? -1 : 0;
}

/* A rootfs directory is scanned where it is; an image archive's package
 * database is unpacked into a private directory first (image_tar.c). */
static int
scan_operand (const char *operand, const hs_gate_scan_opts_t *opts, hs_rootfs_t *root,
              hs_gate_report_t *r, hs_error_t *err)
{
  const char *tmp = getenv ("TMPDIR");
  cleanup_free char *dir = NULL;
  cleanup_close int dfd = -1;
  int ret;

  if (!hs_image_tar_is_archive (operand))
    {
      if (hs_rootfs_open (operand, root, err) < 0)
        return -1;
      ret = hs_gate_scan (root, opts, r, err);
      hs_rootfs_close (root);
      return ret;
    }
  dir = hs_xasprintf ("%s/hardshim-scan.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
  if (mkdtemp (dir) == NULL)
    return hs_error_make (err, errno, "create a directory for `%s`", operand);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  ret = dfd < 0 ? hs_error_make (err, errno, "open `%s`", dir)
                : hs_image_tar_unpack (operand, dfd, err);
  if (ret == 0)
    ret = hs_rootfs_open (dir, root, err);
  if (ret == 0)
    {
      ret = hs_gate_scan (root, opts, r, err);
      hs_rootfs_close (root);
    }
  (void) nftw (dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
  return ret;
}

int
hs_ctl_scan (int argc, char **argv)
{
  cleanup_error hs_error_t err = NULL;
  cleanup_gate_report hs_gate_report_t r = { 0 };
  hs_ctl_gate_args_t a;
  hs_rootfs_t root;
  hs_gate_verdict_t v;
  hs_gate_scan_opts_t opts = { 0 };
  int status = hs_ctl_gate_args (argc, argv, 1, SCAN_USAGE, &a);

  if (status != 0)
    return status;
  if (a.operand == NULL)
    {
      hs_ctl_gate_args_clear (&a);
      fprintf (stderr, "hardshimctl: what to scan?\nusage: hardshimctl " SCAN_USAGE "\n");
      return 2;
    }
  opts.feed_dir = a.feed_dir;
  if (scan_operand (a.operand, &opts, &root, &r, &err) < 0)
    {
      hs_ctl_gate_args_clear (&a);
      return hs_ctl_fail (&err, 2);
    }
  hs_gate_verdict (&r, &a.gate, time (NULL), NULL, NULL, &v);
  if (a.json)
    {
      cleanup_json hs_json_t *j = hs_gate_report_to_json (&r);
      hs_json_t *verdict = hs_json_new (HS_JSON_OBJECT);
      hs_json_t *fs = hs_json_get_exact (j, "findings");
      cleanup_free char *text = NULL;

      for (size_t i = 0; fs && i < fs->len; i++)
        hs_json_set_exact (
            fs->items[i], "class",
            hs_json_new_string (class_names[hs_gate_classify (&r.v[i], &a.gate, NULL, NULL)]));
      hs_json_set_exact (verdict, "refuse", hs_json_new_bool (v.refuse));
      hs_json_set_exact (verdict, "refused", hs_json_new_uint (v.blocking));
      hs_json_set_exact (verdict, "unfixed", hs_json_new_uint (v.unfixed));
      hs_json_set_exact (verdict, "below_threshold", hs_json_new_uint (v.below));
      hs_json_set_exact (verdict, "excepted", hs_json_new_uint (v.excepted));
      hs_json_set_exact (verdict, "threshold",
                         hs_json_new_string (hs_severity_name (a.gate.threshold)));
      if (v.message)
        hs_json_set_exact (verdict, "message", hs_json_new_string (v.message));
      hs_json_set_exact (j, "verdict", verdict);
      if (hs_json_emit (j, true, &text, NULL, &err) < 0)
        return hs_ctl_fail (&err, 2);
      printf ("%s\n", text);
    }
  else
    {
      printf ("%s: %s (%s), %zu packages\n", a.operand, r.distribution ? r.distribution : "unknown",
              r.ecosystem ? r.ecosystem : "no feed ecosystem", r.packages);
      for (size_t i = 0; i < r.n; i++)
        printf ("  %-16s %-24s %-20s %-11s %-24s %s\n", r.v[i].package, r.v[i].installed, r.v[i].id,
                hs_severity_name (r.v[i].severity), r.v[i].fixed ? r.v[i].fixed : "(no fix)",
                class_names[hs_gate_classify (&r.v[i], &a.gate, NULL, NULL)]);
      if (v.message)
        printf ("%s: %s\n", v.refuse ? "REFUSE" : "report", v.message);
      else
        printf ("clean\n");
    }
  status = r.condition[HS_GATE_NO_FEED] ? 2 : v.refuse ? 1 : 0;
  hs_gate_verdict_clear (&v);
  hs_ctl_gate_args_clear (&a);
  return status;
}
