/* hardshim: hardening controls and the engine that runs them.
 *
 * A control is a table entry: a name, a summary, a validator for its policy
 * settings and a function over the spec tree. The function edits the tree
 * and reports each edit (hs_harden_change) or refuses (hs_harden_refuse).
 * The engine applies the control's policy mode:
 *   enforce  edits land in the spec;
 *   reject   the control runs on a copy, and any edit it would make refuses
 *            the container instead;
 *   audit    the control runs on a copy; edits and refusals are only recorded;
 *   off      the control does not run.
 * Controls run in table order: later ones see earlier ones' results (the
 * seccomp profile depends on the final capabilities). */
#ifndef HS_HARDEN_H
#define HS_HARDEN_H

#include "audit.h"
#include "json.h"
#include "policy.h"

typedef enum
{
  HS_CTL_ENFORCE,
  HS_CTL_REJECT,
  HS_CTL_AUDIT,
  HS_CTL_OFF,
} hs_ctl_mode_t;

typedef enum
{
  HS_TARGET_CONFIG,  /* config.json of create/run/restore */
  HS_TARGET_PROCESS, /* exec: spec holds {"process": <process file>} */
} hs_target_t;

/* Facts about the host; a test seam, filled by host detection in main. */
typedef struct
{
  bool apparmor_enabled;
  bool selinux_enabled;
} hs_host_t;

/* Who a config is hardened for (create/run/restore), for controls that
 * allocate per container; NULL when hardening a bare tree (unit tests,
 * `hardshimctl check`), where such controls only transform the tree. */
typedef struct
{
  const char *id;
  const char *root;    /* runtime --root, or its default */
  const char *runtime; /* path of the real runtime */
  const char *bundle;  /* NULL: the current directory */
} hs_container_t;

typedef struct
{
  hs_json_t *spec;
  const hs_policy_t *policy;
  const hs_host_t *host;
  hs_audit_t *audit;
  hs_target_t target;
  /* The container's hardened config when hardening an exec, else NULL. */
  const hs_json_t *container;
  const hs_container_t *ctr;
  /* set by the engine for the running control */
  const char *control;
  hs_ctl_mode_t mode;
  size_t changes;
  char *first_change;
} hs_harden_t;

typedef struct
{
  const char *name;
  const char *summary;
  const char *doc; /* for `hardshimctl explain` */
  /* Settings beyond `mode`; NULL if the control has none. */
  int (*validate) (const hs_json_t *settings, hs_error_t *err);
  int (*apply) (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err);
  /* Hardening of an exec'd process; NULL if the control has none. */
  int (*apply_process) (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err);
  /* Extra values the control accepts for `mode` (NULL-terminated, or
   * NULL): each means enforce, with a variant the control reads itself
   * through hs_settings_mode_name. */
  const char *const *modes;
} hs_control_t;

extern const hs_control_t *const hs_controls[];
const hs_control_t *hs_control_find (const char *name);

/* Check every top-level policy key names a global setting or a control,
 * and each control's settings. */
int hs_policy_validate_controls (const hs_policy_t *policy, hs_error_t *err);
int hs_control_mode (const hs_json_t *settings, const char *control, hs_ctl_mode_t *ret,
                     hs_error_t *err);
/* The `mode` string as written (NULL when absent): for controls with modes. */
const char *hs_settings_mode_name (const hs_json_t *settings);

/* Run every control over h->spec. A refusal returns < 0 with a
 * HS_ERR_REFUSED error that names the control and JSON path. */
int hs_harden_run (hs_harden_t *h, hs_error_t *err);

/* For controls. `path` is a JSON path such as `process.capabilities.bounding[3]`. */
void hs_harden_change (hs_harden_t *h, const char *path, const hs_json_t *before,
                       const hs_json_t *after, const char *why, ...)
    __attribute__ ((format (printf, 5, 6)));
/* Returns < 0 (refusal) except in audit mode, where it records and returns 0. */
int hs_harden_refuse (hs_harden_t *h, hs_error_t *err, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
void hs_harden_note (hs_harden_t *h, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Settings helpers: errors name `policy key <control>.<key>`. */
int hs_settings_bool (const hs_json_t *settings, const char *control, const char *key, bool dflt,
                      bool *ret, hs_error_t *err);
int hs_settings_string_array (const hs_json_t *settings, const char *control, const char *key,
                              const hs_json_t **ret, hs_error_t *err);
int hs_settings_check_keys (const hs_json_t *settings, const char *control,
                            const char *const *known, hs_error_t *err);

/* Load the host policy and validate every control's settings. */
int hs_harden_load_policy (const hs_policy_paths_t *paths, hs_policy_t **ret, hs_error_t *err);

/* Validate a config.json tree, run every control, mark it hardened when
 * admitted. The tree is edited in place. */
int hs_harden_spec (hs_json_t *spec, const hs_policy_t *policy, const hs_host_t *host,
                    hs_audit_t *audit, hs_error_t *err);
/* The same, for container `ctr` (may be NULL). */
int hs_harden_spec_for (hs_json_t *spec, const hs_policy_t *policy, const hs_host_t *host,
                        hs_audit_t *audit, const hs_container_t *ctr, hs_error_t *err);

/* The annotation that marks a hardened config. */
#define HS_ANNOTATION_HARDENED "org.hardshim.hardened"
void hs_harden_mark (hs_json_t *spec, const hs_policy_t *policy);

#endif
