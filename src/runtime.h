/* hardshim: find the real runtime and hand over to it with execv, so
 * signals, exit status, pid files and inherited fds stay the runtime's. */
#ifndef HS_RUNTIME_H
#define HS_RUNTIME_H

#include "error.h"

/* `env` (HARDSHIM_RUNTIME) wins over `configured` (policy `runtime`); with
 * neither, the first of /usr/sbin/runc, /usr/bin/runc, /usr/bin/crun that
 * exists and is not hardshim itself. */
int hs_runtime_resolve (const char *configured, const char *env, char **ret, hs_error_t *err);

/* execv(runtime, argv with argv[0] = runtime). Returns only on failure. */
int hs_runtime_exec (const char *runtime, int argc, char *const *argv, hs_error_t *err);

/* `--version`: the runtime's own output unchanged, then hardshim's line.
 * Returns the runtime's exit status. */
int hs_runtime_version (const char *runtime, int argc, char *const *argv, hs_error_t *err);

#endif
