/* image_gate: golden tables (report, policy) -> verdict, and the scan over
 * real root filesystems and the real feed. */
#include "gate_testutil.h"

#include "feed.h"
#include "feed_import.h"
#include "harden/image_gate.h"

#define NOW 1740000000 /* 2025-02-19, three days after the vulndata export */
#define FEED_TIME 1739704744

/* Findings as "package installed advisory severity fixed|-" lines. */
static hs_gate_report_t
report_of (const char *eco, const char *findings, const char *cond, const char *why)
{
  hs_gate_report_t r = { 0 };
  char *copy = hs_xstrdup (findings), *save = NULL;

  r.ecosystem = eco ? hs_xstrdup (eco) : NULL;
  r.feed_time = FEED_TIME;
  for (char *l = strtok_r (copy, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      char pkg[64], inst[64], id[64], sev[32], fixed[64];
      hs_finding_t *f;

      ck_assert_int_eq (sscanf (l, "%63s %63s %63s %31s %63s", pkg, inst, id, sev, fixed), 5);
      r.v = hs_xgrow (r.v, &r.cap, r.n + 1, sizeof *r.v);
      f = &r.v[r.n++];
      f->package = hs_xstrdup (pkg);
      f->installed = hs_xstrdup (inst);
      f->binaries = hs_xstrdup (pkg);
      f->id = hs_xstrdup (id);
      ck_assert_int_eq (hs_severity_parse (sev, &f->severity), 0);
      f->fixed = strcmp (fixed, "-") == 0 ? NULL : hs_xstrdup (fixed);
    }
  free (copy);
  if (cond)
    for (int c = 0; c < HS_GATE_CONDITIONS; c++)
      if (strcmp (hs_gate_condition_name (c), cond) == 0)
        r.condition[c] = hs_xstrdup (why);
  return r;
}

static bool
table_excepted (void *ctx, const char *kind, const char *value)
{
  const char *list = ctx; /* "advisory:X package:Y" */
  char want[128];

  if (list == NULL)
    return false;
  snprintf (want, sizeof want, "%s:%s", kind, value);
  return strstr (list, want) != NULL;
}

static const char *const glibc_findings
    = "glibc 2.36-9+deb12u2 DSA-5514-1 unknown 2.36-9+deb12u3\n"
      "glibc 2.36-9+deb12u2 DSA-5611-1 unknown 2.36-9+deb12u4\n"
      "glibc 2.36-9+deb12u2 CVE-2010-4756 unimportant -\n"
      "glibc 2.36-9+deb12u2 CVE-2019-1010022 unimportant -\n"
      "openssl 3.0.11-1~deb12u2 CVE-2023-5678 low 3.0.13-1~deb12u1\n"
      "openssl 3.0.11-1~deb12u2 CVE-2023-6237 unimportant 3.0.13-1~deb12u1\n"
      "zlib 1:1.2.13.dfsg-1 CVE-2023-45853 unknown -\n";

static const struct
{
  const char *name;
  const char *settings;  /* image_gate policy object */
  const char *findings;  /* NULL: glibc_findings */
  const char *condition; /* a condition met, or NULL */
  long long feed_age;    /* seconds before NOW; -1: FEED_TIME */
  const char *excepted;  /* container exceptions */
  bool refuse;
  size_t blocking, unfixed, below, excepted_n;
  const char *message; /* a substring of the message, or NULL for none */
} table[] = {
  { "clean image", "{\"max_feed_age\":\"30d\"}", "", NULL, -1, NULL, false, 0, 0, 0, 0, NULL },
  { "fixed advisories refuse", "{\"max_feed_age\":\"30d\"}", NULL, NULL, -1, NULL, true, 3, 3, 1, 0,
    "image has 3 known vulnerabilities with a fix at or above severity low: glibc 2.36-9+deb12u2 "
    "(fixed in 2.36-9+deb12u4: DSA-5514-1, DSA-5611-1); openssl 3.0.11-1~deb12u2 (fixed in "
    "3.0.13-1~deb12u1: CVE-2023-5678)" },
  { "threshold medium leaves the DSAs (no severity counts)",
    "{\"max_feed_age\":\"30d\",\"severity_threshold\":\"medium\"}", NULL, NULL, -1, NULL, true, 2,
    3, 2, 0, "glibc 2.36-9+deb12u2 (fixed in 2.36-9+deb12u4" },
  { "unimportant threshold counts the unimportant fix",
    "{\"max_feed_age\":\"30d\",\"severity_threshold\":\"unimportant\"}", NULL, NULL, -1, NULL, true,
    4, 3, 0, 0,
    "openssl 3.0.11-1~deb12u2 (fixed in 3.0.13-1~deb12u1: CVE-2023-5678, CVE-2023-6237)" },
  { "unfixed only: reported, not refused", "{\"max_feed_age\":\"30d\"}",
    "glibc 2.36-9+deb12u14 CVE-2010-4756 unimportant -\nglibc 2.36-9+deb12u14 CVE-2019-1010023 low "
    "-\n",
    NULL, -1, NULL, false, 0, 2, 0, 0, NULL },
  { "refuse_unfixed counts those at the threshold",
    "{\"max_feed_age\":\"30d\",\"refuse_unfixed\":true}",
    "glibc 2.36-9+deb12u14 CVE-2010-4756 unimportant -\nglibc 2.36-9+deb12u14 CVE-2019-1010023 low "
    "-\n",
    NULL, -1, NULL, true, 1, 1, 0, 0, "glibc 2.36-9+deb12u14 (no fix yet: CVE-2019-1010023)" },
  { "policy ignores an advisory",
    "{\"max_feed_age\":\"30d\",\"ignore\":{\"advisories\":[\"DSA-5514-1\",\"DSA-5611-1\"]}}", NULL,
    NULL, -1, NULL, true, 1, 3, 1, 2, "openssl" },
  { "policy ignores packages",
    "{\"max_feed_age\":\"30d\",\"ignore\":{\"packages\":[\"glibc\",\"openssl\"]}}", NULL, NULL, -1,
    NULL, false, 0, 1, 0, 6, NULL },
  { "container exception by advisory", "{\"max_feed_age\":\"30d\"}", NULL, NULL, -1,
    "advisory:DSA-5514-1 advisory:DSA-5611-1 advisory:CVE-2023-5678", false, 0, 3, 1, 3, NULL },
  { "container exception by package", "{\"max_feed_age\":\"30d\"}", NULL, NULL, -1, "package:glibc",
    true, 1, 1, 1, 4, "openssl" },
  { "warn mode still says refuse (the control reports instead)",
    "{\"mode\":\"warn\",\"max_feed_age\":\"30d\"}", NULL, NULL, -1, NULL, true, 3, 3, 1, 0,
    "glibc" },
  { "unknown distribution refuses", "{\"max_feed_age\":\"30d\"}", "", "unknown_distribution", -1,
    NULL, true, 0, 0, 0, 0, "image gate: unknown_distribution: ubuntu 22.04" },
  { "unknown distribution set to warn",
    "{\"max_feed_age\":\"30d\",\"fail_closed\":{\"unknown_distribution\":\"warn\"}}", "",
    "unknown_distribution", -1, NULL, false, 0, 0, 0, 0, "unknown_distribution" },
  { "no package database refuses", "{\"max_feed_age\":\"30d\"}", "", "no_package_database", -1,
    NULL, true, 0, 0, 0, 0, "no_package_database" },
  { "no package database set to warn",
    "{\"max_feed_age\":\"30d\",\"fail_closed\":{\"no_package_database\":\"warn\"}}", "",
    "no_package_database", -1, NULL, false, 0, 0, 0, 0, "no_package_database" },
  { "unreadable database refuses", "{\"max_feed_age\":\"30d\"}", "", "unreadable_package_database",
    -1, NULL, true, 0, 0, 0, 0, "unreadable_package_database" },
  { "unreadable database set to warn",
    "{\"max_feed_age\":\"30d\",\"fail_closed\":{\"unreadable_package_database\":\"warn\"}}", "",
    "unreadable_package_database", -1, NULL, false, 0, 0, 0, 0, "unreadable" },
  { "no feed refuses", "{}", "", "no_feed", -1, NULL, true, 0, 0, 0, 0, "no_feed" },
  { "no feed set to warn", "{\"fail_closed\":{\"no_feed\":\"warn\"}}", "", "no_feed", -1, NULL,
    false, 0, 0, 0, 0, "no_feed" },
  { "stale feed refuses (default 14 days)", "{}", "", NULL, 20 * 86400, NULL, true, 0, 0, 0, 0,
    "stale_feed: the feed's newest record is 20 days old, over max_feed_age (14 days)" },
  { "stale feed set to warn", "{\"fail_closed\":{\"stale_feed\":\"warn\"}}", "", NULL, 20 * 86400,
    NULL, false, 0, 0, 0, 0, "stale_feed" },
  { "fresh feed", "{}", "", NULL, 13 * 86400, NULL, false, 0, 0, 0, 0, NULL },
  { "no age limit", "{\"max_feed_age\":0}", "", NULL, 900 * 86400, NULL, false, 0, 0, 0, 0, NULL },
  { "feed without a date is stale", "{}", "", NULL, NOW, NULL, true, 0, 0, 0, 0,
    "does not say how recent" },
  { "a condition and findings together", "{\"max_feed_age\":\"30d\"}", NULL, "unknown_distribution",
    -1, NULL, true, 3, 3, 1, 0, "image gate knows; image has 3" },
};

START_TEST (test_verdict_table)
{
  hs_error_t err = NULL;
  hs_json_t *settings = test_parse (table[_i].settings);
  hs_gate_policy_t p;
  hs_gate_report_t r
      = report_of ("Debian:12", table[_i].findings ? table[_i].findings : glibc_findings,
                   table[_i].condition, "ubuntu 22.04 is not a release the image gate knows");
  hs_gate_verdict_t v;

  if (hs_gate_policy_parse (settings, &p, &err) < 0)
    ck_abort_msg ("%s: %s", table[_i].name, err->msg);
  if (table[_i].feed_age >= 0)
    r.feed_time = NOW - table[_i].feed_age;
  hs_gate_verdict (&r, &p, NOW, table_excepted, (void *) table[_i].excepted, &v);
  ck_assert_msg (v.refuse == table[_i].refuse, "%s: refuse %d (%s)", table[_i].name, v.refuse,
                 v.message ? v.message : "");
  ck_assert_msg (v.blocking == table[_i].blocking && v.unfixed == table[_i].unfixed
                     && v.below == table[_i].below && v.excepted == table[_i].excepted_n,
                 "%s: blocking %zu unfixed %zu below %zu excepted %zu", table[_i].name, v.blocking,
                 v.unfixed, v.below, v.excepted);
  if (table[_i].message)
    ck_assert_msg (v.message && strstr (v.message, table[_i].message), "%s: message `%s`",
                   table[_i].name, v.message ? v.message : "(none)");
  else if (!(v.unfixed + v.below))
    ck_assert_msg (v.message == NULL, "%s: unexpected message %s", table[_i].name, v.message);
  hs_gate_verdict_clear (&v);
  hs_gate_report_clear (&r);
  hs_json_free (settings);
}
END_TEST

START_TEST (test_many_ids_then_a_count)
{
  char findings[4096] = "";
  hs_json_t *settings = test_parse ("{\"max_feed_age\":0}");
  hs_gate_policy_t p;
  hs_gate_report_t r;
  hs_gate_verdict_t v;

  for (int i = 0; i < 8; i++)
    snprintf (findings + strlen (findings), sizeof findings - strlen (findings),
              "p%d 1.0 ID-%d high 1.1\np%d 1.0 ID-%db high 1.2\n", i / 1, i, i / 1, i);
  strcat (
      findings,
      "q 1.0 A high 1.1\nq 1.0 B high 1.3\nq 1.0 C high 1.2\nq 1.0 D high 1.1\nq 1.0 E high 1.1\n");
  ck_assert_int_eq (hs_gate_policy_parse (settings, &p, NULL), 0);
  r = report_of ("Debian:12", findings, NULL, NULL);
  hs_gate_verdict (&r, &p, NOW, NULL, NULL, &v);
  ck_assert_msg (strstr (v.message, "p0 1.0 (fixed in 1.2: ID-0, ID-0b)") != NULL, "%s", v.message);
  ck_assert_msg (strstr (v.message, "; and 4 more packages") != NULL, "%s", v.message);
  hs_gate_verdict_clear (&v);
  hs_gate_report_clear (&r);
  r = report_of (
      "Debian:12",
      "q 1.0 A high 1.1\nq 1.0 B high 1.3\nq 1.0 C high 1.2\nq 1.0 D high 1.1\nq 1.0 E high 1.1\n",
      NULL, NULL);
  hs_gate_verdict (&r, &p, NOW, NULL, NULL, &v);
  ck_assert_str_eq (v.message,
                    "image has 5 known vulnerabilities with a fix at or above severity low: q 1.0 "
                    "(fixed in 1.3: A, B, C and 2 more)");
  hs_gate_verdict_clear (&v);
  hs_gate_report_clear (&r);
  hs_json_free (settings);
}
END_TEST

START_TEST (test_policy_errors)
{
  static const struct
  {
    const char *settings, *what;
  } bad[] = {
    { "{\"mode\":\"block\"}", "image_gate.mode" },
    { "{\"severity_threshold\":\"urgent\"}", "severity_threshold" },
    { "{\"severity_threshold\":\"unknown\"}", "severity_threshold" },
    { "{\"max_feed_age\":\"3w\"}", "max_feed_age" },
    { "{\"max_feed_age\":-1}", "max_feed_age" },
    { "{\"feed_dir\":\"relative\"}", "feed_dir" },
    { "{\"fail_closed\":{\"no_feed\":\"maybe\"}}", "fail_closed.no_feed" },
    { "{\"fail_closed\":{\"nope\":\"warn\"}}", "fail_closed.nope" },
    { "{\"ignore\":{\"advisories\":[1]}}", "ignore.advisories[0]" },
    { "{\"ignore\":{\"cves\":[]}}", "ignore.cves" },
    { "{\"refuse_unfixed\":\"yes\"}", "refuse_unfixed" },
    { "{\"feed\":\"/x\"}", "image_gate.feed" },
  };

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      hs_json_t *s = test_parse (bad[i].settings);
      hs_gate_policy_t p;
      hs_error_t err = NULL;

      ck_assert_msg (hs_gate_policy_parse (s, &p, &err) < 0, "accepted %s", bad[i].settings);
      ck_assert_msg (strstr (err->msg, bad[i].what) != NULL, "%s: %s", bad[i].settings, err->msg);
      hs_error_release (&err);
      hs_json_free (s);
    }
}
END_TEST

/* ---- the scan over real root filesystems and the real feed ---- */

static char *
feed_with_vulndata (void)
{
  char *dir = test_tmpdir ();
  char *feed_dir = hs_xasprintf ("%s/feed", dir);
  char digest[HS_DIGEST_LEN];
  hs_osv_feed_t f = { 0 };
  hs_error_t err = NULL;

  if (hs_feed_import_path (GATE_DATA "/vulndata/osv", &f, &err) < 0
      || hs_feed_install (feed_dir, &f, "vulndata", digest, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  hs_osv_feed_clear (&f);
  free (dir);
  return feed_dir;
}

static hs_gate_report_t
scan (const char *rootfs, const char *feed_dir, const char *cache_dir)
{
  hs_rootfs_t root;
  hs_gate_report_t r;
  hs_error_t err = NULL;
  hs_gate_scan_opts_t o = { feed_dir, cache_dir, 0 };

  ck_assert_int_eq (hs_rootfs_open (rootfs, &root, &err), 0);
  if (hs_gate_scan (&root, &o, &r, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  hs_rootfs_close (&root);
  return r;
}

static bool
has (const hs_gate_report_t *r, const char *pkg, const char *id, const char *fixed)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp (r->v[i].package, pkg) == 0 && strcmp (r->v[i].id, id) == 0)
      return fixed == NULL ? r->v[i].fixed == NULL
                           : (r->v[i].fixed && strcmp (r->v[i].fixed, fixed) == 0);
  return false;
}

START_TEST (test_scan_debian_fixture)
{
  char *feed_dir = feed_with_vulndata ();
  char *rootfs = test_debian_rootfs ();
  hs_gate_report_t r = scan (rootfs, feed_dir, NULL);

  for (int c = 0; c < HS_GATE_CONDITIONS; c++)
    ck_assert_msg (r.condition[c] == NULL, "%s: %s", hs_gate_condition_name (c), r.condition[c]);
  ck_assert_str_eq (r.ecosystem, "Debian:12");
  ck_assert_uint_eq (r.packages, 5);
  /* the case: glibc 2.36-9+deb12u2 has DSA-5514-1, fixed in +deb12u3 */
  ck_assert (has (&r, "glibc", "DSA-5514-1", "2.36-9+deb12u3"));
  /* an unfixed one stays unfixed */
  ck_assert (has (&r, "glibc", "CVE-2010-4756", NULL));
  /* binaries are named */
  for (size_t i = 0; i < r.n; i++)
    if (strcmp (r.v[i].package, "glibc") == 0)
      ck_assert_str_eq (r.v[i].binaries, "libc6");
  hs_gate_report_clear (&r);
  /* today's glibc: DSA-5514-1 is gone */
  test_sh ("sed -i 's/2.36-9+deb12u2/2.36-9+deb12u14/' '%s/var/lib/dpkg/status'", rootfs);
  r = scan (rootfs, feed_dir, NULL);
  ck_assert (!has (&r, "glibc", "DSA-5514-1", "2.36-9+deb12u3"));
  for (size_t i = 0; i < r.n; i++)
    if (strcmp (r.v[i].package, "glibc") == 0)
      ck_assert_msg (r.v[i].fixed == NULL, "%s fixed in %s", r.v[i].id, r.v[i].fixed);
  hs_gate_report_clear (&r);
  test_rm_rf (rootfs);
  free (rootfs);
  free (feed_dir);
}
END_TEST

START_TEST (test_scan_conditions)
{
  char *feed_dir = feed_with_vulndata ();
  char *rootfs = test_debian_rootfs ();
  char *empty = test_tmpdir ();
  hs_gate_report_t r;

  r = scan (rootfs, "/nonexistent/feed", NULL);
  ck_assert_ptr_nonnull (r.condition[HS_GATE_NO_FEED]);
  hs_gate_report_clear (&r);
  r = scan (empty, feed_dir, NULL);
  ck_assert_ptr_nonnull (r.condition[HS_GATE_UNKNOWN_DISTRIBUTION]);
  ck_assert_ptr_nonnull (r.condition[HS_GATE_NO_PACKAGE_DATABASE]);
  hs_gate_report_clear (&r);
  /* both databases: the apk one cannot be judged against Debian */
  test_sh ("cd '%s' && mkdir -p lib/apk/db && cp '%s/apk-installed.alpine318' lib/apk/db/installed",
           rootfs, GATE_DATA);
  r = scan (rootfs, feed_dir, NULL);
  ck_assert_msg (r.condition[HS_GATE_UNKNOWN_DISTRIBUTION]
                     && strstr (r.condition[HS_GATE_UNKNOWN_DISTRIBUTION], "7 packages"),
                 "%s", r.condition[HS_GATE_UNKNOWN_DISTRIBUTION]);
  ck_assert (has (&r, "glibc", "DSA-5514-1", "2.36-9+deb12u3")); /* the dpkg side still judged */
  hs_gate_report_clear (&r);
  /* a malformed database */
  test_sh ("cd '%s' && rm -r lib && printf 'Package: x\\nVersion: 1\\nVersion: 2\\n' >> "
           "var/lib/dpkg/status",
           rootfs);
  r = scan (rootfs, feed_dir, NULL);
  ck_assert_ptr_nonnull (r.condition[HS_GATE_UNREADABLE_PACKAGE_DATABASE]);
  hs_gate_report_clear (&r);
  /* an oversized one */
  test_sh ("cd '%s' && truncate -s 100M var/lib/dpkg/status", rootfs);
  r = scan (rootfs, feed_dir, NULL);
  ck_assert_msg (r.condition[HS_GATE_UNREADABLE_PACKAGE_DATABASE]
                     && strstr (r.condition[HS_GATE_UNREADABLE_PACKAGE_DATABASE], "over the limit"),
                 "%s", r.condition[HS_GATE_UNREADABLE_PACKAGE_DATABASE]);
  hs_gate_report_clear (&r);
  /* Ubuntu: no ecosystem */
  test_sh ("cd '%s' && rm etc/os-release && printf 'ID=ubuntu\\nVERSION_ID=\"22.04\"\\n' > "
           "etc/os-release && "
           "cp '%s/dpkg-status.small' var/lib/dpkg/status",
           rootfs, GATE_DATA);
  r = scan (rootfs, feed_dir, NULL);
  ck_assert_ptr_nonnull (r.condition[HS_GATE_UNKNOWN_DISTRIBUTION]);
  hs_gate_report_clear (&r);
  /* Debian 99: the feed has no such release */
  test_sh ("cd '%s' && printf 'ID=debian\\nVERSION_ID=\"99\"\\n' > etc/os-release", rootfs);
  r = scan (rootfs, feed_dir, NULL);
  ck_assert_msg (r.condition[HS_GATE_NO_FEED] != NULL, "no no_feed");
  hs_gate_report_clear (&r);
  test_rm_rf (rootfs);
  test_rm_rf (empty);
  free (rootfs);
  free (empty);
  free (feed_dir);
}
END_TEST

START_TEST (test_scan_alpine_and_distroless)
{
  char *feed_dir = feed_with_vulndata ();
  char *alpine = test_alpine_rootfs (), *distroless = test_distroless_rootfs ();
  hs_gate_report_t r = scan (alpine, feed_dir, NULL);

  ck_assert_str_eq (r.ecosystem, "Alpine:v3.18");
  ck_assert_uint_eq (r.packages, 7);
  /* openssl 3.1.3-r0: the records fix CVE-2023-5678 in 3.1.4-r1 */
  ck_assert_msg (r.n > 0, "no findings");
  for (size_t i = 0; i < r.n; i++)
    if (strcmp (r.v[i].package, "openssl") == 0)
      ck_assert_str_eq (r.v[i].binaries, "libcrypto3,libssl3");
  hs_gate_report_clear (&r);
  r = scan (distroless, feed_dir, NULL);
  ck_assert_str_eq (r.ecosystem, "Debian:12");
  ck_assert_uint_eq (r.packages, 3);
  ck_assert (has (&r, "glibc", "DSA-5514-1", "2.36-9+deb12u3"));
  hs_gate_report_clear (&r);
  test_rm_rf (alpine);
  test_rm_rf (distroless);
  free (alpine);
  free (distroless);
  free (feed_dir);
}
END_TEST

START_TEST (test_cache)
{
  char *feed_dir = feed_with_vulndata ();
  char *rootfs = test_debian_rootfs ();
  char *cache = test_tmpdir ();
  char *cache_dir = hs_xasprintf ("%s/c", cache);
  hs_gate_report_t a = scan (rootfs, feed_dir, cache_dir), b;
  hs_json_t *ja, *jb;
  char *ta, *tb;

  ck_assert (!a.cached);
  b = scan (rootfs, feed_dir, cache_dir);
  ck_assert (b.cached);
  ja = hs_gate_report_to_json (&a);
  jb = hs_gate_report_to_json (&b);
  ta = test_emit (ja);
  tb = test_emit (jb);
  ck_assert_str_eq (ta, tb);
  hs_gate_report_clear (&b);
  /* a changed database misses */
  test_sh ("sed -i 's/2.36-9+deb12u2/2.36-9+deb12u14/' '%s/var/lib/dpkg/status'", rootfs);
  b = scan (rootfs, feed_dir, cache_dir);
  ck_assert (!b.cached);
  ck_assert (!has (&b, "glibc", "DSA-5514-1", "2.36-9+deb12u3"));
  hs_gate_report_clear (&b);
  /* bounded: a handful of slots whatever the number of images */
  for (int i = 0; i < 40; i++)
    {
      test_sh ("printf 'Package: p%d\\nVersion: 1\\n\\n' >> '%s/var/lib/dpkg/status'", i, rootfs);
      b = scan (rootfs, feed_dir, cache_dir);
      hs_gate_report_clear (&b);
    }
  {
    hs_rootfs_t root;
    hs_gate_scan_opts_t o = { feed_dir, cache_dir, 4 };
    char *ls;
    int n = 0;

    test_sh ("rm -rf '%s'", cache_dir);
    for (int i = 0; i < 20; i++)
      {
        test_sh ("printf 'Package: q%d\\nVersion: 1\\n\\n' >> '%s/var/lib/dpkg/status'", i, rootfs);
        ck_assert_int_eq (hs_rootfs_open (rootfs, &root, NULL), 0);
        ck_assert_int_eq (hs_gate_scan (&root, &o, &b, NULL), 0);
        hs_rootfs_close (&root);
        hs_gate_report_clear (&b);
      }
    ls = test_ls (cache_dir);
    for (char *p = ls; (p = strstr (p, "slot-")) != NULL; p++)
      n++;
    ck_assert_int_le (n, 4);
    free (ls);
  }
  /* a cache directory others can write to is not used */
  test_sh ("chmod 0777 '%s'", cache_dir);
  b = scan (rootfs, feed_dir, cache_dir);
  b.cached = false;
  hs_gate_report_clear (&b);
  b = scan (rootfs, feed_dir, cache_dir);
  ck_assert (!b.cached);
  hs_gate_report_clear (&b);
  hs_gate_report_clear (&a);
  hs_json_free (ja);
  hs_json_free (jb);
  free (ta);
  free (tb);
  test_rm_rf (rootfs);
  test_rm_rf (cache);
  free (rootfs);
  free (cache);
  free (cache_dir);
  free (feed_dir);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("image_gate");
  TCase *tc = tcase_create ("verdict");
  TCase *ts = tcase_create ("scan");

  tcase_add_loop_test (tc, test_verdict_table, 0, sizeof table / sizeof table[0]);
  tcase_add_test (tc, test_many_ids_then_a_count);
  tcase_add_test (tc, test_policy_errors);
  tcase_add_test (ts, test_scan_debian_fixture);
  tcase_add_test (ts, test_scan_conditions);
  tcase_add_test (ts, test_scan_alpine_and_distroless);
  tcase_add_test (ts, test_cache);
  tcase_set_timeout (ts, 120);
  suite_add_tcase (s, tc);
  suite_add_tcase (s, ts);
  return s;
}

TEST_MAIN (suite ())
