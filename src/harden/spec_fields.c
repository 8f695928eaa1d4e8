/* spec_fields: default deny for config fields. Every field inside
 * `process`, `root`, `mounts`, `hooks` and `linux` (and the top-level ones
 * a runtime acts on) must be in the inventory (src/spec_fields.c): a field
 * no control judges is refused (policy `unknown_fields`), so a newer
 * runtime can never act on something hardshim did not judge; a field the
 * inventory marks refused is refused unless `allow` grants it. Other
 * top-level keys and annotation keys stay lossless. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "spec_fields.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "spec_fields"

static const char *const known_keys[] = { "allow", NULL };

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *allow;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "allow", &allow, err)) < 0)
    return r;
  for (size_t i = 0; allow != NULL && i < allow->len; i++)
    {
      const hs_spec_field_t *f = hs_spec_field_find (allow->items[i]->str);

      if (f == NULL || strcmp (f->owner, HS_FIELD_REFUSED) != 0)
        return hs_error_make (err, 0,
                              "policy key `" CONTROL ".allow[%zu]`: `%s` is not a field the "
                              "inventory refuses (doc/spec-fields.md lists them)",
                              i, allow->items[i]->str);
    }
  return 0;
}

typedef struct
{
  hs_harden_t *h;
  const hs_json_t *allow;
  bool audit_unknown;
} walk_t;

static int
unknown (walk_t *w, const char *jp, hs_error_t *err)
{
  hs_ctl_mode_t mode = w->h->mode;
  int r;

  if (w->audit_unknown)
    w->h->mode = HS_CTL_AUDIT;
  r = hs_harden_refuse (w->h, err, jp,
                        "`%s` is not a field hardshim knows: no control judges what the runtime "
                        "would do with it (policy unknown_fields: %s)",
                        jp, w->audit_unknown ? "audit" : "refuse");
  w->h->mode = mode;
  return r;
}

static int
judge (walk_t *w, const hs_spec_field_t *f, const hs_json_t *v, const char *jp, hs_error_t *err)
{
  if (strcmp (f->owner, HS_FIELD_REFUSED) != 0 || v->type == HS_JSON_NULL)
    return 0;
  if (w->allow != NULL && hs_json_array_find_string (w->allow, f->path) >= 0)
    return 0;
  return hs_harden_refuse (w->h, err, jp,
                           "`%s` is refused by host policy: %s (grant it with `" CONTROL ".allow`)",
                           jp, f->why);
}

static int walk_object (walk_t *w, const hs_json_t *obj, const char *pattern, const char *jp,
                        hs_error_t *err);

static int
walk_value (walk_t *w, const hs_spec_field_t *f, const hs_json_t *v, const char *jp,
            hs_error_t *err)
{
  const hs_spec_field_t *items;
  int r;

  if ((r = judge (w, f, v, jp, err)) < 0)
    return r;
  if (!hs_spec_field_has_children (f->path))
    return 0; /* a leaf: its owner judges what is inside */
  if (v->type == HS_JSON_OBJECT)
    return walk_object (w, v, f->path, jp, err);
  if (v->type != HS_JSON_ARRAY || (items = hs_spec_field_items (f->path)) == NULL)
    return 0;
  for (size_t i = 0; i < v->len; i++)
    {
      cleanup_free char *ip = hs_xasprintf ("%s[%zu]", jp, i);

      if ((r = walk_value (w, items, v->items[i], ip, err)) < 0)
        return r;
    }
  return 0;
}

static int
walk_object (walk_t *w, const hs_json_t *obj, const char *pattern, const char *jp, hs_error_t *err)
{
  int r;

  for (size_t i = 0; i < obj->len; i++)
    {
      const hs_spec_field_t *f = hs_spec_field_child (pattern, obj->keys[i]);
      cleanup_free char *cp
          = jp[0] ? hs_xasprintf ("%s.%s", jp, obj->keys[i]) : hs_xstrdup (obj->keys[i]);

      if (f == NULL)
        r = unknown (w, cp, err);
      else
        r = walk_value (w, f, obj->items[i], cp, err);
      if (r < 0)
        return r;
    }
  return 0;
}

/* The sections a runtime acts on; other top-level keys stay lossless. */
static const char *const sections[]
    = { "ociVersion", "hostname", "domainname", "annotations", "process",
        "root",       "mounts",   "hooks",      "linux",       NULL };

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *uf = hs_json_get_exact (h->policy->tree, "unknown_fields");
  walk_t w = {
    .h = h,
    .allow = settings ? hs_json_get_exact (settings, "allow") : NULL,
    .audit_unknown = uf != NULL && uf->type == HS_JSON_STRING && strcmp (uf->str, "audit") == 0,
  };
  int r;

  if (h->spec->type != HS_JSON_OBJECT)
    return 0;
  for (size_t i = 0; i < h->spec->len; i++)
    {
      const char *k = h->spec->keys[i];
      const hs_spec_field_t *f = NULL;

      for (size_t j = 0; sections[j] != NULL && f == NULL; j++)
        if (hs_json_key_fold_cmp (k, sections[j]) == 0)
          f = hs_spec_field_child ("", sections[j]);
      if (f == NULL)
        continue;
      if ((r = walk_value (&w, f, h->spec->items[i], k, err)) < 0)
        return r;
    }
  return 0;
}

const hs_control_t hs_control_spec_fields = {
  .name = CONTROL,
  .summary = "default deny for config fields: only fields an inventory entry judges",
  .doc = "Walks process, root, mounts, hooks and linux (and the top-level fields a runtime\n"
         "acts on; other top-level keys and annotation keys stay as they are) against\n"
         "the field inventory (doc/spec-fields.md): a field no control judges is refused\n"
         "(global key `unknown_fields`: refuse, the default, or audit), naming its JSON\n"
         "path; a field the inventory refuses (linux.netDevices, linux.intelRdt,\n"
         "process.scheduler, process.ioPriority, linux.resources.network.classID) is\n"
         "refused unless `allow` grants it. Applies to exec process files too.\n"
         "Settings:\n"
         "  allow  inventory paths of refused fields the host grants; default []\n",
  .validate = validate,
  .apply = apply,
  .apply_process = apply,
  .read_only = true,
};
