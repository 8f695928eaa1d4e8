#include "update.h"
#include "cleanup.h"
#include "container_state.h"
#include "handover.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A resources document is a few hundred bytes; engines send the whole
 * LinuxResources of the spec at most. */
#define RESOURCES_MAX (1u << 20)

/* LinuxResources (runtime-spec 1.0-1.2), the keys runc and crun update.
 * Anything else is refused: a newer runtime may act on a key hardshim
 * never judged. */
static const char *const known_keys[]
    = { "devices", "memory", "cpu",     "pids",           "blockIO",
        "network", "rdma",   "unified", "hugepageLimits", NULL };

static bool
known (const char *const *keys, const char *k)
{
  for (size_t i = 0; keys[i]; i++)
    if (strcmp (keys[i], k) == 0)
      return true;
  return false;
}

/* A unified (cgroup v2) key is a file of the container's own cgroup:
 * CONTROLLER.NAME, no path. cgroup.* files move processes or change the
 * tree (cgroup.procs takes any host pid), devices.* is the v1 device
 * cgroup that only `devices` may change. */
static const char *
unified_refusal (const char *k)
{
  const char *dot = strchr (k, '.');

  if (dot == NULL || dot == k || dot[1] == '\0'
      || strspn (k, "abcdefghijklmnopqrstuvwxyz0123456789_.") != strlen (k))
    return "is not a cgroup file name (CONTROLLER.NAME)";
  if (strncmp (k, "cgroup.", 7) == 0)
    return "changes the cgroup tree itself";
  if (strncmp (k, "devices.", 8) == 0)
    return "is the device cgroup (only `devices` rules change it)";
  return NULL;
}

static int
check_keys (const hs_json_t *res, hs_error_t *err)
{
  const hs_json_t *unified;

  if (res->type != HS_JSON_OBJECT)
    return hs_error_refuse (err, "the resources must be a JSON object");
  for (size_t i = 0; i < res->len; i++)
    if (!known (known_keys, res->keys[i]))
      return hs_error_refuse (err,
                              "resources key `%s` is not one hardshim judges: refused, so no "
                              "runtime acts on it unjudged (`linux.resources.%s`)",
                              res->keys[i], res->keys[i]);
  unified = hs_json_get_exact (res, "unified");
  if (unified != NULL && unified->type != HS_JSON_NULL)
    {
      if (unified->type != HS_JSON_OBJECT)
        return hs_error_refuse (err, "`linux.resources.unified` must be an object");
      for (size_t i = 0; i < unified->len; i++)
        {
          const char *why = unified_refusal (unified->keys[i]);

          if (why != NULL)
            return hs_error_refuse (err, "unified key `%s` %s (`linux.resources.unified`)",
                                    unified->keys[i], why);
        }
    }
  return 0;
}

static int
read_resources (const char *path, hs_json_t **ret, hs_error_t *err)
{
  static const hs_json_limits_t limits = { RESOURCES_MAX, 16, false };
  cleanup_close int fd = -1;
  cleanup_free char *buf = hs_xmalloc (RESOURCES_MAX + 1);
  size_t len = 0;
  bool in = strcmp (path, "-") == 0;

  fd = in ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return hs_error_make (err, errno, "open the resources %s", in ? "on stdin" : path);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, RESOURCES_MAX + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hs_error_make (err, errno, "read the resources");
      if (n == 0)
        break;
      len += (size_t) n;
      if (len > RESOURCES_MAX)
        return hs_error_refuse (err, "the resources are larger than %u bytes", RESOURCES_MAX);
    }
  if (hs_json_parse (buf, len, &limits, ret, err) < 0)
    return hs_error_wrap (err, "the resources");
  return 0;
}

/* --pids-limit as both runtimes read it: a decimal int64 (runc
 * strconv.ParseInt, crun strtoll); anything else is refused here rather
 * than guessed. */
static int
flag_pids (const char *v, hs_json_t *res, hs_error_t *err)
{
  const char *p = v[0] == '-' ? v + 1 : v;
  hs_json_t *pids;

  if (p[0] == '\0' || strspn (p, "0123456789") != strlen (p) || strlen (p) > 18)
    return hs_error_refuse (err, "--pids-limit `%s` is not a decimal integer", v);
  pids = hs_json_ensure_object (res, "pids");
  {
    hs_json_t *n = hs_json_new (HS_JSON_NUMBER);

    n->str = hs_xstrdup (v);
    n->len = strlen (v);
    hs_json_set_exact (pids, "limit", n);
  }
  return 0;
}

static int
judge (const hs_invocation_t *inv, const hs_policy_t *policy, const hs_host_t *host,
       hs_audit_t *audit, hs_json_t *res, hs_error_t *err)
{
  cleanup_json hs_json_t *container = NULL;
  cleanup_free char *source = NULL;
  cleanup_json hs_json_t *spec = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *linux_ = hs_json_ensure_object (spec, "linux");

  if (check_keys (res, err) < 0)
    return -1;
  hs_container_config_load (inv, &container, &source);
  hs_json_set_exact (linux_, "resources", hs_json_dup (res));
  {
    hs_harden_t h = {
      .spec = spec,
      .policy = policy,
      .host = host,
      .audit = audit,
      .target = HS_TARGET_UPDATE,
      .container = container,
    };
    return hs_harden_run (&h, err);
  }
}

int
hs_update_harden (const hs_invocation_t *inv, const hs_policy_t *policy, const hs_host_t *host,
                  hs_audit_t *audit, char **ret_path, hs_error_t *err)
{
  const char *file = hs_cli_value (inv, inv->resources);
  const char *pids = hs_cli_value (inv, inv->pids_limit);
  cleanup_json hs_json_t *res = NULL;
  cleanup_json hs_json_t *flags = hs_json_new (HS_JSON_OBJECT);
  int r;

  *ret_path = NULL;
  if (file != NULL && read_resources (file, &res, err) < 0)
    return -1;
  /* crun applies the flags after the file: both are judged */
  if (pids != NULL && flag_pids (pids, flags, err) < 0)
    return -1;
  if (res != NULL && (r = judge (inv, policy, host, audit, res, err)) < 0)
    return r;
  if ((r = judge (inv, policy, host, audit, flags, err)) < 0)
    return r;
  if (res == NULL || policy->mode == HS_POLICY_AUDIT)
    return 0;
  /* what was judged is what the runtime reads: no second look at the
   * file, and stdin is already consumed */
  return hs_handover_json (res, "hardshim-resources.json", ret_path, err);
}
