/* devices: a device the container can open is one the host policy lists.
 * Every linux.resources.devices allow rule is judged by what it really
 * allows (its type, numbers and wildcards as runc and crun read them) and
 * must be covered by `allow`; every linux.devices entry must be listed and,
 * because under a user namespace both runtimes bind-mount the entry's path
 * FROM THE HOST, that host path must be the real node (no symlink, no
 * directory a non-root user can change) or not exist at all. The device
 * cgroup starts from "deny all". */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "hostpath.h"
#include "xalloc.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define CONTROL "devices"

/* The kernel's dev_t: 12-bit major, 20-bit minor. A larger number is cut
 * down by mknod(2) (and by crun's int casts) to another device. */
#define MAJOR_MAX 4095
#define MINOR_MAX 1048575
#define ANY (-1)

static const char *const known_keys[] = { "allow", NULL };

/* "TYPE MAJOR:MINOR", MINOR may be "*". c 136:* and c 5:2 are what both
 * runtimes allow for every container anyway (devpts and its ptmx). */
static const char *const default_allow[] = {
  "c 1:3",   /* null */
  "c 1:5",   /* zero */
  "c 1:7",   /* full */
  "c 1:8",   /* random */
  "c 1:9",   /* urandom */
  "c 5:0",   /* tty */
  "c 5:1",   /* console */
  "c 5:2",   /* ptmx */
  "c 136:*", /* the container's own /dev/pts */
  NULL,
};

typedef struct
{
  char type;              /* 'c' or 'b' */
  long long major, minor; /* ANY: every one */
} devnum_t;

/* Digits only, no sign, at most `max`. */
static bool
parse_num (const char **s, long long max, long long *ret)
{
  long long n = 0;
  const char *p = *s;

  if (*p < '0' || *p > '9')
    return false;
  while (*p >= '0' && *p <= '9')
    {
      n = n * 10 + (*p++ - '0');
      if (n > max)
        return false;
    }
  *s = p;
  *ret = n;
  return true;
}

static bool
parse_entry (const char *s, devnum_t *d)
{
  if ((s[0] != 'c' && s[0] != 'b') || s[1] != ' ')
    return false;
  d->type = s[0];
  s += 2;
  if (!parse_num (&s, MAJOR_MAX, &d->major) || *s++ != ':')
    return false;
  if (s[0] == '*' && s[1] == '\0')
    {
      d->minor = ANY;
      return true;
    }
  return parse_num (&s, MINOR_MAX, &d->minor) && *s == '\0';
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;
  devnum_t d;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "allow", &v, err)) < 0)
    return r;
  for (size_t i = 0; v && i < v->len; i++)
    if (!parse_entry (v->items[i]->str, &d))
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".allow[%zu]`: `%s` is not a device such as "
                            "\"c 1:3\" or \"c 136:*\" (type c or b, major 0-%d, minor 0-%d or *)",
                            i, v->items[i]->str, MAJOR_MAX, MINOR_MAX);
  return 0;
}

/* Is every device of `want` (minor may be ANY; major never is) listed? */
static bool
covered (const hs_strlist_t *allow, const devnum_t *want)
{
  for (size_t i = 0, n = hs_strlist_len (allow); i < n; i++)
    {
      devnum_t d;
      if (parse_entry (hs_strlist_at (allow, i), &d) && d.type == want->type
          && d.major == want->major && (d.minor == ANY || d.minor == want->minor))
        return true;
    }
  return false;
}

static void
format_dev (char *buf, size_t len, const devnum_t *d)
{
  if (d->major == ANY)
    snprintf (buf, len, "%c *:*", d->type);
  else if (d->minor == ANY)
    snprintf (buf, len, "%c %lld:*", d->type, d->major);
  else
    snprintf (buf, len, "%c %lld:%lld", d->type, d->major, d->minor);
}

/* A rule's major or minor: absent or null is a wildcard; runc and crun
 * read every negative number as one too (crun's eBPF tests `< 0`). */
typedef enum
{
  NUM_OK,
  NUM_BAD,   /* not an integer */
  NUM_RANGE, /* above what a dev_t holds: cut down to another device */
} num_status_t;

static num_status_t
rule_num (const hs_json_t *v, long long max, long long *ret, bool *ret_exact_wild)
{
  long long n;

  *ret_exact_wild = v == NULL || v->type == HS_JSON_NULL;
  if (*ret_exact_wild)
    {
      *ret = ANY;
      return NUM_OK;
    }
  if (!hs_json_to_i64 (v, &n))
    return NUM_BAD;
  if (n < 0)
    {
      *ret_exact_wild = n == ANY;
      *ret = ANY;
      return NUM_OK;
    }
  if (n > max)
    return NUM_RANGE;
  *ret = n;
  return NUM_OK;
}

/* The access letters as a set (bits r=1 w=2 m=4), or -1 when malformed.
 * Absent or empty reads as rwm: crun writes a missing access as "(null)"
 * and neither runtime documents what an empty one grants. */
static int
rule_access (const hs_json_t *v)
{
  int set = 0;

  if (v == NULL || v->type == HS_JSON_NULL || (v->type == HS_JSON_STRING && v->str[0] == '\0'))
    return 7;
  if (v->type != HS_JSON_STRING)
    return -1;
  for (const char *p = v->str; *p; p++)
    switch (*p)
      {
      case 'r':
        set |= 1;
        break;
      case 'w':
        set |= 2;
        break;
      case 'm':
        set |= 4;
        break;
      default:
        return -1;
      }
  return set;
}

/* A rule's type: 'a' (every device: absent, null, "" or "a" in runc; crun
 * reads anything starting with 'a' so), 'c', 'b', or 0 when malformed. */
static char
rule_type (const hs_json_t *v)
{
  if (v == NULL || v->type == HS_JSON_NULL)
    return 'a';
  if (v->type != HS_JSON_STRING)
    return 0;
  if (v->str[0] == '\0' || strcmp (v->str, "a") == 0)
    return 'a';
  if (strcmp (v->str, "c") == 0 || strcmp (v->str, "b") == 0)
    return v->str[0];
  return 0;
}

static int
check_rule (hs_harden_t *h, const hs_strlist_t *allow, const hs_json_t *rule, size_t i,
            bool *ret_deny_all, hs_error_t *err)
{
  const hs_json_t *allow_v = hs_json_get (rule, "allow");
  cleanup_free char *jp = hs_xasprintf ("linux.resources.devices[%zu]", i);
  devnum_t d;
  bool major_wild, minor_wild;
  num_status_t ms, ns;
  int access;
  char what[48];

  *ret_deny_all = false;
  if (rule->type != HS_JSON_OBJECT || allow_v == NULL || allow_v->type != HS_JSON_BOOL)
    return hs_harden_refuse (h, err, jp, "a device rule needs a boolean `allow`");
  d.type = rule_type (hs_json_get (rule, "type"));
  access = rule_access (hs_json_get (rule, "access"));
  ms = rule_num (hs_json_get (rule, "major"), MAJOR_MAX, &d.major, &major_wild);
  ns = rule_num (hs_json_get (rule, "minor"), MINOR_MAX, &d.minor, &minor_wild);
  if (d.type == 0)
    return hs_harden_refuse (h, err, jp, "a device rule's `type` is \"a\", \"c\" or \"b\"");
  if (access < 0)
    return hs_harden_refuse (h, err, jp, "a device rule's `access` is made of r, w and m");
  if (ms == NUM_BAD || ns == NUM_BAD)
    return hs_harden_refuse (h, err, jp, "a device rule's `major` and `minor` are integers");
  if (!allow_v->boolean)
    {
      /* Only a full deny-all resets the cgroup; crun's cgroup v1 writes
       * type a as "a" whatever the numbers, runc honours the numbers. */
      *ret_deny_all = d.type == 'a' && major_wild && minor_wild && ms == NUM_OK && ns == NUM_OK
                      && access == 7 && hs_json_get (rule, "access") != NULL;
      return 0;
    }
  if (d.type == 'a')
    return hs_harden_refuse (h, err, jp,
                             "a device cgroup rule allowing all devices is not allowed by host "
                             "policy");
  /* Both runtimes add "c *:* m" and "b *:* m" to every container: mknod
   * alone opens nothing. */
  if (access == 4)
    return 0;
  if (ms == NUM_RANGE || ns == NUM_RANGE)
    return hs_harden_refuse (h, err, jp,
                             "a device number above %d:%d names another device once the kernel "
                             "or the runtime cuts it down",
                             MAJOR_MAX, MINOR_MAX);
  if (d.major == ANY)
    return hs_harden_refuse (h, err, jp,
                             "a device cgroup rule allowing every device of a type is not "
                             "allowed by host policy");
  if (covered (allow, &d))
    return 0;
  format_dev (what, sizeof (what), &d);
  return hs_harden_refuse (h, err, jp,
                           "a device cgroup rule allowing %s is not allowed by host policy (add "
                           "\"%s\" to " CONTROL ".allow to grant it)",
                           what, what);
}

/* Under a user namespace runc (bindMountDeviceNode) and crun
 * (libcrun_create_dev with binds) bind-mount linux.devices[].path from
 * the host, and runc falls back to that bind whenever mknod is refused.
 * So the host path must be absent (then the runtime creates the node in
 * the container, or fails) or the very node the entry describes, reached
 * through no symlink and no directory a non-root host user can change
 * before the runtime looks. */
static int
check_host_path (hs_harden_t *h, const char *jp, const char *path, char type, const devnum_t *d,
                 hs_error_t *err)
{
  hs_hostpath_t hp = { .fd = -1 };
  hs_error_t rerr = NULL;
  cleanup_free char *clean = hs_path_clean (path);
  const char *why = NULL;
  int r;

  if (path[0] != '/' || strcmp (clean, path) != 0 || strcmp (path, "/") == 0)
    return hs_harden_refuse (h, err, jp,
                             "device path `%s` is not a clean absolute path (under a user "
                             "namespace the runtime binds it from the host)",
                             path);
  if (hs_hostpath_resolve (path, NULL, HS_HOSTPATH_NOFOLLOW, &hp, &rerr) < 0)
    {
      r = hs_harden_refuse (h, err, jp, "device path `%s` cannot be judged on the host: %s", path,
                            rerr->msg);
      hs_error_release (&rerr);
      return r;
    }
  if (strcmp (hp.path, path) != 0)
    why = "leads through a symlink";
  else if (hp.replaceable)
    why = "can be replaced by a host user other than root";
  else if (hp.missing[0] != '\0')
    why = NULL; /* nothing there: nothing of the host to bind */
  else if (S_ISLNK (hp.st.st_mode))
    why = "is a symlink";
  else if (type == 'p')
    why = "exists on the host (a FIFO entry would be bound to it)";
  else if ((type == 'b' ? !S_ISBLK (hp.st.st_mode) : !S_ISCHR (hp.st.st_mode))
           || (long long) major (hp.st.st_rdev) != d->major
           || (long long) minor (hp.st.st_rdev) != d->minor)
    why = "is not that device node";
  if (why != NULL)
    {
      char what[48];
      format_dev (what, sizeof (what), d);
      r = hs_harden_refuse (h, err, jp,
                            "device path `%s` %s on the host: under a user namespace the runtime "
                            "bind-mounts that host path into the container, so it must be the "
                            "host's own %s node or not exist",
                            path, why, type == 'p' ? "FIFO" : what);
    }
  else
    r = 0;
  hs_hostpath_release (&hp);
  return r;
}

static int
check_node (hs_harden_t *h, const hs_strlist_t *allow, const hs_json_t *e, size_t i,
            hs_error_t *err)
{
  const hs_json_t *path = hs_json_get (e, "path"), *type = hs_json_get (e, "type");
  cleanup_free char *jp = hs_xasprintf ("linux.devices[%zu]", i);
  devnum_t d = { 'c', ANY, ANY };
  long long major = -1, minor = -1;
  char t;

  if (e->type != HS_JSON_OBJECT || type == NULL || type->type != HS_JSON_STRING
      || strlen (type->str) != 1 || strchr ("cubp", type->str[0]) == NULL)
    return hs_harden_refuse (h, err, jp, "a device needs a `type` of c, u, b or p");
  if (path == NULL || path->type != HS_JSON_STRING || path->str[0] == '\0')
    return hs_harden_refuse (h, err, jp, "a device needs a `path`");
  t = type->str[0] == 'u' ? 'c' : type->str[0]; /* unbuffered character device */
  if (t != 'p')
    {
      bool ok = hs_json_to_i64 (hs_json_get (e, "major"), &major)
                && hs_json_to_i64 (hs_json_get (e, "minor"), &minor);
      d.type = t;
      d.major = major;
      d.minor = minor;
      if (!ok || major < 0 || minor < 0 || major > MAJOR_MAX || minor > MINOR_MAX
          || !covered (allow, &d))
        return hs_harden_refuse (h, err, jp,
                                 "device node %s (%s %lld:%lld) is not allowed by host policy",
                                 path->str, type->str, major, minor);
    }
  return check_host_path (h, jp, path->str, t, &d, err);
}

static int
check_rules (hs_harden_t *h, const hs_strlist_t *allow, hs_json_t *resources, hs_error_t *err)
{
  hs_json_t *rules = hs_json_get (resources, "devices");
  cleanup_json hs_json_t *before = NULL;
  bool deny_first = false;
  int r;

  if (rules != NULL && rules->type != HS_JSON_ARRAY && rules->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, "linux.resources.devices", "expected an array");
  for (size_t i = 0; rules && rules->type == HS_JSON_ARRAY && i < rules->len; i++)
    {
      bool deny_all;
      if ((r = check_rule (h, allow, rules->items[i], i, &deny_all, err)) < 0)
        return r;
      if (i == 0)
        deny_first = deny_all;
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

/* update: every allow rule judged as at create; nothing is added (a
 * deny-all the engine did not send would take the container's devices). */
static int
apply_update (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_strlist_t allow = { NULL, default_allow };
  const hs_json_t *rules = hs_json_path (h->spec, "linux", "resources", "devices", NULL);
  int r;

  if (settings != NULL)
    allow.arr = hs_json_get_exact (settings, "allow");
  if (rules == NULL || rules->type == HS_JSON_NULL)
    return 0;
  if (rules->type != HS_JSON_ARRAY)
    return hs_harden_refuse (h, err, "linux.resources.devices", "expected an array");
  for (size_t i = 0; i < rules->len; i++)
    {
      bool deny_all;
      if ((r = check_rule (h, &allow, rules->items[i], i, &deny_all, err)) < 0)
        return r;
    }
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
  for (size_t i = 0; devs != NULL && devs->type == HS_JSON_ARRAY && i < devs->len; i++)
    if ((r = check_node (h, &allow, devs->items[i], i, err)) < 0)
      return r;
  resources = hs_json_get (linux_, "resources");
  if (resources != NULL && resources->type != HS_JSON_OBJECT && resources->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  resources = hs_json_ensure_object (linux_, "resources");
  return check_rules (h, &allow, resources, err);
}

const hs_control_t hs_control_devices = {
  .name = CONTROL,
  .summary = "only listed devices: device nodes, device cgroup allow rules, host node paths; "
             "deny-all first",
  .doc = "Every linux.resources.devices rule with allow true must be covered by `allow`:\n"
         "a specific rule (c 1:11) by that device or its major with *, a rule with no\n"
         "minor (or a negative one) by \"TYPE MAJOR:*\". Refused: a rule with no type,\n"
         "\"\" or \"a\" (every device), a rule with no major (every device of a type),\n"
         "numbers above 4095:1048575 (the kernel cuts them down to another device), and\n"
         "malformed type or access. A rule granting only m (mknod) passes: both\n"
         "runtimes grant that for every device themselves. Deny rules pass.\n"
         "Every linux.devices entry (type c, u, b; FIFOs p too) must be listed in\n"
         "`allow`, and its path must be clean and absolute, and on the host either not\n"
         "exist or be that very node (same type and numbers), reached through no symlink\n"
         "and no directory a non-root host user can change: under a user namespace\n"
         "runc and crun bind-mount the path FROM THE HOST. A FIFO entry whose path exists\n"
         "on the host is refused for the same reason.\n"
         "When the rules do not start with a deny-all rule ({\"allow\": false, \"access\":\n"
         "\"rwm\"}), one is put first, so only the config's explicit allow rules (and the\n"
         "runtime's defaults) remain.\n"
         "Settings:\n"
         "  allow  devices as \"TYPE MAJOR:MINOR\" (minor may be *); default c 1:3 (null),\n"
         "         c 1:5 (zero), c 1:7 (full), c 1:8 (random), c 1:9 (urandom), c 5:0 (tty),\n"
         "         c 5:1 (console), c 5:2 (ptmx), c 136:* (the container's /dev/pts).\n"
         "         Add \"c 10:229\" for /dev/fuse, \"c 10:232\" for /dev/kvm.\n"
         "`update` (-r resources): the same rules are judged; nothing is added.\n",
  .validate = validate,
  .apply = apply,
  .apply_update = apply_update,
};
