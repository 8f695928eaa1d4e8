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

/* Children of each pattern met in a walk, computed once: the seccomp
 * syscalls of a config repeat one pattern hundreds of times. */
#define MEMO_MAX 64

typedef struct
{
  const hs_spec_field_t *entry;
  hs_spec_field_children_t children;
} memo_t;

typedef struct
{
  hs_harden_t *h;
  const hs_json_t *allow;
  bool audit_unknown;
  memo_t *memo;
  size_t n_memo;
  hs_spec_field_children_t scratch; /* when the memo is full */
  char path[1024];
  size_t len;
} walk_t;

static const hs_spec_field_children_t *
children_of (walk_t *w, const hs_spec_field_t *f)
{
  for (size_t i = 0; i < w->n_memo; i++)
    if (w->memo[i].entry == f)
      return &w->memo[i].children;
  if (w->n_memo == MEMO_MAX)
    {
      hs_spec_field_children_at (f, &w->scratch);
      return &w->scratch;
    }
  w->memo[w->n_memo].entry = f;
  hs_spec_field_children_at (f, &w->memo[w->n_memo].children);
  return &w->memo[w->n_memo++].children;
}

/* The JSON path of the value being walked, built in place (a config has
 * thousands of values; only a refusal needs the text). */
static size_t
path_push (walk_t *w, const char *key, size_t index, bool is_index)
{
  size_t old = w->len, room = sizeof (w->path) - old;
  char digits[24], *d = digits + sizeof (digits);
  const char *add = key;
  size_t n;

  if (is_index)
    {
      *--d = '\0';
      *--d = ']';
      do
        *--d = (char) ('0' + index % 10);
      while ((index /= 10) > 0);
      *--d = '[';
      add = d;
    }
  n = strlen (add);
  if (n + 2 > room)
    return old; /* too long to name: the path is cut here */
  if (!is_index && old > 0)
    w->path[w->len++] = '.';
  memcpy (w->path + w->len, add, n + 1);
  w->len += n;
  return old;
}

static void
path_pop (walk_t *w, size_t old)
{
  w->len = old;
  w->path[old] = '\0';
}

static int
unknown (walk_t *w, hs_error_t *err)
{
  hs_ctl_mode_t mode = w->h->mode;
  int r;

  if (w->audit_unknown)
    w->h->mode = HS_CTL_AUDIT;
  r = hs_harden_refuse (w->h, err, w->path,
                        "`%s` is not a field hardshim knows: no control judges what the runtime "
                        "would do with it (policy unknown_fields: %s)",
                        w->path, w->audit_unknown ? "audit" : "refuse");
  w->h->mode = mode;
  return r;
}

static int
judge (walk_t *w, const hs_spec_field_t *f, const hs_json_t *v, hs_error_t *err)
{
  if (f->owner[0] != 'r' || strcmp (f->owner, HS_FIELD_REFUSED) != 0 || v->type == HS_JSON_NULL)
    return 0;
  if (w->allow != NULL && hs_json_array_find_string (w->allow, f->path) >= 0)
    return 0;
  return hs_harden_refuse (w->h, err, w->path,
                           "`%s` is refused by host policy: %s (grant it with `" CONTROL ".allow`)",
                           w->path, f->why);
}

static int walk_object (walk_t *w, const hs_json_t *obj, const hs_spec_field_children_t *c,
                        hs_error_t *err);

static int
walk_value (walk_t *w, const hs_spec_field_t *f, const hs_json_t *v, hs_error_t *err)
{
  const hs_spec_field_children_t *c;
  const hs_spec_field_t *items;
  int r;

  if ((r = judge (w, f, v, err)) < 0)
    return r;
  if (v->type != HS_JSON_OBJECT && v->type != HS_JSON_ARRAY)
    return 0;
  c = children_of (w, f);
  if (v->type == HS_JSON_OBJECT)
    /* a leaf (nothing listed below it): its owner judges what is inside */
    return c->n == 0 && c->map == NULL ? 0 : walk_object (w, v, c, err);
  if ((items = c->items) == NULL)
    return 0;
  for (size_t i = 0; i < v->len; i++)
    {
      size_t old = path_push (w, NULL, i, true);

      r = walk_value (w, items, v->items[i], err);
      path_pop (w, old);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
walk_object (walk_t *w, const hs_json_t *obj, const hs_spec_field_children_t *c, hs_error_t *err)
{
  int r;

  for (size_t i = 0; i < obj->len; i++)
    {
      const hs_spec_field_t *f = hs_spec_field_children_find (c, obj->keys[i]);
      size_t old = path_push (w, obj->keys[i], 0, false);

      r = f == NULL ? unknown (w, err) : walk_value (w, f, obj->items[i], err);
      path_pop (w, old);
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
  cleanup_free memo_t *memo = hs_xmalloc (MEMO_MAX * sizeof (memo_t));
  int r = 0;

  w.memo = memo;
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
      {
        size_t old = path_push (&w, k, 0, false);

        r = walk_value (&w, f, h->spec->items[i], err);
        path_pop (&w, old);
      }
      if (r < 0)
        break;
    }
  return r;
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
