/* Benchmark: what the seccomp control costs per create.
 *   generate   source profile -> this container's profile (no libseccomp)
 *   cold       generate + intersect + libseccomp build/export, no cache
 *   cached     the same with the validation cache warm (the usual create)
 * Usage: bench/seccomp [CONFIG.json [ITERATIONS]] (default: a runc-spec-like
 * config with Docker's default capabilities, 200 iterations).
 * Not part of the test suite; see bench/seccomp.sh. */
#include "cleanup.h"
#include "fileio.h"
#include "policy.h"
#include "seccomp_profile.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char default_config[]
    = "{\"ociVersion\":\"1.0.2\",\"process\":{\"noNewPrivileges\":true,\"capabilities\":{"
      "\"bounding\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\","
      "\"CAP_MKNOD\",\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\","
      "\"CAP_SETPCAP\",\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\","
      "\"CAP_AUDIT_WRITE\"]}},\"root\":{\"path\":\"rootfs\"}}";

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
report (const char *what, double *t, int n)
{
  double sum = 0;
  for (int i = 0; i < n; i++)
    sum += t[i];
  qsort (t, (size_t) n, sizeof (double), cmp_double);
  printf ("%-10s mean %8.1f us  median %8.1f us  p95 %8.1f us  (n=%d)\n", what, sum / n, t[n / 2],
          t[(n * 95) / 100], n);
}

int
main (int argc, char **argv)
{
  static const hs_json_limits_t limits = { 16 << 20, 64, false };
  int n = argc > 2 ? atoi (argv[2]) : 200;
  cleanup_free char *buf = NULL, *name = NULL;
  cleanup_json hs_json_t *spec = NULL, *settings = NULL, *src = NULL;
  hs_error_t err = NULL;
  char dir[] = "/tmp/hs-bench-seccomp.XXXXXX";
  double *t;
  size_t len;

  if (n <= 0)
    n = 200;
  if (argc > 1)
    {
      int dfd = hs_open_parent (argv[1], &name, &err);
      if (dfd < 0 || hs_read_file_at (dfd, name, 16 << 20, &buf, &len, NULL, &err) < 0)
        {
          fprintf (stderr, "bench: %s\n", err->msg);
          return 2;
        }
      close (dfd);
    }
  else
    buf = hs_xstrdup (default_config), len = strlen (buf);
  if (hs_json_parse (buf, len, &limits, &spec, &err) < 0
      || hs_json_parse ("{}", 2, &limits, &settings, &err) < 0)
    {
      fprintf (stderr, "bench: %s\n", err->msg);
      return 2;
    }
  if (mkdtemp (dir) == NULL)
    return 2;
  t = hs_xcalloc ((size_t) n, sizeof (double));

  {
    static const hs_json_limits_t src_limits = { 1 << 20, 32, true };
    const char *text = hs_sc_builtin_source ("default");
    hs_sc_context_t ctx;
    hs_json_parse (text, strlen (text), &src_limits, &src, NULL);
    hs_sc_context_host (&ctx);
    ctx.bounding = hs_json_path (spec, "process", "capabilities", "bounding", NULL);
    ctx.no_new_privileges = true;
    for (int i = 0; i < n; i++)
      {
        hs_sc_profile_t *p = NULL;
        double t0 = now_us ();
        hs_sc_generate (src, &ctx, &p, NULL);
        t[i] = now_us () - t0;
        hs_sc_profile_free (p);
      }
    report ("generate", t, n);
  }
  for (int cached = 0; cached < 2; cached++)
    {
      for (int i = 0; i < n; i++)
        {
          hs_sc_profile_t *p = NULL;
          hs_sc_notes_t notes = { 0 };
          bool hit;
          double t0 = now_us ();
          if (hs_seccomp_profile_for (spec, settings, NULL, cached ? dir : NULL, &p, &notes, &hit,
                                      &err)
              < 0)
            {
              fprintf (stderr, "bench: %s\n", err->msg);
              return 1;
            }
          t[i] = now_us () - t0;
          if (cached && i > 0 && !hit)
            fprintf (stderr, "bench: cache miss on iteration %d\n", i);
          hs_sc_notes_release (&notes);
          hs_sc_profile_free (p);
        }
      report (cached ? "cached" : "cold", t, n);
    }
  {
    char *cmd = hs_xasprintf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      fprintf (stderr, "bench: could not remove %s\n", dir);
    free (cmd);
  }
  free (t);
  return 0;
}
