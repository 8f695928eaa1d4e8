/* The runtime --log lines engines show users: runc's JSON and logrus text
 * formats, always valid even when the message is not UTF-8. */
#include "audit.h"
#include "testutil.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static char *
log_once (const char *format, const char *msg)
{
  char path[] = "/tmp/hardshim-check-log.XXXXXX";
  int fd = mkstemp (path);
  size_t len;
  char *text;

  ck_assert_int_ge (fd, 0);
  close (fd);
  hs_runtime_log (path, format, "error", msg);
  {
    FILE *f = fopen (path, "r");
    text = hs_xmalloc (4096);
    len = fread (text, 1, 4095, f);
    text[len] = '\0';
    fclose (f);
  }
  unlink (path);
  return text;
}

START_TEST (test_json_line)
{
  char *line = log_once ("json", "hardshim: create `x`: \"quoted\"\tand\nnewline");
  hs_json_t *v;

  ck_assert (line[strlen (line) - 1] == '\n');
  line[strlen (line) - 1] = '\0';
  v = test_parse (line);
  ck_assert_str_eq (hs_json_get_exact (v, "level")->str, "error");
  ck_assert_str_eq (hs_json_get_exact (v, "msg")->str,
                    "hardshim: create `x`: \"quoted\"\tand\nnewline");
  ck_assert_int_eq (hs_json_get_exact (v, "time")->len, 20); /* 2026-11-29T11:13:31Z */
  ck_assert_int_eq (v->len, 3);
  hs_json_free (v);
  free (line);
}
END_TEST

START_TEST (test_json_line_invalid_utf8)
{
  char *line = log_once ("json", "bad \xff\xfe path \xc3");
  hs_json_t *v;

  line[strlen (line) - 1] = '\0';
  v = test_parse (line);
  ck_assert_str_eq (hs_json_get_exact (v, "msg")->str,
                    "bad \xef\xbf\xbd\xef\xbf\xbd path \xef\xbf\xbd");
  hs_json_free (v);
  free (line);
}
END_TEST

START_TEST (test_text_line)
{
  char *line = log_once ("text", "say \"hi\"\n");

  ck_assert_msg (strstr (line, " level=error msg=\"say \\\"hi\\\"\\n\"\n") != NULL, "%s", line);
  ck_assert (strncmp (line, "time=\"", 6) == 0);
  free (line);
}
END_TEST

START_TEST (test_no_log_path)
{
  hs_runtime_log (NULL, "json", "error", "nothing happens");
  hs_runtime_log ("", "json", "error", "nothing happens");
}
END_TEST

/* hs_rfc3339_format agrees with gmtime_r + strftime over the epoch's
 * whole range of interest, including leap days, century years and times
 * before 1970. */
START_TEST (test_rfc3339_matches_gmtime)
{
  static const long long fixed[] = { 0,
                                     -1,
                                     86399,
                                     86400,
                                     951782400 /* 2000-02-29 */,
                                     4107542400LL /* 2100-03-01 */,
                                     -2208988800LL /* 1900 */,
                                     253402300799LL /* 9999-12-31T23:59:59 */,
                                     1795996800LL };
  unsigned long long x = 0x9e3779b97f4a7c15ull;

  for (size_t i = 0; i < sizeof (fixed) / sizeof (fixed[0]) + 20000; i++)
    {
      long long t;
      char ours[40], want[64], frac[40], want_frac[80];
      struct tm tm;
      time_t tt;

      if (i < sizeof (fixed) / sizeof (fixed[0]))
        t = fixed[i];
      else
        {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          t = (long long) (x % 253402300800ULL) - 2208988800LL;
        }
      tt = (time_t) t;
      ck_assert_ptr_nonnull (gmtime_r (&tt, &tm));
      strftime (want, sizeof (want), "%Y-%m-%dT%H:%M:%SZ", &tm);
      hs_rfc3339_format (t, 0, false, ours);
      ck_assert_msg (strcmp (ours, want) == 0, "%lld: %s, gmtime says %s", t, ours, want);
      hs_rfc3339_format (t, 123456789, true, frac);
      want[strlen (want) - 1] = '\0';
      snprintf (want_frac, sizeof (want_frac), "%s.123456789Z", want);
      ck_assert_str_eq (frac, want_frac);
    }
}
END_TEST

static Suite *
runtime_log_suite (void)
{
  Suite *s = suite_create ("runtime_log");
  TCase *tc = tcase_create ("runtime_log");

  tcase_add_test (tc, test_json_line);
  tcase_add_test (tc, test_rfc3339_matches_gmtime);
  tcase_add_test (tc, test_json_line_invalid_utf8);
  tcase_add_test (tc, test_text_line);
  tcase_add_test (tc, test_no_log_path);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (runtime_log_suite ())
