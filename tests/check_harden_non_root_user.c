/* non_root_user control: uid 0 is refused when enforced, audited by default. */
#include "harden_golden.h"

#define USER(u) "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"user\":" u "}}"
#define ENFORCE "{\"non_root_user\":{\"mode\":\"enforce\"}}"
#define MSG "the process runs as root (uid 0); host policy requires a non-root user"

static const golden_t cases[] = {
  { "default (audit): root admitted, recorded", "non_root_user", NULL,
    USER ("{\"uid\":0,\"gid\":0}"), NULL, NULL,
    "\"control\":\"non_root_user\",\"path\":\"process.user.uid\",\"before\":null,\"after\":null,"
    "\"action\":\"would-refuse\"",
    false, NULL },
  { "enforce: uid 0 refused", "non_root_user", ENFORCE, USER ("{\"uid\":0,\"gid\":1000}"), NULL,
    MSG " (control `non_root_user`, `process.user.uid`)", NULL, false, NULL },
  { "enforce: absent uid is 0", "non_root_user", ENFORCE, USER ("{\"gid\":1000}"), NULL, MSG, NULL,
    false, NULL },
  { "enforce: absent user is uid 0", "non_root_user", ENFORCE,
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}", NULL, MSG, NULL, false, NULL },
  { "enforce: uid 1000 admitted", "non_root_user", ENFORCE, USER ("{\"uid\":1000,\"gid\":0}"), NULL,
    NULL, NULL, false, NULL },
  { "reject: uid 0 refused", "non_root_user", "{\"non_root_user\":{\"mode\":\"reject\"}}",
    USER ("{\"uid\":0}"), NULL, MSG, NULL, false, NULL },
  { "exec: process file as root refused", "non_root_user", ENFORCE,
    "{\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}}", NULL, MSG, NULL, true, NULL },
  { "enforce: uid 4294967295 ((uid_t) -1) refused: crun stays root", "non_root_user", ENFORCE,
    USER ("{\"uid\":4294967295,\"gid\":1000}"), NULL, "uid 4294967295 is (uid_t) -1", NULL, false,
    NULL },
  { "enforce: uid 4294967294 admitted", "non_root_user", ENFORCE, USER ("{\"uid\":4294967294}"),
    NULL, NULL, NULL, false, NULL },
  { "exec: process file as uid 4294967295 refused", "non_root_user", ENFORCE,
    "{\"args\":[\"sh\"],\"user\":{\"uid\":4294967295,\"gid\":0}}", NULL,
    "(uid_t) -1, which setresuid takes", NULL, true, NULL },
  { "exec: process file as uid 65534 admitted", "non_root_user", ENFORCE,
    "{\"args\":[\"sh\"],\"user\":{\"uid\":65534,\"gid\":65534}}", NULL, NULL, NULL, true, NULL },
};

START_TEST (test_golden)
{
  golden_run (&cases[_i]);
}
END_TEST

START_TEST (test_settings)
{
  char *msg = golden_policy_error ("{\"non_root_user\":{\"uid\":1000}}");
  ck_assert_msg (msg && strstr (msg, "policy key `non_root_user.uid`: unknown setting"), "%s", msg);
  free (msg);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("harden_non_root_user");
  TCase *tc = tcase_create ("golden");

  tcase_add_loop_test (tc, test_golden, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_settings);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
