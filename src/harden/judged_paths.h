/* What the mounts control judged, by the name it left in the config: the
 * object (device, inode, mount) each host path resolved to. A control that
 * mounts such a path itself later in the run (userns) opens it again and
 * must find the same object there: a rename in between (a bundle owner's,
 * or a container's inside a shared volume) is refused, not mounted. */
#ifndef HS_HARDEN_JUDGED_PATHS_H
#define HS_HARDEN_JUDGED_PATHS_H

#include "harden.h"
#include "hostpath.h"

typedef enum
{
  HS_JUDGED_NONE,  /* the mounts control did not judge this name */
  HS_JUDGED_SAME,  /* it names the object judged */
  HS_JUDGED_OTHER, /* it names something else now */
} hs_judged_t;

/* Record that `p` (existing, resolved) was judged under the name p->path. */
void hs_judged_add (hs_harden_t *h, const hs_hostpath_t *p);
/* Is `p`, opened under the name `name` (absolute, clean), what was judged
 * under that name? */
hs_judged_t hs_judged_check (const hs_harden_t *h, const char *name, const hs_hostpath_t *p);
/* End of the run: free the records. */
void hs_judged_free (hs_harden_t *h);

#endif
