/* hardshimctl install --node / uninstall --node.
 *
 * install: for runc and crun (src/node_runtimes.c), a local dpkg diversion
 * of the package's path to REAL_DIR/NAME, so package upgrades land there,
 * and hardshim (a symlink to it) at the package's path; podman's runtime
 * names pinned by a drop-in; a record of what was created. The files are
 * moved by hardshimctl itself, so there is no instant without a runc: the
 * real file is hard-linked to the diverted path, the diversion recorded
 * (dpkg-divert --no-rename), then the symlink renamed over the package's
 * path. uninstall renames the real file back over the symlink and removes
 * the diversion. Both check everything before they change anything, and
 * running either twice changes nothing. */
#include "cleanup.h"
#include "config.h"
#include "ctl/ctl.h"
#include "ctl/node.h"
#include "fileio.h"
#include "node_runtimes.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DPKG_DIVERT "/usr/bin/dpkg-divert"
#define RECORD_DIR "/var/lib/hardshim"
#define RECORD_FILE HS_NODE_RECORD

typedef enum
{
  P_ABSENT,
  P_HARDSHIM, /* hardshim (a symlink to it, or the file itself) */
  P_FILE,     /* a regular file that is not hardshim: the real runtime */
  P_OTHER,
} path_state_t;

typedef struct
{
  const hs_node_runtime_t *rt;
  char *real;         /* REAL_DIR/NAME, in the root */
  bool diverted;      /* by our diversion */
  path_state_t state; /* of the package's path */
  bool link_current;  /* a symlink to exactly n->hardshim */
  bool real_exists;   /* a regular file at REAL_DIR/NAME */
  bool same;          /* the package's path and REAL_DIR/NAME are one file */
} slot_t;

typedef struct
{
  hs_node_t n;
  hs_json_t *record;  /* what the last install did, or NULL */
  hs_json_t *created; /* directories an install created (array) */
  slot_t slots[8];
  size_t n_slots;
  int changes;
} node_run_t;

static void
node_run_release (node_run_t *run)
{
  for (size_t i = 0; i < run->n_slots; i++)
    free (run->slots[i].real);
  hs_json_free (run->record);
  hs_json_free (run->created);
}

static char *
trim (char *s)
{
  size_t len = strlen (s);

  while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
    s[--len] = '\0';
  return s;
}

/* dpkg-divert [--root R] ARGS...; its stdout in *ret_out. */
static int
dpkg_divert (const hs_node_t *n, const char *const *args, char **ret_out, hs_error_t *err)
{
  const char *argv[16];
  size_t k = 0;
  int status, r;
  cleanup_free char *out = NULL;

  argv[k++] = DPKG_DIVERT;
  if (*n->root != '\0')
    argv[k++] = "--root", argv[k++] = n->root;
  for (size_t i = 0; args[i] != NULL && k < 15; i++)
    argv[k++] = args[i];
  argv[k] = NULL;
  r = hs_node_spawn ((char *const *) argv, NULL, &out, &status, err);
  if (r < 0)
    return r;
  if (status != 0)
    return hs_error_make (err, 0, "`dpkg-divert%s %s` failed (exit status %d)",
                          *n->root ? " --root ..." : "", args[0], status);
  *ret_out = trim (TAKE_PTR (out));
  return 0;
}

/* Who diverts `path` (empty: nobody, "LOCAL": a local diversion) and to where. */
static int
divert_query (const hs_node_t *n, const char *path, char **ret_pkg, char **ret_to, hs_error_t *err)
{
  const char *q1[] = { "--listpackage", path, NULL };
  const char *q2[] = { "--truename", path, NULL };
  cleanup_free char *pkg = NULL;
  int r;

  r = dpkg_divert (n, q1, &pkg, err);
  if (r == 0)
    r = dpkg_divert (n, q2, ret_to, err);
  if (r < 0)
    return r;
  *ret_pkg = TAKE_PTR (pkg);
  return 0;
}

static int
divert_change (const hs_node_t *n, const char *op, const slot_t *s, hs_error_t *err)
{
  const char *args[]
      = { "--local", "--no-rename", "--quiet", "--divert", s->real, op, s->rt->path, NULL };
  cleanup_free char *out = NULL;

  return dpkg_divert (n, args, &out, err);
}

static int
open_parent_in (const hs_node_t *n, const char *path, char **ret_name, hs_error_t *err)
{
  cleanup_free char *host = hs_node_file (n, path);

  return hs_open_parent (host, ret_name, err);
}

static bool
same_file (const char *a, const char *b)
{
  struct stat sa, sb;

  return lstat (a, &sa) == 0 && lstat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

static int
inspect_slot (const hs_node_t *n, slot_t *s, hs_error_t *err)
{
  cleanup_free char *pkg = NULL, *to = NULL;
  cleanup_free char *host = hs_node_file (n, s->rt->path);
  cleanup_free char *real_host = hs_node_file (n, s->real);
  struct stat st;
  int r;

  r = divert_query (n, s->rt->path, &pkg, &to, err);
  if (r < 0)
    return r;
  if (*pkg != '\0' && (strcmp (pkg, "LOCAL") != 0 || strcmp (to, s->real) != 0))
    return hs_error_refuse (err,
                            "`%s` is already diverted to `%s` by %s: hardshimctl does not stack "
                            "diversions (see `dpkg-divert --list %s`)",
                            s->rt->path, to, strcmp (pkg, "LOCAL") == 0 ? "a local diversion" : pkg,
                            s->rt->path);
  s->diverted = *pkg != '\0';
  if (lstat (host, &st) < 0)
    {
      if (errno != ENOENT)
        return hs_error_make (err, errno, "`%s`", host);
      s->state = P_ABSENT;
    }
  else if (hs_node_is_hardshim (n, s->rt->path))
    {
      char target[PATH_MAX];
      ssize_t len = S_ISLNK (st.st_mode) ? readlink (host, target, sizeof (target) - 1) : -1;

      s->state = P_HARDSHIM;
      if (len >= 0)
        {
          target[len] = '\0';
          s->link_current = strcmp (target, n->hardshim) == 0;
        }
    }
  else if (S_ISREG (st.st_mode))
    s->state = P_FILE;
  else
    s->state = P_OTHER;
  s->real_exists = lstat (real_host, &st) == 0 && S_ISREG (st.st_mode);
  s->same = s->state == P_FILE && s->real_exists && same_file (host, real_host);
  return 0;
}

/* What could make the install a lie or break the node: refused before
 * anything changes. */
static int
check_slot_for_install (const hs_node_t *n, const slot_t *s, hs_error_t *err)
{
  const char *p = s->rt->path, *name = s->rt->name;
  cleanup_free char *first = NULL;

  if (s->state == P_OTHER)
    return hs_error_refuse (err, "`%s` is neither a file nor hardshim: hardshimctl leaves it alone",
                            p);
  if (!s->diverted)
    {
      if (s->state == P_HARDSHIM)
        return hs_error_refuse (err,
                                "`%s` is already hardshim, but no diversion says where the real "
                                "%s is: put the real %s back (`apt-get install --reinstall %s`) "
                                "and run the install again",
                                p, name, name, name);
      if (s->real_exists && !s->same)
        return hs_error_refuse (err,
                                "`%s` exists but `%s` is not diverted there: remove it, it is "
                                "where the node-wide install keeps the real %s",
                                s->real, p, name);
    }
  else
    {
      if (s->state == P_FILE)
        return hs_error_refuse (err,
                                "`%s` is diverted to `%s`, yet a file that is not hardshim is at "
                                "`%s`: move it away and run the install again",
                                p, s->real, p);
      if (s->state == P_HARDSHIM && !s->real_exists)
        return hs_error_refuse (err,
                                "the diversion of `%s` is broken: the real %s is missing at `%s` "
                                "(reinstall it: `apt-get install --reinstall %s`)",
                                p, name, s->real, name);
    }
  /* Docker and containerd run `runc` from PATH: the first one must be hardshim's */
  first = hs_node_path_lookup (n, name);
  if (first != NULL && strcmp (first, p) != 0)
    {
      cleanup_free char *a = hs_node_resolve (n, first);
      cleanup_free char *b = hs_node_resolve (n, p);

      if ((b == NULL || strcmp (a, b) != 0) && !hs_node_is_hardshim (n, first))
        return hs_error_refuse (err,
                                "`%s` comes before `%s` on the PATH engines use (%s, ...): "
                                "Docker and containerd would run it instead of hardshim; "
                                "remove it or move it out of PATH",
                                first, p, hs_node_path_dirs[0]);
    }
  return 0;
}

/* Only root may be able to replace what every engine runs as root: the
 * file and every directory above it. */
static int
check_trusted_path (const hs_node_t *n, const char *path, hs_error_t *err)
{
  cleanup_free char *prefix = hs_xstrdup (path);
  char *slash = prefix;

  for (;;)
    {
      char saved = slash ? *slash : '\0';
      cleanup_free char *host = NULL;
      struct stat st;

      if (slash != NULL)
        *slash = '\0';
      host = hs_node_file (n, *prefix ? prefix : "/");
      if (slash != NULL)
        *slash = saved;
      if (stat (host, &st) < 0)
        return hs_error_make (err, errno, "`%s`", host);
      if (st.st_uid != 0 || (st.st_mode & 022) != 0)
        return hs_error_refuse (err,
                                "`%s` must be owned by root and writable by nobody else: every "
                                "engine will run `%s` as root",
                                host, path);
      if (slash == NULL)
        return 0;
      slash = strchr (slash + 1, '/');
    }
}

static int
check_hardshim (const hs_node_t *n, hs_error_t *err)
{
  cleanup_free char *file = NULL, *out = NULL;
  char *const envp[] = { "HARDSHIM_RUNTIME=/bin/true", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
  struct stat st;
  const char *last;
  int status, r;

  if (n->hardshim[0] != '/')
    return hs_error_usage (err, "--hardshim `%s` is not an absolute path", n->hardshim);
  file = hs_node_resolve (n, n->hardshim);
  /* the runtime paths will point at it: it cannot be one of them */
  for (const hs_node_runtime_t *rt = hs_node_runtimes; file != NULL && rt->name != NULL; rt++)
    {
      cleanup_free char *slot = hs_node_file (n, rt->path);
      cleanup_free char *real = hs_node_real_path (n->real_dir, rt);
      cleanup_free char *real_host = hs_node_file (n, real);

      if (strcmp (n->hardshim, rt->path) == 0 || strcmp (file, slot) == 0
          || strcmp (n->hardshim, real) == 0 || strcmp (file, real_host) == 0)
        return hs_error_refuse (err,
                                "--hardshim `%s` is (or leads to) `%s`, a path the install "
                                "replaces: name where hardshim itself is installed",
                                n->hardshim, strcmp (file, slot) == 0 ? rt->path : real);
    }
  if (file == NULL || stat (file, &st) < 0 || !S_ISREG (st.st_mode) || access (file, X_OK) < 0)
    return hs_error_refuse (err,
                            "hardshim is not installed at `%s` (`make install`, or name it with "
                            "--hardshim PATH)",
                            n->hardshim);
  r = check_trusted_path (n, n->hardshim, err);
  if (r == 0)
    {
      char *const argv[] = { file, "--version", NULL };

      r = hs_node_spawn (argv, envp, &out, &status, err);
    }
  if (r < 0)
    return r;
  last = out + strlen (trim (out));
  while (last > out && last[-1] != '\n')
    last--;
  if (status != 0 || strncmp (last, "hardshim version ", 17) != 0)
    return hs_error_refuse (err,
                            "`%s` is not hardshim (its --version does not end with "
                            "`hardshim version ...`)",
                            n->hardshim);
  return 0;
}

/* The policy's `runtime` wins over the name hardshim is invoked as. */
static int
check_policy_runtime (const node_run_t *run, hs_error_t *err)
{
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_error hs_error_t perr = NULL;

  if (*run->n.root != '\0')
    return 0; /* hardshim reads the host's policy, not the root's */
  if (hs_ctl_load_policy (NULL, &policy, &perr) < 0)
    {
      fprintf (stderr, "hardshimctl: warning: %s\n", perr->msg);
      return 0;
    }
  if (policy->runtime == NULL)
    return 0;
  for (size_t i = 0; i < run->n_slots; i++)
    if (strcmp (policy->runtime, run->slots[i].rt->path) == 0)
      return hs_error_refuse (err,
                              "policy key `runtime` names `%s`, which the node-wide install "
                              "replaces with hardshim: remove the key (hardshim then runs the "
                              "real runc or crun for each name)",
                              policy->runtime);
  fprintf (stderr,
           "hardshimctl: warning: policy key `runtime` (`%s`) wins over the name hardshim is "
           "invoked as: engines asking for runc and for crun both get it\n",
           policy->runtime);
  return 0;
}

static bool
record_has_created (const node_run_t *run, const char *path)
{
  return hs_json_array_find_string (run->created, path) >= 0;
}

/* mkdir -p for `path` (in the root), each new directory recorded. */
static int
make_dirs (node_run_t *run, const char *path, hs_error_t *err)
{
  cleanup_free char *p = hs_xstrdup (path);

  for (char *slash = strchr (p + 1, '/');; slash = strchr (slash + 1, '/'))
    {
      cleanup_free char *host = NULL;

      if (slash != NULL)
        *slash = '\0';
      host = hs_node_file (&run->n, p);
      if (mkdir (host, 0755) == 0)
        {
          if (!record_has_created (run, p))
            hs_json_append (run->created, hs_json_new_string (p));
          printf ("created %s\n", p);
          run->changes++;
        }
      else if (errno != EEXIST)
        return hs_error_make (err, errno, "create directory `%s`", host);
      if (slash == NULL)
        return 0;
      *slash = '/';
    }
}

/* Put a symlink to hardshim at the package's path, atomically. */
static int
place_hardshim (node_run_t *run, const slot_t *s, hs_error_t *err)
{
  cleanup_free char *name = NULL, *tmp = NULL;
  cleanup_close int dfd = open_parent_in (&run->n, s->rt->path, &name, err);

  if (dfd < 0)
    return dfd;
  tmp = hs_xasprintf (".%s.hardshim-new", name);
  unlinkat (dfd, tmp, 0);
  if (symlinkat (run->n.hardshim, dfd, tmp) < 0)
    return hs_error_make (err, errno, "symlink `%s` next to `%s`", tmp, s->rt->path);
  if (renameat (dfd, tmp, dfd, name) < 0)
    {
      int saved = errno;

      unlinkat (dfd, tmp, 0);
      return hs_error_make (err, saved, "rename `%s` over `%s`", tmp, s->rt->path);
    }
  printf ("%s -> %s (hardshim in place of %s)\n", s->rt->path, run->n.hardshim, s->rt->name);
  run->changes++;
  return 0;
}

static int
install_slot (node_run_t *run, slot_t *s, hs_error_t *err)
{
  cleanup_free char *host = hs_node_file (&run->n, s->rt->path);
  cleanup_free char *real_host = hs_node_file (&run->n, s->real);
  int r;

  if (s->state == P_FILE && !s->same)
    {
      /* the real runtime keeps its inode; the package's path never goes missing */
      if (link (host, real_host) < 0)
        return hs_error_make (err, errno,
                              "hard-link `%s` to `%s` (both must be on one file system)",
                              s->rt->path, s->real);
      s->real_exists = s->same = true;
    }
  if (!s->diverted)
    {
      r = divert_change (&run->n, "--add", s, err);
      if (r < 0)
        return r;
      s->diverted = true;
      printf ("diverted %s to %s (dpkg-divert --local: package upgrades of %s land there)\n",
              s->rt->path, s->real, s->rt->name);
      run->changes++;
    }
  if (s->real_exists && (s->state != P_HARDSHIM || !s->link_current))
    {
      r = place_hardshim (run, s, err);
      if (r < 0)
        return r;
    }
  if (!s->real_exists)
    printf ("%s is not installed: its package will install it at %s; run `hardshimctl install "
            "--node` again then\n",
            s->rt->name, s->real);
  return 0;
}

static int
write_if_changed (node_run_t *run, const char *path, const char *text, hs_error_t *err)
{
  cleanup_free char *name = NULL, *old = NULL;
  cleanup_close int dfd = open_parent_in (&run->n, path, &name, err);
  struct stat keep = { .st_mode = 0644 };
  size_t len;
  int r;

  if (dfd < 0)
    return dfd;
  if (hs_read_file_at (dfd, name, 1 << 20, &old, &len, NULL, NULL) == 0 && len == strlen (text)
      && memcmp (old, text, len) == 0)
    return 0;
  r = hs_write_file_atomic_at (dfd, name, text, strlen (text), &keep, err);
  if (r < 0)
    return hs_error_wrap (err, "`%s`", path);
  printf ("wrote %s\n", path);
  run->changes++;
  return 0;
}

static char *
record_text (const node_run_t *run)
{
  cleanup_json hs_json_t *o = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *files = hs_json_new (HS_JSON_ARRAY);
  char *text = NULL, *with_nl;

  hs_json_set_exact (o, "hardshim", hs_json_new_string (run->n.hardshim));
  hs_json_set_exact (o, "real_dir", hs_json_new_string (run->n.real_dir));
  hs_json_set_exact (o, "created", hs_json_dup (run->created));
  hs_json_append (files, hs_json_new_string (hs_node_podman_dropin_path));
  hs_json_set_exact (o, "files", files);
  if (hs_json_emit (o, true, &text, NULL, NULL) < 0)
    return NULL;
  with_nl = hs_xasprintf ("%s\n", text);
  free (text);
  return with_nl;
}

static void
read_record (node_run_t *run)
{
  const hs_json_t *v;

  run->created = hs_json_new (HS_JSON_ARRAY);
  run->record = hs_node_read_record (&run->n);
  if (run->record == NULL)
    return;
  v = hs_json_get_type (run->record, "hardshim", HS_JSON_STRING);
  if (v != NULL && v->str[0] == '/')
    run->n.previous = v->str;
  v = hs_json_get_type (run->record, "created", HS_JSON_ARRAY);
  for (size_t i = 0; v != NULL && i < v->len; i++)
    if (v->items[i]->type == HS_JSON_STRING && v->items[i]->str[0] == '/')
      hs_json_append (run->created, hs_json_dup (v->items[i]));
}

static int
parse_args (int argc, char **argv, const char *usage, node_run_t *run, bool allow_hardshim)
{
  bool node = false;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--node") == 0)
        node = true;
      else if (strcmp (argv[i], "--root") == 0 && i + 1 < argc)
        run->n.root = argv[++i];
      else if (allow_hardshim && strcmp (argv[i], "--hardshim") == 0 && i + 1 < argc)
        run->n.hardshim = argv[++i];
      else
        node = false, i = argc;
    }
  if (!node || (run->n.root[0] != '\0' && run->n.root[0] != '/'))
    {
      fprintf (stderr, "Usage: %s\n", usage);
      return -1;
    }
  /* "/" and "/x/" are "" and "/x" */
  {
    char *root = hs_xstrdup (run->n.root);
    size_t len = strlen (root);

    while (len > 0 && root[len - 1] == '/')
      root[--len] = '\0';
    run->n.root = root;
  }
  return 0;
}

static void
setup_slots (node_run_t *run)
{
  for (const hs_node_runtime_t *r = hs_node_runtimes; r->name != NULL; r++)
    {
      slot_t *s = &run->slots[run->n_slots++];

      *s = (slot_t){ .rt = r, .real = hs_node_real_path (run->n.real_dir, r) };
    }
}

static int
finish_report (const node_run_t *run)
{
  int uncovered;

  printf ("\n");
  uncovered = hs_node_report (&run->n, stdout, NULL);
  if (uncovered > 0)
    fprintf (stderr,
             "hardshimctl: warning: %d runtime path%s engines can run %s not covered (see "
             "above)\n",
             uncovered, uncovered == 1 ? "" : "s", uncovered == 1 ? "is" : "are");
  return 0;
}

#define INSTALL_USAGE "hardshimctl install --node [--hardshim PATH] [--root DIR]"
#define UNINSTALL_USAGE "hardshimctl uninstall --node [--root DIR]"

int
hs_ctl_install (int argc, char **argv)
{
  __attribute__ ((cleanup (node_run_release))) node_run_t run = {
    .n = { .root = "", .hardshim = HS_BINDIR "/hardshim", .real_dir = HS_REAL_RUNTIME_DIR },
  };
  cleanup_error hs_error_t err = NULL;
  cleanup_free char *record = NULL;
  const char *root_arg;
  int r = 0;

  if (parse_args (argc, argv, INSTALL_USAGE, &run, true) < 0)
    return 2;
  root_arg = run.n.root;
  read_record (&run);
  setup_slots (&run);
  if (access (DPKG_DIVERT, X_OK) < 0)
    {
      hs_error_refuse (&err, "%s not found: the node-wide install needs Debian's dpkg",
                       DPKG_DIVERT);
      goto refused;
    }
  r = check_hardshim (&run.n, &err);
  for (size_t i = 0; r == 0 && i < run.n_slots; i++)
    {
      r = inspect_slot (&run.n, &run.slots[i], &err);
      if (r == 0)
        r = check_slot_for_install (&run.n, &run.slots[i], &err);
    }
  if (r == 0)
    r = check_policy_runtime (&run, &err);
  if (r == 0)
    {
      /* hardshim execs what is there as root: only root may write it */
      cleanup_free char *real_dir = hs_node_file (&run.n, run.n.real_dir);
      struct stat st;

      if (stat (real_dir, &st) == 0)
        r = check_trusted_path (&run.n, run.n.real_dir, &err);
    }
  if (r < 0)
    goto refused;

  r = make_dirs (&run, run.n.real_dir, &err);
  for (size_t i = 0; r == 0 && i < run.n_slots; i++)
    r = install_slot (&run, &run.slots[i], &err);
  if (r == 0)
    r = make_dirs (&run, "/etc/containers/containers.conf.d", &err);
  if (r == 0)
    r = write_if_changed (&run, hs_node_podman_dropin_path, hs_node_podman_dropin (), &err);
  if (r == 0)
    r = make_dirs (&run, RECORD_DIR, &err);
  if (r == 0)
    {
      record = record_text (&run);
      r = write_if_changed (&run, RECORD_FILE, record, &err);
    }
  if (r < 0)
    {
      hs_error_wrap (&err, "install --node stopped half-way (run it again to finish, or "
                           "uninstall --node to undo)");
      free ((char *) root_arg);
      return hs_ctl_fail (&err, 2);
    }
  if (run.changes == 0)
    printf ("hardshim is already in place of runc and crun: nothing changed\n");
  finish_report (&run);
  free ((char *) root_arg);
  return 0;

refused:
  free ((char *) root_arg);
  hs_error_wrap (&err, "install --node: nothing changed");
  return hs_ctl_fail (&err, hs_error_is_refusal (&err) ? 1 : 2);
}

static int
check_slot_for_uninstall (const slot_t *s, hs_error_t *err)
{
  if (s->diverted && (s->state == P_FILE || s->state == P_OTHER))
    return hs_error_refuse (err,
                            "`%s` is not hardshim, so it is not put back: the real %s stays at "
                            "`%s` until you move `%s` away and run the uninstall again",
                            s->rt->path, s->rt->name, s->real, s->rt->path);
  return 0;
}

static int
uninstall_slot (node_run_t *run, slot_t *s, hs_error_t *err)
{
  cleanup_free char *host = hs_node_file (&run->n, s->rt->path);
  cleanup_free char *real_host = hs_node_file (&run->n, s->real);
  int r;

  if (!s->diverted)
    {
      if (s->state == P_HARDSHIM)
        fprintf (stderr,
                 "hardshimctl: warning: `%s` is hardshim but not diverted by a node-wide "
                 "install: left alone\n",
                 s->rt->path);
      return 0;
    }
  if (s->real_exists)
    {
      /* one rename: the path is hardshim, then the real runtime, never missing */
      if (rename (real_host, host) < 0)
        return hs_error_make (err, errno, "rename `%s` back to `%s`", s->real, s->rt->path);
      printf ("%s is the real %s again\n", s->rt->path, s->rt->name);
    }
  else if (s->state == P_HARDSHIM && unlink (host) < 0)
    return hs_error_make (err, errno, "remove `%s`", s->rt->path);
  r = divert_change (&run->n, "--remove", s, err);
  if (r < 0)
    return r;
  printf ("removed the diversion of %s\n", s->rt->path);
  run->changes++;
  return 0;
}

static int
remove_ours (node_run_t *run, const char *path, const char *text, hs_error_t *err)
{
  cleanup_free char *name = NULL, *old = NULL;
  cleanup_close int dfd = open_parent_in (&run->n, path, &name, NULL);
  size_t len;

  if (dfd < 0 || hs_read_file_at (dfd, name, 1 << 20, &old, &len, NULL, NULL) < 0)
    return 0;
  if (text != NULL && (len != strlen (text) || memcmp (old, text, len) != 0))
    {
      fprintf (stderr, "hardshimctl: warning: `%s` was changed since the install: left alone\n",
               path);
      return 0;
    }
  if (unlinkat (dfd, name, 0) < 0)
    return hs_error_make (err, errno, "remove `%s`", path);
  printf ("removed %s\n", path);
  run->changes++;
  return 0;
}

static void
remove_dir (node_run_t *run, const char *path)
{
  cleanup_free char *host = hs_node_file (&run->n, path);

  if (rmdir (host) == 0)
    printf ("removed %s\n", path), run->changes++;
  else if (errno != ENOENT)
    fprintf (stderr, "hardshimctl: warning: `%s` is not empty: left in place\n", path);
}

int
hs_ctl_uninstall (int argc, char **argv)
{
  __attribute__ ((cleanup (node_run_release))) node_run_t run = {
    .n = { .root = "", .hardshim = HS_BINDIR "/hardshim", .real_dir = HS_REAL_RUNTIME_DIR },
  };
  cleanup_error hs_error_t err = NULL;
  const char *root_arg;
  int r = 0;

  if (parse_args (argc, argv, UNINSTALL_USAGE, &run, false) < 0)
    return 2;
  root_arg = run.n.root;
  read_record (&run);
  if (run.n.previous != NULL)
    run.n.hardshim = run.n.previous;
  setup_slots (&run);
  if (access (DPKG_DIVERT, X_OK) < 0)
    r = hs_error_refuse (&err, "%s not found: the node-wide install needs Debian's dpkg",
                         DPKG_DIVERT);
  for (size_t i = 0; r == 0 && i < run.n_slots; i++)
    {
      r = inspect_slot (&run.n, &run.slots[i], &err);
      if (r == 0)
        r = check_slot_for_uninstall (&run.slots[i], &err);
    }
  if (r < 0)
    {
      free ((char *) root_arg);
      hs_error_wrap (&err, "uninstall --node: nothing changed");
      return hs_ctl_fail (&err, hs_error_is_refusal (&err) ? 1 : 2);
    }
  for (size_t i = 0; r == 0 && i < run.n_slots; i++)
    r = uninstall_slot (&run, &run.slots[i], &err);
  if (r == 0)
    r = remove_ours (&run, hs_node_podman_dropin_path, hs_node_podman_dropin (), &err);
  if (r == 0)
    r = remove_ours (&run, RECORD_FILE, NULL, &err);
  if (r == 0)
    {
      /* what the install created, newest first; without a record only
       * hardshim's own directory */
      if (run.record == NULL)
        remove_dir (&run, run.n.real_dir);
      for (size_t i = run.created->len; i-- > 0;)
        remove_dir (&run, run.created->items[i]->str);
    }
  free ((char *) root_arg);
  if (r < 0)
    {
      hs_error_wrap (&err, "uninstall --node stopped half-way (run it again to finish)");
      return hs_ctl_fail (&err, 2);
    }
  if (run.changes == 0)
    printf ("hardshim is not installed node-wide: nothing changed\n");
  return 0;
}
