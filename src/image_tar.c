#include "image_tar.h"
#include "cleanup.h"
#include "json.h"
#include "pkgdb.h"
#include "rootfs.h"
#include "xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* manifest.json, index.json and an OCI manifest are small; a layer list
 * longer than any real image's is not one */
#define MAX_META (4u << 20)
#define MAX_LAYERS 512
#define MAX_LINK 4096
#define STATUSD "var/lib/dpkg/status.d/"

static const char *const wanted_files[] = { "etc/os-release", "usr/lib/os-release",
                                            "var/lib/dpkg/status", "lib/apk/db/installed", NULL };

typedef struct
{
  char *rel;
  size_t layer;
} unpacked_t;

typedef struct
{
  int dirfd;
  size_t layer;
  unpacked_t *files;
  size_t n, cap;
  size_t statusd; /* status.d entries unpacked */
} unpack_t;

static void
archive_freep (struct archive **a)
{
  if (*a != NULL)
    archive_read_free (*a);
}
#define cleanup_archive __attribute__ ((cleanup (archive_freep)))

bool
hs_image_tar_is_archive (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

/* A layer or archive member name as a clean relative path ("./a//b/" is
 * "a/b"); NULL for the root itself, an absolute name made relative, and
 * NULL for any name with a `..` component. */
static char *
clean_name (const char *name)
{
  char *out = hs_xmalloc (strlen (name) + 1), *o = out;
  const char *p = name;

  while (*p != '\0')
    {
      const char *e;
      size_t n;

      while (*p == '/')
        p++;
      e = strchrnul (p, '/');
      n = (size_t) (e - p);
      if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          free (out);
          return NULL;
        }
      if (n > 0 && !(n == 1 && p[0] == '.'))
        {
          if (o != out)
            *o++ = '/';
          memcpy (o, p, n);
          o += n;
        }
      p = e;
    }
  *o = '\0';
  if (o == out)
    {
      free (out);
      return NULL;
    }
  return out;
}

bool
hs_image_tar_wanted (const char *rel)
{
  for (size_t i = 0; wanted_files[i]; i++)
    if (strcmp (rel, wanted_files[i]) == 0)
      return true;
  return strncmp (rel, STATUSD, strlen (STATUSD)) == 0 && rel[strlen (STATUSD)] != '\0'
         && strchr (rel + strlen (STATUSD), '/') == NULL;
}

/* `rel` is `dir` or below it */
static bool
under (const char *rel, const char *dir)
{
  size_t n = strlen (dir);

  return strncmp (rel, dir, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/* Remove what lower layers (or, with `all`, any layer) put at or below
 * `dir`: a whiteout, an opaque directory, or an entry that replaces it. */
static void
remove_under (unpack_t *u, const char *dir, bool all)
{
  size_t k = 0;

  for (size_t i = 0; i < u->n; i++)
    {
      if (under (u->files[i].rel, dir) && (all || u->files[i].layer < u->layer))
        {
          (void) unlinkat (u->dirfd, u->files[i].rel, 0);
          if (strncmp (u->files[i].rel, STATUSD, strlen (STATUSD)) == 0)
            u->statusd--;
          free (u->files[i].rel);
          continue;
        }
      u->files[k++] = u->files[i];
    }
  u->n = k;
}

static const unpacked_t *
find_unpacked (const unpack_t *u, const char *rel)
{
  for (size_t i = 0; i < u->n; i++)
    if (strcmp (u->files[i].rel, rel) == 0)
      return &u->files[i];
  return NULL;
}

/* Create the directories above `rel` (real directories: nothing here is
 * ever a link but a wanted file itself). Returns a directory fd, or < 0. */
static int
open_parent (int dirfd, const char *rel, const char **ret_base, hs_error_t *err)
{
  cleanup_free char *path = hs_xstrdup (rel);
  cleanup_close int fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);
  char *p = path, *slash;

  if (fd < 0)
    return hs_error_make (err, errno, "dup");
  while ((slash = strchr (p, '/')) != NULL)
    {
      int next;

      *slash = '\0';
      if (mkdirat (fd, p, 0700) < 0 && errno != EEXIST)
        return hs_error_make (err, errno, "create `%s`", path);
      next = openat (fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return hs_error_make (err, errno, "open `%s`", path);
      close (fd);
      fd = next;
      p = slash + 1;
    }
  *ret_base = rel + (p - path);
  return TAKE_FD (fd);
}

/* Copy the entry's data, but never more than max + 1 bytes: a file over
 * the gate's limit stays over it, so the scan reports what the node would. */
static int
write_data (struct archive *a, int fd, size_t max, const char *rel, hs_error_t *err)
{
  char buf[1 << 16];
  size_t total = 0;
  la_ssize_t n;

  while ((n = archive_read_data (a, buf, sizeof buf)) > 0)
    {
      size_t keep = (size_t) n;

      if (total > max)
        continue;
      if (total + keep > max + 1)
        keep = max + 1 - total;
      for (size_t off = 0; off < keep;)
        {
          ssize_t w = write (fd, buf + off, keep - off);

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return hs_error_make (err, errno, "write `%s`", rel);
          off += (size_t) w;
        }
      total += keep;
    }
  if (n < 0)
    return hs_error_make (err, 0, "layer entry `%s`: %s", rel, archive_error_string (a));
  return 0;
}

static int
unpack_entry (unpack_t *u, struct archive *a, struct archive_entry *e, const char *rel,
              hs_error_t *err)
{
  bool statusd = strncmp (rel, STATUSD, strlen (STATUSD)) == 0;
  cleanup_close int pfd = -1;
  const char *base = rel;
  mode_t type = archive_entry_filetype (e);

  /* a later layer's entry replaces the earlier one, whatever it was */
  remove_under (u, rel, true);
  if (statusd && u->statusd > HS_PKGDB_MAX_STATUSD_ENTRIES)
    return 0; /* already over the gate's limit, which the scan reports */
  pfd = open_parent (u->dirfd, rel, &base, err);
  if (pfd < 0)
    return -1;
  if (type == AE_IFREG)
    {
      cleanup_close int fd
          = openat (pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

      if (fd < 0)
        return hs_error_make (err, errno, "create `%s`", rel);
      if (write_data (a, fd, statusd ? HS_PKGDB_MAX_STATUSD_FILE : HS_PKGDB_MAX_FILE, rel, err) < 0)
        return -1;
    }
  else if (type == AE_IFLNK)
    {
      /* kept as the image has it: the gate resolves it inside the rootfs */
      const char *target = archive_entry_symlink (e);

      if (target == NULL || strlen (target) > MAX_LINK)
        return 0;
      if (symlinkat (target, pfd, base) < 0)
        return hs_error_make (err, errno, "create `%s`", rel);
    }
  else if (archive_entry_hardlink (e) != NULL)
    {
      cleanup_free char *target = clean_name (archive_entry_hardlink (e));

      /* only a link to a file the gate reads has anything to read */
      if (target == NULL || find_unpacked (u, target) == NULL)
        return 0;
      if (linkat (u->dirfd, target, pfd, base, 0) < 0)
        return hs_error_make (err, errno, "link `%s`", rel);
    }
  else
    return 0; /* a directory or device where a file is read: absent */
  u->files = hs_xgrow (u->files, &u->cap, u->n + 1, sizeof *u->files);
  u->files[u->n++] = (unpacked_t){ hs_xstrdup (rel), u->layer };
  if (statusd)
    u->statusd++;
  return 0;
}

/* A name the gate cares about, or a directory above one: whiteouts and
 * replacements there change what the gate reads. */
static bool
relevant (const char *rel)
{
  static const char *const dirs[]
      = { "etc", "usr",     "usr/lib",    "var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/status.d",
          "lib", "lib/apk", "lib/apk/db", NULL };

  for (size_t i = 0; dirs[i]; i++)
    if (strcmp (rel, dirs[i]) == 0)
      return true;
  return hs_image_tar_wanted (rel);
}

static int
layer_entry (unpack_t *u, struct archive *a, struct archive_entry *e, hs_error_t *err)
{
  const char *name = archive_entry_pathname (e);
  cleanup_free char *rel = name ? clean_name (name) : NULL;
  const char *slash, *base;
  cleanup_free char *dir = NULL;

  if (rel == NULL)
    return 0; /* the root, or a name with `..`: runtimes never unpack it */
  slash = strrchr (rel, '/');
  base = slash ? slash + 1 : rel;
  dir = slash ? hs_xstrndup (rel, (size_t) (slash - rel)) : hs_xstrdup ("");
  if (strncmp (base, ".wh.", 4) == 0)
    {
      cleanup_free char *hidden = NULL;

      if (strcmp (base, ".wh..wh..opq") == 0)
        {
          /* an opaque directory hides what lower layers have in it */
          if (dir[0] == '\0')
            remove_under (u, "", false);
          else
            remove_under (u, dir, false);
          return 0;
        }
      hidden = dir[0] ? hs_xasprintf ("%s/%s", dir, base + 4) : hs_xstrdup (base + 4);
      remove_under (u, hidden, false);
      return 0;
    }
  if (hs_image_tar_wanted (rel))
    return unpack_entry (u, a, e, rel, err);
  /* a directory above a wanted file replaced by something else hides it */
  if (relevant (rel) && archive_entry_filetype (e) != AE_IFDIR)
    remove_under (u, rel, true);
  return 0;
}

static int
open_archive (const char *path, struct archive **ret, hs_error_t *err)
{
  struct archive *a = archive_read_new ();

  archive_read_support_format_tar (a);
  archive_read_support_filter_all (a);
  if (archive_read_open_filename (a, path, 1 << 16) != ARCHIVE_OK)
    {
      hs_error_make (err, 0, "`%s`: %s", path, archive_error_string (a));
      archive_read_free (a);
      return -1;
    }
  *ret = a;
  return 0;
}

typedef struct
{
  struct archive *outer;
  char buf[1 << 16];
} nested_t;

static la_ssize_t
nested_read (struct archive *inner, void *ctx, const void **buf)
{
  nested_t *n = ctx;

  (void) inner;
  *buf = n->buf;
  return archive_read_data (n->outer, n->buf, sizeof n->buf);
}

/* Find the member `member` of the archive; 0 with the archive positioned
 * at its data, or < 0. */
static int
seek_member (const char *path, const char *member, struct archive **ret, hs_error_t *err)
{
  cleanup_archive struct archive *a = NULL;
  struct archive_entry *e;
  int r;

  if (open_archive (path, &a, err) < 0)
    return -1;
  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK)
    {
      cleanup_free char *rel
          = archive_entry_pathname (e) ? clean_name (archive_entry_pathname (e)) : NULL;

      if (rel != NULL && strcmp (rel, member) == 0 && archive_entry_filetype (e) == AE_IFREG)
        {
          *ret = TAKE_PTR (a);
          return 0;
        }
    }
  if (r != ARCHIVE_EOF)
    return hs_error_make (err, 0, "`%s`: %s", path, archive_error_string (a));
  return hs_error_make (err, ENOENT, "`%s` has no `%s`", path, member);
}

static int
read_member_json (const char *path, const char *member, hs_json_t **ret, hs_error_t *err)
{
  static const hs_json_limits_t limits = { .max_bytes = MAX_META, .max_depth = 32 };
  cleanup_archive struct archive *a = NULL;
  cleanup_free char *buf = hs_xmalloc (MAX_META + 1);
  size_t len = 0;
  la_ssize_t n;

  if (seek_member (path, member, &a, err) < 0)
    return -1;
  while (len <= MAX_META && (n = archive_read_data (a, buf + len, MAX_META + 1 - len)) > 0)
    len += (size_t) n;
  if (len > MAX_META)
    return hs_error_make (err, 0, "`%s` in `%s` is larger than %u bytes", member, path, MAX_META);
  if (hs_json_parse (buf, len, &limits, ret, err) < 0)
    return hs_error_wrap (err, "`%s` in `%s`", member, path);
  return 0;
}

/* "sha256:HEX" as the member name blobs/sha256/HEX */
static char *
blob_name (const hs_json_t *digest)
{
  if (digest == NULL || digest->type != HS_JSON_STRING || digest->len != 71
      || strncmp (digest->str, "sha256:", 7) != 0
      || strspn (digest->str + 7, "0123456789abcdef") != 64)
    return NULL;
  return hs_xasprintf ("blobs/sha256/%s", digest->str + 7);
}

static int
one_image (const hs_json_t *list, const char *what, const char *path, hs_error_t *err)
{
  if (list == NULL || list->type != HS_JSON_ARRAY || list->len == 0)
    return hs_error_make (err, 0, "`%s`: %s lists no image", path, what);
  if (list->len > 1)
    return hs_error_make (err, 0, "`%s` holds %zu images (%s): save one image to scan it", path,
                          list->len, what);
  return 0;
}

/* The layer members, bottom first: manifest.json (docker save, podman save
 * --format docker-archive) or index.json (an OCI layout). */
static int
layer_list (const char *path, char ***ret, size_t *ret_n, hs_error_t *err)
{
  cleanup_json hs_json_t *m = NULL;
  const hs_json_t *layers;
  char **out;
  bool oci = false;

  if (read_member_json (path, "manifest.json", &m, err) < 0)
    {
      cleanup_json hs_json_t *index = NULL;
      const hs_json_t *ms;
      cleanup_free char *name = NULL;

      if ((*err)->status != ENOENT)
        return -1;
      hs_error_release (err);
      if (read_member_json (path, "index.json", &index, err) < 0)
        return hs_error_wrap (err, "not an image archive (no manifest.json, no index.json)");
      /* an index may name an index (multi-platform), one level deep */
      for (int depth = 0;; depth++)
        {
          ms = hs_json_get_type (index, "manifests", HS_JSON_ARRAY);
          if (one_image (ms, "index.json manifests", path, err) < 0)
            return -1;
          free (name);
          name = blob_name (hs_json_get (ms->items[0], "digest"));
          if (name == NULL)
            return hs_error_make (err, 0, "`%s`: a manifest digest is not sha256:HEX", path);
          hs_json_free (m);
          m = NULL;
          if (read_member_json (path, name, &m, err) < 0)
            return -1;
          if (hs_json_get_type (m, "manifests", HS_JSON_ARRAY) == NULL || depth > 0)
            break;
          hs_json_free (index);
          index = TAKE_PTR (m);
        }
      oci = true;
      layers = hs_json_get_type (m, "layers", HS_JSON_ARRAY);
    }
  else
    {
      if (m->type != HS_JSON_ARRAY || one_image (m, "manifest.json", path, err) < 0)
        return m->type != HS_JSON_ARRAY
                   ? hs_error_make (err, 0, "`%s`: manifest.json is not a list", path)
                   : -1;
      layers = hs_json_get_type (m->items[0], "Layers", HS_JSON_ARRAY);
    }
  if (layers == NULL || layers->len > MAX_LAYERS)
    return hs_error_make (err, 0, "`%s`: %s", path,
                          layers ? "more layers than any image has" : "the image lists no layers");
  out = hs_xcalloc (layers->len + 1, sizeof *out);
  for (size_t i = 0; i < layers->len; i++)
    {
      const hs_json_t *l = layers->items[i];

      out[i] = oci ? blob_name (hs_json_get (l, "digest"))
                   : (l->type == HS_JSON_STRING ? clean_name (l->str) : NULL);
      if (out[i] == NULL)
        {
          hs_strv_free (out);
          return hs_error_make (err, 0, "`%s`: layer %zu is not named as a member", path, i);
        }
    }
  *ret = out;
  *ret_n = layers->len;
  return 0;
}

static int
unpack_layer (unpack_t *u, const char *path, const char *member, hs_error_t *err)
{
  cleanup_archive struct archive *outer = NULL;
  cleanup_archive struct archive *inner = NULL;
  cleanup_free nested_t *n = hs_xmalloc (sizeof *n);
  struct archive_entry *e;
  int r;

  if (seek_member (path, member, &outer, err) < 0)
    return hs_error_wrap (err, "layer");
  n->outer = outer;
  inner = archive_read_new ();
  archive_read_support_format_tar (inner);
  archive_read_support_filter_all (inner);
  if (archive_read_open (inner, n, NULL, nested_read, NULL) != ARCHIVE_OK)
    return hs_error_make (err, 0, "layer `%s`: %s", member, archive_error_string (inner));
  while ((r = archive_read_next_header (inner, &e)) == ARCHIVE_OK)
    if (layer_entry (u, inner, e, err) < 0)
      return -1;
  if (r != ARCHIVE_EOF)
    return hs_error_make (err, 0, "layer `%s`: %s", member, archive_error_string (inner));
  return 0;
}

int
hs_image_tar_unpack (const char *path, int dirfd, hs_error_t *err)
{
  char **layers = NULL;
  size_t n = 0;
  unpack_t u = { .dirfd = dirfd };
  int r;

  r = layer_list (path, &layers, &n, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      u.layer = i;
      r = unpack_layer (&u, path, layers[i], err);
    }
  for (size_t i = 0; i < u.n; i++)
    free (u.files[i].rel);
  free (u.files);
  hs_strv_free (layers);
  return r;
}
