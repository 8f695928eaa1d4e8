/* Mount entries as runc (1.1-1.3) and crun (1.8-1.2x) read them: which
 * options are the runtime's own flags and which go to the filesystem as its
 * data string, what makes a mount a bind, and the host paths in an overlay
 * mount's data (as the kernel parses it). */
#ifndef HS_HARDEN_MOUNT_OPTIONS_H
#define HS_HARDEN_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "json.h"

/* An option either runtime consumes itself (a mount flag, propagation,
 * tmpcopyup, idmap ...); anything else is passed to the filesystem. */
bool hs_mount_option_is_flag (const char *opt);
/* A bind mount for either runtime: a `bind` or `rbind` option (runc: then
 * the type is ignored), or the type `bind`, or no type at all (crun binds
 * when the flags say so; the type names no filesystem either way). */
bool hs_mount_is_bind (const hs_json_t *type, const hs_json_t *opts);
/* `rbind`: the mounts below the source come along. */
bool hs_mount_is_recursive (const hs_json_t *opts);
/* The data string the runtime hands to mount(2): every option that is not
 * a flag, joined with ','. Caller frees. */
char *hs_mount_data (const hs_json_t *opts);

typedef enum
{
  HS_OVERLAY_LOWER, /* read through: lowerdir, lowerdir+, datadir+ */
  HS_OVERLAY_UPPER, /* written: upperdir, workdir */
} hs_overlay_role_t;

typedef struct
{
  char *path;
  const char *key; /* "lowerdir", "upperdir", ... */
  hs_overlay_role_t role;
  /* false: the kernel's reading of the option; true: another reading
   * (split at every ':' and ',', escapes ignored) that a runtime or kernel
   * parsing differently could take: judged too, never rewritten. */
  bool alternative;
} hs_overlay_path_t;

/* The host paths of an overlay data string, each layer of lowerdir
 * (':'-separated, "::" before data-only layers, '\' escapes), upperdir,
 * workdir, and Linux 6.8's lowerdir+ and datadir+ (one path each, no
 * escapes). An option overlayfs does not know, or one that is not
 * key=value where it must be, is an error naming it: overlay admits only
 * options hardshim understands. */
int hs_overlay_paths (const char *data, hs_overlay_path_t **ret, size_t *ret_n, hs_error_t *err);
void hs_overlay_paths_free (hs_overlay_path_t *v, size_t n);

#endif
