#include "registry.h"
#include "cleanup.h"
#include "fileio.h"
#include "liveness.h"
#include "sha256.h"
#include "state_dir.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* What hs_registry_put writes is bounded far below what is read: a record
 * written by anyone (an earlier version, a hand edit) must not become
 * unreadable, and so hold everyone's allocations, by its size alone. */
#define RECORD_WRITE_MAX (64 * 1024)
static const hs_json_limits_t record_limits = { 1024 * 1024, 16, false };

static char *claims_walk (hs_registry_t *r, const char *key, bool remove);

int
hs_registry_lock (const char *state_dir, const char *kind, hs_registry_t *ret, hs_error_t *err)
{
  cleanup_free char *path = hs_xasprintf ("%s/%s", state_dir, kind);
  cleanup_close int dfd = -1, lfd = -1;

  dfd = hs_state_subdir_open (state_dir, kind, 0700, err);
  if (dfd < 0)
    return dfd;
  lfd = openat (dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lfd < 0)
    return hs_error_make (err, errno, "open `%s/.lock`", path);
  while (flock (lfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return hs_error_make (err, errno, "lock `%s/.lock`", path);
  ret->dirfd = TAKE_FD (dfd);
  ret->lockfd = TAKE_FD (lfd);
  ret->path = TAKE_PTR (path);
  return 0;
}

void
hs_registry_unlock (hs_registry_t *r)
{
  if (r->lockfd >= 0)
    close (r->lockfd); /* drops the flock */
  if (r->dirfd >= 0)
    close (r->dirfd);
  free (r->path);
  r->lockfd = r->dirfd = -1;
  r->path = NULL;
}

char *
hs_registry_key (const char *runtime_root, const char *id)
{
  cleanup_free char *both = hs_xasprintf ("%s%c%s", runtime_root ? runtime_root : "", 0, id);
  char digest[HS_DIGEST_LEN];
  size_t len = strlen (runtime_root ? runtime_root : "") + 1 + strlen (id);

  hs_sha256_digest (both, len, digest);
  return hs_xasprintf ("%.32s.json", digest + 7);
}

void
hs_registry_entries_free (hs_registry_entry_t *e, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (e[i].key);
      hs_json_free (e[i].record);
    }
  free (e);
}

int
hs_registry_entries (hs_registry_t *r, hs_registry_entry_t **ret, size_t *ret_n, hs_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  hs_registry_entry_t *e = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  int fd = fcntl (r->dirfd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return hs_error_make (err, errno, "read `%s`", r->path);
    }
  rewinddir (d);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *buf = NULL;
      hs_json_t *rec = NULL;
      size_t len;

      if (de->d_name[0] == '.' || strstr (de->d_name, ".json") == NULL
          || strstr (de->d_name, ".hardshim-") != NULL)
        continue;
      if (hs_read_file_at (r->dirfd, de->d_name, record_limits.max_bytes, &buf, &len, NULL, NULL)
              < 0
          || hs_json_parse (buf, len, &record_limits, &rec, NULL) < 0)
        {
          /* A record we cannot read still holds its allocation: keep it
           * visible as an empty record so nothing is handed out twice. */
          rec = hs_json_new (HS_JSON_OBJECT);
        }
      e = hs_xgrow (e, &cap, n + 1, sizeof (*e));
      e[n].key = hs_xstrdup (de->d_name);
      e[n++].record = rec;
    }
  *ret = e;
  *ret_n = n;
  return 0;
}

int
hs_registry_put (hs_registry_t *r, const char *runtime_root, const char *id, hs_json_t *value,
                 hs_error_t *err)
{
  cleanup_json hs_json_t *rec = hs_json_new (HS_JSON_OBJECT);
  cleanup_free char *key = hs_registry_key (runtime_root, id);
  cleanup_free char *out = NULL;
  hs_json_t *seen;
  size_t len;
  int ret;

  hs_json_set_exact (rec, "id", hs_json_new_string (id));
  hs_json_set_exact (rec, "root", hs_json_new_string (runtime_root ? runtime_root : ""));
  hs_json_set_exact (rec, "created", hs_json_new_uint ((unsigned long long) time (NULL)));
  /* null when the root cannot be seen: such a record is never judged gone */
  seen = hs_liveness_witness (runtime_root);
  hs_json_set_exact (rec, "seen", seen ? seen : hs_json_new (HS_JSON_NULL));
  hs_json_set_exact (rec, "value", value);
  ret = hs_json_emit (rec, false, &out, &len, err);
  if (ret < 0)
    return ret;
  if (len > RECORD_WRITE_MAX)
    return hs_error_make (err, 0, "registry `%s`: the record of `%.32s` would be %zu bytes",
                          r->path, id, len);
  ret = hs_write_state_file_at (r->dirfd, key, out, len, err);
  if (ret < 0)
    return hs_error_wrap (err, "registry `%s`", r->path);
  return 0;
}

hs_json_t *
hs_registry_get (hs_registry_t *r, const char *runtime_root, const char *id)
{
  cleanup_free char *key = hs_registry_key (runtime_root, id);
  cleanup_free char *buf = NULL;
  hs_json_t *rec = NULL, *value;
  size_t len;

  if (hs_read_file_at (r->dirfd, key, record_limits.max_bytes, &buf, &len, NULL, NULL) < 0
      || hs_json_parse (buf, len, &record_limits, &rec, NULL) < 0)
    return NULL;
  value = hs_json_dup (hs_json_get_exact (rec, "value"));
  hs_json_free (rec);
  return value;
}

int
hs_registry_remove (hs_registry_t *r, const char *runtime_root, const char *id)
{
  cleanup_free char *key = hs_registry_key (runtime_root, id);
  int r_unlink = unlinkat (r->dirfd, key, 0) < 0 ? -errno : 0;

  claims_walk (r, key, true);
  return r_unlink;
}

/* `name` is a claim of the record `key` (`<32 hex>.json`): `<32 hex>.<tag>`. */
static const char *
claim_tag (const char *name, const char *key)
{
  if (strlen (key) < 32 || strncmp (name, key, 32) != 0 || name[32] != '.' || name[33] == '\0'
      || strstr (name, ".json") != NULL || strstr (name, ".hardshim-") != NULL)
    return NULL;
  return name + 33;
}

/* Walk `key`'s claims: remove them all, or return the first one's tag. */
static char *
claims_walk (hs_registry_t *r, const char *key, bool remove)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd = fcntl (r->dirfd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  rewinddir (d); /* the offset is shared with dirfd */
  while ((de = readdir (d)) != NULL)
    {
      const char *tag = claim_tag (de->d_name, key);

      if (tag == NULL)
        continue;
      if (!remove)
        return hs_xstrdup (tag);
      unlinkat (r->dirfd, de->d_name, 0);
    }
  return NULL;
}

int
hs_registry_claim (hs_registry_t *r, const char *key, const char *tag, hs_error_t *err)
{
  cleanup_free char *name = hs_xasprintf ("%.32s.%s", key, tag);
  cleanup_close int fd = -1;

  claims_walk (r, key, true);
  fd = openat (r->dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return hs_error_make (err, errno, "registry `%s`: create `%s`", r->path, name);
  return 0;
}

char *
hs_registry_claim_find (hs_registry_t *r, const char *key)
{
  return claims_walk (r, key, false);
}

void
hs_registry_remove_key (hs_registry_t *r, const char *key)
{
  unlinkat (r->dirfd, key, 0);
  claims_walk (r, key, true);
}

bool
hs_registry_record_live (const hs_json_t *record, time_t now)
{
  return !hs_liveness_gone (record, now, false);
}

bool
hs_registry_releasable (hs_registry_t *r, const char *runtime_root, const char *id)
{
  cleanup_free char *key = hs_registry_key (runtime_root, id);
  cleanup_free char *buf = NULL;
  cleanup_json hs_json_t *rec = NULL;
  size_t len;

  if (hs_read_file_at (r->dirfd, key, record_limits.max_bytes, &buf, &len, NULL, NULL) < 0
      || hs_json_parse (buf, len, &record_limits, &rec, NULL) < 0)
    {
      struct stat st;

      if (fstatat (r->dirfd, key, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        return true; /* nothing held */
      /* unreadable: judge the container itself, as the caller names it */
      hs_json_free (rec);
      rec = hs_json_new (HS_JSON_OBJECT);
      hs_json_set_exact (rec, "id", hs_json_new_string (id));
      hs_json_set_exact (rec, "root", hs_json_new_string (runtime_root ? runtime_root : ""));
      hs_json_set_exact (rec, "created", hs_json_new_uint (0));
    }
  return hs_liveness_gone (rec, time (NULL), true);
}
