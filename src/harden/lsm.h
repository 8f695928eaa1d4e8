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

/* Does the container hold an allowed exception for `what` (e.g.
 * "apparmor=unconfined", "selinux=spc_t") under control h->control? This is
 * the one place the exceptions mechanism plugs in; until then nothing is
 * excepted, so the request is refused. */
bool hs_lsm_excepted (const hs_harden_t *h, const char *what);

/* exec --apparmor and --process-label, restore --lsm-profile TYPE:NAME.
 * `config` is the hardened config.json for restore, NULL for exec. */
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
