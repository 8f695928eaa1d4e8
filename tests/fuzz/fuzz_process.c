/* libFuzzer: an exec process file (--process) hardened as hs_exec_harden
 * does. The first byte picks the host (AppArmor/SELinux on or off) and
 * whether the container's config holds exception annotations that the
 * policy grants; the rest is the process file.
 * Invariants: no crash or leak; an admitted result is a valid process
 * file, emits and parses back, and hardening it again changes nothing. */
#include "audit.h"
#include "cleanup.h"
#include "harden.h"
#include "spec.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Every process-level control overridable; exception `all` lets every
 * container turn most of them off. */
#define POLICY_GRANTING                                                                            \
  "{\"audit_log\": null, \"state_dir\": \"/nonexistent/hardshim-fuzz\","                           \
  "\"capabilities\": {\"overridable\": true}, \"no_new_privileges\": {\"overridable\": true},"     \
  "\"non_root_user\": {\"overridable\": true}, \"rlimits\": {\"overridable\": true},"              \
  "\"apparmor\": {\"overridable\": true}, \"selinux\": {\"overridable\": true},"                   \
  "\"exceptions\": {\"all\": {\"scope\": {}, \"allow\": {\"capabilities\": {\"off\": true},"       \
  "\"no_new_privileges\": {\"off\": true}, \"apparmor\": {\"off\": true},"                         \
  "\"selinux\": {\"off\": true}}}}}"

#define CONTAINER                                                                                  \
  "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"annotations\": {"               \
  "\"org.hardshim.exception.capabilities\": \"off\","                                              \
  "\"org.hardshim.exception.no_new_privileges\": \"off\","                                         \
  "\"org.hardshim.exception.selinux\": \"off\","                                                   \
  "\"org.hardshim.exception.non_root_user\": \"off\","                                             \
  "\"org.hardshim.exception.apparmor\": \"off\"}}"

static hs_policy_t *policies[2];

/* Says why before aborting, so a finding explains itself. */
static void
fail (const char *why, const hs_error_t err)
{
  fprintf (stderr, "fuzz_process: %s%s%s\n", why, err ? ": " : "", err ? err->msg : "");
  abort ();
}
static hs_json_t *container;

static void
init (void)
{
  hs_error_t err = NULL;

  /* state_dir is never written: process hardening allocates nothing */
  if (hs_policy_from_text ("{\"audit_log\": null, \"state_dir\": \"/nonexistent/hardshim-fuzz\"}",
                           "fuzz", &policies[0], &err)
          < 0
      || hs_policy_from_text (POLICY_GRANTING, "fuzz", &policies[1], &err) < 0
      || hs_policy_validate_controls (policies[1], &err) < 0
      || hs_json_parse (CONTAINER, strlen (CONTAINER), &hs_spec_limits, &container, &err) < 0)
    fail ("init", err);
}

/* Hardens `wrapper` ({"process": <process file>}) as exec does. */
static int
harden (hs_json_t *wrapper, const hs_policy_t *policy, const hs_host_t *host, bool with_container,
        size_t *changes, hs_error_t *err)
{
  hs_harden_t h = { .spec = wrapper,
                    .policy = policy,
                    .host = host,
                    .target = HS_TARGET_PROCESS,
                    .container = with_container ? container : NULL };
  hs_audit_t audit;
  int r;

  hs_audit_init (&audit, "exec", "fuzz", "/fuzz", policy->digest);
  h.audit = &audit;
  r = hs_harden_run (&h, err);
  *changes = hs_audit_count (&audit, HS_ACT_CHANGED);
  hs_audit_release (&audit);
  return r;
}

static hs_json_t *
wrap (hs_json_t *process)
{
  hs_json_t *wrapper = hs_json_new (HS_JSON_OBJECT);

  hs_json_set_exact (wrapper, "process", process);
  return wrapper;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hs_host_t host = { .apparmor_parser = "/nonexistent/apparmor_parser",
                     .apparmor_profiles = "/nonexistent/profiles" };
  hs_json_t *tree = NULL, *w1 = NULL, *w2 = NULL, *again = NULL;
  hs_error_t err = NULL;
  const hs_policy_t *policy;
  bool with_container;
  char *out = NULL;
  size_t len, changes;

  if (policies[0] == NULL)
    init ();
  if (size < 1)
    return 0;
  host.apparmor_enabled = data[0] & 1;
  host.selinux_enabled = (data[0] >> 1) & 1;
  with_container = (data[0] >> 2) & 1;
  policy = policies[(data[0] >> 3) & 1];
  if (hs_json_parse ((const char *)data + 1, size - 1, &hs_spec_limits, &tree, &err) < 0
      || hs_process_validate (tree, "", &err) < 0)
    goto out;
  w1 = wrap (TAKE_PTR (tree));
  if (harden (w1, policy, &host, with_container, &changes, &err) < 0)
    goto out;
  tree = hs_json_get_exact (w1, "process");
  if (tree == NULL || hs_process_validate (tree, "", &err) < 0)
    fail ("hardshim wrote a process file it would refuse", err);
  tree = NULL;
  if (hs_json_emit (hs_json_get_exact (w1, "process"), false, &out, &len, NULL) < 0
      || hs_json_parse (out, len, &hs_spec_limits, &again, NULL) < 0)
    fail ("the hardened process file does not round-trip", NULL);
  w2 = wrap (TAKE_PTR (again));
  if (harden (w2, policy, &host, with_container, &changes, &err) < 0)
    fail ("the hardened process file is refused", err);
  if (changes != 0)
    fail ("hardening is not idempotent", NULL);
out:
  hs_json_free (w2);
  hs_json_free (w1);
  hs_json_free (tree);
  free (out);
  hs_error_release (&err);
  return 0;
}
