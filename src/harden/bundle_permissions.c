/* bundle_permissions: hardshim writes the hardened config.json and the
 * runtime reads it later by name. Anyone else who can write the file, the
 * directory holding it or (without the sticky bit) a directory above could
 * put their own config there in between, so such a config is refused: the
 * file and its directory must belong to the user running hardshim (or
 * root) and be writable by no group and no other user; every directory
 * above must belong to that user or root and be writable by others only
 * when sticky. */
#include "harden/controls.h"
#include "cleanup.h"
#include "xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTROL "bundle_permissions"
#define MAX_ANCESTORS 64

static bool
trusted_owner (uid_t uid)
{
  return uid == 0 || uid == geteuid ();
}

/* Why `st` (the config file or its directory) lets another user replace
 * the config, or NULL. */
static const char *
own_problem (const struct stat *st)
{
  if (!trusted_owner (st->st_uid))
    return "it belongs to another user";
  if (st->st_mode & S_IWOTH)
    return "it is writable by others";
  if (st->st_mode & S_IWGRP)
    return "it is writable by its group";
  return NULL;
}

/* The first bytes of a /proc file, NUL-terminated; "" when unreadable. */
static void
read_proc (const char *path, char *buf, size_t size)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, size - 1) : -1;

  buf[n > 0 ? (size_t) n : 0] = '\0';
}

/* Inside a user namespace other than the host's (rootless podman) the
 * directories above the user's home (root's) show as the overflow uid:
 * their real owner cannot be told from here, so that uid passes for a
 * directory above. */
static bool
unmapped_owner (uid_t uid)
{
  char overflow[32], map[256];

  read_proc ("/proc/sys/kernel/overflowuid", overflow, sizeof (overflow));
  if (overflow[0] == '\0' || (uid_t) strtoul (overflow, NULL, 10) != uid)
    return false;
  read_proc ("/proc/self/uid_map", map, sizeof (map));
  /* the initial namespace maps all 4294967295 ids */
  return map[0] != '\0' && strstr (map, "4294967295") == NULL;
}

/* The same for a directory above: others may write a sticky one (/tmp),
 * since they cannot rename what is not theirs there. */
static const char *
ancestor_problem (const struct stat *st)
{
  if (!trusted_owner (st->st_uid) && !unmapped_owner (st->st_uid))
    return "it belongs to another user";
  if ((st->st_mode & (S_IWOTH | S_IWGRP)) && !(st->st_mode & S_ISVTX))
    return "it is writable by group or others and not sticky";
  return NULL;
}

static int
refuse (hs_harden_t *h, hs_error_t *err, const char *what, const struct stat *st, const char *why)
{
  const hs_container_t *c = h->ctr;

  return hs_harden_refuse (h, err, c->config_display,
                           "%s `%s` (owner uid %u, mode %04o): %s, so another user could "
                           "replace the hardened config before the runtime reads it",
                           what, c->config_display, (unsigned) st->st_uid,
                           (unsigned) (st->st_mode & 07777), why);
}

/* The runtime resolves the bundle (or --config) path again by name: every
 * directory it passes through, and every symlink on the way, must be one
 * no other user can change (a symlink of theirs, even in sticky /tmp, they
 * can point elsewhere after this check). The ".." walk below covers the
 * directories above where the path ends up. */
static int
check_path (hs_harden_t *h, const char *display, hs_error_t *err)
{
  size_t n = strlen (display);

  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *prefix = NULL;
      struct stat st;
      const char *why;

      if (display[i] != '/' || i == 0)
        continue;
      prefix = hs_xstrndup (display, i);
      if (lstat (prefix, &st) < 0)
        return hs_harden_refuse (h, err, display, "cannot stat `%s` on the way to `%s`", prefix,
                                 display);
      if (S_ISLNK (st.st_mode) && !trusted_owner (st.st_uid) && !unmapped_owner (st.st_uid))
        return hs_harden_refuse (h, err, display,
                                 "`%s` on the way to `%s` is a symlink of another user (uid %u), "
                                 "who could point it elsewhere before the runtime reads the "
                                 "config",
                                 prefix, display, (unsigned) st.st_uid);
      if (stat (prefix, &st) < 0)
        return hs_harden_refuse (h, err, display, "cannot stat `%s` on the way to `%s`", prefix,
                                 display);
      if (S_ISDIR (st.st_mode) && (why = ancestor_problem (&st)) != NULL)
        {
          cleanup_free char *what = hs_xasprintf ("`%s`, a directory on the way to", prefix);
          return refuse (h, err, what, &st, why);
        }
    }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_container_t *c = h->ctr;
  cleanup_close int fd = -1;
  struct stat st, prev;
  const char *why;
  int r;

  (void) settings;
  if (c == NULL || c->config_st == NULL)
    return 0; /* no file on disk: hardshimctl check, unit tests */
  if ((why = own_problem (c->config_st)) != NULL)
    return refuse (h, err, "the config file", c->config_st, why);
  if (fstat (c->config_dirfd, &st) < 0)
    return hs_harden_refuse (h, err, c->config_display, "cannot stat the directory of `%s`",
                             c->config_display);
  if ((why = own_problem (&st)) != NULL)
    return refuse (h, err, "the directory of", &st, why);
  if (c->config_display != NULL && (r = check_path (h, c->config_display, err)) < 0)
    return r;
  fd = openat (c->config_dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (size_t depth = 0; depth < MAX_ANCESTORS; depth++)
    {
      int up;

      prev = st;
      if (fd < 0 || fstat (fd, &st) < 0)
        return hs_harden_refuse (h, err, c->config_display, "cannot stat a directory above `%s`",
                                 c->config_display);
      if (st.st_dev == prev.st_dev && st.st_ino == prev.st_ino)
        return 0; /* `/`: its own parent */
      if ((why = ancestor_problem (&st)) != NULL)
        return refuse (h, err, "a directory above", &st, why);
      up = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      close (fd);
      fd = up;
    }
  return hs_harden_refuse (h, err, c->config_display, "`%s` is nested too deep to check",
                           c->config_display);
}

const hs_control_t hs_control_bundle_permissions = {
  .name = CONTROL,
  .summary = "config.json and the directories above it writable only by the caller or root",
  .doc = "Refuses a config.json (or crun --config file) that belongs to a user other than\n"
         "the one running hardshim and root, or that group or others may write; the same\n"
         "for the directory holding it; a directory above it that belongs to another\n"
         "user, or that group or others may write without the sticky bit. Any of them\n"
         "lets another user replace the hardened config before the runtime reads it.\n"
         "Presets: enforce (audit-only records would-refuse). The earlier string form\n"
         "\"bundle_permissions\": \"refuse\" | \"warn\" means mode enforce | audit.\n"
         "Settings: mode only.\n",
  .apply = apply,
  .read_only = true,
};
