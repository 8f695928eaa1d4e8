/* Every hardening control, one file each under src/harden/. */
#ifndef HS_HARDEN_CONTROLS_H
#define HS_HARDEN_CONTROLS_H

#include "harden.h"

extern const hs_control_t hs_control_no_new_privileges;
/* slot: controls-a */
/* slot: controls-b */
/* slot: userns */
/* slot: seccomp */
extern const hs_control_t hs_control_seccomp;
/* slot: lsm */

#endif
