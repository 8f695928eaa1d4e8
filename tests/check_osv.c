/* OSV matching as the schema defines it, the advisory index, and feed
 * import (directory, zip) and installation. */
#include "gate_testutil.h"

#include "feed.h"
#include "feed_import.h"
#include "osv.h"

#define VULNDATA GATE_DATA "/vulndata"

/* Build an index of one ecosystem from records; returns the builder's bytes. */
static char *
index_of (const char *const *records, const char *eco, size_t *ret_len, hs_osv_feed_t *ret_f)
{
  hs_osv_feed_t f = { 0 };
  hs_error_t err = NULL;
  char *buf = NULL;

  for (size_t i = 0; records[i]; i++)
    if (hs_osv_add_record (&f, records[i], strlen (records[i]), "record", &err) < 0)
      ck_abort_msg ("%s", err->msg);
  for (size_t i = 0; i < f.n; i++)
    if (strcmp (f.v[i].ecosystem, eco) == 0)
      hs_index_builder_finish (f.v[i].builder, &buf, ret_len);
  ck_assert_ptr_nonnull (buf);
  if (ret_f)
    *ret_f = f;
  else
    hs_osv_feed_clear (&f);
  return buf;
}

typedef struct
{
  char ids[512];
  char fixed[512];
} hits_t;

static int
collect (void *ctx, const hs_index_match_t *m)
{
  hits_t *h = ctx;
  char v[600];

  if (h->ids[0])
    strcat (h->ids, " ");
  strcat (h->ids, m->id);
  if (m->has_fix)
    hs_pkgver_format (&m->fixed, v, sizeof v);
  else
    strcpy (v, "-");
  if (h->fixed[0])
    strcat (h->fixed, " ");
  strcat (h->fixed, v);
  return 0;
}

static hits_t
match (const hs_index_t *ix, const char *pkg, const char *version)
{
  hs_pkgver_buf_t buf;
  hs_pkgver_t v;
  hs_error_t err = NULL;
  hits_t h = { "", "" };

  ck_assert_int_eq (hs_pkgver_parse (ix->scheme, version, strlen (version), &buf, &v, &err), 0);
  if (hs_index_match (ix, pkg, &v, collect, &h, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  return h;
}

#define REC(id, body)                                                                              \
  "{\"id\":\"" id "\",\"modified\":\"2024-05-01T00:00:00Z\",\"affected\":[" body "]}"
#define DEB(pkg, rest) "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"" pkg "\"}," rest "}"
#define RANGE(events) "{\"type\":\"ECOSYSTEM\",\"events\":[" events "]}"

START_TEST (test_schema_semantics)
{
  static const char *const records[] = {
    /* plain introduced 0 / fixed */
    REC ("A-1",
         DEB ("p", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"},{\"fixed\":\"1.2-1\"}") "]")),
    /* events out of order, two intervals */
    REC ("A-2",
         DEB ("p", "\"ranges\":[" RANGE ("{\"fixed\":\"3.0\"},{\"introduced\":\"2.0\"},"
                                         "{\"fixed\":\"1.5\"},{\"introduced\":\"1.0\"}") "]")),
    /* last_affected is inclusive */
    REC ("A-3", DEB ("p", "\"ranges\":[" RANGE (
                              "{\"introduced\":\"0\"},{\"last_affected\":\"1.1\"}") "]")),
    /* a limit caps the range */
    REC ("A-4", DEB ("q", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"},{\"limit\":\"2.0\"}") "]")),
    /* only the versions list */
    REC ("A-5", DEB ("q", "\"versions\":[\"7.0-1\",\"7.0-2\"]")),
    /* no fix at all */
    REC ("A-6", DEB ("q", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"}") "]")),
    /* GIT ranges and package-less entries are skipped; so is another release */
    REC ("A-7",
         "{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"x\",\"events\":[{\"introduced\":\"0\"}]}]},"
         "{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"p\"},\"ranges\":[" RANGE (
             "{\"introduced\":\"0\"}") "]}," DEB ("p",
                                                  "\"ranges\":[{\"type\":\"GIT\",\"repo\":\"x\","
                                                  "\"events\":[{\"introduced\":\"0\"}]}]")),
    /* withdrawn records do not count */
    "{\"id\":\"A-8\",\"withdrawn\":\"2024-01-01T00:00:00Z\",\"affected\":[" DEB (
        "p", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"}") "]") "]}",
    /* an unparseable version skips that entry only */
    REC (
        "A-9",
        DEB ("p", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"},{\"fixed\":\"x y\"}") "]") "," DEB (
            "r", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"},{\"fixed\":\"2\"}") "]")),
    /* epochs */
    REC ("A-10", DEB ("z", "\"ranges\":[" RANGE (
                               "{\"introduced\":\"0\"},{\"fixed\":\"1:1.2.11.dfsg-4\"}") "]")),
    NULL,
  };
  hs_osv_feed_t f;
  size_t len;
  char *buf = index_of (records, "Debian:12", &len, &f);
  hs_index_t ix;
  hs_error_t err = NULL;
  hits_t h;

  ck_assert_uint_eq (f.records, 10);
  ck_assert_uint_eq (f.withdrawn, 1);
  ck_assert_uint_eq (f.skipped_bad_version, 1);
  ck_assert_int_eq (hs_index_open (buf, len, &ix, &err), 0);

  /* A-7's Debian:12 entry has only a GIT range: nothing to evaluate */
  h = match (&ix, "p", "1.0-1");
  ck_assert_str_eq (h.ids, "A-1 A-2 A-3");
  ck_assert_str_eq (h.fixed, "1.2-1 1.5 -");
  h = match (&ix, "p", "0.9");
  ck_assert_str_eq (h.ids, "A-1 A-3");
  h = match (&ix, "p", "1.1");
  ck_assert_str_eq (h.ids, "A-1 A-2 A-3"); /* last_affected 1.1 still affected */
  h = match (&ix, "p", "1.1-0.1");
  ck_assert_str_eq (h.ids, "A-1 A-2");
  h = match (&ix, "p", "1.2-1"); /* fixed is not affected */
  ck_assert_str_eq (h.ids, "A-2");
  h = match (&ix, "p", "1.5");
  ck_assert_str_eq (h.ids, "");
  h = match (&ix, "p", "2.0~rc1");
  ck_assert_str_eq (h.ids, "");
  h = match (&ix, "p", "2.0");
  ck_assert_str_eq (h.ids, "A-2");
  ck_assert_str_eq (h.fixed, "3.0");
  h = match (&ix, "p", "3.0");
  ck_assert_str_eq (h.ids, "");
  h = match (&ix, "q", "1.9");
  ck_assert_str_eq (h.ids, "A-4 A-6");
  ck_assert_str_eq (h.fixed, "- -");
  h = match (&ix, "q", "2.0");
  ck_assert_str_eq (h.ids, "A-6");
  h = match (&ix, "q", "7.0-2");
  ck_assert_str_eq (h.ids, "A-5 A-6");
  h = match (&ix, "q", "7.0-3");
  ck_assert_str_eq (h.ids, "A-6");
  h = match (&ix, "r", "1");
  ck_assert_str_eq (h.ids, "A-9");
  h = match (&ix, "z", "1.3");
  ck_assert_str_eq (h.ids, "A-10");
  ck_assert_str_eq (h.fixed, "1:1.2.11.dfsg-4");
  h = match (&ix, "z", "1:1.2.11.dfsg-4");
  ck_assert_str_eq (h.ids, "");
  h = match (&ix, "nosuch", "1");
  ck_assert_str_eq (h.ids, "");
  hs_osv_feed_clear (&f);
  free (buf);
}
END_TEST

/* Corrupt or truncated indexes are refused, never read out of bounds. */
START_TEST (test_index_corrupt)
{
  static const char *const records[]
      = { REC ("A-1",
               DEB ("p", "\"ranges\":[" RANGE ("{\"introduced\":\"0\"},{\"fixed\":\"1\"}") "]")),
          NULL };
  size_t len;
  char *buf = index_of (records, "Debian:12", &len, NULL);
  hs_index_t ix;
  hs_error_t err = NULL;

  for (size_t n = 0; n < len; n++)
    {
      ck_assert_int_lt (hs_index_open (buf, n, &ix, &err), 0);
      hs_error_release (&err);
    }
  /* flip every byte in turn: open or match may refuse, neither may crash */
  for (size_t i = 0; i < len; i++)
    {
      char *copy = hs_xmalloc (len);
      hs_pkgver_buf_t vb;
      hs_pkgver_t v;
      hits_t h = { "", "" };

      memcpy (copy, buf, len);
      copy[i] ^= 0x5a;
      if (hs_index_open (copy, len, &ix, &err) == 0)
        {
          hs_pkgver_parse (HS_PKGVER_DPKG, "0.5", 3, &vb, &v, NULL);
          if (ix.scheme == HS_PKGVER_DPKG)
            hs_index_match (&ix, "p", &v, collect, &h, &err);
        }
      hs_error_release (&err);
      free (copy);
    }
  free (buf);
}
END_TEST

static char *
install_vulndata (const char *feed_dir, char digest[HS_DIGEST_LEN])
{
  hs_osv_feed_t f = { 0 };
  hs_error_t err = NULL;

  if (hs_feed_import_path (VULNDATA "/osv", &f, &err) < 0
      || hs_feed_install (feed_dir, &f, "vulndata", digest, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  ck_assert_uint_eq (f.records, 405);
  hs_osv_feed_clear (&f);
  return NULL;
}

/* Every Debian:12 and Alpine:v3.18 row of vulndata's index.tsv: at the
 * fixed version the advisory no longer applies, just below it it does
 * (named with that fix); an entry without a fix applies to any version. */
START_TEST (test_real_records)
{
  char *feed_dir = test_tmpdir ();
  char digest[HS_DIGEST_LEN], *tsv = test_read_data ("image_gate/vulndata/index.tsv", NULL);
  hs_feed_t feed;
  hs_feed_map_t deb = { 0 }, alp = { 0 };
  hs_error_t err = NULL;
  char *save = NULL;
  int rows = 0;

  install_vulndata (feed_dir, digest);
  ck_assert_int_eq (hs_feed_open (feed_dir, &feed, &err), 0);
  ck_assert_str_eq (feed.digest, digest);
  ck_assert_str_eq (feed.data_as_of, "2025-02-16T11:19:04.364665Z");
  ck_assert_int_eq (feed.data_as_of_time, 1739704744);
  ck_assert_int_eq (hs_feed_index (&feed, "Debian:12", &deb, &err), 0);
  ck_assert_int_eq (hs_feed_index (&feed, "Alpine:v3.18", &alp, &err), 0);
  ck_assert_int_eq (hs_feed_index (&feed, "Debian:99", &alp, &err), HS_FEED_ABSENT);
  for (char *line = strtok_r (tsv, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char file[200], id[100], eco[40], pkg[100], intro[100], fixed[100], urgency[40] = "";
      const hs_index_t *ix;
      hits_t h;

      if (line[0] == '#' || strncmp (line, "file\t", 5) == 0)
        continue;
      ck_assert_int_ge (
          sscanf (line, "%199[^\t]\t%99[^\t]\t%39[^\t]\t%99[^\t]\t%99[^\t]\t%99[^\t]\t%39[^\n]",
                  file, id, eco, pkg, intro, fixed, urgency),
          6);
      ix = strcmp (eco, "Debian:12") == 0 ? &deb.ix : &alp.ix;
      if (strcmp (fixed, "-") != 0)
        {
          h = match (ix, pkg, fixed);
          ck_assert_msg (strstr (h.ids, id) == NULL, "%s %s %s: affected at its fix", id, pkg,
                         fixed);
        }
      else
        {
          h = match (ix, pkg, "99:99");
          ck_assert_msg (strstr (h.ids, id) != NULL, "%s %s: unfixed but not matched", id, pkg);
        }
      rows++;
    }
  ck_assert_int_ge (rows, 500);
  {
    /* the example: DSA-5514-1 fixed glibc in 2.36-9+deb12u3 */
    hits_t h = match (&deb.ix, "glibc", "2.36-9+deb12u2");

    ck_assert_msg (strstr (h.ids, "DSA-5514-1") != NULL, "%s", h.ids);
    ck_assert_msg (strstr (h.fixed, "2.36-9+deb12u3") != NULL, "%s", h.fixed);
    h = match (&deb.ix, "glibc", "2.36-9+deb12u14");
    ck_assert_msg (strstr (h.ids, "DSA-5514-1") == NULL, "%s", h.ids);
    /* today's bookworm: only advisories without a fix are left */
    ck_assert_msg (strstr (h.fixed, "2.36") == NULL, "%s", h.fixed);
  }
  hs_feed_unmap (&deb);
  hs_feed_unmap (&alp);
  hs_feed_close (&feed);
  free (tsv);
  test_rm_rf (feed_dir);
  free (feed_dir);
}
END_TEST

static int
count_severity (void *ctx, const hs_index_match_t *m)
{
  int *counts = ctx;

  counts[m->severity]++;
  return 0;
}

START_TEST (test_urgency)
{
  char *feed_dir = test_tmpdir ();
  char digest[HS_DIGEST_LEN];
  hs_feed_t feed;
  hs_feed_map_t deb = { 0 };
  hs_error_t err = NULL;
  hs_pkgver_buf_t b;
  hs_pkgver_t v;
  int counts[HS_SEV_CRITICAL + 1] = { 0 };

  install_vulndata (feed_dir, digest);
  ck_assert_int_eq (hs_feed_open (feed_dir, &feed, &err), 0);
  ck_assert_int_eq (hs_feed_index (&feed, "Debian:12", &deb, &err), 0);
  ck_assert_int_eq (hs_pkgver_parse (HS_PKGVER_DPKG, "2.36-9+deb12u14", 15, &b, &v, &err), 0);
  ck_assert_int_eq (hs_index_match (&deb.ix, "glibc", &v, count_severity, counts, &err), 0);
  /* index.tsv: glibc's 8 unfixed Debian:12 entries */
  ck_assert_int_eq (counts[HS_SEV_UNIMPORTANT] + counts[HS_SEV_UNKNOWN] + counts[HS_SEV_LOW], 8);
  ck_assert_int_gt (counts[HS_SEV_UNIMPORTANT], 0);
  hs_feed_unmap (&deb);
  hs_feed_close (&feed);
  test_rm_rf (feed_dir);
  free (feed_dir);
}
END_TEST

START_TEST (test_zip_and_swap)
{
  char *dir = test_tmpdir ();
  char *feed_dir = hs_xasprintf ("%s/feed", dir), *zip = hs_xasprintf ("%s/all.zip", dir);
  char d1[HS_DIGEST_LEN], d2[HS_DIGEST_LEN], d3[HS_DIGEST_LEN];
  hs_osv_feed_t f = { 0 };
  hs_error_t err = NULL;
  hs_feed_t feed;
  char *ls;

  ck_assert_int_eq (hs_feed_open (feed_dir, &feed, &err), HS_FEED_ABSENT);
  /* an OSV export zip: flat <id>.json entries */
  test_sh ("cd '%s/osv/debian' && python3 -c 'import sys,zipfile,glob\n"
           "z=zipfile.ZipFile(sys.argv[1],\"w\",zipfile.ZIP_DEFLATED)\n"
           "[z.write(f) for f in sorted(glob.glob(\"*.json\"))]' '%s'",
           VULNDATA, zip);
  if (hs_feed_import_path (zip, &f, &err) < 0 || hs_feed_install (feed_dir, &f, zip, d1, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  ck_assert_uint_eq (f.records, 287);
  hs_osv_feed_clear (&f);
  /* the same records from the directory: the same feed */
  if (hs_feed_import_path (VULNDATA "/osv/debian", &f, &err) < 0
      || hs_feed_install (feed_dir, &f, "dir", d2, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  hs_osv_feed_clear (&f);
  ck_assert_str_eq (d1, d2);
  /* another feed replaces it; the previous generation stays for readers */
  install_vulndata (feed_dir, d3);
  ck_assert_str_ne (d1, d3);
  ck_assert_int_eq (hs_feed_open (feed_dir, &feed, &err), 0);
  ck_assert_str_eq (feed.digest, d3);
  hs_feed_close (&feed);
  ls = test_ls (feed_dir);
  ck_assert_msg (strstr (ls, "current") && strstr (ls, d1 + 7 - 4) == NULL, "%s", ls);
  free (ls);
  /* a feed directory others can write to is refused */
  test_sh ("chmod 0777 '%s'", feed_dir);
  ck_assert_int_lt (hs_feed_open (feed_dir, &feed, &err), 0);
  ck_assert_msg (strstr (err->msg, "writable by others") != NULL, "%s", err->msg);
  hs_error_release (&err);
  /* a broken zip is an error, and nothing is installed */
  test_sh ("chmod 0755 '%s' && head -c 3000 '%s' > '%s.cut'", feed_dir, zip, zip);
  free (zip);
  zip = hs_xasprintf ("%s/all.zip.cut", dir);
  ck_assert_int_lt (hs_feed_import_path (zip, &f, &err), 0);
  hs_error_release (&err);
  hs_osv_feed_clear (&f);
  test_rm_rf (dir);
  free (dir);
  free (feed_dir);
  free (zip);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("osv");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_schema_semantics);
  tcase_add_test (tc, test_index_corrupt);
  tcase_add_test (tc, test_real_records);
  tcase_add_test (tc, test_urgency);
  tcase_add_test (tc, test_zip_and_swap);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
