/* userns_advisories: the audit note when a container has no user
 * namespace, and none when it has one; the engines' configs. */
#include "harden_golden_b.h"

static const char *const also[] = { "userns_advisories", NULL };

/* The notes of userns_advisories for `config` under `policy_text`. */
static size_t
notes (const char *policy_text, const char *config, char **ret_msg)
{
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (policy_text, &perr);
  cleanup_json hs_json_t *spec = test_parse (config);
  cleanup_free char *refusal = NULL;
  hs_audit_t audit;
  size_t n = 0;

  ck_assert_msg (p != NULL, "policy: %s", perr);
  hs_audit_init (&audit, "create", "t", TEST_DATA_DIR, p->digest);
  refusal = golden_harden (spec, p, &audit);
  ck_assert_msg (refusal == NULL, "refused: %s", refusal);
  *ret_msg = NULL;
  for (size_t i = 0; i < audit.len; i++)
    if (strcmp (audit.items[i].control, "userns_advisories") == 0)
      {
        ck_assert_str_eq (audit.items[i].action, HS_ACT_NOTE);
        free (*ret_msg);
        *ret_msg = hs_xstrdup (audit.items[i].message);
        n++;
      }
  hs_audit_release (&audit);
  return n;
}

START_TEST (test_userns_off_noted)
{
  /* every control off but this one, userns among them */
  cleanup_free char *ptext = golden_policy_text ("userns_advisories", NULL, NULL);
  cleanup_free char *msg = NULL;

  ck_assert_uint_eq (notes (ptext, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"}}", &msg),
                     1);
  ck_assert_ptr_nonnull (strstr (msg, "policy turns `userns` off"));
  ck_assert_ptr_nonnull (strstr (msg, "CVE-2025-31133"));
  ck_assert_ptr_nonnull (strstr (msg, "CVE-2026-88264"));
}
END_TEST

START_TEST (test_no_userns_with_userns_on)
{
  /* userns on but in audit mode: it changes nothing, the config has none */
  cleanup_free char *ptext = NULL;
  cleanup_free char *msg = NULL;
  cleanup_json hs_json_t *p = NULL;

  ptext = golden_policy_text ("userns_advisories", NULL, also);
  p = test_parse (ptext);
  hs_json_set_exact (hs_json_get_exact (p, "userns"), "mode", hs_json_new_string ("audit"));
  free (ptext);
  ck_assert_int_eq (hs_json_emit (p, false, &ptext, NULL, NULL), 0);
  ck_assert_uint_eq (notes (ptext, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"}}", &msg),
                     1);
  ck_assert_ptr_nonnull (strstr (msg, "the container runs without a user namespace"));
}
END_TEST

START_TEST (test_userns_present_quiet)
{
  cleanup_free char *ptext = golden_policy_text ("userns_advisories", NULL, NULL);
  cleanup_free char *msg = NULL;

  ck_assert_uint_eq (notes (ptext,
                            "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"linux\":{"
                            "\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]}}",
                            &msg),
                     0);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("userns_advisories");
  TCase *tc = tcase_create ("notes");

  tcase_add_test (tc, test_userns_off_noted);
  tcase_add_test (tc, test_no_userns_with_userns_on);
  tcase_add_test (tc, test_userns_present_quiet);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
