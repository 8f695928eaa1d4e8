/* devices: only the standard device nodes (null, zero, full, random,
 * urandom, tty, console, ptmx) may be created in the container; a
 * device-cgroup rule that allows every device (or every device of a type)
 * is refused, and the device cgroup starts from "deny all". */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "devices"

static const char *const known_keys[] = { "allow", NULL };

/* "TYPE MAJOR:MINOR", MINOR may be "*". */
static const char *const default_allow[] = {
  "c 1:3", /* null */ "c 1:5",    /* zero */ "c 1:7", /* full */ "c 1:8",    /* random */
  "c 1:9", /* urandom */ "c 5:0", /* tty */ "c 5:1",  /* console */ "c 5:2", /* ptmx */
  NULL,
};

typedef struct
{
  char type;
  long long major, minor; /* minor -1: any */
} dev_t_;

/* Digits only, no sign: the number and the end, or false. */
static bool
parse_num (const char **s, long long *ret)
{
  long long n = 0;
  const char *p = *s;

  if (*p < '0' || *p > '9')
    return false;
  while (*p >= '0' && *p <= '9' && n < 100000000)
    n = n * 10 + (*p++ - '0');
  *s = p;
  *ret = n;
  return true;
}

static bool
parse_rule (const char *s, dev_t_ *d)
{
  if ((s[0] != 'c' && s[0] != 'b') || s[1] != ' ')
    return false;
  d->type = s[0];
  s += 2;
  if (!parse_num (&s, &d->major) || *s++ != ':')
    return false;
  if (s[0] == '*' && s[1] == '\0')
    {
      d->minor = -1;
      return true;
    }
  return parse_num (&s, &d->minor) && *s == '\0';
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;
  dev_t_ d;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "allow", &v, err)) < 0)
    return r;
  for (size_t i = 0; v && i < v->len; i++)
    if (!parse_rule (v->items[i]->str, &d))
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".allow[%zu]`: `%s` is not a device such as "
                            "\"c 1:3\" or \"c 136:*\" (type c or b, major:minor)",
                            i, v->items[i]->str);
  return 0;
}

static bool
allowed (const hs_strlist_t *allow, char type, long long major, long long minor)
{
  if (type == 'u')
    type = 'c'; /* unbuffered character device */
  for (size_t i = 0, n = hs_strlist_len (allow); i < n; i++)
    {
      dev_t_ d;
      if (parse_rule (hs_strlist_at (allow, i), &d) && d.type == type && d.major == major
          && (d.minor == -1 || d.minor == minor))
        return true;
    }
  return false;
}

static int
check_nodes (hs_harden_t *h, const hs_strlist_t *allow, hs_json_t *devs, hs_error_t *err)
{
  for (size_t i = 0; i < devs->len; i++)
    {
      hs_json_t *d = devs->items[i];
      hs_json_t *path = hs_json_get (d, "path"), *type = hs_json_get (d, "type");
      long long major = -1, minor = -1;
      cleanup_free char *jp = hs_xasprintf ("linux.devices[%zu]", i);
      int r;

      if (d->type != HS_JSON_OBJECT || type == NULL || type->type != HS_JSON_STRING
          || strlen (type->str) != 1)
        {
          if ((r = hs_harden_refuse (h, err, jp, "a device needs a one-letter `type`")) < 0)
            return r;
          continue;
        }
      if (type->str[0] == 'p')
        continue; /* a FIFO reaches no hardware */
      if (!hs_json_to_i64 (hs_json_get (d, "major"), &major)
          || !hs_json_to_i64 (hs_json_get (d, "minor"), &minor)
          || !allowed (allow, type->str[0], major, minor))
        {
          r = hs_harden_refuse (h, err, jp,
                                "device node %s (%s %lld:%lld) is not allowed by host policy",
                                path && path->type == HS_JSON_STRING ? path->str : "(no path)",
                                type->str, major, minor);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

static bool
is_wild (const hs_json_t *v)
{
  long long n;
  return v == NULL || v->type == HS_JSON_NULL || (hs_json_to_i64 (v, &n) && n < 0);
}

static int
check_rules (hs_harden_t *h, hs_json_t *resources, hs_error_t *err)
{
  hs_json_t *rules = hs_json_get (resources, "devices");
  cleanup_json hs_json_t *before = NULL;
  bool deny_first = false;
  int r;

  if (rules != NULL && rules->type != HS_JSON_ARRAY && rules->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, "linux.resources.devices", "expected an array");
  for (size_t i = 0; rules && rules->type == HS_JSON_ARRAY && i < rules->len; i++)
    {
      hs_json_t *rule = rules->items[i];
      hs_json_t *allow = hs_json_get (rule, "allow"), *type = hs_json_get (rule, "type");
      cleanup_free char *jp = hs_xasprintf ("linux.resources.devices[%zu]", i);
      bool all_types, all_majors;

      if (rule->type != HS_JSON_OBJECT || allow == NULL || allow->type != HS_JSON_BOOL
          || (type != NULL && type->type != HS_JSON_STRING && type->type != HS_JSON_NULL))
        {
          if ((r = hs_harden_refuse (h, err, jp,
                                     "a device rule needs a boolean `allow` and a string `type`"))
              < 0)
            return r;
          continue;
        }
      all_types = type == NULL || type->type == HS_JSON_NULL || strcmp (type->str, "a") == 0
                  || type->str[0] == '\0';
      all_majors = is_wild (hs_json_get (rule, "major"));
      if (i == 0 && !allow->boolean && all_types && all_majors
          && is_wild (hs_json_get (rule, "minor")))
        deny_first = true;
      if (allow->boolean && (all_types || all_majors))
        {
          r = hs_harden_refuse (h, err, jp,
                                "a device cgroup rule allowing %s is not allowed by host policy",
                                all_types ? "all devices" : "every device of a type");
          if (r < 0)
            return r;
        }
    }
  if (deny_first)
    return 0;
  before = rules && rules->type == HS_JSON_ARRAY ? hs_json_dup (rules) : NULL;
  rules = hs_json_ensure_array (resources, "devices");
  {
    hs_json_t *deny = hs_json_new (HS_JSON_OBJECT);

    hs_json_set_exact (deny, "allow", hs_json_new_bool (false));
    hs_json_set_exact (deny, "access", hs_json_new_string ("rwm"));
    hs_json_append (rules, deny);
    memmove (&rules->items[1], &rules->items[0], (rules->len - 1) * sizeof (hs_json_t *));
    rules->items[0] = deny;
  }
  hs_harden_change (h, "linux.resources.devices", before, rules,
                    "the device cgroup starts from deny-all (host policy)");
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_strlist_t allow = { NULL, default_allow };
  hs_json_t *linux_ = hs_json_get (h->spec, "linux");
  hs_json_t *devs, *resources;
  int r;

  if (settings != NULL)
    allow.arr = hs_json_get_exact (settings, "allow");
  if (linux_ != NULL && linux_->type != HS_JSON_OBJECT && linux_->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  linux_ = hs_json_ensure_object (h->spec, "linux");
  devs = hs_json_get (linux_, "devices");
  if (devs != NULL && devs->type != HS_JSON_ARRAY && devs->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, "linux.devices", "expected an array");
  if (devs != NULL && devs->type == HS_JSON_ARRAY && (r = check_nodes (h, &allow, devs, err)) < 0)
    return r;
  resources = hs_json_get (linux_, "resources");
  if (resources != NULL && resources->type != HS_JSON_OBJECT && resources->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  resources = hs_json_ensure_object (linux_, "resources");
  return check_rules (h, resources, err);
}

const hs_control_t hs_control_devices = {
  .name = CONTROL,
  .summary = "only standard device nodes; no allow-all device cgroup rule; deny-all first",
  .doc = "Refuses a linux.devices entry whose type and major:minor are not in `allow`\n"
         "(FIFOs, type p, are always allowed). Refuses a linux.resources.devices rule\n"
         "with allow true and no type (or type \"a\") or no major (or -1): it would allow\n"
         "every device, or every device of a type. When the rules do not start with a\n"
         "deny-all rule ({\"allow\": false, \"access\": \"rwm\"}), one is put first, so only\n"
         "the config's explicit allow rules (and the runtime's defaults) remain.\n"
         "Settings:\n"
         "  allow  devices as \"TYPE MAJOR:MINOR\" (minor may be *); default c 1:3 (null),\n"
         "         c 1:5 (zero), c 1:7 (full), c 1:8 (random), c 1:9 (urandom), c 5:0 (tty),\n"
         "         c 5:1 (console), c 5:2 (ptmx). Add \"c 10:229\" for /dev/fuse.\n",
  .validate = validate,
  .apply = apply,
};
