/* hardshim: what the real runtime is: its name and version from its own
 * `--version`, its build features (crun's "+SECCOMP +LIBKRUN" line), and
 * the Debian package it comes from when dpkg installed that very file.
 * Used by `hardshimctl doctor` and, on a cache miss, at create
 * (src/advisory_cache.c keeps the result per runtime binary). */
#ifndef HS_RUNTIME_PROBE_H
#define HS_RUNTIME_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define HS_PROBE_MAX_OUTPUT 4096
#define HS_PROBE_TIMEOUT_MS 2000
#define HS_PROBE_CPU_SECONDS 2
#define HS_PROBE_MAX_FEATURES 64

typedef struct
{
  char *name;      /* "runc", "crun" (the first word of `--version`) */
  char *version;   /* "1.1.5+ds1"; NULL when the output has none */
  char **features; /* NULL: the runtime lists none */
  size_t n_features;
  char *debian_package; /* NULL: not installed by dpkg (or not this file) */
  char *debian_version;
  /* set by src/advisory_cache.c: the binary these facts are of, and the
   * judgement cached with them (a JSON object, or NULL) */
  char *identity;
  struct hs_json_s *judged;
} hs_probe_t;

void hs_probe_clear (hs_probe_t *p);
#define cleanup_probe __attribute__ ((cleanup (hs_probe_clear)))

/* Parse `--version` output: "NAME version X" on the first line; a line of
 * +FEATURE/-FEATURE words lists build features (only the + ones kept). */
int hs_probe_parse_version (const char *out, size_t len, hs_probe_t *ret, hs_error_t *err);

/* Run `runtime --version` (stdin and stderr /dev/null, no inherited fds, a
 * fixed environment), at most HS_PROBE_TIMEOUT_MS, and parse its output. */
int hs_probe_run (const char *runtime, hs_probe_t *ret, hs_error_t *err);

/* Which dpkg package installed `path` (resolved) under the dpkg admin
 * directory `admin` (/var/lib/dpkg): package `name` must list the file in
 * info/NAME.list, directly or as the target of a diversion of a file it
 * lists; then its version from `status`. Sets nothing and returns 0 when
 * the file is not the package's. */
int hs_probe_debian (const char *admin, const char *path, hs_probe_t *p, hs_error_t *err);

/* runc before 1.2.1 joins a container's user namespace before the others
 * (nsexec), so it cannot exec into a container whose joined namespaces its
 * user namespace does not own (runc#4390; 1.2.1 joins in two stages, as
 * crun does). False when the runtime cannot be probed. */
bool hs_probe_joins_userns_first (const char *runtime);

#endif
