/* Version ordering: apk against apk-tools' own vectors, dpkg against
 * libdpkg and, where installed, `dpkg --compare-versions`. */
#include "testutil.h"

#include "apk_version.h"
#include "pkgver.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void (*line_fn) (const char *a, char op, const char *b, int lineno);

static int
for_each_vector (const char *rel, line_fn fn)
{
  char *text = test_read_data (rel, NULL);
  char *save = NULL;
  int n = 0, lineno = 0;

  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char a[300], op[4], b[300];

      lineno++;
      if (line[0] == '#')
        continue;
      ck_assert_msg (sscanf (line, "%299s %3s %299s", a, op, b) == 3, "%s: bad line `%s`", rel,
                     line);
      fn (a, op[0], b, lineno);
      n++;
    }
  free (text);
  return n;
}

static int
expect_of (char op)
{
  return op == '<' ? -1 : op == '>' ? 1 : 0;
}

static void
apk_line (const char *a, char op, const char *b, int lineno)
{
  int want = expect_of (op);

  ck_assert_msg (hs_apk_version_compare (a, b) == want, "apk line %d: %s %c %s, got %d", lineno, a,
                 op, b, hs_apk_version_compare (a, b));
  ck_assert_msg (hs_apk_version_compare (b, a) == -want, "apk line %d reversed", lineno);
}

START_TEST (test_apk_vectors)
{
  ck_assert_int_ge (for_each_vector ("image_gate/apk-tools-version.data", apk_line), 700);
}
END_TEST

START_TEST (test_apk_valid)
{
  ck_assert (hs_apk_version_valid ("1.2.3-r0"));
  ck_assert (hs_apk_version_valid ("3.1.4_p2-r1"));
  ck_assert (hs_apk_version_valid ("1.0_alpha_pre2"));
  ck_assert (!hs_apk_version_valid ("1.0bc"));
  ck_assert (!hs_apk_version_valid ("a1"));
  ck_assert (!hs_apk_version_valid ("1.0-x1"));
  ck_assert (!hs_apk_version_valid ("1.0_foo"));
  ck_assert (!hs_apk_version_valid (""));
}
END_TEST

static hs_pkgver_t
parse_ok (hs_pkgver_scheme_t scheme, const char *text, hs_pkgver_buf_t *buf)
{
  hs_error_t err = NULL;
  hs_pkgver_t v;

  if (hs_pkgver_parse (scheme, text, strlen (text), buf, &v, &err) < 0)
    ck_abort_msg ("parse `%s`: %s", text, err->msg);
  return v;
}

static int
dpkg_says (const char *a, const char *rel, const char *b)
{
  pid_t pid;
  int st;

  if (access ("/usr/bin/dpkg", X_OK) != 0)
    return -1;
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      dup2 (null, 2);
      execl ("/usr/bin/dpkg", "dpkg", "--compare-versions", a, rel, b, (char *) NULL);
      _exit (127);
    }
  waitpid (pid, &st, 0);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static void
dpkg_line (const char *a, char op, const char *b, int lineno)
{
  hs_pkgver_buf_t ba, bb;
  hs_pkgver_t va = parse_ok (HS_PKGVER_DPKG, a, &ba), vb = parse_ok (HS_PKGVER_DPKG, b, &bb);
  int want = expect_of (op);
  const char *rel = op == '<' ? "lt" : op == '>' ? "gt" : "eq";
  int dpkg = dpkg_says (a, rel, b);

  ck_assert_msg (hs_pkgver_compare (&va, &vb) == want, "dpkg line %d: %s %c %s", lineno, a, op, b);
  ck_assert_msg (hs_pkgver_compare (&vb, &va) == -want, "dpkg line %d reversed", lineno);
  ck_assert_msg (dpkg == -1 || dpkg == 0, "line %d: dpkg --compare-versions disagrees: %s %s %s",
                 lineno, a, rel, b);
}

START_TEST (test_dpkg_vectors)
{
  ck_assert_int_ge (for_each_vector ("image_gate/dpkg-versions.data", dpkg_line), 40);
}
END_TEST

START_TEST (test_dpkg_parse)
{
  static const char *const bad[]
      = { "",      " ",  "0:",   "0:0 0-1", "-1:0-1", "999999999999999999999999:0-1",
          "a:0-0", "-0", "0:-0", "1.0-" };
  hs_pkgver_buf_t buf;
  hs_pkgver_t v;
  char out[600];

  v = parse_ok (HS_PKGVER_DPKG, "5:7.0.15-1~deb12u1", &buf);
  ck_assert_uint_eq (v.epoch, 5);
  ck_assert_str_eq (v.upstream, "7.0.15");
  ck_assert_str_eq (v.revision, "1~deb12u1");
  hs_pkgver_format (&v, out, sizeof out);
  ck_assert_str_eq (out, "5:7.0.15-1~deb12u1");
  v = parse_ok (HS_PKGVER_DPKG, "0:0:0-0-0", &buf);
  ck_assert_str_eq (v.upstream, "0:0-0");
  ck_assert_str_eq (v.revision, "0");
  v = parse_ok (HS_PKGVER_DPKG, "  1.0 ", &buf);
  hs_pkgver_format (&v, out, sizeof out);
  ck_assert_str_eq (out, "1.0");
  /* dpkg only warns about these, and installs such packages */
  parse_ok (HS_PKGVER_DPKG, "abc3-0", &buf);
  parse_ok (HS_PKGVER_DPKG, "0:0-0:0", &buf);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      hs_error_t err = NULL;

      ck_assert_msg (hs_pkgver_parse (HS_PKGVER_DPKG, bad[i], strlen (bad[i]), &buf, &v, &err) < 0,
                     "`%s` accepted", bad[i]);
      hs_error_release (&err);
    }
}
END_TEST

START_TEST (test_parse_limits)
{
  char longv[HS_PKGVER_MAX + 2];
  hs_pkgver_buf_t buf;
  hs_error_t err = NULL;
  hs_pkgver_t v;

  memset (longv, '1', sizeof longv - 1);
  longv[sizeof longv - 1] = '\0';
  ck_assert_int_lt (hs_pkgver_parse (HS_PKGVER_DPKG, longv, strlen (longv), &buf, &v, &err), 0);
  hs_error_release (&err);
  ck_assert_int_lt (hs_pkgver_parse (HS_PKGVER_APK, longv, strlen (longv), &buf, &v, &err), 0);
  hs_error_release (&err);
  longv[HS_PKGVER_MAX] = '\0';
  parse_ok (HS_PKGVER_DPKG, longv, &buf);
  ck_assert_int_lt (hs_pkgver_parse (HS_PKGVER_APK, "1.0 x", 5, &buf, &v, &err), 0);
  hs_error_release (&err);
  ck_assert_int_lt (hs_pkgver_parse (HS_PKGVER_DPKG, "1.0\0x", 5, &buf, &v, &err), 0);
  hs_error_release (&err);
  v = parse_ok (HS_PKGVER_APK, "1.2.3-r4", &buf);
  ck_assert_str_eq (v.upstream, "1.2.3-r4");
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("pkgver");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_apk_vectors);
  tcase_add_test (tc, test_apk_valid);
  tcase_add_test (tc, test_dpkg_vectors);
  tcase_add_test (tc, test_dpkg_parse);
  tcase_add_test (tc, test_parse_limits);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
