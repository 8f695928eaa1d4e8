#include "runtime_probe.h"
#include "advisory.h"
#include "child.h"
#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "pkgdb.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void
hs_probe_clear (hs_probe_t *p)
{
  free (p->name);
  free (p->version);
  for (size_t i = 0; i < p->n_features; i++)
    free (p->features[i]);
  free (p->features);
  free (p->debian_package);
  free (p->debian_version);
  free (p->identity);
  hs_json_free (p->judged);
  memset (p, 0, sizeof (*p));
}

static char *
word (const char **s, const char *end)
{
  const char *p = *s, *start;

  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  start = p;
  while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
    p++;
  *s = p;
  return p > start ? hs_xstrndup (start, (size_t) (p - start)) : NULL;
}

static bool
printable (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if ((unsigned char) s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
      return false;
  return true;
}

int
hs_probe_parse_version (const char *out, size_t len, hs_probe_t *ret, hs_error_t *err)
{
  hs_probe_t p = { 0 };
  const char *end = out + len, *s = out, *nl;
  cleanup_free char *kw = NULL;

  if (len == 0 || len > HS_PROBE_MAX_OUTPUT || !printable (out, len))
    return hs_error_make (err, 0, "`--version` printed %s",
                          len == 0 ? "nothing" : "more than a version or control characters");
  nl = memchr (s, '\n', len);
  if (nl == NULL)
    nl = end;
  p.name = word (&s, nl);
  kw = word (&s, nl);
  if (p.name == NULL || kw == NULL || strcmp (kw, "version") != 0)
    {
      hs_probe_clear (&p);
      return hs_error_make (err, 0, "`--version` does not start with `NAME version X`");
    }
  p.version = word (&s, nl);
  /* crun: "+SYSTEMD +SELINUX ... +YAJL" */
  for (const char *line = nl + 1; line < end;)
    {
      const char *lend = memchr (line, '\n', (size_t) (end - line));

      if (lend == NULL)
        lend = end;
      if (line < lend && (*line == '+' || *line == '-') && p.features == NULL)
        {
          const char *q = line;
          char *f;

          p.features = hs_xcalloc (HS_PROBE_MAX_FEATURES, sizeof (char *));
          while ((f = word (&q, lend)) != NULL)
            {
              if (f[0] == '+' && p.n_features < HS_PROBE_MAX_FEATURES)
                p.features[p.n_features++] = f;
              else
                free (f);
            }
        }
      line = lend + 1;
    }
  *ret = p;
  return 0;
}

/* The child: stdout to the pipe, nothing else open (hs_child_init), dies
 * with hardshim, nothing inherited that could change what the runtime
 * prints. Never returns. */
static void __attribute__ ((noreturn)) child (pid_t parent, const char *runtime, int out)
{
  static char *const envp[]
      = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
  char *const argv[] = { (char *) runtime, "--version", NULL };
  int null;

  hs_child_init (parent, out, HS_PROBE_CPU_SECONDS);
  null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || dup2 (null, 0) < 0 || dup2 (out, 1) < 0 || dup2 (null, 2) < 0)
    _exit (127);
  for (int sig = 1; sig < NSIG; sig++)
    signal (sig, SIG_DFL);
  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
  execve (runtime, argv, envp);
  _exit (127);
}

static long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
hs_probe_run (const char *runtime, hs_probe_t *ret, hs_error_t *err)
{
  char buf[HS_PROBE_MAX_OUTPUT + 1];
  size_t len = 0;
  int fds[2] = { -1, -1 };
  long deadline;
  bool timed_out = false, too_long = false;
  int status = 0;
  pid_t parent = getpid (), pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hs_error_make (err, errno, "`%s --version`: pipe", runtime);
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (fds[0]);
      close (fds[1]);
      return hs_error_make (err, e, "`%s --version`: fork", runtime);
    }
  if (pid == 0)
    child (parent, runtime, fds[1]);
  close (fds[1]);
  deadline = now_ms () + HS_PROBE_TIMEOUT_MS;
  for (;;)
    {
      struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
      long left = deadline - now_ms ();
      ssize_t n;
      int pr;

      if (left <= 0)
        {
          timed_out = true;
          break;
        }
      pr = poll (&pfd, 1, (int) left);
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr <= 0)
        {
          timed_out = pr == 0;
          break;
        }
      n = read (fds[0], buf + len, sizeof (buf) - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
      if (len == sizeof (buf))
        {
          too_long = true;
          break;
        }
    }
  close (fds[0]);
  if (timed_out || too_long)
    kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (timed_out)
    return hs_error_make (err, 0, "`%s --version` did not finish within %d ms", runtime,
                          HS_PROBE_TIMEOUT_MS);
  if (too_long)
    return hs_error_make (err, 0, "`%s --version` printed more than %d bytes", runtime,
                          HS_PROBE_MAX_OUTPUT);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hs_error_make (err, 0, "`%s --version` failed (status %d)", runtime,
                          WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  if (hs_probe_parse_version (buf, len, ret, err) < 0)
    return hs_error_wrap (err, "`%s`", runtime);
  return 0;
}

/* Is `path` a line of `list` (dpkg's info/PKG.list: one path per line)? */
static bool
lists (const char *list, size_t len, const char *path)
{
  size_t pl = strlen (path);

  for (const char *s = list, *end = list + len; s < end;)
    {
      const char *nl = memchr (s, '\n', (size_t) (end - s));
      size_t l = (nl ? nl : end) - s;

      if (l == pl && memcmp (s, path, pl) == 0)
        return true;
      s += l + 1;
    }
  return false;
}

/* diversions: triples of lines "from", "to", "package". */
static bool
diverted_to (const char *div, size_t len, const char *path, const char *list, size_t list_len)
{
  const char *s = div, *end = div + len;

  while (s < end)
    {
      const char *l[3];
      size_t ll[3];

      for (int i = 0; i < 3; i++)
        {
          const char *nl = memchr (s, '\n', (size_t) (end - s));

          l[i] = s;
          ll[i] = (nl ? nl : end) - s;
          s += ll[i] + (nl != NULL);
          if (s >= end && i < 2)
            return false;
        }
      if (ll[1] == strlen (path) && memcmp (l[1], path, ll[1]) == 0)
        {
          cleanup_free char *from = hs_xstrndup (l[0], ll[0]);
          return lists (list, list_len, from);
        }
    }
  return false;
}

int
hs_probe_debian (const char *admin, const char *path, hs_probe_t *p, hs_error_t *err)
{
  cleanup_close int dfd = -1, info = -1;
  cleanup_free char *real = realpath (path, NULL);
  cleanup_free char *list = NULL, *div = NULL, *status = NULL;
  cleanup_free char *list_name = NULL;
  cleanup_pkglist hs_pkglist_t pkgs = { 0 };
  size_t list_len = 0, div_len = 0, status_len = 0;

  if (p->name == NULL || real == NULL || strchr (p->name, '/') != NULL)
    return 0;
  dfd = open (admin, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return 0; /* no dpkg here */
  info = openat (dfd, "info", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  list_name = hs_xasprintf ("%s.list", p->name);
  if (info < 0
      || hs_read_file_at (info, list_name, HS_PKGDB_MAX_FILE, &list, &list_len, NULL, NULL) < 0)
    return 0;
  if (!lists (list, list_len, real))
    {
      if (hs_read_file_at (dfd, "diversions", HS_PKGDB_MAX_FILE, &div, &div_len, NULL, NULL) < 0
          || !diverted_to (div, div_len, real, list, list_len))
        return 0;
    }
  if (hs_read_file_at (dfd, "status", HS_PKGDB_MAX_FILE, &status, &status_len, NULL, err) < 0
      || hs_dpkg_status_parse (status, status_len, "dpkg status", &pkgs, err) < 0)
    return hs_error_wrap (err, "`%s`", admin);
  for (size_t i = 0; i < pkgs.n; i++)
    if (strcmp (pkgs.v[i].name, p->name) == 0)
      {
        hs_pkgver_buf_t buf;
        hs_pkgver_t v;
        int c;

        /* a package of another upstream than the binary says it is: the
         * file was replaced behind dpkg's back, its backports say nothing */
        if (p->version == NULL
            || hs_pkgver_parse (HS_PKGVER_DPKG, pkgs.v[i].version, strlen (pkgs.v[i].version), &buf,
                                &v, NULL)
                   < 0
            || hs_runtime_version_cmp (v.upstream, p->version, &c) < 0 || c != 0)
          break;
        p->debian_package = hs_xstrdup (p->name);
        p->debian_version = hs_xstrdup (pkgs.v[i].version);
        break;
      }
  return 0;
}

bool
hs_probe_joins_userns_first (const char *runtime)
{
  cleanup_probe hs_probe_t p = { 0 };
  unsigned major = 0, minor = 0, patch = 0;

  if (hs_probe_run (runtime, &p, NULL) < 0 || p.name == NULL || strcmp (p.name, "runc") != 0
      || p.version == NULL || sscanf (p.version, "%u.%u.%u", &major, &minor, &patch) < 2)
    return false;
  return major < 1 || (major == 1 && (minor < 2 || (minor == 2 && patch < 1)));
}
