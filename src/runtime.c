#include "runtime.h"
#include "cleanup.h"
#include "config.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const default_runtimes[]
    = { "/usr/sbin/runc", "/usr/bin/runc", "/usr/bin/crun", NULL };

static bool
is_self (const struct stat *st)
{
  struct stat self;

  return stat ("/proc/self/exe", &self) == 0 && self.st_dev == st->st_dev
         && self.st_ino == st->st_ino;
}

static int
check_runtime (const char *path, const char *source, hs_error_t *err)
{
  struct stat st;

  if (path[0] != '/')
    return hs_error_make (err, 0, "runtime `%s` (from %s) is not an absolute path", path, source);
  if (stat (path, &st) < 0)
    return hs_error_make (err, errno, "runtime `%s` (from %s)", path, source);
  if (!S_ISREG (st.st_mode) || access (path, X_OK) < 0)
    return hs_error_make (err, 0, "runtime `%s` (from %s) is not an executable file", path, source);
  if (is_self (&st))
    return hs_error_make (err, 0,
                          "runtime `%s` (from %s) is hardshim itself: point it at the real runc "
                          "or crun",
                          path, source);
  return 0;
}

int
hs_runtime_resolve (const char *configured, const char *env, char **ret, hs_error_t *err)
{
  const char *source = NULL, *path = NULL;
  int r;

  if (env != NULL && *env != '\0')
    path = env, source = "HARDSHIM_RUNTIME";
  else if (configured != NULL)
    path = configured, source = "policy key `runtime`";
  if (path != NULL)
    {
      r = check_runtime (path, source, err);
      if (r < 0)
        return r;
      *ret = hs_xstrdup (path);
      return 0;
    }
  for (size_t i = 0; default_runtimes[i] != NULL; i++)
    {
      struct stat st;

      if (stat (default_runtimes[i], &st) < 0 || !S_ISREG (st.st_mode) || is_self (&st))
        continue;
      *ret = hs_xstrdup (default_runtimes[i]);
      return 0;
    }
  return hs_error_make (err, 0,
                        "no OCI runtime found (looked for /usr/sbin/runc, /usr/bin/runc, "
                        "/usr/bin/crun): install runc or crun, or set `runtime` in the policy");
}

static char **
runtime_argv (const char *runtime, int argc, char *const *argv)
{
  /* argc is 0 when the caller passed an empty argv: v[0] still needs room. */
  char **v = hs_xcalloc ((size_t) (argc > 0 ? argc : 1) + 1, sizeof (char *));

  v[0] = (char *) runtime;
  for (int i = 1; i < argc; i++)
    v[i] = argv[i];
  return v;
}

int
hs_runtime_exec (const char *runtime, int argc, char *const *argv, hs_error_t *err)
{
  cleanup_free char **v = runtime_argv (runtime, argc, argv);

  execv (runtime, v);
  return hs_error_make (err, errno, "exec runtime `%s`", runtime);
}

int
hs_runtime_version (const char *runtime, int argc, char *const *argv, hs_error_t *err)
{
  cleanup_free char **v = runtime_argv (runtime, argc, argv);
  int status;
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return hs_error_make (err, errno, "fork");
  if (pid == 0)
    {
      execv (runtime, v);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hs_error_make (err, errno, "wait for runtime `%s`", runtime);
  printf ("hardshim version %s (runtime %s)\n", PACKAGE_VERSION, runtime);
  fflush (stdout);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
}
