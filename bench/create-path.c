/* Benchmark (not a test): the time hardshim itself spends on the create
 * path, stage by stage, for the captured Docker config.json and for a
 * generated config with 5,000 mounts. Prints medians over N iterations.
 *
 *   make bench && ./bench/create-path [N]
 *
 * Stages are the ones main.c runs for `create`: policy (built-in preset +
 * control validation), load (read through the bundle fd + parse with all
 * checks), validate, harden (every control + the annotation), emit, write
 * (temp file, fsync, rename) and audit (the JSONL audit record). */
#include "audit.h"
#include "cleanup.h"
#include "fileio.h"
#include "harden.h"
#include "spec.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum
{
  S_POLICY,
  S_LOAD,
  S_VALIDATE,
  S_HARDEN,
  S_EMIT,
  S_WRITE,
  S_AUDIT,
  S_TOTAL,
  N_STAGES
};
static const char *const stage_names[]
    = { "policy", "load", "validate", "harden", "emit", "write", "audit", "total" };

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static char *
slurp (const char *path, size_t *ret_len)
{
  FILE *f = fopen (path, "rb");
  char *buf;
  long n;

  if (f == NULL)
    {
      fprintf (stderr, "create-path: cannot open %s: %s\n", path, strerror (errno));
      exit (1);
    }
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  rewind (f);
  buf = hs_xmalloc ((size_t) n + 1);
  if (fread (buf, 1, (size_t) n, f) != (size_t) n)
    exit (1);
  buf[n] = '\0';
  fclose (f);
  *ret_len = (size_t) n;
  return buf;
}

/* The Docker capture with `n` bind mounts appended. */
static char *
with_mounts (const char *text, size_t len, int n, size_t *ret_len)
{
  hs_json_t *v = NULL;
  hs_error_t err = NULL;
  hs_json_t *mounts;
  char *out = NULL;

  if (hs_json_parse (text, len, &hs_spec_limits, &v, &err) < 0)
    {
      fprintf (stderr, "create-path: %s\n", err->msg);
      exit (1);
    }
  mounts = hs_json_ensure_array (v, "mounts");
  for (int i = 0; i < n; i++)
    {
      hs_json_t *m = hs_json_new (HS_JSON_OBJECT);
      hs_json_t *opts = hs_json_new (HS_JSON_ARRAY);
      char buf[64];

      snprintf (buf, sizeof (buf), "/mnt/data/%d", i);
      hs_json_set_exact (m, "destination", hs_json_new_string (buf));
      hs_json_set_exact (m, "type", hs_json_new_string ("bind"));
      snprintf (buf, sizeof (buf), "/srv/volumes/vol-%05d/_data", i);
      hs_json_set_exact (m, "source", hs_json_new_string (buf));
      hs_json_append (opts, hs_json_new_string ("rbind"));
      hs_json_append (opts, hs_json_new_string ("ro"));
      hs_json_append (opts, hs_json_new_string ("nosuid"));
      hs_json_set_exact (m, "options", opts);
      hs_json_append (mounts, m);
    }
  /* ask for a change, so the write is a real edit */
  hs_json_set (hs_json_ensure_object (v, "process"), "noNewPrivileges", hs_json_new_bool (false));
  if (hs_json_emit (v, true, &out, ret_len, &err) < 0)
    exit (1);
  hs_json_free (v);
  return out;
}

static void
die (const char *what, hs_error_t *err)
{
  fprintf (stderr, "create-path: %s: %s\n", what, *err ? (*err)->msg : "?");
  exit (1);
}

static void
run_case (const char *label, const char *text, size_t len, int iters, const char *dir)
{
  double *t[N_STAGES];
  cleanup_free char *bundle = hs_xasprintf ("%s/bundle", dir);
  cleanup_free char *audit_log = hs_xasprintf ("%s/audit.jsonl", dir);
  cleanup_free char *policy_text
      = hs_xasprintf ("{\"audit_log\":{\"path\":\"%s\",\"syslog\":false}}", audit_log);
  cleanup_close int bfd = -1;
  hs_host_t host = { 0 };

  mkdir (bundle, 0755);
  bfd = hs_open_dir (bundle, NULL);
  for (int s = 0; s < N_STAGES; s++)
    t[s] = hs_xcalloc ((size_t) iters, sizeof (double));

  for (int i = 0; i < iters; i++)
    {
      hs_error_t err = NULL;
      hs_policy_t *policy = NULL;
      hs_spec_file_t f = { .dirfd = -1 };
      hs_audit_t audit;
      cleanup_free char *out = NULL;
      size_t out_len;
      double a, b;

      /* the engine's file, fresh each time (not timed) */
      if (hs_write_file_atomic_at (bfd, "config.json", text, len, NULL, &err) < 0)
        die ("prepare", &err);

      a = now_us ();
      if (hs_policy_from_text (policy_text, "bench", &policy, &err) < 0
          || hs_policy_validate_controls (policy, &err) < 0)
        die ("policy", &err);
      b = now_us ();
      t[S_POLICY][i] = b - a;

      a = b;
      if (hs_spec_load (bundle, NULL, &f, &err) < 0)
        die ("load", &err);
      b = now_us ();
      t[S_LOAD][i] = b - a;

      a = b;
      if (hs_spec_validate (f.tree, &err) < 0)
        die ("validate", &err);
      b = now_us ();
      t[S_VALIDATE][i] = b - a;

      a = b;
      hs_audit_init (&audit, "create", "bench", bundle, policy->digest);
      {
        hs_harden_t h = { .spec = f.tree, .policy = policy, .host = &host, .audit = &audit };
        if (hs_harden_run (&h, &err) < 0)
          die ("harden", &err);
        hs_harden_mark (f.tree, policy);
      }
      b = now_us ();
      t[S_HARDEN][i] = b - a;

      a = b;
      if (hs_json_emit (f.tree, false, &out, &out_len, &err) < 0)
        die ("emit", &err);
      b = now_us ();
      t[S_EMIT][i] = b - a;

      a = b;
      if (hs_write_file_atomic_at (f.dirfd, f.name, out, out_len, &f.st, &err) < 0)
        die ("write", &err);
      b = now_us ();
      t[S_WRITE][i] = b - a;

      a = b;
      if (hs_audit_write (&audit, policy->audit_log, &err) < 0)
        die ("audit", &err);
      b = now_us ();
      t[S_AUDIT][i] = b - a;

      t[S_TOTAL][i] = 0;
      for (int s = 0; s < S_TOTAL; s++)
        t[S_TOTAL][i] += t[s][i];
      if (i == 0 && hs_audit_count (&audit, HS_ACT_CHANGED) == 0)
        {
          fprintf (stderr, "create-path: %s: nothing was hardened\n", label);
          exit (1);
        }
      hs_audit_release (&audit);
      hs_spec_release (&f);
      hs_policy_free (policy);
      unlink (audit_log);
    }

  printf ("%-32s %9zu bytes, %d iterations, median microseconds:\n", label, len, iters);
  for (int s = 0; s < N_STAGES; s++)
    {
      qsort (t[s], (size_t) iters, sizeof (double), cmp_double);
      printf ("  %-9s %10.1f\n", stage_names[s], t[s][iters / 2]);
      free (t[s]);
    }
}

int
main (int argc, char **argv)
{
  const char *data = getenv ("HS_BENCH_DATA");
  cleanup_free char *docker_path = NULL;
  cleanup_free char *docker = NULL;
  cleanup_free char *mounts = NULL;
  /* TMPDIR=/run measures the write on tmpfs, where engines keep bundles */
  const char *tmp = getenv ("TMPDIR");
  cleanup_free char *dir = hs_xasprintf ("%s/hardshim-bench.XXXXXX", tmp ? tmp : "/tmp");
  size_t docker_len, mounts_len;
  long iters = 200;

  if (argc > 1)
    {
      char *end;
      errno = 0;
      iters = strtol (argv[1], &end, 10);
      if (errno != 0 || *end != '\0' || iters < 1 || iters > 1000000)
        {
          fprintf (stderr, "usage: %s [ITERATIONS]\n", argv[0]);
          return 2;
        }
    }
  docker_path = hs_xasprintf ("%s/captures/docker-20.10-config.json",
                              data ? data : BENCH_DATA_DIR);
  docker = slurp (docker_path, &docker_len);
  {
    /* Docker's hook is /proc/<dockerd pid>/exe of the captured machine: the
     * program it resolved to there, which the hooks control admits */
    static const char from[] = "\"/proc/25233/exe\"", to[] = "\"/usr/sbin/dockerd\"";
    char *at = strstr (docker, from);

    if (at != NULL)
      {
        char *fixed = hs_xasprintf ("%.*s%s%s", (int) (at - docker), docker, to,
                                    at + sizeof (from) - 1);
        free (docker);
        docker = fixed;
        docker_len = strlen (docker);
      }
  }
  mounts = with_mounts (docker, docker_len, 5000, &mounts_len);
  if (mkdtemp (dir) == NULL)
    return 1;
  printf ("hardshim create path, %s\n", dir);
  run_case ("docker-20.10-config.json", docker, docker_len, (int) iters, dir);
  run_case ("docker + 5,000 mounts", mounts, mounts_len, (int) (iters > 50 ? iters / 4 : iters),
            dir);
  {
    cleanup_free char *cmd = hs_xasprintf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      return 1;
  }
  return 0;
}
