#include "node_runtimes.h"
#include "xalloc.h"

#include <string.h>

/* Debian's paths (runc 1.1, crun 1.8 in bookworm). */
const hs_node_runtime_t hs_node_runtimes[] = {
  { "runc", "/usr/sbin/runc" },
  { "crun", "/usr/bin/crun" },
  { NULL, NULL },
};

const hs_node_runtime_t *
hs_node_runtime_named (const char *name)
{
  for (const hs_node_runtime_t *r = hs_node_runtimes; name != NULL && r->name != NULL; r++)
    if (strcmp (r->name, name) == 0)
      return r;
  return NULL;
}

char *
hs_node_real_path (const char *real_dir, const hs_node_runtime_t *r)
{
  return hs_xasprintf ("%s/%s", real_dir, r->name);
}

const char *
hs_path_base (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}
