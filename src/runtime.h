/* hardshim: find the real runtime and hand over to it with execv, so
 * signals, exit status, pid files and inherited fds stay the runtime's. */
#ifndef HS_RUNTIME_H
#define HS_RUNTIME_H

#include "cli.h"
#include "error.h"
#include "node_runtimes.h"

/* What decides the real runtime, strongest first. */
typedef struct
{
  const char *env;        /* HARDSHIM_RUNTIME (empty is unset) */
  const char *configured; /* the policy key `runtime` (NULL when the policy is invalid) */
  const char *argv0;      /* the name hardshim was invoked as */
  const char *real_dir;   /* where a node-wide install keeps the real runtimes */
} hs_runtime_query_t;

typedef struct
{
  char *path;                           /* what hardshim execs */
  const char *source;                   /* what chose it, for messages */
  const hs_node_runtime_t *in_place_of; /* invoked under a node runtime's name, or NULL */
  hs_dialect_t dialect;                 /* how the real runtime reads argv */
} hs_runtime_t;

/* HARDSHIM_RUNTIME, else the policy's `runtime`, else, when hardshim was
 * invoked as `runc` or `crun` (installed in place of it), REAL_DIR/NAME and
 * nothing else: no search, so hardshim never finds itself. Invoked under
 * any other name: the first of /usr/sbin/runc, /usr/bin/runc, /usr/bin/crun
 * that exists, where one that is hardshim stands for the real runtime behind
 * it. A runtime that is hardshim itself is refused. */
int hs_runtime_resolve (const hs_runtime_query_t *q, hs_runtime_t *ret, hs_error_t *err);
void hs_runtime_release (hs_runtime_t *rt);

/* The dialect to read argv with when no runtime could be resolved (so the
 * error still reaches the engine's --log): the invoked name's, else runc's. */
hs_dialect_t hs_runtime_invoked_dialect (const hs_runtime_query_t *q);

/* How a runtime reads its command line: from the name of the file `path`
 * resolves to, else the name `path` has, else the name hardshim was invoked
 * as (`in_place_of`, may be NULL), else runc's. */
hs_dialect_t hs_runtime_dialect (const char *path, const hs_node_runtime_t *in_place_of);

/* execv(runtime, argv with argv[0] = runtime). Returns only on failure. */
int hs_runtime_exec (const char *runtime, int argc, char *const *argv, hs_error_t *err);

/* `--version`: the runtime's own output unchanged, then hardshim's line,
 * which names the runtime, the dialect and the name hardshim stands in for.
 * Returns the runtime's exit status. */
int hs_runtime_version (const hs_runtime_t *rt, int argc, char *const *argv, hs_error_t *err);

#endif
