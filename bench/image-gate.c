/* Benchmark (not a test): the image gate's costs.
 *
 *   make bench/image-gate && ./bench/image-gate [N]
 *
 * - cached: hs_gate_scan of a 100-package Debian rootfs whose report is in
 *   the verdict cache (read + digest the database, open the feed, hit);
 * - uncached: the same with no cache (parse, match every package);
 * - verdict: hs_gate_verdict over the report;
 * - import: 100,000 synthetic OSV records (real records with new ids)
 *   through hs_osv_add_record and hs_feed_install.
 * Budgets: cached < 0.3 ms, uncached < 5 ms, import in seconds. */
#include "cleanup.h"
#include "feed.h"
#include "feed_import.h"
#include "gate_scan.h"
#include "harden/image_gate.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
dcmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
sh (const char *fmt, const char *a, const char *b)
{
  char *cmd = hs_xasprintf (fmt, a, b);

  if (system (cmd) != 0)
    {
      fprintf (stderr, "failed: %s\n", cmd);
      exit (2);
    }
  free (cmd);
}

/* 100 packages: the fixture's 5 and 95 more named after real sources, at
 * versions past every fix (as a current image is) */
static void
make_rootfs (const char *dir)
{
  FILE *f;
  char *path;
  static const char *const sources[] = { "curl", "systemd", "perl", "expat", "krb5", "sqlite3",
                                         "util-linux", "tar", "openldap", "pam" };

  sh ("mkdir -p '%s/etc' '%s/var/lib/dpkg'", dir, dir);
  sh ("cp " BENCH_DATA_DIR "/image_gate/os-release.debian12 '%s/etc/os-release' && cp " BENCH_DATA_DIR
      "/image_gate/dpkg-status.small '%s/var/lib/dpkg/status'",
      dir, dir);
  path = hs_xasprintf ("%s/var/lib/dpkg/status", dir);
  f = fopen (path, "a");
  for (int i = 0; i < 95; i++)
    fprintf (f,
             "\nPackage: lib%s-%d\nStatus: install ok installed\nPriority: optional\nSection: "
             "libs\nInstalled-Size: 100\nMaintainer: Someone <x@example.org>\nArchitecture: "
             "amd64\nSource: %s\nVersion: %d.0-1\nDepends: libc6 (>= 2.34)\nDescription: a "
             "library\n of the benchmark\n",
             sources[i % 10], i, sources[i % 10], 90 + i);
  fclose (f);
  free (path);
}

static void
report_times (const char *name, double *t, int n, double budget)
{
  qsort (t, n, sizeof *t, dcmp);
  printf ("%-10s median %.3f ms  p90 %.3f ms  (budget %.1f ms)%s\n", name, t[n / 2],
          t[n * 9 / 10], budget, t[n / 2] > budget ? "  OVER" : "");
}

int
main (int argc, char **argv)
{
  int n = argc > 1 ? atoi (argv[1]) : 200;
  char tmpl[] = "/tmp/hardshim-bench-gate.XXXXXX";
  char *dir = mkdtemp (tmpl), *rootfs, *feed_dir, *cache, *big;
  hs_osv_feed_t osv = { 0 };
  hs_error_t err = NULL;
  hs_rootfs_t root;
  char digest[HS_DIGEST_LEN];
  double *t = hs_xcalloc ((size_t) n, sizeof *t), t0;
  hs_gate_policy_t p;
  size_t findings = 0;

  rootfs = hs_xasprintf ("%s/rootfs", dir);
  feed_dir = hs_xasprintf ("%s/feed", dir);
  cache = hs_xasprintf ("%s/cache", dir);
  big = hs_xasprintf ("%s/bigfeed", dir);
  make_rootfs (rootfs);
  if (hs_feed_import_path (BENCH_DATA_DIR "/image_gate/vulndata/osv", &osv, &err) < 0
      || hs_feed_install (feed_dir, &osv, "vulndata", digest, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return 2;
    }
  hs_osv_feed_clear (&osv);
  hs_rootfs_open (rootfs, &root, &err);
  hs_gate_policy_parse (NULL, &p, &err);

  for (int pass = 0; pass < 2; pass++)
    {
      hs_gate_scan_opts_t o = { feed_dir, pass == 0 ? cache : NULL, 0 };

      for (int i = 0; i < n; i++)
        {
          hs_gate_report_t r;

          t0 = now_ms ();
          hs_gate_scan (&root, &o, &r, &err);
          t[i] = now_ms () - t0;
          if (pass == 0 && i > 0 && !r.cached)
            {
              fprintf (stderr, "cache miss\n");
              return 2;
            }
          findings = r.n;
          hs_gate_report_clear (&r);
        }
      report_times (pass == 0 ? "cached" : "uncached", t + (pass == 0), n - (pass == 0),
                    pass == 0 ? 0.3 : 5.0);
    }
  printf ("           (%zu findings on 100 packages)\n", findings);
  {
    hs_gate_scan_opts_t o = { feed_dir, NULL, 0 };
    hs_gate_report_t r;

    hs_gate_scan (&root, &o, &r, &err);
    for (int i = 0; i < n; i++)
      {
        hs_gate_verdict_t v;

        t0 = now_ms ();
        hs_gate_verdict (&r, &p, time (NULL), NULL, NULL, &v);
        t[i] = now_ms () - t0;
        hs_gate_verdict_clear (&v);
      }
    report_times ("verdict", t, n, 0.1);
    hs_gate_report_clear (&r);
  }
  {
    /* 100,000 records: the Debian ones again and again under new ids */
    char *recs[300];
    size_t lens[300], nrec = 0;
    FILE *ls = popen ("ls " BENCH_DATA_DIR "/image_gate/vulndata/osv/debian/*.json", "r");
    char line[512];

    while (nrec < 300 && fgets (line, sizeof line, ls))
      {
        FILE *f;
        long sz;

        line[strcspn (line, "\n")] = '\0';
        f = fopen (line, "r");
        fseek (f, 0, SEEK_END);
        sz = ftell (f);
        rewind (f);
        recs[nrec] = hs_xmalloc ((size_t) sz + 64);
        lens[nrec] = fread (recs[nrec], 1, (size_t) sz, f);
        fclose (f);
        nrec++;
      }
    pclose (ls);
    t0 = now_ms ();
    for (size_t i = 0; i < 100000; i++)
      {
        char *rec = recs[i % nrec], *id = strstr (rec, "\"id\": \"");
        char *copy;
        size_t len = lens[i % nrec];

        if (id == NULL)
          continue;
        /* rewrite the id in place: same length, a unique number */
        {
          char *v, *q, num[16];
          size_t l;

          copy = hs_xmalloc (len + 1);
          memcpy (copy, rec, len);
          v = copy + (id - rec) + 7;
          q = strchr (v, '"');
          l = q ? (size_t) (q - v) : 0;
          if (l < 8)
            {
              free (copy);
              continue;
            }
          snprintf (num, sizeof num, "X%07zu", i);
          memcpy (v, num, 8);
          memset (v + 8, 'x', l - 8);
        }
        if (hs_osv_add_record (&osv, copy, len, "bench", &err) < 0)
          {
            fprintf (stderr, "%s\n", err->msg);
            return 2;
          }
        free (copy);
      }
    if (hs_feed_install (big, &osv, "bench", digest, &err) < 0)
      {
        fprintf (stderr, "%s\n", err->msg);
        return 2;
      }
    printf ("import     100000 records, %zu entries: %.2f s\n", osv.entries,
            (now_ms () - t0) / 1e3);
    hs_osv_feed_clear (&osv);
    for (size_t i = 0; i < nrec; i++)
      free (recs[i]);
  }
  hs_rootfs_close (&root);
  sh ("rm -rf '%s'%s", dir, "");
  free (t);
  return 0;
}
