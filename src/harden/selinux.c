/* selinux: an MCS-separated process label and mount label per container
 * (system_u:system_r:container_t:s0:cX,cY and ...:container_file_t:s0:cX,cY),
 * the category pair unique among running containers. */
#include "cleanup.h"
#include "harden/controls.h"
#include "harden/lsm.h"
#include "mcs.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[]
    = { "user",  "role",       "type",          "file_role",          "file_type",
        "level", "categories", "allowed_types", "allowed_file_types", NULL };

typedef struct
{
  const char *user, *role, *type, *file_role, *file_type, *level;
  unsigned lo, hi;
  const hs_json_t *allowed_types, *allowed_file_types;
} se_settings_t;

static bool
plain_name (const char *s)
{
  if (*s == '\0' || strlen (s) > 255)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || *s == '_'))
      return false;
  return true;
}

static int
get_name (const hs_json_t *settings, const char *key, const char *dflt, const char **ret,
          hs_error_t *err)
{
  const hs_json_t *v = settings ? hs_json_get_exact (settings, key) : NULL;

  *ret = dflt;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_STRING || !plain_name (v->str))
    return hs_error_make (err, 0,
                          "policy key `selinux.%s`: expected an SELinux name (letters, digits, "
                          "_)",
                          key);
  *ret = v->str;
  return 0;
}

static int
get_categories (const hs_json_t *settings, unsigned *lo, unsigned *hi, hs_error_t *err)
{
  const hs_json_t *v = settings ? hs_json_get_exact (settings, "categories") : NULL;
  unsigned long n[2];

  *lo = 0;
  *hi = HS_MCS_MAX_CATEGORY;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_ARRAY || v->len != 2)
    goto bad;
  for (size_t i = 0; i < 2; i++)
    {
      char *end;

      if (v->items[i]->type != HS_JSON_NUMBER || v->items[i]->str[0] == '-')
        goto bad;
      n[i] = strtoul (v->items[i]->str, &end, 10);
      if (*end != '\0' || n[i] > HS_MCS_MAX_CATEGORY)
        goto bad;
    }
  if (n[0] >= n[1])
    goto bad;
  *lo = (unsigned) n[0];
  *hi = (unsigned) n[1];
  return 0;
bad:
  return hs_error_make (err, 0,
                        "policy key `selinux.categories`: expected [FIRST, LAST] with 0 <= "
                        "FIRST < LAST <= %u",
                        HS_MCS_MAX_CATEGORY);
}

static int
get_types (const hs_json_t *settings, const char *key, const hs_json_t **ret, hs_error_t *err)
{
  int r = hs_settings_string_array (settings, "selinux", key, ret, err);

  if (r < 0)
    return r;
  for (size_t i = 0; *ret != NULL && i < (*ret)->len; i++)
    {
      const char *t = (*ret)->items[i]->str;

      if (!plain_name (t))
        return hs_error_make (err, 0, "policy key `selinux.%s[%zu]`: `%s` is not an SELinux type",
                              key, i, t);
      if (hs_selinux_type_unconfined (t))
        return hs_error_make (err, 0,
                              "policy key `selinux.%s[%zu]`: `%s` is unconfined and cannot be "
                              "allowed for every container; use an exception",
                              key, i, t);
    }
  return 0;
}

static int
parse_settings (const hs_json_t *settings, se_settings_t *s, hs_error_t *err)
{
  const hs_json_t *level = settings ? hs_json_get_exact (settings, "level") : NULL;
  int r;

  if ((r = get_name (settings, "user", "system_u", &s->user, err)) < 0
      || (r = get_name (settings, "role", "system_r", &s->role, err)) < 0
      || (r = get_name (settings, "type", "container_t", &s->type, err)) < 0
      || (r = get_name (settings, "file_role", "object_r", &s->file_role, err)) < 0
      || (r = get_name (settings, "file_type", "container_file_t", &s->file_type, err)) < 0
      || (r = get_categories (settings, &s->lo, &s->hi, err)) < 0
      || (r = get_types (settings, "allowed_types", &s->allowed_types, err)) < 0
      || (r = get_types (settings, "allowed_file_types", &s->allowed_file_types, err)) < 0)
    return r;
  s->level = "s0";
  if (level != NULL)
    {
      /* A sensitivity: the categories are hardshim's to add. */
      if (level->type != HS_JSON_STRING || level->str[0] != 's' || level->str[1] == '\0'
          || strspn (level->str + 1, "0123456789") != strlen (level->str + 1))
        return hs_error_make (err, 0,
                              "policy key `selinux.level`: expected a sensitivity "
                              "such as s0");
      s->level = level->str;
    }
  if (hs_selinux_type_unconfined (s->type) || hs_selinux_type_unconfined (s->file_type))
    return hs_error_make (err, 0,
                          "policy key `selinux.type`/`selinux.file_type`: unconfined "
                          "types give no separation");
  return 0;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  se_settings_t s;
  int r = hs_settings_check_keys (settings, "selinux", keys, err);

  return r < 0 ? r : parse_settings (settings, &s, err);
}

static bool
type_allowed (const char *type, const char *own, const hs_json_t *more)
{
  return strcmp (type, own) == 0 || (more != NULL && hs_json_array_find_string (more, type) >= 0);
}

/* The label string at `obj.key`: NULL when absent, null or ""; refuses
 * other types and malformed labels. */
static int
read_label (hs_harden_t *h, hs_json_t *obj, const char *key, const char *path,
            hs_selinux_label_t *ret, const char **ret_str, hs_error_t *err)
{
  hs_json_t *v = obj ? hs_json_get (obj, key) : NULL;

  *ret_str = NULL;
  *ret = (hs_selinux_label_t){ 0 };
  if (v == NULL || v->type == HS_JSON_NULL || (v->type == HS_JSON_STRING && v->str[0] == '\0'))
    return 0;
  if (v->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, path, "expected a string, got %s",
                             hs_json_type_name (v->type));
  if (hs_selinux_label_parse (v->str, ret) < 0)
    return hs_harden_refuse (h, err, path,
                             "`%s` is not a valid SELinux label (user:role:type:level)", v->str);
  *ret_str = v->str;
  return 0;
}

/* 1: excepted (keep it), 0: audit mode recorded it, < 0: refused. */
static int
refuse_unconfined (hs_harden_t *h, const char *path, const char *label, const char *type,
                   hs_error_t *err)
{
  if (hs_lsm_excepted (h, "type", type))
    {
      hs_harden_note (h, path, "SELinux label `%s` allowed by an exception", label);
      return 1;
    }
  return hs_harden_refuse (h, err, path,
                           "SELinux label `%s` has an unconfined type (`%s`), which host policy "
                           "does not allow",
                           label, type);
}

/* An excepted unconfined label on a host without SELinux: there is no
 * separation to give up, and runc fails a create that carries labels. */
static void
drop_excepted (hs_harden_t *h, hs_json_t *process, hs_json_t *linux_)
{
  static const char *const why = "SELinux is not enabled on this host: the container is "
                                 "unconfined without the label, which the runtime would fail "
                                 "to apply";

  if (h->host->selinux_enabled)
    return;
  if (process != NULL && hs_json_get (process, "selinuxLabel") != NULL)
    {
      hs_harden_change (h, "process.selinuxLabel", hs_json_get (process, "selinuxLabel"), NULL,
                        "%s", why);
      hs_json_remove (process, "selinuxLabel");
    }
  if (linux_ != NULL && hs_json_get (linux_, "mountLabel") != NULL)
    {
      hs_harden_change (h, "linux.mountLabel", hs_json_get (linux_, "mountLabel"), NULL, "%s", why);
      hs_json_remove (linux_, "mountLabel");
    }
}

static void
set_label (hs_harden_t *h, hs_json_t *obj, const char *key, const char *path, const char *value,
           const char *why)
{
  hs_json_t *after = hs_json_new_string (value);

  hs_harden_change (h, path, hs_json_get (obj, key), after, "%s", why);
  hs_json_set (obj, key, after);
}

/* The MCS level for a new label: reserved for a real create, shown without
 * categories for dry runs (hardshimctl check, audit and reject modes). */
static int
new_level (hs_harden_t *h, const se_settings_t *s, char **ret, hs_error_t *err)
{
  unsigned c1, c2;
  int r;

  if (h->mode != HS_CTL_ENFORCE || h->id == NULL)
    {
      hs_harden_note (h, "process.selinuxLabel",
                      "categories are reserved when the container is created");
      *ret = hs_xstrdup (s->level);
      return 0;
    }
  r = hs_mcs_reserve (h->policy->state_dir, h->runtime_root, h->id, s->lo, s->hi, &c1, &c2, err);
  if (r < 0)
    {
      cleanup_free char *msg = NULL;

      if (!hs_error_is_refusal (err))
        return hs_error_wrap (err, "reserve SELinux categories");
      msg = hs_xstrdup ((*err)->msg);
      hs_error_release (err);
      return hs_harden_refuse (h, err, "process.selinuxLabel", "%s", msg);
    }
  *ret = hs_xasprintf ("%s:c%u,c%u", s->level, c1, c2);
  return 0;
}

static bool
hardened_before (const hs_json_t *spec)
{
  const hs_json_t *ann = hs_json_get (spec, "annotations");

  return ann != NULL && ann->type == HS_JSON_OBJECT
         && hs_json_get_exact (ann, HS_ANNOTATION_HARDENED) != NULL;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *process = hs_json_get (h->spec, "process");
  hs_json_t *linux_ = NULL;
  hs_selinux_label_t pl = { 0 }, ml = { 0 };
  const char *pl_str, *ml_str;
  cleanup_free char *level = NULL, *label = NULL, *mount = NULL;
  se_settings_t s;
  bool keep = false;
  int r;

  if (process == NULL || process->type == HS_JSON_NULL)
    return 0; /* nothing runs without a process; the runtime says so */
  if (process->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, "process", "`process` must be an object");
  r = parse_settings (settings, &s, err);
  if (r < 0)
    return r;
  linux_ = hs_json_get (h->spec, "linux");
  if (linux_ != NULL && linux_->type != HS_JSON_OBJECT)
    linux_ = NULL; /* spec validation refuses it first */

  if ((r = read_label (h, process, "selinuxLabel", "process.selinuxLabel", &pl, &pl_str, err)) < 0
      || (r = read_label (h, linux_, "mountLabel", "linux.mountLabel", &ml, &ml_str, err)) < 0)
    goto out;
  if (pl_str != NULL && hs_selinux_type_unconfined (pl.type))
    {
      r = refuse_unconfined (h, "process.selinuxLabel", pl_str, pl.type, err);
      if (r > 0)
        drop_excepted (h, process, linux_);
      if (r != 0)
        {
          r = r < 0 ? r : 0;
          goto out;
        }
    }
  if (ml_str != NULL && hs_selinux_type_unconfined (ml.type))
    {
      r = refuse_unconfined (h, "linux.mountLabel", ml_str, ml.type, err);
      if (r > 0)
        drop_excepted (h, process, linux_);
      if (r != 0)
        {
          r = r < 0 ? r : 0;
          goto out;
        }
    }

  if (!h->host->selinux_enabled)
    {
      const char *why = h->host->selinux_undetectable
                            ? " (this hardshim was built without libselinux and cannot detect "
                              "it)"
                            : "";

      /* runc and crun fail a create that carries labels here: set none. */
      if (hs_lsm_required (settings) && h->host->selinux_undetectable)
        r = hs_harden_refuse (h, err, "process.selinuxLabel",
                              "SELinux is required by host policy (selinux.mode), but this "
                              "hardshim was built without libselinux, so it cannot tell whether "
                              "SELinux is enabled");
      else if (hs_lsm_required (settings))
        r = hs_harden_refuse (h, err, "process.selinuxLabel",
                              "SELinux is required by host policy (selinux.mode), but SELinux "
                              "is not enabled on this host");
      else
        hs_harden_note (h, "process.selinuxLabel", "SELinux not enabled, skipped%s", why);
      goto out;
    }

  /* A label the engine chose (podman picks its own categories) is kept when
   * its type is allowed; its pair is recorded so hardshim never hands it out.
   * A label hardshim set in an earlier hardening of this file (a bundle run
   * again under another id) is not the engine's choice: its pair may belong
   * to another container, so a pair is reserved afresh. */
  keep = pl_str != NULL && type_allowed (pl.type, s.type, s.allowed_types)
         && !hardened_before (h->spec);
  if (keep)
    {
      unsigned c1, c2;

      hs_harden_note (h, "process.selinuxLabel", "SELinux label `%s` kept: its type is allowed",
                      pl_str);
      level = hs_xstrdup (pl.level);
      if (h->mode == HS_CTL_ENFORCE && h->id != NULL
          && hs_mcs_parse_level (pl.level, &c1, &c2) == 0)
        {
          r = hs_mcs_record (h->policy->state_dir, h->runtime_root, h->id, c1, c2, err);
          if (r < 0)
            goto out;
        }
    }
  else
    {
      r = new_level (h, &s, &level, err);
      if (r < 0 || level == NULL)
        goto out;
      label = hs_xasprintf ("%s:%s:%s:%s", s.user, s.role, s.type, level);
      set_label (h, process, "selinuxLabel", "process.selinuxLabel", label,
                 pl_str ? "the label's type is not allowed by host policy: MCS-separated label"
                        : "MCS-separated SELinux label for the container");
    }

  /* Files the container sees carry the process label's categories. */
  if (ml_str != NULL && type_allowed (ml.type, s.file_type, s.allowed_file_types)
      && strcmp (ml.level, level) == 0)
    goto out;
  mount = hs_xasprintf ("%s:%s:%s:%s", s.user, s.file_role, s.file_type, level);
  if (linux_ == NULL)
    linux_ = hs_json_ensure_object (h->spec, "linux");
  if (linux_ != NULL)
    set_label (h, linux_, "mountLabel", "linux.mountLabel", mount,
               "mount label matching the process label's categories");
out:
  hs_selinux_label_release (&pl);
  hs_selinux_label_release (&ml);
  return r;
}

/* exec --process FILE: a label there replaces the container's for the new
 * process; without one both runtimes use the container's own. */
static int
apply_process (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *process = hs_json_get (h->spec, "process");
  hs_selinux_label_t l = { 0 };
  const char *str;
  int r;

  (void) settings;
  if (process == NULL || process->type != HS_JSON_OBJECT)
    return 0;
  r = read_label (h, process, "selinuxLabel", "process.selinuxLabel", &l, &str, err);
  if (r < 0 || str == NULL)
    return r;
  if (hs_selinux_type_unconfined (l.type))
    r = refuse_unconfined (h, "process.selinuxLabel", str, l.type, err);
  hs_selinux_label_release (&l);
  if (r > 0)
    drop_excepted (h, process, NULL);
  if (r != 0)
    return r < 0 ? r : 0;
  hs_harden_change (h, "process.selinuxLabel", hs_json_get (process, "selinuxLabel"), NULL,
                    "the exec'd process keeps the container's SELinux label");
  hs_json_remove (process, "selinuxLabel");
  return 0;
}

const hs_control_t hs_control_selinux = {
  .name = "selinux",
  .summary = "MCS-separated SELinux process and mount labels, unique per container",
  .doc = "When SELinux is enabled, sets process.selinuxLabel to\n"
         "system_u:system_r:container_t:s0:cX,cY and linux.mountLabel to\n"
         "system_u:object_r:container_file_t:s0:cX,cY, with a category pair no other\n"
         "running container holds (reserved under <state_dir>/selinux, released on\n"
         "delete). A label the config carries is kept when its type is allowed;\n"
         "spc_t and unconfined types are refused unless the container holds the\n"
         "exception org.hardshim.exception.selinux.type = TYPE, granted by policy.\n"
         "With SELinux off no label is set:\n"
         "best-effort records \"SELinux not enabled, skipped\", required refuses.\n"
         "Settings: mode (required | best-effort | audit | off; default best-effort),\n"
         "user, role, type, file_role, file_type, level, categories [FIRST, LAST],\n"
         "allowed_types, allowed_file_types. See doc/lsm.md.\n",
  .validate = validate,
  .apply = apply,
  .apply_process = apply_process,
  .modes = hs_lsm_modes,
  .exceptions = hs_selinux_exceptions,
};
