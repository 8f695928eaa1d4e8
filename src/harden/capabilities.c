/* capabilities: every capability set of the process holds only what the
 * host policy allows, and the sets are consistent with each other:
 * effective and permitted within bounding, inheritable and ambient empty
 * unless kept, ambient within permitted and inheritable. Names are checked
 * with libcap. Capabilities are only ever removed, never added. */
#include "harden/controls.h"
#include "harden/caps.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

static const char *const known_keys[] = { "allow", "keep_inheritable", "keep_ambient", NULL };

typedef struct
{
  uint64_t allow;
  bool keep_inheritable;
  bool keep_ambient;
} caps_policy_t;

static int
read_policy (const hs_json_t *settings, caps_policy_t *ret, hs_error_t *err)
{
  const hs_json_t *allow = NULL;
  int r;

  *ret = (caps_policy_t){ 0 };
  if ((r = hs_settings_check_keys (settings, "capabilities", known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, "capabilities", "allow", &allow, err)) < 0
      || (r = hs_settings_bool (settings, "capabilities", "keep_inheritable", false,
                                &ret->keep_inheritable, err))
             < 0
      || (r = hs_settings_bool (settings, "capabilities", "keep_ambient", false, &ret->keep_ambient,
                                err))
             < 0)
    return r;
  for (size_t i = 0; allow != NULL && i < allow->len; i++)
    {
      int v = hs_cap_from_name (allow->items[i]->str);
      if (v < 0)
        return hs_error_make (err, 0,
                              "policy key `capabilities.allow[%zu]`: unknown capability `%s` "
                              "(names look like CAP_CHOWN; see capabilities(7))",
                              i, allow->items[i]->str);
      ret->allow |= UINT64_C (1) << v;
    }
  if (ret->keep_ambient && !ret->keep_inheritable)
    return hs_error_make (err, 0,
                          "policy key `capabilities.keep_ambient`: conflicts with "
                          "`capabilities.keep_inheritable` false (an ambient capability must "
                          "also be inheritable)");
  return 0;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  caps_policy_t p;
  return read_policy (settings, &p, err);
}

/* What the container's hardened config lets an exec'd process have. */
static uint64_t
container_bounding (const hs_json_t *container)
{
  const hs_json_t *caps = hs_json_path (container, "process", "capabilities", NULL);

  if (caps == NULL || caps->type == HS_JSON_NULL)
    return 0; /* the container runs with no capabilities at all */
  if (caps->type == HS_JSON_ARRAY)
    return hs_cap_mask (caps, NULL, NULL);
  if (caps->type != HS_JSON_OBJECT)
    return 0;
  return hs_cap_mask (hs_json_get (caps, "bounding"), NULL, NULL);
}

/* Keep the items of arr whose capability is in keep; record what goes. */
static void
filter_set (hs_harden_t *h, hs_json_t *parent, const char *key, const char *path, uint64_t keep,
            const char *why)
{
  hs_json_t *arr = hs_json_get (parent, key);
  hs_json_t *after;
  uint64_t removed = 0;
  cleanup_free char *names = NULL;

  if (arr == NULL || arr->type != HS_JSON_ARRAY)
    return;
  after = hs_json_new (HS_JSON_ARRAY);
  for (size_t i = 0; i < arr->len; i++)
    {
      int v = arr->items[i]->type == HS_JSON_STRING ? hs_cap_from_name (arr->items[i]->str) : -1;
      if (v >= 0 && (keep & (UINT64_C (1) << v)))
        hs_json_append (after, hs_json_dup (arr->items[i]));
      else if (v >= 0)
        removed |= UINT64_C (1) << v;
    }
  if (after->len == arr->len)
    {
      hs_json_free (after);
      return;
    }
  names = hs_cap_mask_names (removed);
  hs_harden_change (h, path, arr, after, "removed %s: %s", names, why);
  hs_json_set (parent, key, after);
}

/* Unknown names are refused: the runtimes disagree about them (runc
 * ignores them, crun fails), and hardshim cannot judge what it cannot name. */
static int
check_names (hs_harden_t *h, const hs_json_t *arr, const char *path, hs_error_t *err)
{
  for (size_t i = 0; arr != NULL && arr->type == HS_JSON_ARRAY && i < arr->len; i++)
    if (arr->items[i]->type != HS_JSON_STRING || hs_cap_from_name (arr->items[i]->str) < 0)
      {
        cleanup_free char *p = hs_xasprintf ("%s[%zu]", path, i);
        int r = arr->items[i]->type != HS_JSON_STRING
                    ? hs_harden_refuse (h, err, p, "expected a string, got %s",
                                        hs_json_type_name (arr->items[i]->type))
                    : hs_harden_refuse (h, err, p, "unknown capability `%s`", arr->items[i]->str);
        if (r < 0)
          return r;
      }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *process = hs_json_get (h->spec, "process");
  hs_json_t *caps;
  caps_policy_t p;
  uint64_t allow, m[5];
  const char *allow_why;
  int r;

  if ((r = read_policy (settings, &p, err)) < 0)
    return r;
  if (process == NULL || process->type == HS_JSON_NULL)
    return 0;
  if (process->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, "process", "`process` must be an object");
  caps = hs_json_get (process, "capabilities");
  /* Absent: both runtimes give the container none (an exec'd process gets
   * the container's, which were hardened at create). */
  if (caps == NULL || caps->type == HS_JSON_NULL)
    return 0;

  allow = p.allow;
  allow_why = "not in the host policy's capabilities.allow";
  if (h->container != NULL)
    {
      allow &= container_bounding (h->container);
      allow_why = "not allowed by the host policy's capabilities.allow and the container's "
                  "bounding set";
    }

  if (caps->type == HS_JSON_ARRAY)
    {
      /* The pre-1.0 form: one list for every set. Kept in its form (the
       * runtime decides whether it takes it) but cut to the allow list. */
      if ((r = check_names (h, caps, "process.capabilities", err)) < 0)
        return r;
      filter_set (h, process, "capabilities", "process.capabilities", allow, allow_why);
      return 0;
    }
  if (caps->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, "process.capabilities", "expected an object, got %s",
                             hs_json_type_name (caps->type));

  for (size_t i = 0; i < 5; i++)
    {
      const hs_json_t *arr = hs_json_get (caps, hs_cap_sets[i]);
      cleanup_free char *path = hs_xasprintf ("process.capabilities.%s", hs_cap_sets[i]);

      if (arr != NULL && arr->type != HS_JSON_ARRAY && arr->type != HS_JSON_NULL)
        return hs_harden_refuse (h, err, path, "expected an array of strings, got %s",
                                 hs_json_type_name (arr->type));
      if ((r = check_names (h, arr, path, err)) < 0)
        return r;
      m[i] = hs_cap_mask (arr, NULL, NULL);
    }

  /* bounding, effective, permitted, inheritable, ambient */
  m[0] &= allow;
  m[1] &= allow & m[0];
  m[2] &= allow & m[0];
  m[3] = p.keep_inheritable ? m[3] & allow & m[0] : 0;
  m[4] = p.keep_ambient ? m[4] & allow & m[2] & m[3] : 0;

  for (size_t i = 0; i < 5; i++)
    {
      cleanup_free char *path = hs_xasprintf ("process.capabilities.%s", hs_cap_sets[i]);
      const char *why = allow_why;

      if (i == 1 || i == 2)
        why = "not allowed by host policy, or not in the bounding set";
      else if (i == 3)
        why = p.keep_inheritable ? "not allowed by host policy, or not in the bounding set"
                                 : "inheritable capabilities are dropped by host policy "
                                   "(capabilities.keep_inheritable is false)";
      else if (i == 4)
        why = p.keep_ambient ? "not allowed by host policy, or not both permitted and inheritable"
                             : "ambient capabilities are dropped by host policy "
                               "(capabilities.keep_ambient is false)";
      filter_set (h, caps, hs_cap_sets[i], path, m[i], why);
    }
  return 0;
}

const hs_control_t hs_control_capabilities = {
  .name = "capabilities",
  .summary = "capability sets cut to the host's allow list and made consistent",
  .doc = "Removes from process.capabilities (bounding, effective, permitted, inheritable,\n"
         "ambient) every capability not in `allow`; effective and permitted are cut to\n"
         "the bounding set; inheritable and ambient are emptied unless kept, and ambient\n"
         "stays within permitted and inheritable. Nothing is ever added. Unknown names\n"
         "(checked with libcap) are refused. The pre-1.0 array form is cut to `allow`.\n"
         "On exec the process file is cut to `allow` and to the container's bounding set.\n"
         "Settings:\n"
         "  allow             array of names (CAP_CHOWN, ...); default: the 12 of restricted\n"
         "  keep_inheritable  bool, default false\n"
         "  keep_ambient      bool, default false (needs keep_inheritable)\n",
  .validate = validate,
  .apply = apply,
  .apply_process = apply,
};
