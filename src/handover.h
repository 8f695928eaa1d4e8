/* Handing the runtime a document hardshim judged: a sealed memfd the
 * runtime inherits across exec, named by /proc/self/fd/N. hardshim is gone
 * once the runtime runs, so a file could only be removed later (and could
 * be swapped under it, or pile up); the memfd dies with the runtime. */
#ifndef HS_HANDOVER_H
#define HS_HANDOVER_H

#include "error.h"
#include "json.h"

/* The fd is moved to 100 or above, past the fds an engine passes with
 * --preserve-fds (the runtime closes everything above those before the
 * container's process starts). *ret_path: "/proc/self/fd/N". */
#define HS_HANDOVER_FD_MIN 100
int hs_handover_json (const hs_json_t *doc, const char *name, char **ret_path, hs_error_t *err);

#endif
