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

#include <sys/stat.h>

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
  HS_TARGET_UPDATE,  /* update: spec holds {"linux": {"resources": <what update sets>}} */
} hs_target_t;

/* Facts about the host; a test seam, filled by host detection in main. */
typedef struct
{
  bool apparmor_enabled;
  bool selinux_enabled;
  /* Built without libapparmor / libselinux: hardshim cannot tell whether
   * the module is enabled (the *_enabled flag is then false). */
  bool apparmor_undetectable;
  bool selinux_undetectable;
  /* No id of hardshim's user namespace is host root (a rootless engine):
   * nothing the container does can reach more than the engine's user. */
  bool caller_unprivileged;
  /* ... and no cgroup v2 hierarchy a runtime it starts could be delegated
   * (cgroup v1 or hybrid): such a runtime cannot apply any cgroup limit. */
  bool caller_without_cgroups;
  /* Where AppArmor lives; NULL: /sbin/apparmor_parser and
   * /sys/kernel/security/apparmor/profiles. */
  const char *apparmor_parser;
  const char *apparmor_profiles;
} hs_host_t;

typedef struct hs_control_s hs_control_t;

/* Who a config is hardened for (create/run/restore), for controls that
 * allocate per container; NULL when hardening a bare tree (unit tests,
 * `hardshimctl check`), where such controls only transform the tree. */
typedef struct
{
  const char *id;
  const char *root;    /* runtime --root, or its default */
  const char *runtime; /* path of the real runtime */
  const char *bundle;  /* NULL: the current directory */
  /* config.json as read (bundle_permissions): the directory holding it,
   * the file's stat and its name for messages; config_st NULL: unknown */
  int config_dirfd;
  const struct stat *config_st;
  const char *config_display;
  /* restore: the config comes back with a CRIU checkpoint, and the flags
   * that decide what of it (control `restore`) */
  bool restore;
  const char *restore_cgroups_mode; /* --manage-cgroups-mode, NULL: absent */
  bool restore_ext_unix_sk;
  const char *restore_mount_context; /* --lsm-mount-context, NULL: absent */
  const char *restore_image_path;    /* where CRIU reads the checkpoint, absolute */
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
  /* The container being created (NULL for a dry run such as `hardshimctl
   * check`): keys for per-container allocations in the registry. */
  const char *runtime_root;
  const char *id;
  /* the control table; NULL: hs_controls (a test seam) */
  const hs_control_t *const *controls;
  /* the container's exception annotations, decided (exceptions.c) */
  struct hs_exceptions_s *exceptions;
  /* exec's --user when it is not the canonical UID[:GID] spelling
   * (exec_user.h): what the runtime makes of it is not ours to guess */
  const char *exec_user_flag;
  /* /proc/self/mountinfo, read by the first control that needs it and
   * freed at the end of the run (hs_harden_mountinfo) */
  struct hs_mountinfo_s *mountinfo;
  /* controls (by table index) an exception turned to audit in this run */
  unsigned long long excepted;
} hs_harden_t;

/* A control's own spelling of `mode` (e.g. AppArmor's required/best-effort),
 * each run by the engine in one of the generic modes. */
typedef struct
{
  const char *name;
  hs_ctl_mode_t mode;
} hs_mode_name_t;

struct hs_control_s
{
  const char *name;
  const char *summary;
  const char *doc; /* for `hardshimctl explain` */
  /* Settings beyond `mode`; NULL if the control has none. */
  int (*validate) (const hs_json_t *settings, hs_error_t *err);
  int (*apply) (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err);
  /* Hardening of an exec'd process; NULL if the control has none. */
  int (*apply_process) (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err);
  /* Judging what `update` would set on a running container (refuse or
   * note only: the runtime applies exactly what it is given); NULL if the
   * control has none. */
  int (*apply_update) (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err);
  /* NULL-terminated `mode` values accepted instead of enforce/reject/audit/off;
   * an absent `mode` is still enforce. NULL: the generic ones. */
  const hs_mode_name_t *modes;
  /* Names of the exceptions the control reads with hs_harden_exception
   * (NULL-terminated; NULL: none). Every control can be turned off per
   * container without declaring anything. */
  const char *const *exceptions;
  /* The control only refuses or notes, never edits the spec: in audit and
   * reject modes the engine then spares the copy it otherwise runs it on
   * (tests/check_harden.c verifies the claim). */
  bool read_only;
};

extern const hs_control_t *const hs_controls[];
typedef int (*hs_control_fn_t) (hs_harden_t *, const hs_json_t *, hs_error_t *);
/* The control's hook for `target`, NULL when it has none. */
hs_control_fn_t hs_control_fn (const hs_control_t *c, hs_target_t target);
const hs_control_t *hs_control_find (const char *name);
const hs_control_t *hs_control_find_in (const hs_control_t *const *table, const char *name);

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
/* The same for the controls named in `only` (NULL-terminated), in table order. */
int hs_harden_run_only (hs_harden_t *h, const char *const *only, hs_error_t *err);

/* For controls. `path` is a JSON path such as `process.capabilities.bounding[3]`. */
void hs_harden_change (hs_harden_t *h, const char *path, const hs_json_t *before,
                       const hs_json_t *after, const char *why, ...)
    __attribute__ ((format (printf, 5, 6)));
/* Returns < 0 (refusal) except in audit mode, where it records and returns 0. */
int hs_harden_refuse (hs_harden_t *h, hs_error_t *err, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
void hs_harden_note (hs_harden_t *h, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Does the container hold the exception `name` of `control` (NULL: the
 * running control), granted by host policy? Then *ret_value is its value
 * (the annotation's text) and the first call audits it as honoured; else
 * false, *ret_value untouched. `name` must be listed in the control's
 * `exceptions`. Every exception annotation not honoured is audited by the
 * engine as ignored, with the reason. See doc/exceptions.md. */
bool hs_harden_exception (hs_harden_t *h, const char *control, const char *name,
                          const char **ret_value);
/* For a check of one value ("refused unless the container holds an allowed
 * exception"): true when the container holds exception `name` of `control`
 * and its value, or an item of its comma-separated list, is `value`. Only
 * then is it audited as honoured; a granted exception for another value
 * stays unused (audited as ignored by the engine). */
bool hs_harden_exception_allows (hs_harden_t *h, const char *control, const char *name,
                                 const char *value);

/* Is control `name` in force for this container: it ran (or runs) in
 * enforce or reject mode, the global mode is enforce and no exception
 * turned it to audit. Exact for controls before the caller in table order. */
bool hs_harden_control_active (const hs_harden_t *h, const char *name);

/* The mount table, read once per run, only when a control asks. */
int hs_harden_mountinfo (hs_harden_t *h, const struct hs_mountinfo_s **ret, hs_error_t *err);

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
/* The same, for container `ctr` (create, run, restore; may be NULL): controls
 * may then reserve per-container resources (registry keys: root and id). */
int hs_harden_spec_for (hs_json_t *spec, const hs_policy_t *policy, const hs_host_t *host,
                        hs_audit_t *audit, const hs_container_t *ctr, hs_error_t *err);

/* The annotation that marks a hardened config. */
#define HS_ANNOTATION_HARDENED "org.hardshim.hardened"
void hs_harden_mark (hs_json_t *spec, const hs_policy_t *policy);

#endif
