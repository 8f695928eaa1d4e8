/* Who is calling: an id map that reaches host root, or not. Only a map
 * that says so makes the caller unprivileged. */
#include "testutil.h"

#include "caller.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const struct
{
  const char *map;
  bool reaches;
} maps[] = {
  { "         0          0 4294967295\n", true }, /* the initial namespace */
  { "         0       1001          1\n         1     100000      65536\n", false }, /* rootless */
  { "0 2147483648 65536\n", false },       /* hardshim's own block */
  { "0 100000 65536\n65536 0 1\n", true }, /* host root mapped further down */
  { "5 0 1\n", true },                     /* host root as container id 5 */
  { "0 1 4294967295\n", false },
  { "0 0 0\n", false },            /* an empty extent maps nothing */
  { "", true },                    /* no map: not known to be safe */
  { "0 1001 1\ngarbage\n", true }, /* unreadable tail */
  { "0 1001\n", true },
};

START_TEST (test_map_reaches_host_root)
{
  char path[] = "/tmp/check_caller.XXXXXX";
  int fd = mkstemp (path);
  FILE *f;

  ck_assert_int_ge (fd, 0);
  f = fdopen (fd, "w");
  fputs (maps[_i].map, f);
  fclose (f);
  ck_assert_msg (hs_caller_map_reaches_host_root (path) == maps[_i].reaches, "map %s: expected %s",
                 maps[_i].map, maps[_i].reaches ? "reaches host root" : "does not");
  unlink (path);
}
END_TEST

START_TEST (test_missing_map_reaches_host_root)
{
  ck_assert (hs_caller_map_reaches_host_root ("/nonexistent/uid_map"));
}
END_TEST

START_TEST (test_root_test_runner_is_privileged)
{
  /* the unit tests run as host root in the initial namespace */
  if (geteuid () == 0 && !hs_caller_map_reaches_host_root ("/proc/self/uid_map"))
    return; /* run inside some user namespace: nothing to say */
  if (geteuid () == 0)
    ck_assert (!hs_caller_unprivileged ());
}
END_TEST

static Suite *
caller_suite (void)
{
  Suite *s = suite_create ("caller");
  TCase *tc = tcase_create ("core");

  tcase_add_loop_test (tc, test_map_reaches_host_root, 0, sizeof maps / sizeof maps[0]);
  tcase_add_test (tc, test_missing_map_reaches_host_root);
  tcase_add_test (tc, test_root_test_runner_is_privileged);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (caller_suite ())
