/* hooks: golden table (tests/data/harden/hooks.json), the engines'
 * configs, and a hook named through a symlink to an allowed program. */
#include "harden_golden_b.h"

#include <limits.h>
#include <unistd.h>

START_TEST (test_hook_via_symlink_allowed)
{
  char exe[PATH_MAX], dir[] = "/tmp/hs-hooks-XXXXXX";
  cleanup_free char *link = NULL, *cfg = NULL, *ptext = NULL, *perr = NULL, *refusal = NULL;
  cleanup_json hs_json_t *settings = NULL, *config = NULL;
  cleanup_policy hs_policy_t *p = NULL;
  hs_audit_t audit;

  ck_assert (realpath ("/proc/self/exe", exe) != NULL);
  ck_assert (mkdtemp (dir) != NULL);
  link = hs_xasprintf ("%s/hook", dir);
  ck_assert_int_eq (symlink (exe, link), 0);
  settings = test_parse ("{\"mode\":\"enforce\"}");
  {
    hs_json_t *allow = hs_json_new (HS_JSON_ARRAY);
    hs_json_append (allow, hs_json_new_string (exe));
    hs_json_set_exact (settings, "allow", allow);
  }
  ptext = golden_policy_text ("hooks", settings, NULL);
  p = golden_policy (ptext, &perr);
  ck_assert_msg (p != NULL, "%s", perr);
  cfg = hs_xasprintf ("{\"root\":{\"path\":\"r\"},\"hooks\":{\"prestart\":[{\"path\":\"%s\"},"
                      "{\"path\":\"%s\"}]}}",
                      link, exe);
  config = test_parse (cfg);
  hs_audit_init (&audit, "create", "t", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  unlink (link);
  rmdir (dir);
  ck_assert_msg (refusal == NULL, "refused: %s", refusal);
}
END_TEST

GOLDEN_SUITE ("hooks", tcase_add_test (tc, test_hook_via_symlink_allowed))

TEST_MAIN (golden_suite ())
