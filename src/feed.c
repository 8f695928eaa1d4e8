#include "feed.h"
#include "cleanup.h"
#include "fileio.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST "manifest.json"
#define MANIFEST_MAX (1u << 20)
#define INDEX_MAX (1u << 30)

time_t
hs_rfc3339_time (const char *s)
{
  struct tm tm = { 0 };
  const char *end;

  if (s == NULL || (end = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
    return -1;
  return timegm (&tm);
}

/* The feed directory decides what containers may run: it must be hardshim's
 * (root's) alone. */
static int
check_owner (int fd, const char *what, hs_error_t *err)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return hs_error_make (err, errno, "stat %s", what);
  if (st.st_uid != geteuid () || (st.st_mode & 022) != 0)
    return hs_error_make (err, 0,
                          "%s is not owned by uid %u or is writable by others "
                          "(chown root and chmod go-w it)",
                          what, (unsigned) geteuid ());
  return 0;
}

void
hs_feed_close (hs_feed_t *f)
{
  hs_closep (&f->dirfd);
  f->manifest = hs_json_free (f->manifest);
}

static const hs_json_limits_t manifest_limits = { MANIFEST_MAX, 16, false };

int
hs_feed_open (const char *feed_dir, hs_feed_t *ret, hs_error_t *err)
{
  cleanup_close int top = -1;
  cleanup_close int gen = -1;
  cleanup_free char *buf = NULL;
  cleanup_json hs_json_t *m = NULL;
  const hs_json_t *digest, *asof;
  size_t len;

  top = open (feed_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (top < 0 && errno == ENOENT)
    return HS_FEED_ABSENT;
  if (top < 0)
    return hs_error_make (err, errno, "open feed directory `%s`", feed_dir);
  if (check_owner (top, "the feed directory", err) < 0)
    return hs_error_wrap (err, "`%s`", feed_dir);
  gen = openat (top, "current", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (gen < 0 && errno == ENOENT)
    return HS_FEED_ABSENT;
  if (gen < 0)
    return hs_error_make (err, errno, "open `%s/current`", feed_dir);
  if (check_owner (gen, "the current feed", err) < 0
      || hs_read_file_at (gen, MANIFEST, MANIFEST_MAX, &buf, &len, NULL, err) < 0
      || hs_json_parse (buf, len, &manifest_limits, &m, err) < 0)
    return hs_error_wrap (err, "feed `%s`", feed_dir);
  digest = hs_json_get_type (m, "digest", HS_JSON_STRING);
  if (m->type != HS_JSON_OBJECT || digest == NULL || digest->len != HS_DIGEST_LEN - 1
      || hs_json_get_type (m, "ecosystems", HS_JSON_OBJECT) == NULL)
    return hs_error_make (err, 0, "feed `%s`: manifest.json is not a feed manifest", feed_dir);
  memset (ret, 0, sizeof *ret);
  memcpy (ret->digest, digest->str, HS_DIGEST_LEN);
  asof = hs_json_get_type (m, "data_as_of", HS_JSON_STRING);
  ret->data_as_of = asof ? asof->str : NULL;
  ret->data_as_of_time = asof ? hs_rfc3339_time (asof->str) : 0;
  if (ret->data_as_of_time < 0)
    ret->data_as_of_time = 0;
  ret->dirfd = TAKE_FD (gen);
  ret->manifest = TAKE_PTR (m);
  return 0;
}

void
hs_feed_unmap (hs_feed_map_t *m)
{
  if (m->addr != NULL)
    munmap (m->addr, m->len);
  m->addr = NULL;
}

int
hs_feed_index (const hs_feed_t *f, const char *ecosystem, hs_feed_map_t *ret, hs_error_t *err)
{
  const hs_json_t *e = hs_json_path (f->manifest, "ecosystems", NULL);
  const hs_json_t *file;
  cleanup_close int fd = -1;
  struct stat st;
  void *addr;

  e = hs_json_get_exact (e, ecosystem);
  if (e == NULL)
    return HS_FEED_ABSENT;
  file = hs_json_get_type (e, "file", HS_JSON_STRING);
  if (file == NULL || strchr (file->str, '/') != NULL)
    return hs_error_make (err, 0, "feed manifest: bad file for `%s`", ecosystem);
  fd = openat (f->dirfd, file->str, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hs_error_make (err, errno, "feed index `%s`", file->str);
  if (fstat (fd, &st) < 0)
    return hs_error_make (err, errno, "feed index `%s`", file->str);
  if (!S_ISREG (st.st_mode) || st.st_size <= 0 || (uint64_t) st.st_size > INDEX_MAX)
    return hs_error_make (err, 0, "feed index `%s`: not a regular file of a sane size", file->str);
  /* generations are written once and never changed in place: mapping is safe */
  addr = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (addr == MAP_FAILED)
    return hs_error_make (err, errno, "map feed index `%s`", file->str);
  if (hs_index_open (addr, (size_t) st.st_size, &ret->ix, err) < 0)
    {
      munmap (addr, (size_t) st.st_size);
      return hs_error_wrap (err, "feed index `%s`", file->str);
    }
  ret->addr = addr;
  ret->len = (size_t) st.st_size;
  return 0;
}

/* ---- install ---- */

static int
eco_order (const void *a, const void *b)
{
  return strcmp (((const hs_osv_ecosystem_t *) a)->ecosystem,
                 ((const hs_osv_ecosystem_t *) b)->ecosystem);
}

static void
hex_digest (const uint8_t sum[32], char out[HS_DIGEST_LEN])
{
  static const char hex[] = "0123456789abcdef";

  memcpy (out, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    {
      out[7 + 2 * i] = hex[sum[i] >> 4];
      out[8 + 2 * i] = hex[sum[i] & 15];
    }
  out[HS_DIGEST_LEN - 1] = '\0';
}

static void
remove_tree_at (int dirfd, const char *name)
{
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *d;
  struct dirent *e;

  if (fd < 0)
    {
      unlinkat (dirfd, name, 0);
      return;
    }
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return;
    }
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      unlinkat (fd, e->d_name, 0);
  closedir (d);
  unlinkat (dirfd, name, AT_REMOVEDIR);
}

static void
utc_now (char out[32])
{
  time_t t = time (NULL);
  struct tm tm;

  gmtime_r (&t, &tm);
  strftime (out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
hs_feed_install (const char *feed_dir, hs_osv_feed_t *osv, const char *source,
                 char ret_digest[HS_DIGEST_LEN], hs_error_t *err)
{
  cleanup_close int top = -1;
  cleanup_close int tmp = -1;
  cleanup_json hs_json_t *m = hs_json_new (HS_JSON_OBJECT);
  cleanup_free char *manifest = NULL;
  hs_json_t *ecos = hs_json_new (HS_JSON_OBJECT), *skipped = hs_json_new (HS_JSON_OBJECT);
  char tmpname[32], gen[32], previous[64] = "", now[32], digest[HS_DIGEST_LEN];
  uint8_t rnd[6], sum[32];
  hs_sha256_t all;
  size_t mlen;
  ssize_t n;

  if (mkdir (feed_dir, 0755) < 0 && errno != EEXIST)
    return hs_error_make (err, errno, "create feed directory `%s`", feed_dir);
  top = open (feed_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (top < 0)
    return hs_error_make (err, errno, "open feed directory `%s`", feed_dir);
  if (check_owner (top, "the feed directory", err) < 0)
    return hs_error_wrap (err, "`%s`", feed_dir);
  /* one import at a time; released when top is closed */
  if (flock (top, LOCK_EX) < 0)
    return hs_error_make (err, errno, "lock `%s`", feed_dir);
  if (getrandom (rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd)
    return hs_error_make (err, errno, "getrandom");
  snprintf (tmpname, sizeof tmpname, ".new-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
            rnd[3], rnd[4], rnd[5]);
  if (mkdirat (top, tmpname, 0755) < 0)
    return hs_error_make (err, errno, "create `%s/%s`", feed_dir, tmpname);
  tmp = openat (top, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (tmp < 0)
    {
      int saved = errno;

      unlinkat (top, tmpname, AT_REMOVEDIR);
      return hs_error_make (err, saved, "open `%s/%s`", feed_dir, tmpname);
    }

  qsort (osv->v, osv->n, sizeof *osv->v, eco_order);
  hs_sha256_init (&all);
  for (size_t i = 0; i < osv->n; i++)
    {
      cleanup_free char *buf = NULL, *file = NULL;
      size_t len, entries = hs_index_builder_entries (osv->v[i].builder);
      hs_json_t *e;

      hs_index_builder_finish (osv->v[i].builder, &buf, &len);
      file = hs_xasprintf ("%s.idx", osv->v[i].ecosystem);
      for (char *p = file; *p; p++)
        if (*p == ':')
          *p = '_';
      if (hs_write_file_atomic_at (tmp, file, buf, len, NULL, err) < 0)
        {
          remove_tree_at (top, tmpname);
          return hs_error_wrap (err, "write feed index `%s`", file);
        }
      hs_sha256_digest (buf, len, digest);
      hs_sha256_update (&all, osv->v[i].ecosystem, strlen (osv->v[i].ecosystem) + 1);
      hs_sha256_update (&all, digest, sizeof digest);
      e = hs_json_new (HS_JSON_OBJECT);
      hs_json_set_exact (e, "file", hs_json_new_string (file));
      hs_json_set_exact (e, "digest", hs_json_new_string (digest));
      hs_json_set_exact (e, "entries", hs_json_new_uint (entries));
      hs_json_set_exact (e, "bytes", hs_json_new_uint (len));
      hs_json_set_exact (ecos, osv->v[i].ecosystem, e);
    }
  hs_sha256_final (&all, sum);
  hex_digest (sum, digest);
  utc_now (now);
  hs_json_set_exact (m, "format", hs_json_new_uint (1));
  hs_json_set_exact (m, "digest", hs_json_new_string (digest));
  hs_json_set_exact (m, "imported", hs_json_new_string (now));
  if (osv->newest_modified[0])
    hs_json_set_exact (m, "data_as_of", hs_json_new_string (osv->newest_modified));
  hs_json_set_exact (m, "source", hs_json_new_string (source));
  hs_json_set_exact (m, "records", hs_json_new_uint (osv->records));
  hs_json_set_exact (m, "withdrawn", hs_json_new_uint (osv->withdrawn));
  hs_json_set_exact (m, "entries", hs_json_new_uint (osv->entries));
  hs_json_set_exact (skipped, "other_ecosystem", hs_json_new_uint (osv->skipped_ecosystem));
  hs_json_set_exact (skipped, "bad_version", hs_json_new_uint (osv->skipped_bad_version));
  hs_json_set_exact (m, "skipped_entries", skipped);
  hs_json_set_exact (m, "ecosystems", ecos);
  if (hs_json_emit (m, true, &manifest, &mlen, err) < 0
      || hs_write_file_atomic_at (tmp, MANIFEST, manifest, mlen, NULL, err) < 0)
    {
      remove_tree_at (top, tmpname);
      return hs_error_wrap (err, "write the feed manifest");
    }
  fsync (tmp);

  /* name the generation after its content: importing the same feed twice
   * keeps one generation */
  snprintf (gen, sizeof gen, "gen-%.16s", digest + 7);
  n = readlinkat (top, "current", previous, sizeof previous - 1);
  previous[n > 0 ? n : 0] = '\0';
  if (renameat (top, tmpname, top, gen) < 0)
    {
      if (errno != EEXIST && errno != ENOTEMPTY)
        {
          int saved = errno;

          remove_tree_at (top, tmpname);
          return hs_error_make (err, saved, "rename the new feed into place");
        }
      remove_tree_at (top, tmpname);
    }
  unlinkat (top, ".current.new", 0);
  if (symlinkat (gen, top, ".current.new") < 0
      || renameat (top, ".current.new", top, "current") < 0)
    return hs_error_make (err, errno, "switch `%s/current` to the new feed", feed_dir);
  fsync (top);

  /* keep the previous generation for readers that opened it just before
   * the switch; older ones go */
  {
    cleanup_dir DIR *d = fdopendir (fcntl (top, F_DUPFD_CLOEXEC, 3));
    struct dirent *e;

    while (d != NULL && (e = readdir (d)) != NULL)
      if ((strncmp (e->d_name, "gen-", 4) == 0 || strncmp (e->d_name, ".new-", 5) == 0)
          && strcmp (e->d_name, gen) != 0 && strcmp (e->d_name, previous) != 0)
        remove_tree_at (top, e->d_name);
  }
  memcpy (ret_digest, digest, HS_DIGEST_LEN);
  return 0;
}
