#include "config_record.h"
#include "cleanup.h"
#include "registry.h"

#include <errno.h>
#include <string.h>

int
hs_config_record_put (const char *state_dir, const char *root, const char *id, const char *digest,
                      hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  hs_json_t *v = hs_json_new (HS_JSON_OBJECT);
  int r;

  hs_json_set_exact (v, "sha256", hs_json_new_string (digest));
  r = hs_registry_lock (state_dir, HS_CONFIG_RECORD_KIND, &reg, err);
  if (r < 0)
    {
      hs_json_free (v);
      return r;
    }
  r = hs_registry_put (&reg, root, id, v, err);
  hs_registry_unlock (&reg);
  return r;
}

int
hs_config_record_get (const char *state_dir, const char *root, const char *id,
                      char ret[HS_DIGEST_LEN], hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  cleanup_json hs_json_t *v = NULL;
  const hs_json_t *d;
  int r;

  r = hs_registry_lock (state_dir, HS_CONFIG_RECORD_KIND, &reg, err);
  if (r < 0)
    return r;
  v = hs_registry_get (&reg, root, id);
  hs_registry_unlock (&reg);
  if (v == NULL)
    return 0;
  d = hs_json_get_type (v, "sha256", HS_JSON_STRING);
  if (d == NULL || d->len >= HS_DIGEST_LEN)
    return hs_error_make (err, 0, "the config record of `%s` is malformed", id);
  memcpy (ret, d->str, d->len + 1);
  return 1;
}

static int
release (const hs_policy_t *policy, const char *root, const char *id, hs_error_t *err)
{
  hs_registry_t reg = { -1, -1, NULL };
  int r;

  r = hs_registry_lock (policy->state_dir, HS_CONFIG_RECORD_KIND, &reg, err);
  if (r < 0)
    return r;
  /* kept while the container may still exec */
  if (!hs_registry_releasable (&reg, root, id))
    {
      hs_registry_unlock (&reg);
      return hs_error_make (err, 0, HS_RELEASE_DEFERRED, id, "config record");
    }
  r = hs_registry_remove (&reg, root, id);
  if (r < 0 && r != -ENOENT)
    r = hs_error_make (err, -r, "remove the config record of `%s`", id);
  else
    r = 0;
  hs_registry_unlock (&reg);
  return r;
}

const hs_releaser_t hs_releaser_config = {
  .name = "exec_config",
  .release = release,
};
