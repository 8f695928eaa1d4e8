/* alternate: time several commands against each other, interleaved.
 *
 *   alternate [-n ITERATIONS] [-w WARMUP] NAME PREP CMD [NAME PREP CMD ...]
 *
 * Each round runs every contender once, in turn, so drift of the machine
 * (other load, frequency, caches) hits all of them alike. PREP ("-" for
 * none) runs through /bin/sh before each timed run and is not timed. CMD is
 * split on spaces and executed directly (no shell in the timed path);
 * leading VAR=VALUE words set its environment.
 * Prints, per contender: median, p25, p75, min (ms), the ratio of medians to
 * the first contender, and the peak RSS of the timed process (KiB). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct
{
  const char *name, *prep;
  char **argv;
  double *ms;
  long maxrss;
  int failures;
} contender_t;

static char **
split (const char *cmd)
{
  char *copy = strdup (cmd), *save = NULL, *tok;
  char **v = calloc (strlen (cmd) / 2 + 2, sizeof (char *));
  int n = 0;

  for (tok = strtok_r (copy, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
    v[n++] = tok;
  return v;
}

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
run (contender_t *c, double *ret_ms)
{
  struct rusage ru;
  int status;
  double t0;
  pid_t pid;

  if (strcmp (c->prep, "-") != 0 && system (c->prep) != 0)
    return -1;
  t0 = now_ms ();
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", 1);
      char **v = c->argv;

      dup2 (null, 1);
      /* Leading VAR=VALUE words set the environment, as env(1) would,
       * without another exec in the timed path. */
      while (*v && strchr (*v, '=') && **v != '/')
        putenv (*v++);
      execv (v[0], v);
      _exit (127);
    }
  if (pid < 0 || wait4 (pid, &status, 0, &ru) < 0)
    return -1;
  *ret_ms = now_ms () - t0;
  if (ru.ru_maxrss > c->maxrss)
    c->maxrss = ru.ru_maxrss;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
pct (const double *v, int n, double p)
{
  double idx = p * (n - 1);
  int lo = (int) idx;
  return lo + 1 < n ? v[lo] + (v[lo + 1] - v[lo]) * (idx - lo) : v[lo];
}

int
main (int argc, char **argv)
{
  int iterations = 30, warmup = 3, opt, n;
  contender_t *c;

  while ((opt = getopt (argc, argv, "n:w:")) != -1)
    {
      if (opt == 'n')
        iterations = atoi (optarg);
      else if (opt == 'w')
        warmup = atoi (optarg);
      else
        return 2;
    }
  if ((argc - optind) % 3 != 0 || argc - optind == 0 || iterations < 1)
    {
      fprintf (stderr, "usage: alternate [-n N] [-w W] NAME PREP CMD [NAME PREP CMD ...]\n");
      return 2;
    }
  n = (argc - optind) / 3;
  c = calloc (n, sizeof (*c));
  for (int i = 0; i < n; i++)
    {
      c[i].name = argv[optind + 3 * i];
      c[i].prep = argv[optind + 3 * i + 1];
      c[i].argv = split (argv[optind + 3 * i + 2]);
      c[i].ms = calloc (iterations, sizeof (double));
    }
  for (int round = -warmup; round < iterations; round++)
    for (int i = 0; i < n; i++)
      {
        double ms = 0;
        if (run (&c[i], &ms) < 0)
          c[i].failures++;
        if (round >= 0)
          c[i].ms[round] = ms;
      }
  printf ("| contender | median ms | p25 | p75 | min | ratio | peak RSS KiB | failures |\n");
  printf ("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  double base = 0;
  for (int i = 0; i < n; i++)
    {
      qsort (c[i].ms, iterations, sizeof (double), cmp);
      double med = pct (c[i].ms, iterations, 0.5);
      if (i == 0)
        base = med;
      printf ("| %s | %.2f | %.2f | %.2f | %.2f | %.3f | %ld | %d |\n", c[i].name, med,
              pct (c[i].ms, iterations, 0.25), pct (c[i].ms, iterations, 0.75), c[i].ms[0],
              base > 0 ? med / base : 0, c[i].maxrss, c[i].failures);
    }
  for (int i = 0; i < n; i++)
    if (c[i].failures > 0)
      return 1;
  return 0;
}
