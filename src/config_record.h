/* hardshim: the digest of the `process` of the config hardshim stored for
 * a container at create, under <state_dir>/config. runc's exec without
 * --process takes the process (capabilities, user, rlimits, labels,
 * noNewPrivileges) from the bundle's config.json at exec time: an exec
 * compares it with the record and is refused when it changed since. */
#ifndef HS_CONFIG_RECORD_H
#define HS_CONFIG_RECORD_H

#include "error.h"
#include "release.h"
#include "sha256.h"

#define HS_CONFIG_RECORD_KIND "config"

/* Record `digest` ("sha256:HEX") for (root, id), replacing an earlier one. */
int hs_config_record_put (const char *state_dir, const char *root, const char *id,
                          const char *digest, hs_error_t *err);

/* The digest recorded for (root, id) into `ret`: 1, or 0 when there is no
 * record; < 0 on error. */
int hs_config_record_get (const char *state_dir, const char *root, const char *id,
                          char ret[HS_DIGEST_LEN], hs_error_t *err);

extern const hs_releaser_t hs_releaser_config;

#endif
