#include "liveness.h"
#include "cleanup.h"
#include "container_id.h"
#include "fileio.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Digits only, no sign, no overflow. */
static bool
parse_u64 (const char *s, unsigned long long *ret)
{
  unsigned long long v = 0;

  if (s == NULL || *s == '\0')
    return false;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '9' || v > (ULLONG_MAX - (unsigned) (*s - '0')) / 10)
        return false;
      v = v * 10 + (unsigned) (*s - '0');
    }
  *ret = v;
  return true;
}

static bool
json_u64 (const hs_json_t *obj, const char *key, unsigned long long *ret)
{
  const hs_json_t *v = hs_json_get_type (obj, key, HS_JSON_NUMBER);

  return v != NULL && parse_u64 (v->str, ret);
}

/* Drop `.`, `..` and repeated slashes from an absolute path. */
static char *
normalize (const char *abs)
{
  char *out = hs_xmalloc (strlen (abs) + 2);
  size_t len = 0;
  const char *p = abs;

  while (*p)
    {
      const char *e;
      size_t n;

      while (*p == '/')
        p++;
      e = strchrnul (p, '/');
      n = (size_t) (e - p);
      if (n == 0 || (n == 1 && p[0] == '.'))
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          while (len > 0 && out[len - 1] != '/')
            len--;
          if (len > 0)
            len--; /* the slash */
        }
      else
        {
          out[len++] = '/';
          memcpy (out + len, p, n);
          len += n;
        }
      p = e;
    }
  if (len == 0)
    out[len++] = '/';
  out[len] = '\0';
  return out;
}

char *
hs_runtime_root_absolute (const char *root)
{
  cleanup_free char *joined = NULL;
  char *real = realpath (root, NULL);

  if (real != NULL)
    return real;
  if (root[0] == '/')
    return normalize (root);
  {
    cleanup_free char *cwd = getcwd (NULL, 0);

    joined = hs_xasprintf ("%s/%s", cwd ? cwd : "/", root);
  }
  return normalize (joined);
}

static bool
ns_inode (const char *type, unsigned long long *ret)
{
  cleanup_free char *path = hs_xasprintf ("/proc/self/ns/%s", type);
  struct stat st;

  if (stat (path, &st) < 0)
    return false;
  *ret = (unsigned long long) st.st_ino;
  return true;
}

/* mkdir -p with 0700 for what is missing, as runc and crun make their root. */
static void
make_root (const char *root)
{
  cleanup_free char *p = hs_xstrdup (root);

  for (char *slash = strchr (p + 1, '/');; slash = strchr (slash + 1, '/'))
    {
      if (slash != NULL)
        *slash = '\0';
      if (mkdir (p, 0700) < 0 && errno != EEXIST)
        return;
      if (slash == NULL)
        return;
      *slash = '/';
    }
}

hs_json_t *
hs_liveness_witness (const char *root)
{
  hs_json_t *w;
  struct stat st;
  unsigned long long pidns, mntns;

  if (root == NULL || root[0] != '/')
    return NULL;
  if (stat (root, &st) < 0 && errno == ENOENT)
    make_root (root);
  if (stat (root, &st) < 0 || !S_ISDIR (st.st_mode) || !ns_inode ("pid", &pidns)
      || !ns_inode ("mnt", &mntns))
    return NULL;
  w = hs_json_new (HS_JSON_OBJECT);
  hs_json_set_exact (w, "dev", hs_json_new_uint ((unsigned long long) st.st_dev));
  hs_json_set_exact (w, "ino", hs_json_new_uint ((unsigned long long) st.st_ino));
  hs_json_set_exact (w, "pidns", hs_json_new_uint (pidns));
  hs_json_set_exact (w, "mntns", hs_json_new_uint (mntns));
  return w;
}

/* The init pid and its start time (clock ticks after boot, field 22 of
 * /proc/PID/stat) from the runtime's state of the container. */
static bool
runtime_init (int ctrfd, unsigned long long *ret_pid, unsigned long long *ret_start)
{
  static const hs_json_limits_t lim = { 4 * 1024 * 1024, 64, false };
  static const struct
  {
    const char *file, *pid, *start;
  } formats[] = {
    { "state.json", "init_process_pid", "init_process_start" }, /* runc */
    { "status", "pid", "process-start-time" },                  /* crun */
  };

  for (size_t i = 0; i < sizeof (formats) / sizeof (formats[0]); i++)
    {
      cleanup_free char *buf = NULL;
      cleanup_json hs_json_t *t = NULL;
      size_t len;

      if (hs_read_file_at (ctrfd, formats[i].file, lim.max_bytes, &buf, &len, NULL, NULL) < 0
          || hs_json_parse (buf, len, &lim, &t, NULL) < 0)
        continue;
      return json_u64 (t, formats[i].pid, ret_pid) && *ret_pid > 0
             && json_u64 (t, formats[i].start, ret_start);
    }
  return false;
}

/* Is `pid` still the process that started at `start` (and not a zombie)? */
static bool
process_is (unsigned long long pid, unsigned long long start)
{
  cleanup_free char *path = hs_xasprintf ("/proc/%llu/stat", pid);
  cleanup_file FILE *f = fopen (path, "re");
  char buf[1024], *p;
  unsigned long long t;
  size_t n;

  if (f == NULL)
    return errno != ENOENT && errno != ESRCH; /* cannot tell: alive */
  n = fread (buf, 1, sizeof (buf) - 1, f);
  buf[n] = '\0';
  /* the command name may hold anything: fields start after the last ')' */
  p = strrchr (buf, ')');
  if (p == NULL)
    return true;
  p += 2; /* ") " -> field 3, the state */
  if (*p == 'Z' || *p == 'X')
    return false;
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return true;
      p++;
    }
  if (sscanf (p, "%llu", &t) != 1)
    return true;
  return t == start;
}

bool
hs_liveness_gone (const hs_json_t *record, time_t now, bool at_delete)
{
  const hs_json_t *id = hs_json_get_type (record, "id", HS_JSON_STRING);
  const hs_json_t *root = hs_json_get_type (record, "root", HS_JSON_STRING);
  const hs_json_t *seen = hs_json_get_type (record, "seen", HS_JSON_OBJECT);
  unsigned long long created, dev = 0, ino = 0, pidns = 0, mntns = 0, ns, pid, start;
  cleanup_close int rootfd = -1, ctrfd = -1;
  bool young;
  struct stat st;

  if (id == NULL || root == NULL || !json_u64 (record, "created", &created))
    return false; /* unreadable: never reclaim what we cannot judge */
  young = now >= 0 && (unsigned long long) now < created + HS_LIVENESS_GRACE_SECONDS;
  /* An id the runtimes refuse never got runtime state: its create failed. */
  if (!hs_container_id_valid (id->str))
    return !young || at_delete;
  if (root->str[0] != '/')
    return false; /* relative to whose cwd? */
  if (hs_json_get_exact (record, "seen") != NULL && seen == NULL)
    return false; /* its creator could not see the root either */
  if (seen != NULL
      && (!json_u64 (seen, "dev", &dev) || !json_u64 (seen, "ino", &ino)
          || !json_u64 (seen, "pidns", &pidns) || !json_u64 (seen, "mntns", &mntns)))
    return false;
  rootfd = open (root->str, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    {
      /* The root is gone, and with it every container it held, if we look
       * from the creator's mount namespace (or the record predates the
       * witness); from another one it may just be out of sight. */
      if (errno != ENOENT || (seen != NULL && (!ns_inode ("mnt", &ns) || ns != mntns)))
        return false;
      return at_delete || !young;
    }
  if (fstat (rootfd, &st) < 0)
    return false;
  /* The same directory the creator saw (records of earlier versions have
   * no witness: the path is all there is). */
  if (seen != NULL
      && ((unsigned long long) st.st_dev != dev || (unsigned long long) st.st_ino != ino))
    return false;
  ctrfd = openat (rootfd, id->str, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (ctrfd < 0)
    return errno == ENOENT && (at_delete || !young);
  if (!runtime_init (ctrfd, &pid, &start))
    return false; /* being created, or a format we do not know */
  if (seen != NULL && (!ns_inode ("pid", &ns) || ns != pidns))
    return false; /* its pids are not ours to look up */
  return !process_is (pid, start);
}

bool
hs_liveness_running (const char *root, const char *id)
{
  cleanup_close int rootfd = -1, ctrfd = -1;
  unsigned long long pid, start;

  if (!hs_container_id_valid (id))
    return false;
  rootfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return false;
  ctrfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return ctrfd >= 0 && runtime_init (ctrfd, &pid, &start) && process_is (pid, start);
}

char *
hs_liveness_ns_owner (const char *root, const char *ns, unsigned long long dev,
                      unsigned long long ino, unsigned long long *ret_pid)
{
  cleanup_close int rootfd = -1;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (root == NULL || root[0] != '/')
    return NULL;
  rootfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return NULL;
  d = fdopendir (fcntl (rootfd, F_DUPFD_CLOEXEC, 0));
  if (d == NULL)
    return NULL;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_close int ctrfd = -1;
      cleanup_free char *p = NULL;
      unsigned long long pid, start;
      struct stat st;

      if (!hs_container_id_valid (de->d_name))
        continue;
      ctrfd = openat (rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (ctrfd < 0 || !runtime_init (ctrfd, &pid, &start))
        continue;
      p = hs_xasprintf ("/proc/%llu/ns/%s", pid, ns);
      if (stat (p, &st) < 0 || (unsigned long long) st.st_dev != dev
          || (unsigned long long) st.st_ino != ino)
        continue;
      /* a pid reused since the runtime recorded it is not the container */
      if (!process_is (pid, start))
        continue;
      if (ret_pid != NULL)
        *ret_pid = pid;
      return hs_xstrdup (de->d_name);
    }
  return NULL;
}
