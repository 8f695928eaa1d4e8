/* hardshim: what the AppArmor and SELinux controls share: their `mode`
 * spelling, the exception check, and the exec/restore command-line flags
 * that name a profile or label. */
#ifndef HS_HARDEN_LSM_H
#define HS_HARDEN_LSM_H

#include "apparmor.h"
#include "cli.h"
#include "harden.h"

/* `mode`: required | best-effort (the default) | audit | off. required and
 * best-effort both run as enforce; they differ only on a host without the
 * module, where required refuses the container and best-effort skips. */
extern const hs_mode_name_t hs_lsm_modes[];
bool hs_lsm_required (const hs_json_t *settings);

/* The named exceptions of the two controls: apparmor `profile` (only
 * `unconfined` asks for one), selinux `type` (spc_t, *unconfined* types). */
extern const char *const hs_apparmor_exceptions[];
extern const char *const hs_selinux_exceptions[];

/* Does the container hold an allowed exception `name` of control
 * h->control whose value lists `value` (apparmor "profile" = "unconfined",
 * selinux "type" = "spc_t")? Audited as honoured when true. */
bool hs_lsm_excepted (hs_harden_t *h, const char *name, const char *value);

/* exec --apparmor and --process-label, restore --lsm-profile TYPE:NAME.
 * `config` is the container's config.json (for restore the hardened one;
 * for exec the one found through the runtime's state, or NULL): a profile
 * or label equal to its own is kept, and its annotations carry the
 * container's exceptions. */
int hs_lsm_harden_flags (const hs_invocation_t *inv, const hs_json_t *config,
                         const hs_policy_t *policy, const hs_host_t *host, hs_audit_t *audit,
                         hs_error_t *err);

/* SELinux labels: user:role:type:level (the level may hold colons). */
typedef struct
{
  char *user, *role, *type, *level;
} hs_selinux_label_t;

int hs_selinux_label_parse (const char *s, hs_selinux_label_t *ret);
void hs_selinux_label_release (hs_selinux_label_t *l);
/* spc_t and unconfined types: no SELinux separation at all. */
bool hs_selinux_type_unconfined (const char *type);
/* The AppArmor profile for a config.json tree under the `apparmor` policy
 * settings: its final process.capabilities.bounding decides the raw/packet
 * network rules. */
int hs_apparmor_render_for (const hs_json_t *spec, const hs_json_t *settings,
                            hs_apparmor_profile_t *ret, hs_error_t *err);
/* Does an AppArmor profile name appear in apparmor.allowed_profiles? */
bool hs_apparmor_profile_allowed (const hs_json_t *settings, const char *name);

#endif
