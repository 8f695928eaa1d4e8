/* Image archives as the gate unpacks them: docker-archive and OCI layouts,
 * layers in order, whiteouts and opaque directories, replaced entries and
 * directories, links, hostile names, and archives that are not one image. */
#include "testutil.h"

#include "cleanup.h"
#include "image_tar.h"
#include "xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  const char *name;
  char type;        /* f file, l symlink, h hard link, d directory */
  const char *data; /* content, or link target */
} entry_t;

typedef struct
{
  char *buf;
  size_t len;
} blob_t;

/* A tar (gzip-compressed with `gz`) of `entries` (NULL name ends them). */
static blob_t
make_tar (const entry_t *entries, bool gz)
{
  struct archive *a = archive_write_new ();
  size_t cap = 1 << 20, used = 0;
  blob_t b = { hs_xmalloc (cap), 0 };

  archive_write_set_format_pax_restricted (a);
  if (gz)
    archive_write_add_filter_gzip (a);
  archive_write_set_bytes_in_last_block (a, 1);
  ck_assert_int_eq (archive_write_open_memory (a, b.buf, cap, &used), ARCHIVE_OK);
  for (const entry_t *e = entries; e->name; e++)
    {
      struct archive_entry *ae = archive_entry_new ();

      archive_entry_set_pathname (ae, e->name);
      archive_entry_set_perm (ae, 0644);
      if (e->type == 'f')
        {
          archive_entry_set_filetype (ae, AE_IFREG);
          archive_entry_set_size (ae, (la_int64_t) strlen (e->data));
        }
      else if (e->type == 'l')
        {
          archive_entry_set_filetype (ae, AE_IFLNK);
          archive_entry_set_symlink (ae, e->data);
        }
      else if (e->type == 'h')
        {
          archive_entry_set_filetype (ae, AE_IFREG);
          archive_entry_set_hardlink (ae, e->data);
          archive_entry_set_size (ae, 0);
        }
      else
        {
          archive_entry_set_filetype (ae, AE_IFDIR);
          archive_entry_set_perm (ae, 0755);
        }
      ck_assert_int_eq (archive_write_header (a, ae), ARCHIVE_OK);
      if (e->type == 'f')
        archive_write_data (a, e->data, strlen (e->data));
      archive_entry_free (ae);
    }
  archive_write_close (a);
  archive_write_free (a);
  b.len = used;
  return b;
}

typedef struct
{
  const char *name;
  blob_t blob;
} member_t;

/* The outer archive, written to a file; returns its path. */
static char *
write_outer (const member_t *members, size_t n)
{
  char *path = hs_xstrdup ("/tmp/check_image_tar.XXXXXX");
  int fd = mkstemp (path);
  struct archive *a = archive_write_new ();

  ck_assert_int_ge (fd, 0);
  archive_write_set_format_pax_restricted (a);
  ck_assert_int_eq (archive_write_open_fd (a, fd), ARCHIVE_OK);
  for (size_t i = 0; i < n; i++)
    {
      struct archive_entry *ae = archive_entry_new ();

      archive_entry_set_pathname (ae, members[i].name);
      archive_entry_set_filetype (ae, AE_IFREG);
      archive_entry_set_perm (ae, 0644);
      archive_entry_set_size (ae, (la_int64_t) members[i].blob.len);
      ck_assert_msg (archive_write_header (a, ae) == ARCHIVE_OK, "%s", archive_error_string (a));
      archive_write_data (a, members[i].blob.buf, members[i].blob.len);
      archive_entry_free (ae);
    }
  archive_write_close (a);
  archive_write_free (a);
  close (fd);
  return path;
}

static blob_t
text (const char *s)
{
  return (blob_t){ hs_xstrdup (s), strlen (s) };
}

/* A docker-archive of the layers (each a NULL-terminated entry list). */
static char *
docker_archive (const entry_t *const *layers, size_t n)
{
  member_t m[9];
  char *manifest = hs_xstrdup ("[{\"Config\":\"c.json\",\"Layers\":[");
  char *path;

  ck_assert_uint_le (n, 8);
  for (size_t i = 0; i < n; i++)
    {
      char *name = hs_xasprintf ("l%zu/layer.tar", i);
      char *next = hs_xasprintf ("%s%s\"%s\"", manifest, i ? "," : "", name);

      free (manifest);
      manifest = next;
      m[i + 1] = (member_t){ name, make_tar (layers[i], false) };
    }
  {
    char *next = hs_xasprintf ("%s]}]", manifest);
    free (manifest);
    manifest = next;
  }
  m[0] = (member_t){ "manifest.json", text (manifest) };
  path = write_outer (m, n + 1);
  for (size_t i = 0; i <= n; i++)
    free (m[i].blob.buf);
  for (size_t i = 1; i <= n; i++)
    free ((char *) m[i].name);
  free (manifest);
  return path;
}

static void
rm_tree (const char *dir)
{
  char *cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
}

/* Unpack `archive` into a fresh directory; returns the directory (or NULL
 * and the message in *ret_msg when unpacking fails). */
static char *
unpack (const char *archive, char **ret_msg)
{
  char *dir = hs_xstrdup ("/tmp/check_image_tar.d.XXXXXX");
  hs_error_t err = NULL;
  int fd;

  ck_assert_ptr_nonnull (mkdtemp (dir));
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  ck_assert_int_ge (fd, 0);
  if (hs_image_tar_unpack (archive, fd, &err) < 0)
    {
      close (fd);
      rm_tree (dir);
      free (dir);
      *ret_msg = hs_xstrdup (err->msg);
      hs_error_release (&err);
      return NULL;
    }
  close (fd);
  return dir;
}

static char *
content (const char *dir, const char *rel)
{
  char *path = hs_xasprintf ("%s/%s", dir, rel);
  FILE *f = fopen (path, "re");
  char buf[256];
  size_t n;

  free (path);
  if (f == NULL)
    return NULL;
  n = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[n] = '\0';
  return hs_xstrdup (buf);
}

static bool
exists (const char *dir, const char *rel)
{
  char *path = hs_xasprintf ("%s/%s", dir, rel);
  struct stat st;
  bool r = lstat (path, &st) == 0;

  free (path);
  return r;
}

static char *
unpack_docker (const entry_t *const *layers, size_t n)
{
  char *archive = docker_archive (layers, n), *msg = NULL;
  char *dir = unpack (archive, &msg);

  unlink (archive);
  free (archive);
  ck_assert_msg (dir != NULL, "unpack: %s", msg ? msg : "");
  return dir;
}

START_TEST (test_layers_in_order)
{
  static const entry_t l0[] = { { "etc/os-release", 'f', "ID=debian\n" },
                                { "var/lib/dpkg/status", 'f', "old\n" },
                                { "usr/bin/true", 'f', "elf" },
                                { NULL, 0, NULL } };
  static const entry_t l1[] = { { "./var/lib/dpkg/status", 'f', "new\n" }, { NULL, 0, NULL } };
  const entry_t *const layers[] = { l0, l1 };
  char *dir = unpack_docker (layers, 2);
  char *s = content (dir, "var/lib/dpkg/status"), *o = content (dir, "etc/os-release");

  ck_assert_str_eq (s, "new\n");
  ck_assert_str_eq (o, "ID=debian\n");
  ck_assert (!exists (dir, "usr/bin/true")); /* only what the gate reads */
  free (s), free (o);
  rm_tree (dir);
  free (dir);
}
END_TEST

START_TEST (test_whiteouts)
{
  static const entry_t l0[] = { { "var/lib/dpkg/status", 'f', "s\n" },
                                { "var/lib/dpkg/status.d/a", 'f', "a\n" },
                                { "var/lib/dpkg/status.d/b", 'f', "b\n" },
                                { "lib/apk/db/installed", 'f', "P:x\n" },
                                { NULL, 0, NULL } };
  /* the file, an opaque status.d (its own c stays), a whole tree */
  static const entry_t l1[] = { { "var/lib/dpkg/.wh.status", 'f', "" },
                                { "var/lib/dpkg/status.d/c", 'f', "c\n" },
                                { "var/lib/dpkg/status.d/.wh..wh..opq", 'f', "" },
                                { "lib/.wh.apk", 'f', "" },
                                { NULL, 0, NULL } };
  const entry_t *const layers[] = { l0, l1 };
  char *dir = unpack_docker (layers, 2);

  ck_assert (!exists (dir, "var/lib/dpkg/status"));
  ck_assert (!exists (dir, "var/lib/dpkg/status.d/a"));
  ck_assert (!exists (dir, "var/lib/dpkg/status.d/b"));
  ck_assert (exists (dir, "var/lib/dpkg/status.d/c"));
  ck_assert (!exists (dir, "lib/apk/db/installed"));
  rm_tree (dir);
  free (dir);
}
END_TEST

START_TEST (test_replaced_directory)
{
  static const entry_t l0[] = { { "var/lib/dpkg/status", 'f', "s\n" }, { NULL, 0, NULL } };
  /* a later layer makes var/lib/dpkg a link: the old status is gone */
  static const entry_t l1[] = { { "var/lib/dpkg", 'l', "/elsewhere" }, { NULL, 0, NULL } };
  const entry_t *const layers[] = { l0, l1 };
  char *dir = unpack_docker (layers, 2);

  ck_assert (!exists (dir, "var/lib/dpkg/status"));
  rm_tree (dir);
  free (dir);
}
END_TEST

START_TEST (test_links)
{
  static const entry_t l0[] = { { "usr/lib/os-release", 'f', "ID=debian\n" },
                                { "etc/os-release", 'l', "../usr/lib/os-release" },
                                { "var/lib/dpkg/status", 'l', "/etc/shadow" },
                                { "lib/apk/db/installed", 'h', "usr/lib/os-release" },
                                { NULL, 0, NULL } };
  const entry_t *const layers[] = { l0 };
  char *dir = unpack_docker (layers, 1);
  char *path = hs_xasprintf ("%s/var/lib/dpkg/status", dir), target[64] = "";
  char *h = content (dir, "lib/apk/db/installed");

  /* links stay links: the gate resolves them inside the rootfs */
  ck_assert_int_gt (readlink (path, target, sizeof target - 1), 0);
  ck_assert_str_eq (target, "/etc/shadow");
  ck_assert_str_eq (h, "ID=debian\n");
  free (h), free (path);
  rm_tree (dir);
  free (dir);
}
END_TEST

START_TEST (test_hostile_names)
{
  static const entry_t l0[] = { { "../../../tmp/check_image_tar_escape", 'f', "x" },
                                { "var/lib/../lib/dpkg/status", 'f', "dotdot\n" },
                                { "/etc/os-release", 'f', "ID=debian\n" },
                                { NULL, 0, NULL } };
  const entry_t *const layers[] = { l0 };
  char *dir = unpack_docker (layers, 1);
  char *o = content (dir, "etc/os-release");

  ck_assert (access ("/tmp/check_image_tar_escape", F_OK) < 0);
  ck_assert (!exists (dir, "var/lib/dpkg/status"));
  ck_assert_str_eq (o, "ID=debian\n"); /* absolute names are the image's root */
  free (o);
  rm_tree (dir);
  free (dir);
}
END_TEST

START_TEST (test_oci_layout_gzip)
{
  static const entry_t l0[] = { { "var/lib/dpkg/status", 'f', "oci\n" }, { NULL, 0, NULL } };
  static const char *const hex = "1111111111111111111111111111111111111111111111111111111111111111";
  static const char *const mhex
      = "2222222222222222222222222222222222222222222222222222222222222222";
  char *index
      = hs_xasprintf ("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:%s\"}]}", mhex);
  char *manifest = hs_xasprintf ("{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"application/"
                                 "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:%s\"}]}",
                                 hex);
  char *lname = hs_xasprintf ("blobs/sha256/%s", hex),
       *mname = hs_xasprintf ("blobs/sha256/%s", mhex);
  member_t m[] = { { "oci-layout", text ("{\"imageLayoutVersion\":\"1.0.0\"}") },
                   { "index.json", text (index) },
                   { mname, text (manifest) },
                   { lname, make_tar (l0, true) } };
  char *archive = write_outer (m, 4), *msg = NULL, *dir, *s;

  dir = unpack (archive, &msg);
  ck_assert_msg (dir != NULL, "unpack: %s", msg ? msg : "");
  s = content (dir, "var/lib/dpkg/status");
  ck_assert_str_eq (s, "oci\n");
  free (s);
  rm_tree (dir);
  unlink (archive);
  for (size_t i = 0; i < 4; i++)
    free (m[i].blob.buf);
  free (archive), free (dir), free (index), free (manifest), free (lname), free (mname);
}
END_TEST

static void
assert_refused (const member_t *m, size_t n, const char *want)
{
  char *archive = write_outer (m, n), *msg = NULL;
  char *dir = unpack (archive, &msg);

  ck_assert_msg (dir == NULL, "unpacked an archive that is not one image");
  ck_assert_msg (strstr (msg, want) != NULL, "message `%s` lacks `%s`", msg, want);
  free (msg);
  unlink (archive);
  free (archive);
}

START_TEST (test_not_one_image)
{
  member_t two[] = { { "manifest.json", text ("[{\"Layers\":[]},{\"Layers\":[]}]") } };
  member_t none[] = { { "hello.txt", text ("hi") } };
  member_t badlayer[] = { { "manifest.json", text ("[{\"Layers\":[\"../x.tar\"]}]") } };
  member_t missing[] = { { "manifest.json", text ("[{\"Layers\":[\"l/layer.tar\"]}]") } };
  member_t baddigest[] = { { "index.json", text ("{\"manifests\":[{\"digest\":\"md5:00\"}]}") } };

  assert_refused (two, 1, "holds 2 images");
  assert_refused (none, 1, "not an image archive");
  assert_refused (badlayer, 1, "layer 0 is not named as a member");
  assert_refused (missing, 1, "has no `l/layer.tar`");
  assert_refused (baddigest, 1, "not sha256:HEX");
  free (two[0].blob.buf), free (none[0].blob.buf), free (badlayer[0].blob.buf);
  free (missing[0].blob.buf), free (baddigest[0].blob.buf);
}
END_TEST

START_TEST (test_wanted)
{
  ck_assert (hs_image_tar_wanted ("var/lib/dpkg/status"));
  ck_assert (hs_image_tar_wanted ("var/lib/dpkg/status.d/libc6"));
  ck_assert (!hs_image_tar_wanted ("var/lib/dpkg/status.d/"));
  ck_assert (!hs_image_tar_wanted ("var/lib/dpkg/status.d/a/b"));
  ck_assert (!hs_image_tar_wanted ("var/lib/dpkg/available"));
  ck_assert (hs_image_tar_wanted ("lib/apk/db/installed"));
  ck_assert (hs_image_tar_wanted ("usr/lib/os-release"));
}
END_TEST

static Suite *
image_tar_suite (void)
{
  Suite *s = suite_create ("image_tar");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_layers_in_order);
  tcase_add_test (tc, test_whiteouts);
  tcase_add_test (tc, test_replaced_directory);
  tcase_add_test (tc, test_links);
  tcase_add_test (tc, test_hostile_names);
  tcase_add_test (tc, test_oci_layout_gzip);
  tcase_add_test (tc, test_not_one_image);
  tcase_add_test (tc, test_wanted);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (image_tar_suite ())
