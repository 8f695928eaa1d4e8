/* The published runtime escapes each admission rule stands in for, as the
 * rules name them in their messages. The advisory table
 * (profiles/advisories/) maps versions to these rules; keep the ids in
 * step with it. */
#ifndef HS_HARDEN_ADVISORIES_H
#define HS_HARDEN_ADVISORIES_H

/* /dev a link: runc setupPtmx/setupDevSymlinks, crun's device nodes */
#define HS_ADV_DEV_LINK "CVE-2026-41579 (runc), crun device nodes on the host (no CVE id)"
/* the image's /dev/null reopened or bound by the runtime */
#define HS_ADV_DEV_NULL "CVE-2025-31133 (runc), CVE-2026-88265 (crun)"
/* /dev/console made or bound by the runtime */
#define HS_ADV_DEV_CONSOLE "CVE-2025-52565 (runc), CVE-2026-88264 (crun)"
/* the other nodes both runtimes make or bind at /dev */
#define HS_ADV_DEV_NODE "CVE-2025-31133 (runc), CVE-2026-88265 (crun)"
/* a linked /proc: LSM labels and mounts land elsewhere */
#define HS_ADV_PROC_LINK "CVE-2023-28642, CVE-2019-19921, CVE-2023-27561 (runc)"
/* runc's leaked directory fds reached through /proc */
#define HS_ADV_LEAKED_FD "CVE-2024-21626 (runc)"
/* the runtime's own binary reached through /proc/self/exe */
#define HS_ADV_PROC_EXE "CVE-2019-5736 (runc)"
/* mounts raced by another container writing the volume */
#define HS_ADV_MOUNT_RACE "CVE-2021-30465, CVE-2024-45310, CVE-2025-52565, CVE-2025-52881 (runc)"
/* what a user namespace turns from host root into nobody (userns off) */
#define HS_ADV_USERNS                                                                              \
  "CVE-2019-5736, CVE-2024-21626, CVE-2025-31133, CVE-2025-52565, CVE-2025-52881, "                \
  "CVE-2026-41579 (runc); CVE-2026-88264, CVE-2026-88265 (crun)"

#endif
