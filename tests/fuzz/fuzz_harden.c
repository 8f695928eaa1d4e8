/* libFuzzer: a config.json (or, with the first byte odd, an exec process
 * file) hardened under the default policy on a host without AppArmor and
 * SELinux. Invariants: no crash; an admitted result is valid JSON that
 * passes validation, and hardening it again changes nothing (idempotence:
 * hardshim must not disagree with its own output). */
#include "audit.h"
#include "harden.h"
#include "spec.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static hs_policy_t *policy;

static size_t
changes (const hs_audit_t *a)
{
  return hs_audit_count (a, HS_ACT_CHANGED);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hs_host_t host = { 0 };
  hs_json_t *tree = NULL;
  hs_error_t err = NULL;
  hs_audit_t audit;
  bool process_mode;

  if (policy == NULL && hs_policy_from_text ("{\"audit_log\": null, \"state_dir\": \"/nonexistent/hardshim-fuzz\"}",
                                             "fuzz", &policy, NULL)
                            < 0)
    abort ();
  if (size < 1)
    return 0;
  process_mode = data[0] & 1;
  if (hs_json_parse ((const char *) data + 1, size - 1, &hs_spec_limits, &tree, &err) < 0)
    {
      hs_error_release (&err);
      return 0;
    }
  hs_audit_init (&audit, "create", "fuzz", "/fuzz", policy->digest);
  if (process_mode)
    {
      hs_json_t *wrapper = hs_json_new (HS_JSON_OBJECT);
      hs_harden_t h = { .spec = wrapper, .policy = policy, .host = &host, .audit = &audit,
                        .target = HS_TARGET_PROCESS };

      hs_json_set_exact (wrapper, "process", tree);
      if (hs_process_validate (tree, "", &err) == 0)
        (void) hs_harden_run (&h, &err);
      hs_json_free (wrapper);
    }
  else if (hs_harden_spec (tree, policy, &host, &audit, &err) == 0)
    {
      char *out = NULL;
      size_t len;
      hs_json_t *again = NULL;
      hs_audit_t audit2;

      if (hs_json_emit (tree, false, &out, &len, NULL) < 0
          || hs_json_parse (out, len, &hs_spec_limits, &again, NULL) < 0)
        abort ();
      hs_audit_init (&audit2, "create", "fuzz", "/fuzz", policy->digest);
      if (hs_harden_spec (again, policy, &host, &audit2, &err) < 0 || changes (&audit2) != 0)
        abort ();
      hs_audit_release (&audit2);
      hs_json_free (again);
      free (out);
      hs_json_free (tree);
    }
  else
    hs_json_free (tree);
  hs_error_release (&err);
  hs_audit_release (&audit);
  return 0;
}
