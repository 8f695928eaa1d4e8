#include "release.h"
#include "cleanup.h"
#include "config_record.h"
#include "container_id.h"
#include "liveness.h"
#include "mcs.h"
#include "userns_alloc.h"

/* Add an entry per module that allocates per container. */
static const hs_releaser_t *const releasers[] = {
  /* slot: userns */
  &hs_releaser_userns,
  /* slot: lsm */
  &hs_releaser_selinux,
  &hs_releaser_config,
  NULL,
};

void
hs_release_container (const hs_policy_t *policy, const hs_invocation_t *inv, hs_audit_t *audit)
{
  cleanup_free char *root = NULL;

  /* nothing was ever allocated for an id create refuses */
  if (!hs_container_id_valid (inv->id))
    return;
  /* as create recorded it: absolute, whatever the cwd of this delete */
  root = hs_runtime_root_absolute (hs_cli_runtime_root (inv));
  for (size_t i = 0; releasers[i] != NULL; i++)
    {
      cleanup_error hs_error_t err = NULL;

      if (releasers[i]->release (policy, root, inv->id, &err) < 0 && err != NULL)
        hs_audit_add (audit, releasers[i]->name, HS_ACT_NOTE, NULL, NULL, NULL, err->msg);
    }
}
