/* hardshim: seccomp profiles.
 *
 * Three steps, each pure but the last:
 *   generate   hardshim's source profile (profiles/seccomp/, doc/seccomp.md)
 *              + the container's facts -> an OCI linux.seccomp;
 *   intersect  a profile the config already carries with the generated one:
 *              the result allows a call only where both allow it;
 *   validate   build the filter with libseccomp for every architecture,
 *              dropping syscall names this libseccomp does not know; the
 *              outcome is cached by profile digest under <state_dir>/seccomp.
 *
 * Internally a profile is a list of rules of ONE syscall name each, with at
 * most one condition per argument (runc ORs conditions on the same argument
 * where libseccomp ANDs them, so hardshim never emits two). */
#ifndef HS_SECCOMP_H
#define HS_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "harden.h"
#include "json.h"

/* Strictest first: a smaller value refuses more. */
typedef enum
{
  HS_SC_KILL_PROCESS,
  HS_SC_KILL_THREAD,
  HS_SC_KILL, /* SCMP_ACT_KILL: kill thread, kept under its own spelling */
  HS_SC_TRAP,
  HS_SC_ERRNO,
  HS_SC_TRACE,
  HS_SC_NOTIFY,
  HS_SC_LOG,
  HS_SC_ALLOW,
} hs_sc_action_t;

typedef enum
{
  HS_SC_NE,
  HS_SC_LT,
  HS_SC_LE,
  HS_SC_EQ,
  HS_SC_GE,
  HS_SC_GT,
  HS_SC_MASKED_EQ,
} hs_sc_op_t;

#define HS_SC_MAX_ARGS 6
/* Rules (one syscall name each) a config's profile may hold: bounds the
 * intersection's work. Docker's default has about 450. */
#define HS_SC_MAX_RULES 8192

typedef struct
{
  unsigned index;
  hs_sc_op_t op;
  uint64_t value, value_two; /* MASKED_EQ: (arg & value) == value_two */
} hs_sc_cond_t;

typedef struct
{
  char *name;
  uint32_t hash; /* of name, set by the profile when the rule is added */
  hs_sc_action_t action;
  bool has_errno;
  uint32_t errno_ret;
  size_t nargs;
  hs_sc_cond_t args[HS_SC_MAX_ARGS]; /* sorted by index, one per index */
} hs_sc_rule_t;

typedef struct
{
  hs_sc_action_t default_action;
  bool has_default_errno;
  uint32_t default_errno;
  char **arches; /* "SCMP_ARCH_X86_64", ... */
  size_t n_arches;
  hs_json_t *extra; /* other linux.seccomp fields kept as they were (flags, listenerPath, ...) */
  hs_sc_rule_t *rules;
  size_t n_rules, cap_rules;
  /* hs_sc_profile_add's duplicate check: open addressing over rule
   * indices + 1 (0 free), built lazily, dropped when rules are removed */
  size_t *slots, n_slots, n_indexed;
} hs_sc_profile_t;

/* Human-readable remarks for the audit trail (dropped rules, names, ...). */
typedef struct
{
  char **items;
  size_t len, cap;
} hs_sc_notes_t;

void hs_sc_notes_release (hs_sc_notes_t *n);
void hs_sc_notes_add (hs_sc_notes_t *n, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* What a container's profile depends on. */
typedef struct
{
  const char *native_arch; /* "SCMP_ARCH_X86_64" */
  bool compat_arches;      /* add the native arch's 32-bit ABIs */
  unsigned kernel_major, kernel_minor;
  const hs_json_t *bounding; /* process.capabilities.bounding, or NULL (no capabilities) */
  bool no_new_privileges;
} hs_sc_context_t;

hs_sc_profile_t *hs_sc_profile_free (hs_sc_profile_t *p);
static inline void
hs_sc_profile_freep (hs_sc_profile_t **p)
{
  *p = hs_sc_profile_free (*p);
}
#define cleanup_sc_profile __attribute__ ((cleanup (hs_sc_profile_freep)))

/* The host's facts: native architecture (libseccomp) and kernel (uname). */
void hs_sc_context_host (hs_sc_context_t *ctx);
/* 32-bit ABIs that run on `native` ("SCMP_ARCH_X86" and "SCMP_ARCH_X32" on x86_64). */
const char *const *hs_sc_compat_arches (const char *native);

/* An OCI linux.seccomp object -> profile. Errors name `path`'s fields. */
int hs_sc_from_oci (const hs_json_t *seccomp, const char *path, hs_sc_profile_t **ret,
                    hs_error_t *err);
/* Profile -> OCI linux.seccomp (new tree): unconditional rules grouped by
 * action, conditional ones one entry each. */
hs_json_t *hs_sc_to_oci (const hs_sc_profile_t *p);

/* Check a source profile's format (names the offending key). */
int hs_sc_source_check (const hs_json_t *source, hs_error_t *err);
/* Source profile + container facts -> profile. */
int hs_sc_generate (const hs_json_t *source, const hs_sc_context_t *ctx, hs_sc_profile_t **ret,
                    hs_error_t *err);

/* The intersection of a container's profile `c` and the policy's `p`:
 * never allows a call that either refuses. `native` is always in the
 * result's architectures (the runtimes add it). */
int hs_sc_intersect (const hs_sc_profile_t *c, const hs_sc_profile_t *p, const char *native,
                     hs_sc_profile_t **ret, hs_sc_notes_t *notes, hs_error_t *err);

/* Build and export the filter with libseccomp for every architecture.
 * Rules naming a syscall this libseccomp does not know are removed and
 * listed in `notes`; any other failure is an error. With `state_dir` the
 * outcome is cached under <state_dir>/seccomp by profile digest; *ret_cached
 * says whether the cache answered. */
int hs_sc_validate (hs_sc_profile_t *p, const char *state_dir, hs_sc_notes_t *notes,
                    bool *ret_cached, hs_error_t *err);

/* Errno names used by source profiles ("EPERM") -> number, or -1. */
int hs_sc_errno_value (const char *name);

/* The profile hardshim gives `spec` (a config.json tree) under the seccomp
 * control's `settings`: source profile `name` (NULL: the policy's) generated
 * for the container, intersected with its linux.seccomp, validated. */
int hs_seccomp_profile_for (const hs_json_t *spec, const hs_json_t *settings, const char *name,
                            const char *state_dir, hs_sc_profile_t **ret, hs_sc_notes_t *notes,
                            bool *ret_cached, hs_error_t *err);

/* The built-in source profile named `name`, or NULL. */
const char *hs_sc_builtin_source (const char *name);

#endif
