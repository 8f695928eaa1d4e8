/* hardshim: the runtime facts advisories are judged on (name, version,
 * features, Debian package), kept per runtime binary under
 * state_dir/advisories with the judgement made from them (the open
 * advisories and their covers, and which table file they came from), so
 * that create neither runs `RUNTIME --version` nor parses a table again: a
 * record is used only while the binary keeps its device, inode, size,
 * mtime and ctime. At most HS_ADVISORY_CACHE_MAX records. */
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

/* Keep `judged` (a JSON object; taken) with the facts of `p` (from
 * hs_advisory_facts), so the next create needs no table. Nothing happens
 * when the binary changed since. Failures only cost a later miss. */
void hs_advisory_facts_keep_judged (const char *state_dir, const char *runtime, const hs_probe_t *p,
                                    struct hs_json_s *judged);

/* The identity of a file (device, inode, size, mtime, ctime) as the cache
 * records it; NULL if it cannot be stat'ed. */
char *hs_advisory_file_identity (int dirfd, const char *name);

#endif
