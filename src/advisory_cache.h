/* hardshim: the runtime facts advisories are judged on (name, version,
 * features, Debian package), kept per runtime binary under
 * state_dir/advisories so that create does not run `RUNTIME --version`
 * again: a record is used only while the binary keeps its device, inode,
 * size, mtime and ctime. At most HS_ADVISORY_CACHE_MAX records. */
#ifndef HS_ADVISORY_CACHE_H
#define HS_ADVISORY_CACHE_H

#include <stdbool.h>

#include "error.h"
#include "runtime_probe.h"

#define HS_ADVISORY_CACHE_KIND "advisories"
#define HS_ADVISORY_CACHE_MAX 64
#define HS_DPKG_ADMIN "/var/lib/dpkg"

/* Facts for `runtime` (the path hardshim execs): from the cache when it
 * matches, else probed (and cached when state_dir is usable; state_dir
 * NULL: never cached). *ret_cached says which. */
int hs_advisory_facts (const char *state_dir, const char *runtime, const char *dpkg_admin,
                       hs_probe_t *ret, bool *ret_cached, hs_error_t *err);

#endif
