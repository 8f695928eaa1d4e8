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
/* slot: userns */
extern const hs_control_t hs_control_userns;
/* slot: seccomp */
/* slot: lsm */
extern const hs_control_t hs_control_apparmor;
extern const hs_control_t hs_control_selinux;

#endif
