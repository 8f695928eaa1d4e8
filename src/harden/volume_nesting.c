/* volume_nesting: a mount whose destination lies inside a writable bind
 * volume is set up by the runtime walking a directory that whoever else
 * writes that volume (another container sharing it: a Docker named
 * volume, a Kubernetes emptyDir) can swap for a symbolic link between the
 * runtime's check and its mount: the race family of CVE-2021-30465,
 * CVE-2024-45310 and the race forms of CVE-2025-52565 / CVE-2025-52881.
 * The config does not show who else writes a volume, and Kubernetes
 * subPath mounts inside an emptyDir are exactly this shape and
 * legitimate, so the preset records it (mode audit) and policy refuses
 * it with mode enforce once the audit log shows what it would refuse. A
 * read-only volume cannot be raced from inside this container, but
 * another writer still can: it counts too. */
#include "harden/advisories.h"
#include "harden/controls.h"
#include "harden/mount_index.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "volume_nesting"

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_mount_index_t x;
  int r = 0;

  (void) settings;
  hs_mount_index_init (&x, hs_json_get (h->spec, "mounts"));
  for (size_t i = 0; r == 0 && i < x.n; i++)
    {
      cleanup_free char *path = NULL;
      size_t j;

      if (x.dests[i] == NULL || !hs_mount_index_above (&x, x.dests[i], i, true, false, true, &j))
        continue;
      path = hs_xasprintf ("mounts[%zu].destination", i);
      r = hs_harden_refuse (h, err, path,
                            "the mount at %s lies inside the bind volume at %s (mounts[%zu]): "
                            "whoever else writes that volume can swap a directory on the way "
                            "for a symbolic link while the runtime mounts (advisories: %s; "
                            "partly covered: who else writes a volume is not in the config)",
                            x.dests[i], x.dests[j], j, HS_ADV_MOUNT_RACE);
    }
  hs_mount_index_release (&x);
  return r;
}

const hs_control_t hs_control_volume_nesting = {
  .name = CONTROL,
  .summary = "mounts nested inside a bind volume (race family of CVE-2021-30465): audit by "
             "default",
  .doc = "A mount whose destination lies below the destination of an earlier bind\n"
         "mount is set up through a directory of that volume; another container\n"
         "writing the same volume can swap it for a symbolic link mid-setup\n"
         "(CVE-2021-30465, CVE-2024-45310, race forms of CVE-2025-52565 and\n"
         "CVE-2025-52881). The presets run this control in mode audit: it records\n"
         "what it would refuse (Kubernetes subPath mounts inside an emptyDir have this\n"
         "shape and are legitimate). Set `\"volume_nesting\": {\"mode\": \"enforce\"}` to\n"
         "refuse. Partial: the config does not say who else writes a volume, so every\n"
         "bind volume counts. No settings.\n",
  .apply = apply,
  .read_only = true,
};
