/* rlimits: golden table (tests/data/harden/rlimits.json), the engines'
 * configs, and exec'd processes (capped too, no pids limit there). */
#include "harden_golden_b.h"

START_TEST (test_exec_process_capped)
{
  cleanup_free char *ptext = golden_policy_text ("rlimits", NULL, NULL);
  cleanup_free char *perr = NULL, *out = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *spec = test_parse (
      "{\"process\":{\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
      "\"hard\":99999999,\"soft\":99999999},{\"type\":\"RLIMIT_RTPRIO\",\"hard\":1,\"soft\":1}]}}");
  hs_host_t host = { false, false };
  hs_audit_t audit;
  hs_harden_t h
      = { .spec = spec, .policy = p, .host = &host, .audit = &audit, .target = HS_TARGET_PROCESS };
  hs_error_t err = NULL;

  hs_audit_init (&audit, "exec", "t", NULL, p->digest);
  ck_assert_int_eq (hs_harden_run (&h, &err), 0);
  hs_audit_release (&audit);
  out = test_emit (spec);
  ck_assert_str_eq (out, "{\"process\":{\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
                         "\"hard\":1048576,\"soft\":1048576},{\"type\":\"RLIMIT_RTPRIO\","
                         "\"hard\":0,\"soft\":0}]}}");
}
END_TEST

GOLDEN_SUITE ("rlimits", tcase_add_test (tc, test_exec_process_capped))

TEST_MAIN (golden_suite ())
