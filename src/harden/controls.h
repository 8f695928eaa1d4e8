/* Every hardening control, one file each under src/harden/. */
#ifndef HS_HARDEN_CONTROLS_H
#define HS_HARDEN_CONTROLS_H

#include "harden.h"

extern const hs_control_t hs_control_no_new_privileges;
/* slot: controls-a */
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
/* slot: seccomp */
/* slot: lsm */

#endif
