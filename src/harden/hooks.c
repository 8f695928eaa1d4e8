/* hooks: OCI hooks run as root (prestart, createRuntime and poststart/
 * poststop on the host), so only programs on the policy's allowlist may
 * be hooks. Enforced in every preset (audit-only only records): a config
 * author, or any podman user through --hooks-dir, would otherwise run
 * programs as host root. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CONTROL "hooks"

static const char *const known_keys[] = { "allow", NULL };

/* Docker's libnetwork-setkey prestart hook is dockerd itself, named as
 * /proc/<dockerd pid>/exe: its resolved path is what matches. */
static const char *const default_allow[] = {
  "/usr/bin/dockerd",
  "/usr/sbin/dockerd",
  "/usr/local/bin/dockerd",
  NULL,
};

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "allow", &v, err)) < 0)
    return r;
  return 0;
}

/* dockerd is a hook only as its libnetwork-setkey re-exec (chosen by
 * argv[0]); with any other argv[0] it would start a second daemon as host
 * root with flags of the config author's choosing. */
static int
check_dockerd (hs_harden_t *h, const char *kind, size_t i, const hs_json_t *hook, const char *prog,
               hs_error_t *err)
{
  const char *base = strrchr (prog, '/');
  const hs_json_t *args = hs_json_get (hook, "args");
  const hs_json_t *argv0
      = args && args->type == HS_JSON_ARRAY && args->len > 0 ? args->items[0] : NULL;
  cleanup_free char *jp = NULL;

  if (strcmp (base ? base + 1 : prog, "dockerd") != 0)
    return 0;
  if (argv0 != NULL && argv0->type == HS_JSON_STRING
      && strcmp (argv0->str, "libnetwork-setkey") == 0)
    return 0;
  jp = hs_xasprintf ("hooks.%s[%zu].args", kind, i);
  return hs_harden_refuse (h, err, jp,
                           "%s hook %s runs dockerd, which is allowed as a hook only as "
                           "libnetwork-setkey (args[0])",
                           kind, prog);
}

static int
check_hook (hs_harden_t *h, const hs_strlist_t *allow, const char *kind, size_t i,
            const hs_json_t *hook, hs_error_t *err)
{
  cleanup_free char *jp = hs_xasprintf ("hooks.%s[%zu].path", kind, i);
  const hs_json_t *path = hook->type == HS_JSON_OBJECT ? hs_json_get (hook, "path") : NULL;
  char buf[PATH_MAX];

  const char *prog = NULL;

  if (path == NULL || path->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, jp, "a hook needs a string `path`");
  if (hs_strlist_has (allow, path->str))
    prog = path->str;
  else if (realpath (path->str, buf) != NULL && hs_strlist_has (allow, buf))
    prog = buf;
  if (prog != NULL)
    return check_dockerd (h, kind, i, hook, prog, err);
  return hs_harden_refuse (h, err, jp,
                           "%s hook %s is not on the host policy's hook allowlist (hooks run "
                           "as root)",
                           kind, path->str);
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_strlist_t allow = { NULL, default_allow };
  hs_json_t *hooks = hs_json_get (h->spec, "hooks");
  int r;

  if (settings != NULL)
    allow.arr = hs_json_get_exact (settings, "allow");
  if (hooks == NULL || hooks->type != HS_JSON_OBJECT)
    return 0;
  /* every kind, also ones this version does not know: a runtime might */
  for (size_t k = 0; k < hooks->len; k++)
    {
      const hs_json_t *list = hooks->items[k];

      if (list->type == HS_JSON_NULL)
        continue;
      if (list->type != HS_JSON_ARRAY)
        {
          cleanup_free char *jp = hs_xasprintf ("hooks.%s", hooks->keys[k]);
          if ((r = hs_harden_refuse (h, err, jp, "expected an array of hooks")) < 0)
            return r;
          continue;
        }
      for (size_t i = 0; i < list->len; i++)
        if ((r = check_hook (h, &allow, hooks->keys[k], i, list->items[i], err)) < 0)
          return r;
    }
  return 0;
}

const hs_control_t hs_control_hooks = {
  .name = CONTROL,
  .summary = "OCI hooks (run as root) only from an allowlist of paths",
  .doc = "Refuses a hook (any kind: prestart, createRuntime, createContainer,\n"
         "startContainer, poststart, poststop) whose path, as written or with symlinks\n"
         "resolved on the host, is not in `allow` (exact paths). Docker's\n"
         "libnetwork-setkey hook is /proc/<dockerd pid>/exe, which resolves to dockerd.\n"
         "dockerd (the default entries) only as its libnetwork-setkey re-exec (args[0]).\n"
         "Default mode: enforce in every preset (audit-only records would-refuse).\n"
         "Settings:\n"
         "  allow  clean absolute paths; default /usr/bin/dockerd, /usr/sbin/dockerd,\n"
         "         /usr/local/bin/dockerd\n",
  .validate = validate,
  .apply = apply,
  .read_only = true,
};
