/* Golden tables for hardening controls: (config, policy) -> (config,
 * verdict). Each case runs the named control(s) alone, so tables stay
 * valid as other controls are added to the engine. */
#ifndef HS_HARDEN_GOLDEN_H
#define HS_HARDEN_GOLDEN_H

#include "testutil.h"

#include "harden.h"
#include "policy.h"
#include "spec.h"

typedef struct
{
  const char *name;
  const char *controls;  /* one control name, or several separated by ',' */
  const char *policy;    /* layered over the presets; NULL: "{}" (restricted) */
  const char *config;    /* JSON text, or "@file" under tests/data */
  const char *expect;    /* the config afterwards; NULL: unchanged */
  const char *verdict;   /* NULL: admitted; else a substring of the refusal */
  const char *record;    /* NULL, or a substring some audit line must hold */
  bool exec;             /* config is a process object hardened as an exec */
  const char *container; /* exec: the container's config, or NULL */
} golden_t;

static inline hs_json_t *
golden_json (const char *text)
{
  if (text[0] == '@')
    {
      char *buf = test_read_data (text + 1, NULL);
      hs_json_t *v = test_parse (buf);
      free (buf);
      return v;
    }
  return test_parse (text);
}

static inline hs_policy_t *
golden_policy (const char *text)
{
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;

  if (hs_policy_from_text (text ? text : "{}", "test policy", &p, &err) < 0
      || hs_policy_validate_controls (p, &err) < 0)
    ck_abort_msg ("policy: %s", err->msg);
  return p;
}

/* The policy error for `text`, or NULL if it is valid (caller frees). */
static inline char *
golden_policy_error (const char *text)
{
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;
  char *msg = NULL;

  if (hs_policy_from_text (text, "test policy", &p, &err) < 0
      || hs_policy_validate_controls (p, &err) < 0)
    msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  hs_policy_free (p);
  return msg;
}

static inline void
golden_run (const golden_t *g)
{
  hs_policy_t *policy = golden_policy (g->policy);
  hs_json_t *config = golden_json (g->config);
  hs_json_t *container = g->container ? golden_json (g->container) : NULL;
  hs_json_t *spec = config;
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_error_t err = NULL;
  char *names = hs_xstrdup (g->controls);
  const char *only[16] = { 0 };
  size_t n = 0;
  int r;

  for (char *s = strtok (names, ","); s != NULL && n < 15; s = strtok (NULL, ","))
    {
      ck_assert_msg (hs_control_find (s) != NULL, "%s: no control `%s`", g->name, s);
      only[n++] = s;
    }
  if (g->exec)
    {
      spec = hs_json_new (HS_JSON_OBJECT);
      hs_json_set_exact (spec, "process", config);
    }
  else
    {
      r = hs_spec_validate (spec, &err);
      ck_assert_msg (r == 0, "%s: spec validation: %s", g->name, err ? err->msg : "");
    }
  hs_audit_init (&audit, g->exec ? "exec" : "create", "golden", "/bundle", policy->digest);
  {
    hs_harden_t h = {
      .spec = spec,
      .policy = policy,
      .host = &host,
      .audit = &audit,
      .target = g->exec ? HS_TARGET_PROCESS : HS_TARGET_CONFIG,
      .container = container,
    };
    r = hs_harden_run_only (&h, only, &err);
  }
  if (g->verdict != NULL)
    {
      ck_assert_msg (r < 0, "%s: admitted, expected a refusal with `%s`", g->name, g->verdict);
      ck_assert_msg (hs_error_is_refusal (&err), "%s: not a refusal: %s", g->name, err->msg);
      ck_assert_msg (strstr (err->msg, g->verdict) != NULL, "%s: refusal `%s` lacks `%s`", g->name,
                     err->msg, g->verdict);
    }
  else
    {
      hs_json_t *want = golden_json (g->expect ? g->expect : g->config);
      char *got_s, *want_s;

      ck_assert_msg (r == 0, "%s: refused: %s", g->name, err ? err->msg : "");
      got_s = test_emit (g->exec ? hs_json_get_exact (spec, "process") : spec);
      want_s = test_emit (want);
      ck_assert_msg (strcmp (got_s, want_s) == 0, "%s:\n got  %s\n want %s", g->name, got_s,
                     want_s);
      free (got_s);
      free (want_s);
      hs_json_free (want);
    }
  if (g->record != NULL)
    {
      bool found = false;
      for (size_t i = 0; i < audit.len && !found; i++)
        {
          char *line = hs_audit_line (&audit, i);
          found = strstr (line, g->record) != NULL;
          free (line);
        }
      ck_assert_msg (found, "%s: no audit record holds `%s`", g->name, g->record);
    }
  hs_error_release (&err);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_json_free (container);
  hs_policy_free (policy);
  free (names);
}

#endif
