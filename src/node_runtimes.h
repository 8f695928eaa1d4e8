/* hardshim: the runtimes a node-wide install (`hardshimctl install --node`)
 * puts hardshim in place of. Each is known by the command name engines run
 * and the path its Debian package installs it at; the real binary is
 * diverted (dpkg-divert) to REAL_DIR/NAME. hardshim uses the table to know
 * which real runtime a name means, hardshimctl to install, uninstall and
 * report coverage. */
#ifndef HS_NODE_RUNTIMES_H
#define HS_NODE_RUNTIMES_H

typedef struct
{
  const char *name; /* "runc": the command engines run, the package and the real file's name */
  const char *path; /* "/usr/sbin/runc": where the package installs it and hardshim goes */
} hs_node_runtime_t;

/* Terminated by an entry whose name is NULL. */
extern const hs_node_runtime_t hs_node_runtimes[];

/* The entry for a command name ("runc", "crun"), or NULL. */
const hs_node_runtime_t *hs_node_runtime_named (const char *name);

/* REAL_DIR/NAME: where the node-wide install keeps the real runtime. */
char *hs_node_real_path (const char *real_dir, const hs_node_runtime_t *r);

/* The file name part of a path ("runc" for "/usr/sbin/runc"). */
const char *hs_path_base (const char *path);

#endif
