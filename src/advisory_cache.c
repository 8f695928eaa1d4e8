#include "advisory_cache.h"
#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "sha256.h"
#include "state_dir.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_MAX (64u << 10)

static const hs_json_limits_t record_limits = { .max_bytes = RECORD_MAX, .max_depth = 8 };

/* What identifies the binary: replaced, rewritten or re-permissioned, it
 * is probed again. */
static char *
identity_of (const struct stat *st)
{
  return hs_xasprintf ("%llu:%llu:%lld:%lld.%09ld:%lld.%09ld", (unsigned long long) st->st_dev,
                       (unsigned long long) st->st_ino, (long long) st->st_size,
                       (long long) st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                       (long long) st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

static char *
record_name (const char *runtime)
{
  char d[HS_DIGEST_LEN];

  hs_sha256_digest (runtime, strlen (runtime), d);
  return hs_xasprintf ("%.32s.json", d + 7);
}

static char *
dup_string (const hs_json_t *obj, const char *key)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  return v && v->type == HS_JSON_STRING ? hs_xstrdup (v->str) : NULL;
}

/* 0 and *ret filled on a matching record; < 0 on anything else. */
static int
read_record (int dfd, const char *name, const char *runtime, const char *id, hs_probe_t *ret)
{
  cleanup_free char *buf = NULL;
  cleanup_json hs_json_t *root = NULL;
  const hs_json_t *path, *ident, *features;
  hs_probe_t p = { 0 };
  size_t len;

  if (hs_read_file_at (dfd, name, RECORD_MAX, &buf, &len, NULL, NULL) < 0
      || hs_json_parse (buf, len, &record_limits, &root, NULL) < 0 || root->type != HS_JSON_OBJECT)
    return -1;
  path = hs_json_get_exact (root, "runtime");
  ident = hs_json_get_exact (root, "identity");
  if (path == NULL || path->type != HS_JSON_STRING || strcmp (path->str, runtime) != 0
      || ident == NULL || ident->type != HS_JSON_STRING || strcmp (ident->str, id) != 0)
    return -1;
  p.name = dup_string (root, "name");
  if (p.name == NULL)
    return -1;
  p.version = dup_string (root, "version");
  p.debian_package = dup_string (root, "debian_package");
  p.debian_version = dup_string (root, "debian_version");
  p.identity = hs_xstrdup (id);
  {
    hs_json_t *j = hs_json_take (root, "judged");

    if (j != NULL && j->type == HS_JSON_OBJECT)
      p.judged = j;
    else
      hs_json_free (j);
  }
  features = hs_json_get_exact (root, "features");
  if (features != NULL && features->type == HS_JSON_ARRAY)
    {
      p.features = hs_xcalloc (features->len + 1, sizeof (char *));
      for (size_t i = 0; i < features->len && i < HS_PROBE_MAX_FEATURES; i++)
        if (features->items[i]->type == HS_JSON_STRING)
          p.features[p.n_features++] = hs_xstrdup (features->items[i]->str);
    }
  *ret = p;
  return 0;
}

static hs_json_t *
opt_string (const char *s)
{
  return s ? hs_json_new_string (s) : hs_json_new (HS_JSON_NULL);
}

/* Keep the directory bounded: past the limit, drop every other record. */
static void
bound (int dfd, const char *keep)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  size_t n = 0;
  int fd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  if (n < HS_ADVISORY_CACHE_MAX)
    return;
  rewinddir (d);
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && strcmp (de->d_name, keep) != 0)
      unlinkat (dfd, de->d_name, 0);
}

static void
write_record (int dfd, const char *name, const char *runtime, const char *id, const hs_probe_t *p,
              hs_json_t *judged)
{
  cleanup_json hs_json_t *root = hs_json_new (HS_JSON_OBJECT);
  cleanup_free char *text = NULL;
  size_t len;

  hs_json_set_exact (root, "runtime", hs_json_new_string (runtime));
  hs_json_set_exact (root, "identity", hs_json_new_string (id));
  hs_json_set_exact (root, "name", hs_json_new_string (p->name));
  hs_json_set_exact (root, "version", opt_string (p->version));
  if (p->features != NULL)
    {
      hs_json_t *f = hs_json_new (HS_JSON_ARRAY);

      for (size_t i = 0; i < p->n_features; i++)
        hs_json_append (f, hs_json_new_string (p->features[i]));
      hs_json_set_exact (root, "features", f);
    }
  else
    hs_json_set_exact (root, "features", hs_json_new (HS_JSON_NULL));
  hs_json_set_exact (root, "debian_package", opt_string (p->debian_package));
  hs_json_set_exact (root, "debian_version", opt_string (p->debian_version));
  if (judged != NULL)
    hs_json_set_exact (root, "judged", judged);
  if (hs_json_emit (root, false, &text, &len, NULL) < 0)
    return;
  bound (dfd, name);
  /* a record that cannot be written is only a later cache miss */
  (void) hs_write_state_file_at (dfd, name, text, len, NULL);
}

int
hs_advisory_facts (const char *state_dir, const char *runtime, const char *dpkg_admin,
                   hs_probe_t *ret, bool *ret_cached, hs_error_t *err)
{
  cleanup_close int dfd = -1;
  cleanup_free char *id = NULL, *name = NULL;
  hs_probe_t p = { 0 };
  struct stat st;

  if (stat (runtime, &st) < 0)
    return hs_error_make (err, errno, "runtime `%s`", runtime);
  id = identity_of (&st);
  name = record_name (runtime);
  if (state_dir != NULL)
    dfd = hs_state_subdir_open (state_dir, HS_ADVISORY_CACHE_KIND, 0700, NULL);
  if (dfd >= 0 && read_record (dfd, name, runtime, id, &p) == 0)
    {
      *ret = p;
      *ret_cached = true;
      return 0;
    }
  if (hs_probe_run (runtime, &p, err) < 0
      || hs_probe_debian (dpkg_admin ? dpkg_admin : HS_DPKG_ADMIN, runtime, &p, err) < 0)
    {
      hs_probe_clear (&p);
      return -1;
    }
  /* the binary changed while we ran it: do not pin the new output to the old identity */
  {
    struct stat st2;
    cleanup_free char *id2 = NULL;

    if (dfd >= 0 && stat (runtime, &st2) == 0 && strcmp (id2 = identity_of (&st2), id) == 0)
      write_record (dfd, name, runtime, id, &p, NULL);
  }
  p.identity = TAKE_PTR (id);
  *ret = p;
  *ret_cached = false;
  return 0;
}

void
hs_advisory_facts_keep_judged (const char *state_dir, const char *runtime, const hs_probe_t *p,
                               hs_json_t *judged)
{
  cleanup_json hs_json_t *j = judged;
  cleanup_close int dfd = -1;
  cleanup_free char *id = NULL, *name = NULL;
  struct stat st;

  if (state_dir == NULL || p->identity == NULL || stat (runtime, &st) < 0
      || strcmp (id = identity_of (&st), p->identity) != 0)
    return;
  dfd = hs_state_subdir_open (state_dir, HS_ADVISORY_CACHE_KIND, 0700, NULL);
  if (dfd < 0)
    return;
  name = record_name (runtime);
  write_record (dfd, name, runtime, id, p, TAKE_PTR (j));
}

char *
hs_advisory_file_identity (int dirfd, const char *name)
{
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return NULL;
  return identity_of (&st);
}
