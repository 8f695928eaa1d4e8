/* Every hardening control, one file each under src/harden/. */
#ifndef HS_HARDEN_CONTROLS_H
#define HS_HARDEN_CONTROLS_H

#include "harden.h"

extern const hs_control_t hs_control_no_new_privileges;
/* slot: controls-a */
extern const hs_control_t hs_control_privileged;
extern const hs_control_t hs_control_runtime_annotations;
extern const hs_control_t hs_control_capabilities;
extern const hs_control_t hs_control_non_root_user;
/* slot: controls-b */
extern const hs_control_t hs_control_readonly_rootfs;
extern const hs_control_t hs_control_mounts;
extern const hs_control_t hs_control_masked_paths;
extern const hs_control_t hs_control_namespaces;
extern const hs_control_t hs_control_devices;
extern const hs_control_t hs_control_sysctls;
extern const hs_control_t hs_control_rlimits;
extern const hs_control_t hs_control_hooks;
/* slot: userns */
extern const hs_control_t hs_control_userns;
/* slot: seccomp */
extern const hs_control_t hs_control_seccomp;
/* slot: lsm */
extern const hs_control_t hs_control_apparmor;
extern const hs_control_t hs_control_selinux;

#endif
