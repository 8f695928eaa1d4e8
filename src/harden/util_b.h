/* Helpers shared by the controls of src/harden/{readonly_rootfs,mounts,
 * masked_paths,namespaces,devices,sysctls,rlimits,hooks}.c: path
 * arithmetic, host path resolution and typed policy settings. */
#ifndef HS_HARDEN_UTIL_B_H
#define HS_HARDEN_UTIL_B_H

#include <stdbool.h>

#include "harden.h"

/* Lexically clean an absolute or relative path: collapse "//", drop "."
 * and resolve ".." (never above "/" for absolute paths). A relative path
 * stays relative; "" becomes ".". Caller frees. */
char *hs_path_clean (const char *path);
/* A container destination as the runtimes read it: relative means under /. */
char *hs_path_clean_dest (const char *dest);
/* `path` is `prefix` or lies under it (both clean and absolute). */
bool hs_path_is_under (const char *path, const char *prefix);
/* Walked component by component as written (absolute, ".." applied as it
 * comes), does `path` ever reach something strictly below `dir` (clean,
 * absolute)? "/proc/self/fd/7/../../../../bin" does, "/proc/../bin" not. */
bool hs_path_passes_below (const char *path, const char *dir);

/* Resolve a host path as the kernel would at mount time: symlinks resolved
 * for the longest existing prefix, the rest (that does not exist yet)
 * cleaned lexically. A relative path is taken relative to `base` (the
 * bundle) when not NULL. Caller frees. */
char *hs_path_resolve_host (const char *path, const char *base);

/* JSON number -> integer; false when not an integer in range. */
bool hs_json_to_u64 (const hs_json_t *v, unsigned long long *ret);
bool hs_json_to_i64 (const hs_json_t *v, long long *ret);

/* Typed settings: errors name `policy key <control>.<key>`. */
int hs_settings_u64 (const hs_json_t *settings, const char *control, const char *key,
                     unsigned long long dflt, unsigned long long *ret, hs_error_t *err);
int hs_settings_enum (const hs_json_t *settings, const char *control, const char *key,
                      const char *const *choices, const char *dflt, const char **ret,
                      hs_error_t *err);
/* Array of strings from settings, or the built-in default list when unset.
 * The result points into settings or is NULL (use `dflt` then). */
int hs_settings_abs_paths (const hs_json_t *settings, const char *control, const char *key,
                           const hs_json_t **ret, hs_error_t *err);

/* Iterate a string list that is either a JSON array (non-NULL) or a
 * NULL-terminated C default list. */
typedef struct
{
  const hs_json_t *arr;
  const char *const *dflt;
} hs_strlist_t;
size_t hs_strlist_len (const hs_strlist_t *l);
const char *hs_strlist_at (const hs_strlist_t *l, size_t i);
bool hs_strlist_has (const hs_strlist_t *l, const char *s);

#endif
