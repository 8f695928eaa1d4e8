/* hardshim: on `delete`, give back what create took for the container
 * (SELinux categories, user-namespace ranges, idmapped mounts). delete
 * itself always passes through unchanged: trouble here is recorded, never
 * shown on delete's output or exit status. */
#ifndef HS_RELEASE_H
#define HS_RELEASE_H

#include "audit.h"
#include "cli.h"
#include "policy.h"

typedef struct
{
  const char *name;
  /* Release what `id` (under runtime root `root`) holds; < 0 on trouble. */
  int (*release) (const hs_policy_t *policy, const char *root, const char *id, hs_error_t *err);
} hs_releaser_t;

/* What a releaser says when the container is not verifiably gone (%s: the
 * id, then what stays held). */
#define HS_RELEASE_DEFERRED                                                                        \
  "`%s` is not verifiably gone (the runtime still has it, with its init running, or it cannot "    \
  "be seen from here): its %s stay held until a later create finds it gone"

/* Run every releaser; failures become audit records. */
void hs_release_container (const hs_policy_t *policy, const hs_invocation_t *inv,
                           hs_audit_t *audit);

#endif
