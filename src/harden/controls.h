/* Every hardening control, one file each under src/harden/. */
#ifndef HS_HARDEN_CONTROLS_H
#define HS_HARDEN_CONTROLS_H

#include "harden.h"

extern const hs_control_t hs_control_no_new_privileges;
/* slot: spec fields */
extern const hs_control_t hs_control_spec_fields;
extern const hs_control_t hs_control_bundle_permissions;
extern const hs_control_t hs_control_cgroups;
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
/* slot: runtime advisories */
extern const hs_control_t hs_control_cwd_clean;
extern const hs_control_t hs_control_exec_path;
extern const hs_control_t hs_control_fresh_dev;
extern const hs_control_t hs_control_rootfs_shape;
extern const hs_control_t hs_control_volume_nesting;
extern const hs_control_t hs_control_userns_advisories;
/* slot: userns */
extern const hs_control_t hs_control_userns;
/* What userns replaced in a config (doc/userns.md): the original root.path,
 * the original bind volume sources by destination (a JSON object), and the
 * mapping hardshim set with what it replaced (a JSON object). */
#define HS_USERNS_ANN_ROOTFS "org.hardshim.userns.rootfs"
#define HS_USERNS_ANN_VOLUMES "org.hardshim.userns.volumes"
#define HS_USERNS_ANN_MAPPING "org.hardshim.userns.mapping"
/* ... and the mounts it replaced whole (an mqueue mount made for a joined
 * IPC namespace), by destination: their JSON text. */
#define HS_USERNS_ANN_MOUNTS "org.hardshim.userns.mounts"
/* Before any control runs on a container's config: undo what an earlier
 * hardening of the same config did for another container (those mounts and
 * ids are not this container's), so every control judges the engine's
 * config and userns allocates afresh. */
int hs_userns_restore (hs_harden_t *h, hs_error_t *err);
/* slot: seccomp */
extern const hs_control_t hs_control_seccomp;
/* slot: lsm */
extern const hs_control_t hs_control_apparmor;
extern const hs_control_t hs_control_selinux;
/* slot: runtime advisories */
extern const hs_control_t hs_control_runtime_advisories;
/* last: restore judges the hardened config's labels */
extern const hs_control_t hs_control_restore;
/* The advisory table directory the settings name (or the built-in one). */
const char *hs_runtime_advisories_dir (const hs_json_t *settings);

#endif
