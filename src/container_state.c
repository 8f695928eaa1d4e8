#include "container_state.h"
#include "cleanup.h"
#include "fileio.h"
#include "spec.h"
#include "xalloc.h"

#include <string.h>

static hs_json_t *
load_json (const char *dir, const char *name)
{
  cleanup_close int dfd = -1;
  cleanup_free char *buf = NULL;
  hs_error_t err = NULL;
  hs_json_t *tree = NULL;
  size_t len;
  struct stat st;

  dfd = hs_open_dir (dir, &err);
  if (dfd < 0 || hs_read_file_at (dfd, name, HS_JSON_MAX_BYTES, &buf, &len, &st, &err) < 0
      || hs_json_parse (buf, len, &hs_spec_limits, &tree, &err) < 0)
    tree = NULL;
  hs_error_release (&err);
  return tree;
}

/* Both runtimes refuse ids with a slash; never look outside the root. */
static bool
valid_id (const char *id)
{
  return id != NULL && id[0] != '\0' && strchr (id, '/') == NULL && strcmp (id, ".") != 0
         && strcmp (id, "..") != 0;
}

/* The runtime keeps the rootfs it uses (runc: state.json config.rootfs,
 * absolute; crun: status rootfs, relative to its bundle): put it in place
 * of a relative root.path, which is relative to a bundle an exec does not
 * know. */
static void
absolute_root (hs_json_t *config, const hs_json_t *state_rootfs, const hs_json_t *state_bundle)
{
  hs_json_t *root = hs_json_get (config, "root");
  const hs_json_t *path = root && root->type == HS_JSON_OBJECT ? hs_json_get (root, "path") : NULL;
  cleanup_free char *abs = NULL;

  if (path == NULL || path->type != HS_JSON_STRING || path->str[0] == '/' || state_rootfs == NULL
      || state_rootfs->type != HS_JSON_STRING || state_rootfs->str[0] == '\0')
    return;
  if (state_rootfs->str[0] == '/')
    abs = hs_xstrdup (state_rootfs->str);
  else if (state_bundle != NULL && state_bundle->type == HS_JSON_STRING
           && state_bundle->str[0] == '/')
    abs = hs_xasprintf ("%s/%s", state_bundle->str, state_rootfs->str);
  else
    return;
  hs_json_set (root, "path", hs_json_new_string (abs));
}

void
hs_container_config_load (const hs_invocation_t *inv, hs_json_t **ret, char **ret_source)
{
  cleanup_free char *dir = NULL;
  cleanup_json hs_json_t *state = NULL;
  const hs_json_t *labels;

  *ret = NULL;
  *ret_source = NULL;
  if (!valid_id (inv->id))
    return;
  dir = hs_xasprintf ("%s/%s", hs_cli_runtime_root (inv), inv->id);
  if (inv->dialect == HS_DIALECT_ARGP)
    {
      *ret = load_json (dir, "config.json");
      if (*ret != NULL)
        {
          cleanup_json hs_json_t *status = load_json (dir, "status");
          absolute_root (*ret, hs_json_get (status, "rootfs"), hs_json_get (status, "bundle"));
          *ret_source = hs_xasprintf ("%s/config.json", dir);
        }
      return;
    }
  state = load_json (dir, "state.json");
  labels = hs_json_path (state, "config", "labels", NULL);
  for (size_t i = 0; labels != NULL && labels->type == HS_JSON_ARRAY && i < labels->len; i++)
    {
      const hs_json_t *l = labels->items[i];
      if (l->type == HS_JSON_STRING && strncmp (l->str, "bundle=", 7) == 0 && l->str[7] == '/')
        {
          *ret = load_json (l->str + 7, "config.json");
          if (*ret != NULL)
            {
              absolute_root (*ret, hs_json_path (state, "config", "rootfs", NULL), NULL);
              *ret_source = hs_xasprintf ("%s/config.json", l->str + 7);
            }
          return;
        }
    }
}
