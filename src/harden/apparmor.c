/* apparmor: confine the container with a profile rendered from host policy
 * (profiles/apparmor/hardshim.in), loaded once per distinct rendering. */
#include "apparmor.h"
#include "cleanup.h"
#include "harden/controls.h"
#include "harden/lsm.h"
#include "xalloc.h"

#include <string.h>

static const char *const keys[] = { "signal_peers", "allowed_profiles", NULL };

/* Who may signal the container when signal_peers is unset: unconfined host
 * processes (engines, shims, an admin's kill) and the runtimes and engines
 * under the profiles their distributions ship. */
static const char *const default_peers
    = "[\"unconfined\",\"runc\",\"crun\",\"containerd\",\"dockerd\",\"podman\",\"conmon\"]";

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;

  r = hs_settings_check_keys (settings, "apparmor", keys, err);
  if (r < 0)
    return r;
  r = hs_settings_string_array (settings, "apparmor", "signal_peers", &v, err);
  if (r < 0)
    return r;
  for (size_t i = 0; v != NULL && i < v->len; i++)
    if (!hs_apparmor_valid_peer (v->items[i]->str))
      return hs_error_make (err, 0,
                            "policy key `apparmor.signal_peers[%zu]`: `%s` is not a plain "
                            "profile name (letters, digits, _-.:/+)",
                            i, v->items[i]->str);
  r = hs_settings_string_array (settings, "apparmor", "allowed_profiles", &v, err);
  if (r < 0)
    return r;
  for (size_t i = 0; v != NULL && i < v->len; i++)
    {
      if (v->items[i]->str[0] == '\0')
        return hs_error_make (err, 0, "policy key `apparmor.allowed_profiles[%zu]`: empty name", i);
      if (strcmp (v->items[i]->str, "unconfined") == 0)
        return hs_error_make (err, 0,
                              "policy key `apparmor.allowed_profiles[%zu]`: `unconfined` "
                              "cannot be allowed for every container; use an exception",
                              i);
    }
  return 0;
}

int
hs_apparmor_render_for (const hs_json_t *spec, const hs_json_t *settings,
                        hs_apparmor_profile_t *ret, hs_error_t *err)
{
  const hs_json_t *peers = settings ? hs_json_get_exact (settings, "signal_peers") : NULL;
  cleanup_json hs_json_t *dflt = NULL;
  hs_apparmor_params_t params = { 0 };

  if (peers == NULL)
    {
      hs_json_parse (default_peers, strlen (default_peers), &(hs_json_limits_t){ 4096, 4, false },
                     &dflt, NULL);
      peers = dflt;
    }
  params.peers = peers;
  params.net_raw = hs_apparmor_bounding_has_net_raw (
      hs_json_path (spec, "process", "capabilities", "bounding", NULL));
  return hs_apparmor_render (NULL, &params, ret, err);
}

/* `unconfined` asks for no confinement at all. */
static int
check_unconfined (hs_harden_t *h, const char *path, hs_error_t *err)
{
  if (hs_lsm_excepted (h, "profile", "unconfined"))
    {
      hs_harden_note (h, path, "AppArmor profile `unconfined` allowed by an exception");
      return 1;
    }
  return hs_harden_refuse (h, err, path,
                           "running without AppArmor confinement (`unconfined`) is not allowed "
                           "by host policy");
}

/* An excepted `unconfined` on a host without AppArmor: the process is
 * unconfined anyway, and both runtimes fail when a profile is named. */
static void
drop_unconfined (hs_harden_t *h, hs_json_t *process, const char *path)
{
  if (h->host->apparmor_enabled)
    return;
  hs_harden_change (h, path, hs_json_get (process, "apparmorProfile"), NULL,
                    "AppArmor is not enabled on this host: the process is unconfined without "
                    "the setting, which the runtime would fail to apply");
  hs_json_remove (process, "apparmorProfile");
}

static int
current_profile (hs_harden_t *h, hs_json_t **ret_process, const char **ret_cur, hs_error_t *err)
{
  hs_json_t *process = hs_json_get (h->spec, "process");
  hs_json_t *cur;

  *ret_process = NULL;
  *ret_cur = NULL;
  if (process == NULL || process->type == HS_JSON_NULL)
    return 0; /* nothing runs without a process; the runtime says so */
  if (process->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, "process", "`process` must be an object");
  cur = hs_json_get (process, "apparmorProfile");
  if (cur != NULL && cur->type != HS_JSON_STRING && cur->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, "process.apparmorProfile", "expected a string, got %s",
                             hs_json_type_name (cur->type));
  *ret_process = process;
  /* The runtimes treat "" like an absent profile. */
  if (cur != NULL && cur->type == HS_JSON_STRING && cur->str[0] != '\0')
    *ret_cur = cur->str;
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const char *path = "process.apparmorProfile";
  hs_apparmor_profile_t profile = { 0 };
  hs_json_t *process;
  const char *cur;
  int r;

  r = current_profile (h, &process, &cur, err);
  if (r < 0 || process == NULL)
    return r;
  if (cur != NULL && strcmp (cur, "unconfined") == 0)
    {
      r = check_unconfined (h, path, err);
      if (r > 0)
        drop_unconfined (h, process, path);
      if (r != 0)
        return r < 0 ? r : 0;
      /* audit mode: recorded; go on as if it were absent */
    }
  if (!h->host->apparmor_enabled)
    {
      const char *why = h->host->apparmor_undetectable
                            ? " (this hardshim was built without libapparmor and cannot "
                              "detect it)"
                            : "";

      if (hs_lsm_required (settings) && h->host->apparmor_undetectable)
        return hs_harden_refuse (h, err, path,
                                 "AppArmor is required by host policy (apparmor.mode), but this "
                                 "hardshim was built without libapparmor, so it cannot tell "
                                 "whether AppArmor is enabled");
      if (hs_lsm_required (settings))
        return hs_harden_refuse (h, err, path,
                                 "AppArmor is required by host policy (apparmor.mode), but "
                                 "AppArmor is not enabled on this host");
      hs_harden_note (h, path, "AppArmor not enabled, skipped%s%s%s%s", why,
                      cur ? "; the config names profile `" : "", cur ? cur : "",
                      cur ? "`, which the runtime cannot apply on this host" : "");
      return 0;
    }
  if (cur != NULL && hs_apparmor_profile_allowed (settings, cur))
    {
      hs_harden_note (h, path, "AppArmor profile `%s` kept: allowed by apparmor.allowed_profiles",
                      cur);
      return 0;
    }

  r = hs_apparmor_render_for (h->spec, settings, &profile, err);
  if (r < 0)
    return r;
  /* Only a real create loads; dry runs, audit and reject leave the kernel be. */
  if (h->mode == HS_CTL_ENFORCE && h->id != NULL)
    {
      r = hs_apparmor_ensure_loaded (h->policy->state_dir, h->host, &profile, err);
      if (r < 0)
        goto out;
    }
  if (cur == NULL || strcmp (cur, profile.name) != 0)
    {
      hs_json_t *before = hs_json_get (process, "apparmorProfile");
      hs_json_t *after = hs_json_new_string (profile.name);

      hs_harden_change (h, path, before, after, "AppArmor profile rendered from host policy%s",
                        cur ? " replaces one the policy does not allow" : "");
      hs_json_set (process, "apparmorProfile", after);
    }
out:
  hs_apparmor_profile_release (&profile);
  return r;
}

/* exec --process FILE: a profile there replaces the container's for the
 * new process; without one both runtimes use the container's. */
static int
apply_process (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const char *path = "process.apparmorProfile";
  hs_json_t *process;
  const char *cur;
  int r;

  r = current_profile (h, &process, &cur, err);
  if (r < 0 || process == NULL || cur == NULL)
    return r;
  if (strcmp (cur, "unconfined") == 0)
    {
      r = check_unconfined (h, path, err);
      if (r > 0)
        drop_unconfined (h, process, path);
      if (r != 0)
        return r < 0 ? r : 0;
    }
  else if (hs_apparmor_profile_allowed (settings, cur))
    return 0;
  hs_harden_change (h, path, hs_json_get (process, "apparmorProfile"), NULL,
                    "the exec'd process keeps the container's AppArmor profile");
  hs_json_remove (process, "apparmorProfile");
  return 0;
}

const hs_control_t hs_control_apparmor = {
  .name = "apparmor",
  .summary = "AppArmor profile rendered from policy, loaded once, set on every process",
  .doc = "Renders hardshim's AppArmor template (deny mount, writes to /proc outside\n"
         "process entries and namespaced /proc/sys, writes to /sys outside\n"
         "/sys/fs/cgroup, sysrq-trigger, kcore, /sys/firmware, /sys/kernel/security,\n"
         "AF_ALG sockets; raw and packet sockets unless the bounding set holds NET_RAW;\n"
         "signals and ptrace only within the container, signals from the runtimes and\n"
         "engines), names it hardshim-<digest>, loads it with `apparmor_parser -Kr`\n"
         "once, and sets process.apparmorProfile. `unconfined` is refused unless the\n"
         "container holds the exception org.hardshim.exception.apparmor.profile =\n"
         "unconfined, granted by policy (apparmor.overridable and an `exceptions` entry\n"
         "allowing apparmor.profile \"unconfined\").\n"
         "On a host without AppArmor: best-effort records \"AppArmor not enabled,\n"
         "skipped\" and sets nothing; required refuses the container.\n"
         "Settings: mode (required | best-effort | audit | off; default best-effort),\n"
         "signal_peers (profile names that may signal the container), allowed_profiles\n"
         "(profiles a config may name and keep). See doc/lsm.md.\n",
  .validate = validate,
  .apply = apply,
  .apply_process = apply_process,
  .modes = hs_lsm_modes,
  .exceptions = hs_apparmor_exceptions,
};
