/* privileged: refuse what `docker run --privileged` and `podman run
 * --privileged` produce. Runs first, on the config as the engine wrote it,
 * so the refusal names the real cause instead of a pile of edits. */
#include "harden/controls.h"
#include "harden/caps.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define PRIVILEGED_MSG "privileged containers are not allowed by host policy"

/* A set holding every capability the kernel has. */
static const char *
all_caps_set (const hs_json_t *process)
{
  const hs_json_t *caps = hs_json_get (process, "capabilities");
  uint64_t all = hs_cap_all ();

  if (caps == NULL)
    return NULL;
  if (caps->type == HS_JSON_ARRAY)
    return (hs_cap_mask (caps, NULL, NULL) & all) == all ? "process.capabilities" : NULL;
  if (caps->type != HS_JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < 5; i++)
    {
      static const char *const paths[5]
          = { "process.capabilities.bounding", "process.capabilities.effective",
              "process.capabilities.permitted", "process.capabilities.inheritable",
              "process.capabilities.ambient" };
      const hs_json_t *arr = hs_json_get (caps, hs_cap_sets[i]);

      if (arr != NULL && arr->type == HS_JSON_ARRAY && (hs_cap_mask (arr, NULL, NULL) & all) == all)
        return paths[i];
    }
  return NULL;
}

static bool
absent_or_null (const hs_json_t *v)
{
  return v == NULL || v->type == HS_JSON_NULL;
}

/* A device cgroup rule that allows every device: type "a" or none, no
 * major, no minor (null and -1 mean "any" as well). */
static long
allow_all_devices_rule (const hs_json_t *linux_)
{
  const hs_json_t *devices = hs_json_path (linux_, "resources", "devices", NULL);

  if (devices == NULL || devices->type != HS_JSON_ARRAY)
    return -1;
  for (size_t i = 0; i < devices->len; i++)
    {
      const hs_json_t *d = devices->items[i];
      const hs_json_t *type, *major, *minor;

      if (d->type != HS_JSON_OBJECT || !hs_json_is_true (hs_json_get (d, "allow")))
        continue;
      type = hs_json_get (d, "type");
      major = hs_json_get (d, "major");
      minor = hs_json_get (d, "minor");
      if (!absent_or_null (type) && !(type->type == HS_JSON_STRING && strcmp (type->str, "a") == 0))
        continue;
      if (!absent_or_null (major)
          && !(major->type == HS_JSON_NUMBER && strcmp (major->str, "-1") == 0))
        continue;
      if (!absent_or_null (minor)
          && !(minor->type == HS_JSON_NUMBER && strcmp (minor->str, "-1") == 0))
        continue;
      return (long) i;
    }
  return -1;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *process = hs_json_get (h->spec, "process");
  const hs_json_t *linux_ = hs_json_get (h->spec, "linux");
  const hs_json_t *masked;
  const char *path;
  long rule;

  (void) settings;
  if (process != NULL && process->type == HS_JSON_OBJECT && (path = all_caps_set (process)) != NULL)
    return hs_harden_refuse (h, err, path, "%s", PRIVILEGED_MSG);

  if (linux_ == NULL || linux_->type != HS_JSON_OBJECT)
    return 0; /* no device cgroup rules at all: the runtime's defaults apply */
  masked = hs_json_get (linux_, "maskedPaths");
  if (masked != NULL && masked->type == HS_JSON_ARRAY && masked->len > 0)
    return 0;
  if (!absent_or_null (hs_json_get (linux_, "seccomp")))
    return 0;
  rule = allow_all_devices_rule (linux_);
  if (rule < 0)
    return 0;
  {
    cleanup_free char *p = hs_xasprintf ("linux.resources.devices[%ld]", rule);
    return hs_harden_refuse (h, err, p, "%s", PRIVILEGED_MSG);
  }
}

const hs_control_t hs_control_privileged = {
  .name = "privileged",
  .summary = "privileged containers are refused",
  .doc = "Refuses a config that asks for every capability the kernel has (in any set),\n"
         "or that has no masked paths, no seccomp profile and a device cgroup rule\n"
         "allowing every device: what `docker run --privileged` and `podman run\n"
         "--privileged` produce. Runs first, on the config as the engine wrote it.\n"
         "Message: \"" PRIVILEGED_MSG "\".\n"
         "Settings: mode only (enforce and reject both refuse).\n",
  .apply = apply,
  .read_only = true,
};
