/* hardshimctl install --node / uninstall --node: hardshim in place of runc
 * and crun on a Debian node, and the report of which runtime paths engines
 * run are covered. */
#ifndef HS_CTL_NODE_H
#define HS_CTL_NODE_H

#include "error.h"
#include "json.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct
{
  const char *root;     /* every file lives under it ("" is /) */
  const char *hardshim; /* the hardshim binary the runtime paths point at (a path in root) */
  const char *previous; /* the one a previous install used (its record), or NULL */
  const char *real_dir; /* where the real runtimes are diverted to */
} hs_node_t;

/* The standard daemon PATH (systemd's): where Docker and containerd look
 * up `runc`. NULL-terminated. */
extern const char *const hs_node_path_dirs[];

/* `path` (absolute, in the root) as a path on this host: root + path. */
char *hs_node_file (const hs_node_t *n, const char *path);
/* The host path of the file `path` names after symlinks, resolved inside
 * the root. NULL when it does not exist. */
char *hs_node_resolve (const hs_node_t *n, const char *path);
/* Is `path` (in the root) hardshim: the same file as n->hardshim or
 * n->previous? */
bool hs_node_is_hardshim (const hs_node_t *n, const char *path);
/* The first executable `name` in hs_node_path_dirs (a path in the root), or NULL. */
char *hs_node_path_lookup (const hs_node_t *n, const char *name);

/* What the last install did (HS_NODE_RECORD in the root), or NULL. */
#define HS_NODE_RECORD "/var/lib/hardshim/node-install.json"
hs_json_t *hs_node_read_record (const hs_node_t *n);

/* Run argv (argv[0] absolute) with stdout captured (at most 64 KiB, in
 * *ret_out when not NULL) and stderr passed on; *ret_status is its exit status. */
int hs_node_spawn (char *const argv[], char *const envp[], char **ret_out, int *ret_status,
                   hs_error_t *err);

/* Coverage of the runtime paths engines run, printed as comment lines
 * (`# ...`) or appended to `arr` as objects; returns how many are not
 * covered. */
int hs_node_report (const hs_node_t *n, FILE *out, hs_json_t *arr);

/* Podman: the drop-in that pins runc and crun to hardshim's paths and
 * leaves other runtime names without a binary. */
extern const char hs_node_podman_dropin_path[];
const char *hs_node_podman_dropin (void);

int hs_ctl_install (int argc, char **argv);
int hs_ctl_uninstall (int argc, char **argv);

#endif
