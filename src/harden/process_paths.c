#include "harden/process_paths.h"
#include "harden/mount_options.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "rootfs_path.h"
#include "xalloc.h"

#include <errno.h>
#include <string.h>

int
hs_process_rootfs (hs_harden_t *h, hs_rootfs_t *ret, bool *ret_open, hs_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_error hs_error_t e = NULL;

  *ret_open = false;
  if (h->target == HS_TARGET_PROCESS)
    {
      dir = h->container ? hs_spec_rootfs_dir (h->container, NULL) : NULL;
      if (dir != NULL && dir[0] != '/')
        return 0;
    }
  else
    dir = hs_spec_rootfs_dir (h->spec, h->ctr ? h->ctr->bundle : NULL);
  if (dir == NULL)
    return 0;
  if (hs_rootfs_open (dir, ret, &e) < 0)
    {
      if (e->status == ENOENT)
        return 0;
      return hs_harden_refuse (h, err, "root.path", "%s", e->msg);
    }
  *ret_open = true;
  return 0;
}

hs_json_t *
hs_process_object (hs_harden_t *h)
{
  hs_json_t *p = hs_json_get (h->spec, "process");

  return p != NULL && p->type == HS_JSON_OBJECT ? p : NULL;
}

static const char *
cwd_of (const hs_json_t *process)
{
  const hs_json_t *c = process ? hs_json_get (process, "cwd") : NULL;

  return c != NULL && c->type == HS_JSON_STRING && c->str[0] == '/' ? c->str : NULL;
}

const char *
hs_process_cwd (hs_harden_t *h)
{
  const char *c = cwd_of (hs_process_object (h));

  if (c == NULL && h->target == HS_TARGET_PROCESS && h->container != NULL)
    c = cwd_of (hs_json_get (h->container, "process"));
  return c ? c : "/";
}

static bool
reaches_proc (const char *path)
{
  cleanup_free char *clean = hs_path_clean (path);

  return hs_path_passes_below (path, "/proc") || strcmp (clean, "/proc") == 0;
}

/* The bind mount the container path `path` (clean) lies in: the one with
 * the deepest destination at or above it, the last of equals (it covers
 * the others). NULL when that is not a bind with a source to read. */
static const hs_json_t *
volume_of (hs_harden_t *h, const char *path, size_t *ret_dest_len)
{
  const hs_json_t *spec = h->target == HS_TARGET_PROCESS ? h->container : h->spec;
  const hs_json_t *mounts = spec ? hs_json_get (spec, "mounts") : NULL;
  const hs_json_t *best = NULL;
  size_t best_len = 0;

  for (size_t i = 0; mounts && mounts->type == HS_JSON_ARRAY && i < mounts->len; i++)
    {
      const hs_json_t *m = mounts->items[i];
      const hs_json_t *d = m->type == HS_JSON_OBJECT ? hs_json_get (m, "destination") : NULL;
      cleanup_free char *cdest = NULL;
      size_t n;

      if (d == NULL || d->type != HS_JSON_STRING)
        continue;
      cdest = hs_path_clean_dest (d->str);
      n = strcmp (cdest, "/") == 0 ? 0 : strlen (cdest);
      if (n > 0 && n >= best_len && hs_path_is_under (path, cdest))
        {
          best = m;
          best_len = n;
        }
    }
  if (best != NULL)
    {
      const hs_json_t *type = hs_json_get (best, "type");
      const hs_json_t *opts = hs_json_get (best, "options");
      const hs_json_t *src = hs_json_get (best, "source");

      if (type != NULL && type->type != HS_JSON_STRING)
        type = NULL;
      if (opts != NULL && opts->type != HS_JSON_ARRAY)
        opts = NULL;
      if (!hs_mount_is_bind (type, opts) || src == NULL || src->type != HS_JSON_STRING
          || src->str[0] != '/')
        return NULL;
      *ret_dest_len = best_len;
      return src;
    }
  return NULL;
}

/* A volume's links are the volume's writers' (another container sharing
 * it): read them as the runtime will meet them, the rest of the path
 * resolved inside the volume's source. */
static int
volume_check (hs_harden_t *h, const char *jpath, const char *what, const char *shown,
              const char *path, const char *advisories, hs_error_t *err)
{
  size_t dest_len = 0;
  const hs_json_t *src = volume_of (h, path, &dest_len);
  hs_rootfs_t vol = { .fd = -1 };
  hs_rootfs_resolved_t v = { 0 };
  cleanup_error hs_error_t e = NULL;
  const char *rest = path + dest_len;
  int r = 0;

  if (src == NULL || *rest == '\0' || hs_rootfs_open (src->str, &vol, &e) < 0)
    return 0; /* nothing of the volume's on the way (or no volume yet) */
  if (hs_rootfs_resolve (&vol, rest, &v, &e) < 0)
    r = hs_harden_refuse (h, err, jpath, "%s %s in the volume from %s: %s", what, shown, src->str,
                          e->msg);
  else if (v.below_proc)
    r = hs_harden_refuse (h, err, jpath,
                          "%s %s: a symbolic link in the volume from %s (`%s` -> `%s`) leads it "
                          "into /proc, whose magic links lead to what the runtime holds open, the "
                          "host included (advisories: %s)",
                          what, shown, src->str, v.first_link ? v.first_link : "?",
                          v.first_target ? v.first_target : "?", advisories);
  hs_rootfs_resolved_release (&v);
  hs_rootfs_close (&vol);
  return r;
}

int
hs_process_path_check (hs_harden_t *h, const hs_rootfs_t *root, const char *jpath, const char *what,
                       const char *path, const char *advisories, hs_error_t *err)
{
  hs_rootfs_resolved_t v = { 0 };
  cleanup_error hs_error_t e = NULL;
  int r = 0;

  if (reaches_proc (path))
    return hs_harden_refuse (h, err, jpath,
                             "%s %s reaches into /proc, whose magic links lead to what the "
                             "runtime holds open, the host included (advisories: %s)",
                             what, path, advisories);
  if (root == NULL)
    {
      cleanup_free char *clean = hs_path_clean (path);
      return volume_check (h, jpath, what, path, clean, advisories, err);
    }
  if (hs_rootfs_resolve (root, path, &v, &e) < 0)
    return hs_harden_refuse (h, err, jpath, "%s %s in the image: %s", what, path, e->msg);
  if (v.below_proc)
    r = hs_harden_refuse (h, err, jpath,
                          "%s %s: a symbolic link in the image (`%s` -> `%s`) leads it into "
                          "/proc, whose magic links lead to what the runtime holds open, the "
                          "host included (advisories: %s)",
                          what, path, v.first_link ? v.first_link : "?",
                          v.first_target ? v.first_target : "?", advisories);
  else
    r = volume_check (h, jpath, what, path, v.path, advisories, err);
  hs_rootfs_resolved_release (&v);
  return r;
}
