/* hardshim: the config of a created container, found through the real
 * runtime's state, so an exec can be held to what the container got. */
#ifndef HS_CONTAINER_STATE_H
#define HS_CONTAINER_STATE_H

#include "cli.h"
#include "json.h"

/* crun keeps a copy of the config in <root>/<id>/config.json; runc's
 * <root>/<id>/state.json names the bundle (config.labels "bundle=DIR").
 * *ret is NULL when the container or its config cannot be found or read:
 * callers then fall back to the host policy alone. *ret_source names the
 * file read (caller frees) or is NULL. A relative root.path is replaced by
 * the absolute rootfs the runtime's state records. */
void hs_container_config_load (const hs_invocation_t *inv, hs_json_t **ret, char **ret_source);

#endif
