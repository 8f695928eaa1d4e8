/* fresh_dev: the container's /dev is one the runtime makes from nothing:
 * a tmpfs at /dev and a devpts at /dev/pts, added where the config lacks
 * them (refused in reject mode). Without them the runtimes
 * create, bind and reopen nodes in the image's own /dev (runc
 * CVE-2025-31133, crun CVE-2026-88264 and CVE-2026-88265 are reachable
 * only then). A mount onto one of the nodes the runtime makes or reopens
 * (/dev/null, /dev/console, /dev/ptmx, /dev/pts/..., the /dev/std* links)
 * would put something else where the runtime expects its own node;
 * other mounts below /dev (/dev/shm, /dev/mqueue, sockets such as
 * /dev/log, --device binds) stay allowed. */
#include "harden/advisories.h"
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "fresh_dev"

/* What the runtime makes at /dev, mounts included. */
static const char *const runtime_nodes[] = {
  "/dev/null",   "/dev/zero",    "/dev/full", "/dev/random", "/dev/urandom",
  "/dev/tty",    "/dev/console", "/dev/ptmx", "/dev/fd",     "/dev/stdin",
  "/dev/stdout", "/dev/stderr",  "/dev/core", NULL,
};

/* What runc spec and the engines mount there. */
static const char *const dev_options[]
    = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
static const char *const devpts_options[]
    = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };

static hs_json_t *
fresh_mount (const char *dest, const char *type, const char *const *options)
{
  hs_json_t *m = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *o = hs_json_new (HS_JSON_ARRAY);

  hs_json_set_exact (m, "destination", hs_json_new_string (dest));
  hs_json_set_exact (m, "type", hs_json_new_string (type));
  hs_json_set_exact (m, "source", hs_json_new_string (type));
  for (size_t i = 0; options[i]; i++)
    hs_json_append (o, hs_json_new_string (options[i]));
  hs_json_set_exact (m, "options", o);
  return m;
}

static void
insert_at (hs_json_t *arr, size_t at, hs_json_t *v)
{
  hs_json_append (arr, v);
  memmove (arr->items + at + 1, arr->items + at, (arr->len - 1 - at) * sizeof *arr->items);
  arr->items[at] = v;
}

static bool
type_is (const hs_json_t *m, const char *want)
{
  const hs_json_t *t = hs_json_get (m, "type");

  return t != NULL && t->type == HS_JSON_STRING && strcmp (t->str, want) == 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *mounts = hs_json_get (h->spec, "mounts");
  size_t n = mounts && mounts->type == HS_JSON_ARRAY ? mounts->len : 0;
  long dev = -1, pts = -1;
  int r;

  (void) settings;
  for (size_t i = 0; i < n; i++)
    {
      hs_json_t *m = mounts->items[i];
      const hs_json_t *d = m->type == HS_JSON_OBJECT ? hs_json_get (m, "destination") : NULL;
      cleanup_free char *cdest = NULL;
      char path[64];

      if (d == NULL || d->type != HS_JSON_STRING)
        continue; /* mounts refuses it */
      snprintf (path, sizeof path, "mounts[%zu]", i);
      cdest = hs_path_clean_dest (d->str);
      if (strcmp (cdest, "/dev") == 0)
        {
          /* the last mount at /dev is the one the container sees */
          if (!type_is (m, "tmpfs") || dev >= 0)
            {
              if ((r = hs_harden_refuse (h, err, path,
                                         "/dev must be one tmpfs the runtime fills itself, not a "
                                         "mount of anything else (advisories: %s, %s, %s)",
                                         HS_ADV_DEV_NULL, HS_ADV_DEV_CONSOLE, HS_ADV_DEV_LINK))
                  < 0)
                return r;
              continue;
            }
          dev = (long) i;
          continue;
        }
      if (strcmp (cdest, "/dev/pts") == 0)
        {
          if (!type_is (m, "devpts") || pts >= 0)
            {
              if ((r = hs_harden_refuse (h, err, path,
                                         "/dev/pts must be one new devpts instance, not a mount "
                                         "of anything else (advisories: %s)",
                                         HS_ADV_DEV_CONSOLE))
                  < 0)
                return r;
              continue;
            }
          pts = (long) i;
          continue;
        }
      if (hs_path_is_under (cdest, "/dev/pts"))
        {
          if ((r = hs_harden_refuse (h, err, path,
                                     "a mount onto %s would stand in for a terminal of the "
                                     "container's own devpts (advisories: %s)",
                                     d->str, HS_ADV_DEV_CONSOLE))
              < 0)
            return r;
          continue;
        }
      for (size_t k = 0; runtime_nodes[k]; k++)
        if (hs_path_is_under (cdest, runtime_nodes[k]))
          {
            if ((r = hs_harden_refuse (h, err, path,
                                       "a mount onto %s would stand in for the node the runtime "
                                       "makes there (advisories: %s)",
                                       d->str,
                                       strcmp (runtime_nodes[k], "/dev/console") == 0
                                               || strcmp (runtime_nodes[k], "/dev/ptmx") == 0
                                           ? HS_ADV_DEV_CONSOLE
                                           : HS_ADV_DEV_NULL))
                < 0)
              return r;
            break;
          }
    }
  if (dev < 0 || pts < 0)
    {
      /* add what is missing where /dev mounts begin: a later /dev mount
       * must not be hidden by the tmpfs */
      size_t at = n;
      cleanup_json hs_json_t *before = mounts ? hs_json_dup (mounts) : NULL;
      const char *what = dev < 0 && pts < 0 ? "a tmpfs at /dev and a new devpts at /dev/pts"
                         : dev < 0          ? "a tmpfs at /dev"
                                            : "a new devpts at /dev/pts";

      for (size_t i = 0; i < n && at == n; i++)
        {
          const hs_json_t *d = mounts->items[i]->type == HS_JSON_OBJECT
                                   ? hs_json_get (mounts->items[i], "destination")
                                   : NULL;
          cleanup_free char *cdest
              = d && d->type == HS_JSON_STRING ? hs_path_clean_dest (d->str) : NULL;
          if (cdest != NULL && hs_path_is_under (cdest, "/dev"))
            at = i;
        }
      if (mounts == NULL || mounts->type != HS_JSON_ARRAY)
        {
          if (mounts != NULL)
            return 0; /* mounts refuses it */
          mounts = hs_json_new (HS_JSON_ARRAY);
          hs_json_set_exact (h->spec, "mounts", mounts);
        }
      if (pts < 0)
        insert_at (mounts, dev < 0 ? at : (size_t) dev + 1,
                   fresh_mount ("/dev/pts", "devpts", devpts_options));
      if (dev < 0)
        {
          insert_at (mounts, at, fresh_mount ("/dev", "tmpfs", dev_options));
          if (pts >= 0 && (size_t) pts >= at)
            pts++;
        }
      if (pts < 0)
        pts = dev < 0 ? (long) at + 1 : dev + 1;
      hs_harden_change (h, "mounts", before, mounts,
                        "%s added: without a fresh /dev the runtime makes, binds and reopens its "
                        "nodes in the image's own /dev (host policy; advisories: %s, %s, %s)",
                        what, HS_ADV_DEV_NULL, HS_ADV_DEV_CONSOLE, HS_ADV_DEV_LINK);
    }
  {
    hs_json_t *m = mounts->items[pts];
    hs_json_t *opts = hs_json_get (m, "options");
    cleanup_json hs_json_t *before = NULL;
    cleanup_free char *path = hs_xasprintf ("mounts[%ld].options", pts);

    if (opts != NULL && opts->type == HS_JSON_NULL)
      opts = NULL;
    if (opts != NULL && opts->type != HS_JSON_ARRAY)
      return hs_harden_refuse (h, err, path, "`options` must be an array of strings");
    if (opts != NULL && hs_json_array_find_string (opts, "newinstance") >= 0)
      return 0;
    before = opts ? hs_json_dup (opts) : NULL;
    if (opts == NULL)
      {
        opts = hs_json_new (HS_JSON_ARRAY);
        hs_json_set (m, "options", opts);
      }
    hs_json_append (opts, hs_json_new_string ("newinstance"));
    hs_harden_change (h, path, before, opts,
                      "devpts at /dev/pts is a new instance, never the host's terminals (host "
                      "policy)");
  }
  return 0;
}

const hs_control_t hs_control_fresh_dev = {
  .name = CONTROL,
  .summary = "a tmpfs at /dev and a new devpts at /dev/pts (added when missing); nothing "
             "mounted onto the nodes the runtime makes",
  .doc = "The container gets exactly one tmpfs at /dev and one devpts at /dev/pts:\n"
         "added (as runc spec mounts them) where the config has none, `newinstance`\n"
         "added to a devpts without it; any other mount at /dev or /dev/pts is refused.\n"
         "A mount onto /dev/null, zero, full,\n"
         "random, urandom, tty, console, ptmx, fd, stdin, stdout, stderr, core or\n"
         "anything below /dev/pts is refused: the runtime makes, binds or reopens those\n"
         "nodes itself. Other mounts below /dev (/dev/shm, /dev/mqueue, sockets such as\n"
         "/dev/log, device binds) are allowed. Without a fresh /dev both runtimes use\n"
         "the image's: runc CVE-2025-31133 and CVE-2025-52565, crun CVE-2026-88264 and\n"
         "CVE-2026-88265 need exactly that, with or without a user namespace.\n"
         "No settings.\n",
  .apply = apply,
};
