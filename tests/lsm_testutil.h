/* Helpers shared by the AppArmor and SELinux unit tests. */
#ifndef HS_LSM_TESTUTIL_H
#define HS_LSM_TESTUTIL_H

#include "testutil.h"

#include "audit.h"
#include "harden.h"
#include "policy.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh private directory under /tmp (removed by the caller's rm). */
static inline char *
lsm_tmpdir (void)
{
  char *d = hs_xstrdup ("/tmp/hardshim-lsm-test.XXXXXX");

  ck_assert_ptr_nonnull (mkdtemp (d));
  return d;
}

static inline void
lsm_rmrf (const char *dir)
{
  char *cmd = hs_xasprintf ("rm -rf '%s'", dir);

  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
}

/* A policy from JSON text layered over the presets, validated like the
 * host policy. NULL and *ret_err set when it is refused. */
static inline hs_policy_t *
lsm_policy (const char *text, char **ret_err)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  /* The userns control allocates and mounts per container: these tests are
   * about the LSM controls, so it stays off unless a test turns it on. */
  char *full = strstr (text, "\"userns\"") || text[0] != '{' || text[1] == '}'
                   ? hs_xstrdup (text)
                   : hs_xasprintf ("{\"userns\":{\"mode\":\"off\"},%s", text + 1);

  if (strcmp (text, "{}") == 0)
    {
      free (full);
      full = hs_xstrdup ("{\"userns\":{\"mode\":\"off\"}}");
    }
  text = full;
  if (hs_policy_from_text (text, "test policy", &p, &err) < 0
      || hs_policy_validate_controls (p, &err) < 0)
    {
      hs_policy_free (p);
      free (full);
      ck_assert_ptr_nonnull (ret_err);
      *ret_err = hs_xstrdup (err->msg);
      hs_error_release (&err);
      return NULL;
    }
  free (full);
  if (ret_err)
    *ret_err = NULL;
  return p;
}

typedef struct
{
  hs_json_t *spec;
  hs_audit_t audit;
  char *err; /* NULL: admitted */
  bool refused;
} lsm_result_t;

/* Harden `config` (config.json text, or a process object when `process`)
 * as container `id` (NULL: a dry run) under runtime root `root`. */
static inline void
lsm_harden (const char *config, const hs_policy_t *policy, const hs_host_t *host, const char *root,
            const char *id, bool process, lsm_result_t *res)
{
  hs_error_t err = NULL;
  int r;

  *res = (lsm_result_t){ 0 };
  hs_audit_init (&res->audit, process ? "exec" : "create", id, "/b", policy->digest);
  if (process)
    {
      hs_harden_t h
          = { .policy = policy, .host = host, .audit = &res->audit, .target = HS_TARGET_PROCESS };

      res->spec = hs_json_new (HS_JSON_OBJECT);
      hs_json_set_exact (res->spec, "process", test_parse (config));
      h.spec = res->spec;
      r = hs_harden_run (&h, &err);
    }
  else
    {
      res->spec = test_parse (config);
      hs_container_t ctr = { .id = id, .root = root };

      r = hs_harden_spec_for (res->spec, policy, host, &res->audit, id ? &ctr : NULL, &err);
    }
  if (r < 0)
    {
      res->err = hs_xstrdup (err->msg);
      res->refused = hs_error_is_refusal (&err);
      hs_error_release (&err);
    }
}

static inline void
lsm_result_release (lsm_result_t *res)
{
  hs_json_free (res->spec);
  hs_audit_release (&res->audit);
  free (res->err);
}

/* The string at process.FIELD or linux.FIELD, or NULL. */
static inline const char *
lsm_str (const hs_json_t *spec, const char *obj, const char *field)
{
  const hs_json_t *v = hs_json_path (spec, obj, field, NULL);

  return v && v->type == HS_JSON_STRING ? v->str : NULL;
}

/* Does a record of `control` with `action` carry `text` in its message? */
static inline bool
lsm_audited (const hs_audit_t *a, const char *control, const char *action, const char *text)
{
  for (size_t i = 0; i < a->len; i++)
    if (strcmp (a->items[i].control, control) == 0 && strcmp (a->items[i].action, action) == 0
        && strstr (a->items[i].message, text) != NULL)
      return true;
  return false;
}

#endif
