#include "runtime.h"
#include "child.h"
#include "cleanup.h"
#include "config.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A name a runtime's file can carry: runc's Go flags or crun's argp. */
static bool
name_dialect (const char *path, hs_dialect_t *ret)
{
  const char *base = hs_path_base (path);

  if (strncmp (base, "crun", 4) == 0)
    *ret = HS_DIALECT_ARGP;
  else if (strncmp (base, "runc", 4) == 0)
    *ret = HS_DIALECT_GO;
  else
    return false;
  return true;
}

hs_dialect_t
hs_runtime_dialect (const char *path, const hs_node_runtime_t *in_place_of)
{
  char resolved[PATH_MAX];
  hs_dialect_t d;

  /* what the file really is decides (a `runc` that links to crun reads argp) */
  if (path[0] == '/' && realpath (path, resolved) != NULL && name_dialect (resolved, &d))
    return d;
  if (name_dialect (path, &d))
    return d;
  if (in_place_of != NULL && name_dialect (in_place_of->name, &d))
    return d;
  return HS_DIALECT_GO;
}

static const hs_node_runtime_t *
invoked_as (const hs_runtime_query_t *q)
{
  return q->argv0 != NULL ? hs_node_runtime_named (hs_path_base (q->argv0)) : NULL;
}

hs_dialect_t
hs_runtime_invoked_dialect (const hs_runtime_query_t *q)
{
  const hs_node_runtime_t *r = invoked_as (q);
  hs_dialect_t d;

  return r != NULL && name_dialect (r->name, &d) ? d : HS_DIALECT_GO;
}

/* What to add when a configured runtime is hardshim: after a node-wide
 * install the old `runtime` setting names hardshim. */
static char *
self_hint (const char *path, const char *real_dir)
{
  const hs_node_runtime_t *r = hs_node_runtime_named (hs_path_base (path));
  cleanup_free char *real = r ? hs_node_real_path (real_dir, r) : NULL;

  if (real == NULL)
    return hs_xstrdup ("");
  return hs_xasprintf (" (hardshim is installed in place of %s: the real %s is %s)", r->name,
                       r->name, real);
}

static int
check_runtime (const char *path, const char *source, const char *real_dir, hs_error_t *err)
{
  struct stat st;

  if (path[0] != '/')
    return hs_error_make (err, 0, "runtime `%s` (from %s) is not an absolute path", path, source);
  if (stat (path, &st) < 0)
    return hs_error_make (err, errno, "runtime `%s` (from %s)", path, source);
  if (!S_ISREG (st.st_mode) || access (path, X_OK) < 0)
    return hs_error_make (err, 0, "runtime `%s` (from %s) is not an executable file", path, source);
  if (is_self (&st))
    {
      cleanup_free char *hint = self_hint (path, real_dir);

      return hs_error_make (err, 0,
                            "runtime `%s` (from %s) is hardshim itself%s: point it at the real "
                            "runc or crun",
                            path, source, hint);
    }
  return 0;
}

/* Invoked as runc or crun: the diverted real one, and only it. */
static int
check_in_place (const hs_node_runtime_t *r, const char *real, hs_error_t *err)
{
  struct stat st;
  const char *problem = NULL;
  int saved = 0;

  if (stat (real, &st) < 0)
    saved = errno, problem = "is missing";
  else if (!S_ISREG (st.st_mode) || access (real, X_OK) < 0)
    problem = "is not an executable file";
  else if (is_self (&st))
    problem = "is hardshim itself";
  if (problem == NULL)
    return 0;
  return hs_error_make (err, saved,
                        "hardshim runs in place of %s (node-wide install) and execs the real %s "
                        "at `%s`, which %s: the diversion of %s is broken; reinstall the package "
                        "(`apt-get install --reinstall %s`) or run `hardshimctl install --node` "
                        "again, and see `dpkg-divert --list %s`",
                        r->name, r->name, real, problem, r->path, r->name, r->path);
}

/* A default path that is hardshim stands for the real runtime behind it. */
static char *
search_defaults (const char *real_dir)
{
  for (size_t i = 0; default_runtimes[i] != NULL; i++)
    {
      const hs_node_runtime_t *r;
      cleanup_free char *real = NULL;
      struct stat st;

      if (stat (default_runtimes[i], &st) < 0 || !S_ISREG (st.st_mode))
        continue;
      if (!is_self (&st))
        return hs_xstrdup (default_runtimes[i]);
      r = hs_node_runtime_named (hs_path_base (default_runtimes[i]));
      if (r == NULL)
        continue;
      real = hs_node_real_path (real_dir, r);
      if (stat (real, &st) == 0 && S_ISREG (st.st_mode) && !is_self (&st))
        return TAKE_PTR (real);
    }
  return NULL;
}

int
hs_runtime_resolve (const hs_runtime_query_t *q, hs_runtime_t *ret, hs_error_t *err)
{
  const hs_node_runtime_t *in_place = invoked_as (q);
  const char *source = NULL;
  char *path = NULL;
  int r;

  if (q->env != NULL && *q->env != '\0')
    {
      source = "HARDSHIM_RUNTIME";
      r = check_runtime (q->env, source, q->real_dir, err);
      if (r < 0)
        return r;
      path = hs_xstrdup (q->env);
    }
  else if (q->configured != NULL)
    {
      source = "policy key `runtime`";
      r = check_runtime (q->configured, source, q->real_dir, err);
      if (r < 0)
        return r;
      path = hs_xstrdup (q->configured);
    }
  else if (in_place != NULL)
    {
      cleanup_free char *real = hs_node_real_path (q->real_dir, in_place);

      source = "the node-wide install";
      r = check_in_place (in_place, real, err);
      if (r < 0)
        return r;
      path = TAKE_PTR (real);
    }
  else
    {
      source = "the default search";
      path = search_defaults (q->real_dir);
      if (path == NULL)
        return hs_error_make (err, 0,
                              "no OCI runtime found (looked for /usr/sbin/runc, /usr/bin/runc, "
                              "/usr/bin/crun): install runc or crun, or set `runtime` in the "
                              "policy");
    }
  *ret = (hs_runtime_t){
    .path = path,
    .source = source,
    .in_place_of = in_place,
    .dialect = hs_runtime_dialect (path, in_place),
  };
  return 0;
}

void
hs_runtime_release (hs_runtime_t *rt)
{
  free (rt->path);
  rt->path = NULL;
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
hs_runtime_version (const hs_runtime_t *rt, int argc, char *const *argv, hs_error_t *err)
{
  cleanup_free char **v = runtime_argv (rt->path, argc, argv);
  const char *dialect = rt->dialect == HS_DIALECT_ARGP ? "crun" : "runc";
  int status;
  pid_t pid, parent = getpid ();

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return hs_error_make (err, errno, "fork");
  if (pid == 0)
    {
      hs_child_init (parent, -1, 0);
      execv (rt->path, v);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hs_error_make (err, errno, "wait for runtime `%s`", rt->path);
  if (rt->in_place_of != NULL)
    printf ("hardshim version %s (in place of %s: runtime %s, %s command line)\n", PACKAGE_VERSION,
            rt->in_place_of->name, rt->path, dialect);
  else
    printf ("hardshim version %s (runtime %s, %s command line)\n", PACKAGE_VERSION, rt->path,
            dialect);
  fflush (stdout);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
}
