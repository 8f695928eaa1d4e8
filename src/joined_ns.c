#include "joined_ns.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

static const char *
ns_name (int nstype)
{
  switch (nstype)
    {
    case CLONE_NEWNET:
      return "net";
    case CLONE_NEWIPC:
      return "ipc";
    case CLONE_NEWPID:
      return "pid";
    case CLONE_NEWUTS:
      return "uts";
    default:
      return "?";
    }
}

int
hs_joined_ns_open (const char *path, int nstype, int *ret_fd, hs_error_t *err)
{
  /* O_NONBLOCK: a FIFO put there must not stall the create */
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  int type;

  if (fd < 0)
    return hs_error_make (err, errno, "open the namespace `%s`", path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return hs_error_make (err, errno, "`%s` is not a namespace", path);
  if (type != nstype)
    return hs_error_make (err, 0, "`%s` is not a %s namespace", path, ns_name (nstype));
  *ret_fd = TAKE_FD (fd);
  return 0;
}

static int
same_file (int fd, const char *path, bool *ret, hs_error_t *err)
{
  struct stat a, b;

  if (fstat (fd, &a) < 0)
    return hs_error_make (err, errno, "fstat a namespace");
  if (stat (path, &b) < 0)
    return hs_error_make (err, errno, "stat `%s`", path);
  *ret = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  return 0;
}

int
hs_joined_ns_owned_by_host (int fd, bool *ret, hs_error_t *err)
{
  cleanup_close int owner = ioctl (fd, NS_GET_USERNS);

  if (owner < 0)
    return hs_error_make (err, errno, "the owner of a namespace (NS_GET_USERNS)");
  /* hardshim's own: the ids it hands out are ids of this one */
  return same_file (owner, "/proc/self/ns/user", ret, err);
}

int
hs_joined_ns_is_hosts (int fd, int nstype, bool *ret, hs_error_t *err)
{
  bool compared = false;

  /* PID 1's (unreadable where root lacks a capability PID 1 has) and the
   * one hardshim, so the engine, runs in */
  for (int k = 0; k < 2; k++)
    {
      cleanup_free char *p
          = hs_xasprintf ("/proc/%s/ns/%s", k == 0 ? "1" : "self", ns_name (nstype));
      bool same = false;

      if (same_file (fd, p, &same, NULL) < 0)
        continue;
      compared = true;
      if (same)
        {
          *ret = true;
          return 0;
        }
    }
  if (!compared)
    return hs_error_make (err, 0, "cannot read the host's %s namespace to compare",
                          ns_name (nstype));
  *ret = false;
  return 0;
}

/* Enter the namespace `fd`; *ret_back is this process's own, to return to. */
static int
enter (int fd, int nstype, int *ret_back, hs_error_t *err)
{
  cleanup_free char *self = hs_xasprintf ("/proc/thread-self/ns/%s", ns_name (nstype));
  cleanup_close int back = open (self, O_RDONLY | O_CLOEXEC);

  if (back < 0)
    return hs_error_make (err, errno, "open `%s`", self);
  if (setns (fd, nstype) < 0)
    return hs_error_make (err, errno, "enter the %s namespace (setns)", ns_name (nstype));
  *ret_back = TAKE_FD (back);
  return 0;
}

/* Back in our own namespace, or nothing else may happen: what runs next
 * (the runtime) must never start inside the container's namespace. */
static void
leave (int back, int nstype)
{
  if (setns (back, nstype) < 0)
    abort ();
  close (back);
}

static char *
sysctl_path (const char *name)
{
  char *p = hs_xasprintf ("/proc/sys/%s", name);

  for (char *c = p + strlen ("/proc/sys/"); *c; c++)
    if (*c == '.')
      *c = '/';
  return p;
}

/* The value with runs of blanks made one space, no trailing newline. */
static char *
normalize (const char *v)
{
  char *out = hs_xmalloc (strlen (v) + 1), *o = out;
  bool blank = false;

  for (; *v; v++)
    if (*v == ' ' || *v == '\t' || *v == '\n')
      blank = o != out;
    else
      {
        if (blank)
          *o++ = ' ';
        blank = false;
        *o++ = *v;
      }
  *o = '\0';
  return out;
}

static int
read_sysctl (const char *name, char **ret, hs_error_t *err)
{
  cleanup_free char *path = sysctl_path (name);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  char buf[256];
  ssize_t n;

  if (fd < 0 && errno == ENOENT)
    {
      *ret = NULL;
      return 0;
    }
  if (fd < 0 || (n = read (fd, buf, sizeof (buf) - 1)) < 0)
    return hs_error_make (err, errno, "read `%s`", path);
  buf[n] = '\0';
  *ret = normalize (buf);
  return 0;
}

static int
write_sysctl (const hs_sysctl_write_t *w, hs_error_t *err)
{
  cleanup_free char *path = sysctl_path (w->name), *back = NULL, *want = normalize (w->value);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  size_t len = strlen (w->value);

  if (fd < 0 || write (fd, w->value, len) != (ssize_t) len)
    return hs_error_make (err, errno, "write `%s` to `%s`", w->value, path);
  /* verify, as the kernel may clamp or ignore a value */
  if (read_sysctl (w->name, &back, err) < 0)
    return -1;
  if (back == NULL || strcmp (back, want) != 0)
    return hs_error_make (err, 0, "`%s` reads `%s` after writing `%s`", path,
                          back ? back : "(nothing)", w->value);
  return 0;
}

int
hs_netns_sysctls (int netns_fd, const char *const *reads, char **ret_values,
                  const hs_sysctl_write_t *writes, size_t nwrites, hs_error_t *err)
{
  size_t nreads = 0;
  char **values = NULL;
  int back = -1, r = 0;

  while (ret_values != NULL && reads != NULL && reads[nreads] != NULL)
    nreads++;
  values = hs_xcalloc (nreads + 1, sizeof (char *));
  if (enter (netns_fd, CLONE_NEWNET, &back, err) < 0)
    {
      free (values);
      return -1;
    }
  for (size_t i = 0; r == 0 && i < nreads; i++)
    r = read_sysctl (reads[i], &values[i], err);
  for (size_t i = 0; r == 0 && i < nwrites; i++)
    r = write_sysctl (&writes[i], err);
  leave (back, CLONE_NEWNET);
  if (r < 0 || ret_values == NULL)
    {
      for (size_t i = 0; i < nreads; i++)
        free (values[i]);
      free (values);
      return r;
    }
  memcpy (ret_values, values, nreads * sizeof (char *));
  free (values);
  return 0;
}

int
hs_mqueue_mount (int ipc_fd, const char *target, hs_error_t *err)
{
  cleanup_close int fs = -1, mnt = -1;
  int back = -1, saved = 0;

  if (mkdir (target, 0755) < 0 && errno != EEXIST)
    return hs_error_make (err, errno, "create `%s`", target);
  if (enter (ipc_fd, CLONE_NEWIPC, &back, err) < 0)
    return -1;
  /* the filesystem takes the IPC namespace of whoever opens it */
  fs = fsopen ("mqueue", FSOPEN_CLOEXEC);
  if (fs < 0 || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0
      || (mnt
          = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC))
             < 0)
    saved = errno;
  leave (back, CLONE_NEWIPC);
  if (mnt < 0)
    return hs_error_make (err, saved, "mount mqueue for the IPC namespace");
  if (move_mount (mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return hs_error_make (err, errno, "move_mount mqueue to `%s`", target);
  return 0;
}

bool
hs_config_joins_beside_new_userns (const hs_json_t *config, const char **ret_type,
                                   const char **ret_path)
{
  const hs_json_t *nss = hs_json_path (config, "linux", "namespaces", NULL);
  const hs_json_t *joined = NULL;
  bool new_user = false;

  for (size_t i = 0; nss && nss->type == HS_JSON_ARRAY && i < nss->len; i++)
    {
      const hs_json_t *t = hs_json_get_type (nss->items[i], "type", HS_JSON_STRING);
      const hs_json_t *p = hs_json_get_type (nss->items[i], "path", HS_JSON_STRING);
      bool has_path = p != NULL && p->len > 0;

      if (t == NULL)
        continue;
      if (strcmp (t->str, "user") == 0)
        {
          if (has_path)
            return false; /* the engine's user namespace, joined first */
          new_user = true;
        }
      else if (has_path && joined == NULL)
        joined = nss->items[i];
    }
  if (!new_user || joined == NULL)
    return false;
  *ret_type = hs_json_get_type (joined, "type", HS_JSON_STRING)->str;
  *ret_path = hs_json_get_type (joined, "path", HS_JSON_STRING)->str;
  return true;
}
