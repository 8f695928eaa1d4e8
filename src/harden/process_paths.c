#include "harden/process_paths.h"
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
    return 0;
  if (hs_rootfs_resolve (root, path, &v, &e) < 0)
    return hs_harden_refuse (h, err, jpath, "%s %s in the image: %s", what, path, e->msg);
  if (v.below_proc)
    r = hs_harden_refuse (h, err, jpath,
                          "%s %s: a symbolic link in the image (`%s` -> `%s`) leads it into "
                          "/proc, whose magic links lead to what the runtime holds open, the "
                          "host included (advisories: %s)",
                          what, path, v.first_link ? v.first_link : "?",
                          v.first_target ? v.first_target : "?", advisories);
  hs_rootfs_resolved_release (&v);
  return r;
}
