/* libFuzzer: a config's linux.seccomp intersected with the profile the
 * policy generates. The first byte picks the generation context
 * (capabilities, noNewPrivileges, 32-bit ABIs) and whether libseccomp
 * validates the result; the rest is the container's linux.seccomp.
 * Invariants: no crash or leak; the intersection never allows a call
 * (syscall + arguments, sampled as in tests/check_seccomp.c) that either
 * side refuses, never loosens an action, refuses only with an answer one
 * side gave, never holds two matching rules of different actions where
 * one allows (libseccomp's rule order would decide); it survives the OCI
 * round trip with the same verdicts. */
#include "cleanup.h"
#include "json.h"
#include "seccomp_internal.h"
#include "seccomp_profile.h"
#include "spec.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  hs_sc_action_t action;
  uint32_t errno_ret;
} verdict_t;

typedef enum
{
  EVAL_STRICT,
  EVAL_OPTIMISTIC,
  EVAL_PESSIMISTIC,
} eval_mode_t;

static const char *const caps_json[] = {
  "[]",
  "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\","
  "\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\","
  "\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\",\"CAP_AUDIT_WRITE\"]",
  "[\"CAP_SYS_ADMIN\"]",
  "[\"CAP_NET_RAW\",\"CAP_SYS_PTRACE\",\"CAP_SYS_MODULE\",\"CAP_BPF\"]",
};
#define N_CAPS (sizeof (caps_json) / sizeof (caps_json[0]))

/* Policy profiles: (caps, nnp, compat) generated once. */
static hs_sc_profile_t *policy_profiles[N_CAPS][2][2];

static bool
permissive (verdict_t v)
{
  return v.action > HS_SC_ERRNO;
}

static bool
cond_holds (const hs_sc_cond_t *c, const uint64_t *args)
{
  uint64_t x = args[c->index];
  switch (c->op)
    {
    case HS_SC_NE:
      return x != c->value;
    case HS_SC_LT:
      return x < c->value;
    case HS_SC_LE:
      return x <= c->value;
    case HS_SC_EQ:
      return x == c->value;
    case HS_SC_GE:
      return x >= c->value;
    case HS_SC_GT:
      return x > c->value;
    case HS_SC_MASKED_EQ:
      return (x & c->value) == c->value_two;
    }
  return false;
}

/* One side's rules for one syscall name, and its default. */
typedef struct
{
  verdict_t dflt;
  const hs_sc_rule_t **rules;
  size_t n;
} view_t;

static void
view_of (const hs_sc_profile_t *p, const char *name, view_t *v)
{
  v->dflt = (verdict_t){ p->default_action, p->has_default_errno ? p->default_errno : EPERM };
  v->n = 0;
  for (size_t i = 0; i < p->n_rules; i++)
    if (strcmp (p->rules[i].name, name) == 0)
      v->rules[v->n++] = &p->rules[i];
}

/* What the filter does with one call (mirrors tests/check_seccomp.c):
 * strict aborts when an allowance overlaps a rule of another action;
 * optimistic/pessimistic take the loosest/strictest matching rule. */
static verdict_t
eval (const view_t *p, const uint64_t args[6], eval_mode_t mode)
{
  verdict_t v = p->dflt;
  bool matched = false;

  for (size_t i = 0; i < p->n; i++)
    {
      const hs_sc_rule_t *r = p->rules[i];
      bool all = true;
      verdict_t w;

      for (size_t j = 0; all && j < r->nargs; j++)
        all = cond_holds (&r->args[j], args);
      if (!all)
        continue;
      w.action = r->action;
      w.errno_ret = r->has_errno ? r->errno_ret : EPERM;
      if (matched && mode == EVAL_STRICT && w.action != v.action
          && (permissive (w) || permissive (v)))
        abort (); /* two matching rules, different actions */
      if (!matched || (mode == EVAL_OPTIMISTIC && w.action > v.action)
          || (mode == EVAL_PESSIMISTIC && w.action < v.action))
        v = w;
      matched = true;
    }
  if (v.action != HS_SC_ERRNO)
    v.errno_ret = 0;
  return v;
}

static bool
same (verdict_t a, verdict_t b)
{
  return a.action == b.action && a.errno_ret == b.errno_ret;
}

/* Does one of the side's rules matching the call answer so? Overlapping
 * refusals of one side may answer either way (libseccomp: a rule without
 * conditions wins, whatever the order). */
static bool
side_answers (const view_t *p, const uint64_t args[6], verdict_t v)
{
  for (size_t i = 0; i < p->n; i++)
    {
      const hs_sc_rule_t *r = p->rules[i];
      bool all = true;
      verdict_t w;

      for (size_t j = 0; all && j < r->nargs; j++)
        all = cond_holds (&r->args[j], args);
      w.action = r->action;
      w.errno_ret = r->action != HS_SC_ERRNO ? 0 : r->has_errno ? r->errno_ret : EPERM;
      if (all && same (w, v))
        return true;
    }
  return false;
}

static const uint64_t base_vals[]
    = { 0,  1,     2,       3,          8,          10,         16,         17,        38,
        40, 0x803, 0x20000, 0x10000000, 0x40000000, 0xffffffff, 1ull << 40, UINT64_MAX };
#define N_BASE (sizeof (base_vals) / sizeof (base_vals[0]))
#define MAX_VALS 40

static void
add_val (uint64_t *vals, size_t *n, uint64_t v)
{
  for (size_t i = 0; i < *n; i++)
    if (vals[i] == v)
      return;
  if (*n < MAX_VALS)
    vals[(*n)++] = v;
}

/* The argument values worth trying: the boundaries the sides' conditions
 * draw, then the base set; a name nobody filters by argument needs one. */
static size_t
vals_for (const view_t *views, size_t nviews, uint64_t *vals)
{
  size_t n = 0;

  for (size_t s = 0; s < nviews; s++)
    for (size_t i = 0; i < views[s].n; i++)
      for (size_t j = 0; j < views[s].rules[i]->nargs; j++)
        {
          const hs_sc_cond_t *c = &views[s].rules[i]->args[j];
          add_val (vals, &n, c->value);
          add_val (vals, &n, c->value - 1);
          add_val (vals, &n, c->value + 1);
          add_val (vals, &n, c->value_two);
          add_val (vals, &n, c->value_two | ~c->value);
        }
  if (n == 0)
    {
      vals[0] = 0;
      return 1;
    }
  for (size_t i = 0; i < N_BASE; i++)
    add_val (vals, &n, base_vals[i]);
  return n;
}

static void
check_name (const hs_sc_profile_t *const *profiles, const char *name, const hs_sc_rule_t **buf)
{
  view_t v[4];
  uint64_t vals[MAX_VALS];
  verdict_t dc, dp;
  size_t n;

  for (size_t s = 0; s < 4; s++)
    {
      v[s].rules = buf;
      view_of (profiles[s], name, &v[s]);
      buf += v[s].n;
    }
  dc = v[0].dflt, dp = v[1].dflt;
  if (dc.action != HS_SC_ERRNO)
    dc.errno_ret = 0;
  if (dp.action != HS_SC_ERRNO)
    dp.errno_ret = 0;
  n = vals_for (v, 4, vals);
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++)
      {
        uint64_t args[6];
        for (size_t k = 0; k < 6; k++)
          args[k] = vals[(a + k * b) % n];
        verdict_t vc = eval (&v[0], args, EVAL_OPTIMISTIC);
        verdict_t vc_low = eval (&v[0], args, EVAL_PESSIMISTIC);
        verdict_t vp = eval (&v[1], args, EVAL_STRICT);
        verdict_t vr = eval (&v[2], args, EVAL_STRICT);

        verdict_t vrt = eval (&v[3], args, EVAL_STRICT);
        /* Overlapping refusals may answer either way ("either refuses"),
         * so the round trip must keep what is allowed, and refuse the rest. */
        if (permissive (vr) != permissive (vrt) || (permissive (vr) && !same (vr, vrt)))
          {
            fprintf (stderr,
                     "fuzz_seccomp: %s(%#llx, %#llx): %d/%u, after the OCI round trip %d/%u\n",
                     name, (unsigned long long) args[0], (unsigned long long) args[1], vr.action,
                     vr.errno_ret, vrt.action, vrt.errno_ret);
            abort (); /* changed by the OCI round trip */
          }
        if (!permissive (vrt) && !same (vrt, vc) && !same (vrt, vc_low) && !same (vrt, vp)
            && !same (vrt, dc) && !same (vrt, dp) && !side_answers (&v[0], args, vrt)
            && !side_answers (&v[1], args, vrt))
          abort (); /* after the round trip, a refusal neither side asked for */
        if (permissive (vr) && !(permissive (vc) && permissive (vp)))
          abort (); /* allowed by the intersection only */
        if (permissive (vr) && (vr.action > vc.action || vr.action > vp.action))
          abort (); /* looser than a side */
        if (!permissive (vr) && !same (vr, vc) && !same (vr, vc_low) && !same (vr, vp)
            && !same (vr, dc) && !same (vr, dp) && !side_answers (&v[0], args, vr)
            && !side_answers (&v[1], args, vr))
          abort (); /* a refusal neither side asked for */
      }
}

/* Every name any side mentions, and one none does. */
static void
check (const hs_sc_profile_t *c, const hs_sc_profile_t *p, const hs_sc_profile_t *r,
       const hs_sc_profile_t *rt)
{
  const hs_sc_profile_t *profiles[4] = { c, p, r, rt };
  size_t total = c->n_rules + p->n_rules + r->n_rules + rt->n_rules;
  const hs_sc_rule_t **buf = hs_xcalloc (total + 1, sizeof (*buf));
  char **names = hs_xcalloc (total + 1, sizeof (*names));
  size_t nn = 0;

  for (size_t s = 0; s < 3; s++)
    for (size_t i = 0; i < profiles[s]->n_rules; i++)
      if (!hs_sc_name_seen (names, nn, profiles[s]->rules[i].name))
        names[nn++] = profiles[s]->rules[i].name;
  names[nn++] = (char *) "not_in_any_profile";
  for (size_t i = 0; i < nn; i++)
    check_name (profiles, names[i], buf);
  free (names);
  free (buf);
}

static void
init (void)
{
  static const hs_json_limits_t limits = { 1 << 20, 32, true };
  const char *text = hs_sc_builtin_source ("default");
  cleanup_json hs_json_t *src = NULL;

  if (text == NULL || hs_json_parse (text, strlen (text), &limits, &src, NULL) < 0)
    abort ();
  for (size_t c = 0; c < N_CAPS; c++)
    for (size_t nnp = 0; nnp < 2; nnp++)
      for (size_t compat = 0; compat < 2; compat++)
        {
          cleanup_json hs_json_t *caps = NULL;
          if (hs_json_parse (caps_json[c], strlen (caps_json[c]), &limits, &caps, NULL) < 0)
            abort ();
          hs_sc_context_t ctx = { "SCMP_ARCH_X86_64", compat, 6, 1, caps, nnp };
          if (hs_sc_generate (src, &ctx, &policy_profiles[c][nnp][compat], NULL) < 0)
            abort ();
        }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_json hs_json_t *tree = NULL, *oci = NULL;
  cleanup_sc_profile hs_sc_profile_t *c = NULL, *r = NULL, *rt = NULL;
  hs_sc_notes_t notes = { 0 };
  hs_error_t err = NULL;
  const hs_sc_profile_t *p;
  bool validate, cached;

  if (policy_profiles[0][0][0] == NULL)
    init ();
  if (size < 1)
    return 0;
  p = policy_profiles[(data[0] >> 2) % N_CAPS][data[0] & 1][(data[0] >> 1) & 1];
  validate = (data[0] & 0x30) == 0x30;
  if (hs_json_parse ((const char *) data + 1, size - 1, &hs_spec_limits, &tree, &err) < 0
      || hs_sc_from_oci (tree, "linux.seccomp", &c, &err) < 0
      || hs_sc_intersect (c, p, "SCMP_ARCH_X86_64", &r, &notes, &err) < 0)
    goto out;
  /* the runtime reads what hs_sc_to_oci writes: same meaning */
  oci = hs_sc_to_oci (r);
  if (hs_sc_from_oci (oci, "linux.seccomp", &rt, &err) < 0)
    abort ();
  check (c, p, r, rt);
  if (validate && hs_sc_validate (r, NULL, &notes, &cached, &err) < 0)
    goto out;
out:
  hs_sc_notes_release (&notes);
  hs_error_release (&err);
  return 0;
}
