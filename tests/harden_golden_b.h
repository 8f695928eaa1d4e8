/* Golden tables for one hardening control: tests/data/harden/CONTROL.json
 * is an array of cases
 *   {"name": ..., "settings": {...}, "config": {...},
 *    "verdict": "admitted" | "refused", "reason": "substring of the refusal",
 *    "expect": {...the config after hardening...}}
 * or, for bad policy input, {"name": ..., "settings": {...}, "error": "substring"}.
 * The control runs alone (every other control off) under the real engine,
 * its settings layered over the default preset like a policy file.
 * HS_GOLDEN_UPDATE=1 writes CONTROL.json.new with the actual results, to
 * review and rename; never rename without reading the diff. */
#ifndef HS_HARDEN_GOLDEN_B_H
#define HS_HARDEN_GOLDEN_B_H

#include "testutil.h"

#include "audit.h"
#include "cleanup.h"
#include "harden.h"
#include "policy.h"

static hs_json_t *golden_cases;
static hs_json_t *golden_update;

/* Policy text: `control` with `settings` (may be NULL), every other
 * control off unless it is in `also_on` (NULL-terminated). */
static inline char *
golden_policy_text (const char *control, const hs_json_t *settings, const char *const *also_on)
{
  cleanup_json hs_json_t *p = hs_json_new (HS_JSON_OBJECT);
  char *out = NULL;

  for (size_t i = 0; hs_controls[i]; i++)
    {
      const char *n = hs_controls[i]->name;
      bool on = strcmp (n, control) == 0;
      for (size_t j = 0; also_on && also_on[j]; j++)
        on = on || strcmp (n, also_on[j]) == 0;
      if (!on)
        {
          hs_json_t *off = hs_json_new (HS_JSON_OBJECT);
          hs_json_set_exact (off, "mode", hs_json_new_string ("off"));
          hs_json_set_exact (p, n, off);
        }
      else if (strcmp (n, control) == 0 && settings != NULL)
        hs_json_set_exact (p, n, hs_json_dup (settings));
    }
  ck_assert_int_eq (hs_json_emit (p, false, &out, NULL, NULL), 0);
  return out;
}

/* Load a policy; NULL and *ret_err set when it is refused. */
static inline hs_policy_t *
golden_policy (const char *text, char **ret_err)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  *ret_err = NULL;
  if (hs_policy_from_text (text, "test-policy.json", &p, &err) < 0
      || hs_policy_validate_controls (p, &err) < 0)
    {
      *ret_err = hs_xstrdup (err->msg);
      hs_error_release (&err);
      hs_policy_free (p);
      return NULL;
    }
  return p;
}

/* Harden `config` in place under `policy`; returns the refusal message
 * (caller frees) or NULL when admitted. Fails the test on other errors. */
static inline char *
golden_harden (hs_json_t *config, const hs_policy_t *policy, hs_audit_t *audit)
{
  hs_host_t host = { false, false };
  hs_harden_t h = {
    .spec = config,
    .policy = policy,
    .host = &host,
    .audit = audit,
    .target = HS_TARGET_CONFIG,
  };
  hs_error_t err = NULL;
  char *msg;

  if (hs_harden_run (&h, &err) == 0)
    return NULL;
  ck_assert_msg (hs_error_is_refusal (&err), "not a refusal: %s", err->msg);
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

static inline void
golden_load (const char *control)
{
  cleanup_free char *rel = hs_xasprintf ("harden/%s.json", control);
  cleanup_free char *text = test_read_data (rel, NULL);

  golden_cases = test_parse (text);
  ck_assert_int_eq (golden_cases->type, HS_JSON_ARRAY);
  if (getenv ("HS_GOLDEN_UPDATE") != NULL)
    golden_update = hs_json_dup (golden_cases);
}

static inline void
golden_run_case (const char *control, size_t i)
{
  hs_json_t *c = golden_cases->items[i];
  const char *name = hs_json_get (c, "name")->str;
  const hs_json_t *settings = hs_json_get_exact (c, "settings");
  const hs_json_t *want_err = hs_json_get_exact (c, "error");
  cleanup_free char *ptext = golden_policy_text (control, settings, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = NULL;
  cleanup_free char *refusal = NULL;
  const hs_json_t *want_verdict, *want_reason, *want_config;
  hs_audit_t audit;

  if (want_err != NULL)
    {
      ck_assert_msg (p == NULL, "%s: policy accepted, expected error `%s`", name, want_err->str);
      ck_assert_msg (strstr (perr, want_err->str) != NULL, "%s: error `%s` lacks `%s`", name, perr,
                     want_err->str);
      return;
    }
  ck_assert_msg (p != NULL, "%s: policy refused: %s", name, perr);
  config = hs_json_dup (hs_json_get_exact (c, "config"));
  hs_audit_init (&audit, "create", "golden", TEST_DATA_DIR, p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  want_verdict = hs_json_get_exact (c, "verdict");
  want_reason = hs_json_get_exact (c, "reason");
  want_config = hs_json_get_exact (c, "expect");
  if (golden_update != NULL)
    {
      hs_json_t *u = golden_update->items[i];
      hs_json_set_exact (u, "verdict", hs_json_new_string (refusal ? "refused" : "admitted"));
      if (refusal)
        {
          hs_json_remove_exact (u, "expect");
          if (want_reason == NULL)
            hs_json_set_exact (u, "reason", hs_json_new_string (refusal));
        }
      else
        hs_json_set_exact (u, "expect", hs_json_dup (config));
      return;
    }
  ck_assert_msg (want_verdict != NULL && want_verdict->type == HS_JSON_STRING,
                 "%s: case has no verdict", name);
  if (strcmp (want_verdict->str, "refused") == 0)
    {
      ck_assert_msg (refusal != NULL, "%s: admitted, expected a refusal", name);
      ck_assert_msg (want_reason != NULL && strstr (refusal, want_reason->str) != NULL,
                     "%s: refusal `%s` lacks `%s`", name, refusal,
                     want_reason ? want_reason->str : "(no reason in case)");
      return;
    }
  ck_assert_msg (refusal == NULL, "%s: refused: %s", name, refusal);
  ck_assert_msg (want_config != NULL, "%s: case has no expect", name);
  if (!hs_json_equal (config, want_config))
    {
      cleanup_free char *got = test_emit (config);
      cleanup_free char *want = test_emit (want_config);
      ck_abort_msg ("%s:\n got  %s\n want %s", name, got, want);
    }
}

static inline void
golden_finish (const char *control)
{
  cleanup_free char *path = NULL, *out = NULL;
  FILE *f;

  if (golden_update == NULL)
    return;
  path = hs_xasprintf ("%s/harden/%s.json.new", TEST_DATA_DIR, control);
  ck_assert_int_eq (hs_json_emit (golden_update, true, &out, NULL, NULL), 0);
  f = fopen (path, "w");
  ck_assert (f != NULL);
  fputs (out, f);
  fputc ('\n', f);
  fclose (f);
}

/* The engines' captured configs must be admitted by `control` alone
 * under the default preset. */
static inline void
golden_captures_admitted (const char *control)
{
  static const char *const captures[] = {
    "captures/docker-20.10-config.json",
    "captures/podman-4.3-config.json",
    "captures/containerd-1.6-ctr-config.json",
  };
  cleanup_free char *ptext = golden_policy_text (control, NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);

  ck_assert_msg (p != NULL, "policy: %s", perr);
  for (size_t i = 0; i < 3; i++)
    {
      cleanup_free char *text = test_read_capture (captures[i]);
      cleanup_json hs_json_t *config = test_parse (text);
      cleanup_free char *refusal = NULL;
      hs_audit_t audit;

      hs_audit_init (&audit, "create", "capture", "/nonexistent-bundle", p->digest);
      refusal = golden_harden (config, p, &audit);
      for (size_t k = 0; k < audit.len; k++)
        ck_assert_msg (strcmp (audit.items[k].action, HS_ACT_REFUSED) != 0, "%s: %s: %s",
                       captures[i], control, audit.items[k].message);
      hs_audit_release (&audit);
      ck_assert_msg (refusal == NULL, "%s refused by %s: %s", captures[i], control, refusal);
    }
}

/* A Check suite: the golden table and the captures, for one control. */
#define GOLDEN_SUITE(CONTROL, EXTRA_TESTS)                                                         \
  START_TEST (test_golden)                                                                         \
  {                                                                                                \
    golden_load (CONTROL);                                                                         \
    for (size_t i = 0; i < golden_cases->len; i++)                                                 \
      golden_run_case (CONTROL, i);                                                                \
    golden_finish (CONTROL);                                                                       \
    hs_json_free (golden_cases);                                                                   \
    hs_json_free (golden_update);                                                                  \
  }                                                                                                \
  END_TEST                                                                                         \
  START_TEST (test_captures_admitted)                                                              \
  {                                                                                                \
    golden_captures_admitted (CONTROL);                                                            \
  }                                                                                                \
  END_TEST                                                                                         \
  static Suite *golden_suite (void)                                                                \
  {                                                                                                \
    Suite *s = suite_create (CONTROL);                                                             \
    TCase *tc = tcase_create ("golden");                                                           \
    tcase_add_test (tc, test_golden);                                                              \
    tcase_add_test (tc, test_captures_admitted);                                                   \
    EXTRA_TESTS;                                                                                   \
    suite_add_tcase (s, tc);                                                                       \
    return s;                                                                                      \
  }

#endif
