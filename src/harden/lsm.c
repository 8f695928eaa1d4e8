#include "harden/lsm.h"
#include "cleanup.h"
#include "exceptions.h"
#include "xalloc.h"

#include <string.h>

const hs_mode_name_t hs_lsm_modes[] = {
  { "required", HS_CTL_ENFORCE }, { "best-effort", HS_CTL_ENFORCE },
  { "audit", HS_CTL_AUDIT },      { "off", HS_CTL_OFF },
  { NULL, HS_CTL_OFF },
};

bool
hs_lsm_required (const hs_json_t *settings)
{
  const hs_json_t *m = settings ? hs_json_get_exact (settings, "mode") : NULL;

  return m != NULL && m->type == HS_JSON_STRING && strcmp (m->str, "required") == 0;
}

const char *const hs_apparmor_exceptions[] = { "profile", NULL };
const char *const hs_selinux_exceptions[] = { "type", NULL };

bool
hs_lsm_excepted (hs_harden_t *h, const char *name, const char *value)
{
  return hs_harden_exception_allows (h, NULL, name, value);
}

static bool
label_part_ok (const char *s, const char *extra)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || *s == '_' || (extra && strchr (extra, *s) != NULL)))
      return false;
  return true;
}

void
hs_selinux_label_release (hs_selinux_label_t *l)
{
  free (l->user);
  free (l->role);
  free (l->type);
  free (l->level);
  *l = (hs_selinux_label_t){ 0 };
}

int
hs_selinux_label_parse (const char *s, hs_selinux_label_t *ret)
{
  const char *c1 = strchr (s, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  const char *c3 = c2 ? strchr (c2 + 1, ':') : NULL;
  hs_selinux_label_t l = { 0 };

  *ret = l;
  if (c3 == NULL || strlen (s) > 4096)
    return -1;
  l.user = hs_xstrndup (s, c1 - s);
  l.role = hs_xstrndup (c1 + 1, c2 - c1 - 1);
  l.type = hs_xstrndup (c2 + 1, c3 - c2 - 1);
  l.level = hs_xstrdup (c3 + 1);
  if (!label_part_ok (l.user, NULL) || !label_part_ok (l.role, NULL)
      || !label_part_ok (l.type, NULL) || !label_part_ok (l.level, ":,.-"))
    {
      hs_selinux_label_release (&l);
      return -1;
    }
  *ret = l;
  return 0;
}

bool
hs_selinux_type_unconfined (const char *type)
{
  return strcmp (type, "spc_t") == 0 || strstr (type, "unconfined") != NULL;
}

bool
hs_apparmor_profile_allowed (const hs_json_t *settings, const char *name)
{
  const hs_json_t *allowed = settings ? hs_json_get_exact (settings, "allowed_profiles") : NULL;

  return allowed != NULL && allowed->type == HS_JSON_ARRAY
         && hs_json_array_find_string (allowed, name) >= 0;
}

/* A hardening context for one control outside the engine's loop. */
static int
flag_context (const char *control, const hs_json_t *config, const hs_policy_t *policy,
              const hs_host_t *host, hs_audit_t *audit, hs_harden_t *h, const hs_json_t **settings,
              hs_error_t *err)
{
  hs_ctl_mode_t mode;
  int r;

  *settings = hs_policy_control (policy, control);
  r = hs_control_mode (*settings, control, &mode, err);
  if (r < 0)
    return r;
  if (policy->mode == HS_POLICY_AUDIT && mode != HS_CTL_OFF)
    mode = HS_CTL_AUDIT;
  *h = (hs_harden_t){ .policy = policy,
                      .host = host,
                      .audit = audit,
                      .control = control,
                      .mode = mode,
                      .target = HS_TARGET_PROCESS,
                      .container = config };
  if (mode == HS_CTL_OFF)
    return 0;
  /* The container's exceptions apply to its flags too; the engine's run
   * over the config or process audits the annotations. */
  hs_exceptions_begin_quiet (h);
  return 1;
}

static const char *
config_string (const hs_json_t *config, const char *field)
{
  const hs_json_t *v = config ? hs_json_path (config, "process", field, NULL) : NULL;

  return v != NULL && v->type == HS_JSON_STRING ? v->str : NULL;
}

static int
apparmor_flag (hs_harden_t *h, const hs_json_t *settings, const char *flag, const char *value,
               const char *own, hs_error_t *err)
{
  if (strcmp (value, "unconfined") == 0)
    {
      if (hs_lsm_excepted (h, "profile", "unconfined"))
        {
          hs_harden_note (h, flag, "AppArmor profile `unconfined` allowed by an exception");
          return 0;
        }
      return hs_harden_refuse (h, err, flag,
                               "running without AppArmor confinement (`unconfined`) is not "
                               "allowed by host policy");
    }
  if (hs_apparmor_profile_allowed (settings, value) || (own != NULL && strcmp (own, value) == 0))
    return 0;
  return hs_harden_refuse (h, err, flag,
                           "AppArmor profile `%s` is not in apparmor.allowed_profiles; leave "
                           "the flag out and the process keeps the container's profile",
                           value);
}

static int
check_apparmor_flag (const char *flag, const char *value, const hs_json_t *config,
                     const hs_policy_t *policy, const hs_host_t *host, hs_audit_t *audit,
                     hs_error_t *err)
{
  const hs_json_t *settings;
  hs_harden_t h;
  int r = flag_context ("apparmor", config, policy, host, audit, &h, &settings, err);

  if (r <= 0)
    return r;
  r = apparmor_flag (&h, settings, flag, value, config_string (config, "apparmorProfile"), err);
  hs_exceptions_end (&h, true);
  return r;
}

static int
selinux_flag (hs_harden_t *h, const char *flag, const char *value, const char *own, hs_error_t *err)
{
  hs_selinux_label_t l;

  if (hs_selinux_label_parse (value, &l) < 0)
    return hs_harden_refuse (h, err, flag,
                             "`%s` is not a valid SELinux label (user:role:type:level)", value);
  if (hs_selinux_type_unconfined (l.type))
    {
      bool excepted = hs_lsm_excepted (h, "type", l.type);

      hs_selinux_label_release (&l);
      if (excepted)
        {
          hs_harden_note (h, flag, "SELinux label `%s` allowed by an exception", value);
          return 0;
        }
      return hs_harden_refuse (h, err, flag,
                               "SELinux label `%s` has an unconfined type, which host policy "
                               "does not allow",
                               value);
    }
  hs_selinux_label_release (&l);
  if (own != NULL && strcmp (own, value) == 0)
    return 0;
  /* Another container's categories would break MCS separation. */
  return hs_harden_refuse (h, err, flag,
                           "SELinux label `%s` is not the container's own; leave the flag out "
                           "and the process keeps the container's label",
                           value);
}

static int
check_selinux_flag (const char *flag, const char *value, const hs_json_t *config,
                    const hs_policy_t *policy, const hs_host_t *host, hs_audit_t *audit,
                    hs_error_t *err)
{
  const hs_json_t *settings;
  hs_harden_t h;
  int r = flag_context ("selinux", config, policy, host, audit, &h, &settings, err);

  if (r <= 0)
    return r;
  r = selinux_flag (&h, flag, value, config_string (config, "selinuxLabel"), err);
  hs_exceptions_end (&h, true);
  return r;
}

int
hs_lsm_harden_flags (const hs_invocation_t *inv, const hs_json_t *config, const hs_policy_t *policy,
                     const hs_host_t *host, hs_audit_t *audit, hs_error_t *err)
{
  const char *aa = hs_cli_value (inv, inv->apparmor);
  const char *label = hs_cli_value (inv, inv->process_label);
  int r;

  if (inv->verb == HS_VERB_RESTORE)
    {
      /* runc and crun: --lsm-profile TYPE:NAME */
      if (aa == NULL)
        return 0;
      if (strncmp (aa, "apparmor:", 9) == 0)
        return check_apparmor_flag ("restore --lsm-profile", aa + 9, config, policy, host, audit,
                                    err);
      if (strncmp (aa, "selinux:", 8) == 0)
        return check_selinux_flag ("restore --lsm-profile", aa + 8, config, policy, host, audit,
                                   err);
      return hs_error_refuse (err,
                              "restore --lsm-profile `%s`: expected apparmor:PROFILE or "
                              "selinux:LABEL",
                              aa);
    }
  if (aa != NULL && *aa != '\0')
    {
      r = check_apparmor_flag ("exec --apparmor", aa, config, policy, host, audit, err);
      if (r < 0)
        return r;
    }
  if (label != NULL && *label != '\0')
    return check_selinux_flag ("exec --process-label", label, config, policy, host, audit, err);
  return 0;
}
