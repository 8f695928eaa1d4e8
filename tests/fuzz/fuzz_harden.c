/* libFuzzer: a config.json (or, with the first byte odd, an exec process
 * file: tests/fuzz/fuzz_process.c goes deeper) hardened under the default
 * policy on a host without AppArmor and SELinux. Every control runs; with
 * no container (hs_harden_spec) userns and selinux allocate nothing, and
 * seccomp's validation cache goes to a private temporary state_dir.
 * Invariants: no crash; an admitted result is valid JSON that passes
 * validation, and hardening it again changes nothing and adds no audit
 * refusal (idempotence: hardshim must not disagree with its own output). */
#include "audit.h"
#include "harden.h"
#include "spec.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static hs_policy_t *policy;
static char state_dir[] = "/tmp/hardshim-fuzz-XXXXXX";

static void
remove_state_dir (void)
{
  char *cmd = hs_xasprintf ("rm -rf '%s'", state_dir);

  if (system (cmd) != 0)
    fprintf (stderr, "fuzz_harden: could not remove %s\n", state_dir);
  free (cmd);
}

static void
init (void)
{
  char *text;

  if (mkdtemp (state_dir) == NULL)
    abort ();
  atexit (remove_state_dir);
  text = hs_xasprintf ("{\"audit_log\": null, \"state_dir\": \"%s\"}", state_dir);
  if (hs_policy_from_text (text, "fuzz", &policy, NULL) < 0)
    abort ();
  free (text);
}

/* Says why before aborting, so a finding explains itself. */
static void
fail (const char *why, const hs_error_t err, const hs_audit_t *a)
{
  fprintf (stderr, "fuzz_harden: %s%s%s\n", why, err ? ": " : "", err ? err->msg : "");
  for (size_t i = 0; a && i < a->len; i++)
    fprintf (stderr, "  %s %s %s: %s\n", a->items[i].control, a->items[i].action, a->items[i].path,
             a->items[i].message ? a->items[i].message : "");
  abort ();
}

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

  if (policy == NULL)
    init ();
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

      if (hs_spec_validate (tree, NULL) < 0 || hs_json_emit (tree, false, &out, &len, NULL) < 0
          || hs_json_parse (out, len, &hs_spec_limits, &again, NULL) < 0)
        fail ("the hardened config does not validate or round-trip", NULL, NULL);
      hs_audit_init (&audit2, "create", "fuzz", "/fuzz", policy->digest);
      if (hs_harden_spec (again, policy, &host, &audit2, &err) < 0)
        fail ("the hardened config is refused", err, &audit2);
      if (changes (&audit2) != 0)
        fail ("hardening is not idempotent", NULL, &audit2);
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
