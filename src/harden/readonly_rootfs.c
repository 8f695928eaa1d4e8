/* readonly_rootfs: root.readonly is true, so nothing in the container can
 * change its image; writable scratch space comes from size-limited tmpfs
 * mounts (nosuid, nodev) at /tmp, /run and /var/tmp wherever the config
 * mounts nothing at, over or under that path itself. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "readonly_rootfs"

static const char *const known_keys[] = { "tmpfs", NULL };

/* Default tmpfs mounts and their sizes. */
static const struct
{
  const char *path, *size;
} default_tmpfs[] = { { "/tmp", "64m" }, { "/run", "64m" }, { "/var/tmp", "64m" } };

static bool
size_ok (const char *s)
{
  size_t i = 0;

  while (s[i] >= '0' && s[i] <= '9')
    i++;
  if (i == 0)
    return false;
  if (s[i] == 'k' || s[i] == 'm' || s[i] == 'g' || s[i] == '%')
    i++;
  return s[i] == '\0';
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *t;
  int r = hs_settings_check_keys (settings, CONTROL, known_keys, err);

  if (r < 0)
    return r;
  t = hs_json_get_exact (settings, "tmpfs");
  if (t == NULL)
    return 0;
  if (t->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0,
                          "policy key `" CONTROL ".tmpfs`: expected an object of path -> size, "
                          "got %s",
                          hs_json_type_name (t->type));
  for (size_t i = 0; i < t->len; i++)
    {
      cleanup_free char *clean = hs_path_clean (t->keys[i]);
      const hs_json_t *v = t->items[i];

      if (t->keys[i][0] != '/' || strcmp (clean, t->keys[i]) != 0 || strcmp (clean, "/") == 0)
        return hs_error_make (err, 0,
                              "policy key `" CONTROL ".tmpfs.%s`: not a clean absolute path "
                              "below /",
                              t->keys[i]);
      if (v->type == HS_JSON_NULL)
        continue; /* null: no tmpfs there */
      if (v->type != HS_JSON_STRING || !size_ok (v->str))
        return hs_error_make (err, 0,
                              "policy key `" CONTROL ".tmpfs.%s`: expected a size such as "
                              "\"64m\" (digits, then k, m, g or %%) or null",
                              t->keys[i]);
    }
  return 0;
}

/* The mode a tmpfs gets: world-writable and sticky for temp dirs. */
static const char *
mode_for (const char *path)
{
  return strcmp (path, "/run") == 0 ? "mode=755" : "mode=1777";
}

/* Index to insert a tmpfs for `path` at: before the first mount below it,
 * so that mount stays visible; -1 when a mount is at or over the path. */
static long
insert_at (const hs_json_t *mounts, const char *path)
{
  long first_below = -1;

  if (mounts == NULL)
    return 0;
  for (size_t i = 0; i < mounts->len; i++)
    {
      const hs_json_t *d = hs_json_get_type (mounts->items[i], "destination", HS_JSON_STRING);
      cleanup_free char *dest = NULL;

      if (d == NULL)
        continue;
      dest = hs_path_clean_dest (d->str);
      if (hs_path_is_under (path, dest))
        return -1;
      if (first_below < 0 && hs_path_is_under (dest, path))
        first_below = (long) i;
    }
  return first_below >= 0 ? first_below : (long) mounts->len;
}

static int
add_tmpfs (hs_harden_t *h, const char *path, const char *size)
{
  hs_json_t *mounts = hs_json_get (h->spec, "mounts");
  cleanup_free char *sz = hs_xasprintf ("size=%s", size);
  hs_json_t *m, *opts;
  long at;

  if (mounts != NULL && mounts->type != HS_JSON_ARRAY && mounts->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  at = insert_at (mounts != NULL && mounts->type == HS_JSON_ARRAY ? mounts : NULL, path);
  if (at < 0)
    return 0;
  mounts = hs_json_ensure_array (h->spec, "mounts");
  m = hs_json_new (HS_JSON_OBJECT);
  hs_json_set_exact (m, "destination", hs_json_new_string (path));
  hs_json_set_exact (m, "type", hs_json_new_string ("tmpfs"));
  hs_json_set_exact (m, "source", hs_json_new_string ("tmpfs"));
  opts = hs_json_new (HS_JSON_ARRAY);
  hs_json_append (opts, hs_json_new_string ("nosuid"));
  hs_json_append (opts, hs_json_new_string ("nodev"));
  hs_json_append (opts, hs_json_new_string (mode_for (path)));
  hs_json_append (opts, hs_json_new_string (sz));
  hs_json_set_exact (m, "options", opts);
  {
    cleanup_free char *jpath = hs_xasprintf ("mounts[%ld]", at);
    hs_harden_change (h, jpath, NULL, m,
                      "writable tmpfs at %s on the read-only rootfs (host policy)", path);
  }
  /* insert: append, then rotate into place */
  hs_json_append (mounts, m);
  memmove (&mounts->items[at + 1], &mounts->items[at],
           (mounts->len - 1 - (size_t) at) * sizeof (hs_json_t *));
  mounts->items[at] = m;
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *root = hs_json_get (h->spec, "root");
  const hs_json_t *t = settings ? hs_json_get_exact (settings, "tmpfs") : NULL;
  hs_json_t *ro;
  int r;

  (void) err;
  if (root == NULL || root->type != HS_JSON_OBJECT)
    return 0; /* no root: the runtime refuses the config */
  ro = hs_json_get (root, "readonly");
  if (!hs_json_is_true (ro))
    {
      hs_json_t *after = hs_json_new_bool (true);
      hs_harden_change (h, "root.readonly", ro, after, "the rootfs is read-only by host policy");
      hs_json_set (root, "readonly", after);
    }
  if (t == NULL)
    {
      for (size_t i = 0; i < sizeof (default_tmpfs) / sizeof (default_tmpfs[0]); i++)
        if ((r = add_tmpfs (h, default_tmpfs[i].path, default_tmpfs[i].size)) < 0)
          return r;
      return 0;
    }
  for (size_t i = 0; i < t->len; i++)
    if (t->items[i]->type == HS_JSON_STRING
        && (r = add_tmpfs (h, t->keys[i], t->items[i]->str)) < 0)
      return r;
  return 0;
}

const hs_control_t hs_control_readonly_rootfs = {
  .name = CONTROL,
  .summary = "read-only rootfs with size-limited tmpfs at /tmp, /run and /var/tmp",
  .doc = "Sets root.readonly to true. Adds a tmpfs (nosuid, nodev, mode=1777, or 755 for\n"
         "/run, size-limited) at each path of `tmpfs` where the config mounts nothing at\n"
         "that path or over it (a mount at a parent); it goes before any mount below the\n"
         "path so that mount stays visible.\n"
         "Settings:\n"
         "  tmpfs  object path -> size (\"64m\"; digits then k, m, g or %), or null for no\n"
         "         tmpfs there. Default {\"/tmp\": \"64m\", \"/run\": \"64m\", \"/var/tmp\": "
         "\"64m\"}.\n",
  .validate = validate,
  .apply = apply,
};
