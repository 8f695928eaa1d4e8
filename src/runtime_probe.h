/* hardshim: asking the real runtime what it is, for behaviour that differs
 * between versions. */
#ifndef HS_RUNTIME_PROBE_H
#define HS_RUNTIME_PROBE_H

#include <stdbool.h>

/* Run `runtime ARG` and return its stdout (at most 64 KiB; caller frees),
 * or NULL when it cannot run or exits non-zero. */
char *hs_runtime_capture (const char *runtime, const char *arg);

/* runc before 1.2.1 joins a container's user namespace before the others
 * (nsexec), so it cannot exec into a container whose joined namespaces its
 * user namespace does not own (runc#4390; 1.2.1 joins in two stages, as
 * crun does). */
bool hs_runtime_joins_userns_first (const char *runtime);

#endif
