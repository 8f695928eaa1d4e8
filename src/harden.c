#include "harden.h"
#include "cleanup.h"
#include "config.h"
#include "exceptions.h"
#include "mountinfo.h"
#include "harden/judged_paths.h"
#include "spec.h"
#include "xalloc.h"

#include <stdarg.h>
#include <string.h>

#include "harden/controls.h"
#include "harden/image_gate.h"

/* Table order is application order. */
/* Table order is application order. Each slot comment marks where a
 * control lands, so parallel work merges without conflicts. */
const hs_control_t *const hs_controls[] = {
  /* first: who else could rewrite the config, then a field no control
   * judges is refused before anything runs */
  &hs_control_bundle_permissions,
  &hs_control_spec_fields,
  /* privileged: must see the config as the engine wrote it */
  /* slot: controls-a privileged */
  &hs_control_privileged,
  /* slot: controls-a runtime_annotations */
  &hs_control_runtime_annotations,
  /* image_gate: judges the rootfs as the image made it, before any
   * control spends work on a container it may refuse */
  &hs_control_image_gate,
  /* slot: controls-a capabilities */
  &hs_control_capabilities,
  &hs_control_no_new_privileges,
  /* slot: controls-a non_root_user */
  &hs_control_non_root_user,
  /* slot: runtime advisories process paths */
  &hs_control_cwd_clean,
  &hs_control_exec_path,
  /* slot: controls-b readonly_rootfs */
  &hs_control_readonly_rootfs,
  /* slot: controls-b mounts */
  &hs_control_mounts,
  /* slot: controls-b masked_paths */
  &hs_control_masked_paths,
  /* slot: controls-b namespaces */
  &hs_control_namespaces,
  /* slot: controls-b devices */
  &hs_control_devices,
  /* slot: controls-b sysctls */
  &hs_control_sysctls,
  /* slot: controls-b rlimits */
  &hs_control_rlimits,
  &hs_control_cgroups,
  /* slot: controls-b hooks */
  &hs_control_hooks,
  /* slot: runtime advisories rootfs (before userns, which may replace root.path) */
  &hs_control_fresh_dev,
  &hs_control_rootfs_shape,
  &hs_control_volume_nesting,
  /* slot: userns userns */
  &hs_control_userns,
  /* what the user namespace was covering, when the container has none */
  &hs_control_userns_advisories,
  /* seccomp after capabilities and userns: the profile depends on both */
  /* slot: seccomp seccomp */
  &hs_control_seccomp,
  /* slot: lsm apparmor */
  &hs_control_apparmor,
  /* slot: lsm selinux */
  &hs_control_selinux,
  /* runtime_advisories last: it judges which of the controls above are in force */
  /* slot: runtime advisories */
  &hs_control_runtime_advisories,
  /* restore after the controls that set the labels it compares */
  &hs_control_restore,
  NULL,
};

static const char *const global_keys[] = { "mode",      "runtime",    "audit_log",      "preset",
                                           "state_dir", "exceptions", "unknown_fields", NULL };

const hs_control_t *
hs_control_find_in (const hs_control_t *const *table, const char *name)
{
  for (size_t i = 0; table[i] != NULL; i++)
    if (strcmp (table[i]->name, name) == 0)
      return table[i];
  return NULL;
}

const hs_control_t *
hs_control_find (const char *name)
{
  return hs_control_find_in (hs_controls, name);
}

int
hs_control_mode (const hs_json_t *settings, const char *control, hs_ctl_mode_t *ret,
                 hs_error_t *err)
{
  static const char *const names[] = { "enforce", "reject", "audit", "off" };
  const hs_control_t *c = hs_control_find (control);
  const hs_json_t *m;

  *ret = HS_CTL_OFF;
  if (settings == NULL)
    return 0;
  if (settings->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "policy key `%s`: expected an object, got %s", control,
                          hs_json_type_name (settings->type));
  m = hs_json_get_exact (settings, "mode");
  if (m == NULL)
    {
      *ret = HS_CTL_ENFORCE;
      return 0;
    }
  if (c != NULL && c->modes != NULL)
    {
      cleanup_free char *known = hs_xstrdup ("");

      for (size_t i = 0; c->modes[i].name != NULL; i++)
        {
          char *k;

          if (m->type == HS_JSON_STRING && strcmp (m->str, c->modes[i].name) == 0)
            {
              *ret = c->modes[i].mode;
              return 0;
            }
          k = hs_xasprintf ("%s%s%s", known, i ? ", " : "", c->modes[i].name);
          free (known);
          known = k;
        }
      return hs_error_make (err, 0, "policy key `%s.mode`: expected one of %s", control, known);
    }
  if (m->type == HS_JSON_STRING)
    for (size_t i = 0; i < 4; i++)
      if (strcmp (m->str, names[i]) == 0)
        {
          *ret = (hs_ctl_mode_t) i;
          return 0;
        }
  return hs_error_make (err, 0, "policy key `%s.mode`: expected one of enforce, reject, audit, off",
                        control);
}

const char *
hs_settings_mode_name (const hs_json_t *settings)
{
  const hs_json_t *m = settings ? hs_json_get_exact (settings, "mode") : NULL;

  return m && m->type == HS_JSON_STRING ? m->str : NULL;
}

int
hs_settings_check_keys (const hs_json_t *settings, const char *control, const char *const *known,
                        hs_error_t *err)
{
  for (size_t i = 0; i < settings->len; i++)
    {
      const char *k = settings->keys[i];
      /* the engine's own keys, valid for every control */
      bool ok = strcmp (k, "mode") == 0 || strcmp (k, "overridable") == 0;

      for (size_t j = 0; !ok && known && known[j]; j++)
        ok = strcmp (k, known[j]) == 0;
      if (!ok)
        return hs_error_make (err, 0,
                              "policy key `%s.%s`: unknown setting (see `hardshimctl "
                              "explain %s`)",
                              control, k, control);
    }
  return 0;
}

int
hs_settings_bool (const hs_json_t *settings, const char *control, const char *key, bool dflt,
                  bool *ret, hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (settings, key);

  *ret = dflt;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_BOOL)
    return hs_error_make (err, 0, "policy key `%s.%s`: expected true or false, got %s", control,
                          key, hs_json_type_name (v->type));
  *ret = v->boolean;
  return 0;
}

int
hs_settings_string_array (const hs_json_t *settings, const char *control, const char *key,
                          const hs_json_t **ret, hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (settings, key);

  *ret = NULL;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_ARRAY)
    return hs_error_make (err, 0, "policy key `%s.%s`: expected an array of strings, got %s",
                          control, key, hs_json_type_name (v->type));
  for (size_t i = 0; i < v->len; i++)
    if (v->items[i]->type != HS_JSON_STRING)
      return hs_error_make (err, 0, "policy key `%s.%s[%zu]`: expected a string, got %s", control,
                            key, i, hs_json_type_name (v->items[i]->type));
  *ret = v;
  return 0;
}

int
hs_policy_validate_controls (const hs_policy_t *policy, hs_error_t *err)
{
  const hs_json_t *t = policy->tree;

  for (size_t i = 0; i < t->len; i++)
    {
      const char *key = t->keys[i];
      const hs_control_t *c;
      hs_ctl_mode_t mode;
      bool global = false;
      int r;

      for (size_t j = 0; global_keys[j]; j++)
        global = global || strcmp (key, global_keys[j]) == 0;
      if (global)
        continue;
      c = hs_control_find (key);
      if (c == NULL)
        return hs_error_make (err, 0,
                              "policy key `%s`: no such control (`hardshimctl explain` lists "
                              "them)",
                              key);
      r = hs_control_mode (t->items[i], key, &mode, err);
      if (r < 0)
        return r;
      {
        bool overridable;
        r = hs_settings_bool (t->items[i], key, "overridable", false, &overridable, err);
        if (r < 0)
          return r;
      }
      if (c->validate != NULL)
        r = c->validate (t->items[i], err);
      else
        r = hs_settings_check_keys (t->items[i], key, NULL, err);
      if (r < 0)
        return r;
    }
  return hs_exceptions_validate (t, hs_controls, err);
}

static const char *
action_for (const hs_harden_t *h, bool refusal)
{
  if (h->mode == HS_CTL_AUDIT)
    return refusal ? HS_ACT_WOULD_REFUSE : HS_ACT_WOULD_CHANGE;
  if (h->mode == HS_CTL_REJECT && !refusal)
    return HS_ACT_REFUSED;
  return refusal ? HS_ACT_REFUSED : HS_ACT_CHANGED;
}

void
hs_harden_change (hs_harden_t *h, const char *path, const hs_json_t *before, const hs_json_t *after,
                  const char *why, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, why);
  msg = hs_xvasprintf (why, ap);
  va_end (ap);
  hs_audit_add (h->audit, h->control, action_for (h, false), path, before, after, msg);
  if (h->changes++ == 0)
    h->first_change = hs_xasprintf ("`%s`: %s", path, msg);
}

int
hs_harden_refuse (hs_harden_t *h, hs_error_t *err, const char *path, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = hs_xvasprintf (fmt, ap);
  va_end (ap);
  hs_audit_add (h->audit, h->control, action_for (h, true), path, NULL, NULL, msg);
  if (h->mode == HS_CTL_AUDIT)
    return 0;
  return hs_error_refuse (err, "%s (control `%s`, `%s`)", msg, h->control, path);
}

void
hs_harden_note (hs_harden_t *h, const char *path, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = hs_xvasprintf (fmt, ap);
  va_end (ap);
  hs_audit_add (h->audit, h->control, HS_ACT_NOTE, path, NULL, NULL, msg);
}

hs_control_fn_t
hs_control_fn (const hs_control_t *c, hs_target_t target)
{
  switch (target)
    {
    case HS_TARGET_PROCESS:
      return c->apply_process;
    case HS_TARGET_UPDATE:
      return c->apply_update;
    default:
      return c->apply;
    }
}

static int
run_one (hs_harden_t *h, const hs_control_t *c, const hs_json_t *settings, hs_ctl_mode_t mode,
         hs_error_t *err)
{
  hs_control_fn_t fn;
  hs_json_t *real = h->spec;
  cleanup_json hs_json_t *scratch = NULL;
  int r;

  fn = hs_control_fn (c, h->target);
  if (fn == NULL)
    return 0;
  h->control = c->name;
  h->mode = mode;
  h->changes = 0;
  free (h->first_change);
  h->first_change = NULL;
  if (mode != HS_CTL_ENFORCE && !c->read_only)
    h->spec = scratch = hs_json_dup (real);
  r = fn (h, settings, err);
  h->spec = real;
  if (r < 0)
    return r;
  if (mode == HS_CTL_REJECT && h->changes > 0)
    return hs_error_refuse (err, "%s (control `%s` is in reject mode)", h->first_change, c->name);
  return 0;
}

static bool
listed (const char *const *only, const char *name)
{
  for (size_t i = 0; only != NULL && only[i] != NULL; i++)
    if (strcmp (only[i], name) == 0)
      return true;
  return only == NULL;
}

int
hs_harden_run (hs_harden_t *h, hs_error_t *err)
{
  return hs_harden_run_only (h, NULL, err);
}

int
hs_harden_run_only (hs_harden_t *h, const char *const *only, hs_error_t *err)
{
  const hs_control_t *const *table = h->controls ? h->controls : hs_controls;
  int r = 0;

  hs_exceptions_begin (h);
  for (size_t i = 0; table[i] != NULL; i++)
    {
      const hs_control_t *c = table[i];
      const hs_json_t *settings = hs_policy_control (h->policy, c->name);
      hs_ctl_mode_t mode;

      if (!listed (only, c->name))
        continue;
      if (hs_control_fn (c, h->target) == NULL)
        continue;
      r = hs_control_mode (settings, c->name, &mode, err);
      if (r < 0)
        break;
      if (mode == HS_CTL_OFF)
        continue;
      if (h->policy->mode == HS_POLICY_AUDIT)
        mode = HS_CTL_AUDIT;
      /* An opted-out control still runs, on a copy, so the audit trail
       * shows what the exception let through. */
      if (hs_exceptions_control_off (h, c))
        {
          mode = HS_CTL_AUDIT;
          if (i < 64)
            h->excepted |= 1ull << i;
        }
      r = run_one (h, c, settings, mode, err);
      if (r < 0)
        break;
    }
  hs_exceptions_end (h, r == 0);
  free (h->first_change);
  h->first_change = NULL;
  h->mountinfo = hs_mountinfo_free (h->mountinfo);
  hs_judged_free (h);
  return r;
}

bool
hs_harden_control_active (const hs_harden_t *h, const char *name)
{
  const hs_control_t *const *table = h->controls ? h->controls : hs_controls;
  hs_ctl_mode_t mode;

  if (h->policy->mode != HS_POLICY_ENFORCE)
    return false;
  for (size_t i = 0; table[i] != NULL; i++)
    if (strcmp (table[i]->name, name) == 0)
      {
        if (i < 64 && (h->excepted & (1ull << i)) != 0)
          return false;
        if (hs_control_mode (hs_policy_control (h->policy, name), name, &mode, NULL) < 0)
          return false;
        return mode == HS_CTL_ENFORCE || mode == HS_CTL_REJECT;
      }
  return false;
}

int
hs_harden_mountinfo (hs_harden_t *h, const hs_mountinfo_t **ret, hs_error_t *err)
{
  if (h->mountinfo == NULL && hs_mountinfo_load (&h->mountinfo, err) < 0)
    return -1;
  *ret = h->mountinfo;
  return 0;
}

void
hs_harden_mark (hs_json_t *spec, const hs_policy_t *policy)
{
  static const char *const modes[] = { "enforce", "audit", "off" };
  hs_json_t *ann = hs_json_ensure_object (spec, "annotations");
  cleanup_free char *value = NULL;

  if (ann == NULL)
    return; /* spec validation refuses a non-object `annotations` first */
  value = hs_xasprintf ("version=%s policy=%s mode=%s", PACKAGE_VERSION, policy->digest,
                        modes[policy->mode]);
  hs_json_set_exact (ann, HS_ANNOTATION_HARDENED, hs_json_new_string (value));
}

int
hs_harden_load_policy (const hs_policy_paths_t *paths, hs_policy_t **ret, hs_error_t *err)
{
  hs_policy_t *p = NULL;
  int r;

  r = hs_policy_load (paths, &p, err);
  if (r == 0)
    r = hs_policy_validate_controls (p, err);
  if (r < 0)
    {
      hs_policy_free (p);
      return r;
    }
  *ret = p;
  return 0;
}

int
hs_harden_spec (hs_json_t *spec, const hs_policy_t *policy, const hs_host_t *host,
                hs_audit_t *audit, hs_error_t *err)
{
  return hs_harden_spec_for (spec, policy, host, audit, NULL, err);
}

int
hs_harden_spec_for (hs_json_t *spec, const hs_policy_t *policy, const hs_host_t *host,
                    hs_audit_t *audit, const hs_container_t *ctr, hs_error_t *err)
{
  hs_harden_t h = {
    .spec = spec,
    .policy = policy,
    .host = host,
    .audit = audit,
    .target = HS_TARGET_CONFIG,
    .ctr = ctr,
    .runtime_root = ctr ? ctr->root : NULL,
    .id = ctr ? ctr->id : NULL,
  };
  int r;

  r = hs_spec_validate (spec, err);
  if (r < 0)
    return r;
  if (ctr != NULL && ctr->id != NULL)
    {
      /* a config hardened before (for this bundle's previous container) */
      cleanup_json hs_json_t *scratch = NULL;

      h.control = hs_control_userns.name;
      h.mode = policy->mode == HS_POLICY_AUDIT ? HS_CTL_AUDIT : HS_CTL_ENFORCE;
      if (h.mode == HS_CTL_AUDIT)
        h.spec = scratch = hs_json_dup (spec);
      r = hs_userns_restore (&h, err);
      h.spec = spec;
      h.changes = 0;
      free (h.first_change);
      h.first_change = NULL;
      if (r < 0)
        return r;
    }
  r = hs_harden_run (&h, err);
  if (r < 0)
    return r;
  /* audit mode leaves config.json as the engine wrote it, byte for byte */
  if (policy->mode != HS_POLICY_AUDIT)
    hs_harden_mark (spec, policy);
  return 0;
}
