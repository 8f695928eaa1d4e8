/* sysctls: only sysctls that are namespaced and safe (the Kubernetes Pod
 * Security Standards "safe" set) may be set in linux.sysctl; the others
 * change the host kernel or share state with other containers. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "sysctls"

static const char *const known_keys[] = { "allow", "disallowed", NULL };

static const char *const default_allow[] = {
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  NULL,
};
static const char *const actions[] = { "refuse", "remove", NULL };

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  const char *a;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "allow", &v, err)) < 0
      || (r = hs_settings_enum (settings, CONTROL, "disallowed", actions, "refuse", &a, err)) < 0)
    return r;
  for (size_t i = 0; v && i < v->len; i++)
    {
      const char *s = v->items[i]->str;
      const char *star = strchr (s, '*');
      if (s[0] == '\0' || strchr (s, '/') != NULL || (star && star[1] != '\0'))
        return hs_error_make (err, 0,
                              "policy key `" CONTROL ".allow[%zu]`: `%s` is not a sysctl name "
                              "(dots, no '/'; a trailing * matches a prefix)",
                              i, s);
    }
  return 0;
}

static bool
allowed (const hs_strlist_t *allow, const char *name)
{
  for (size_t i = 0, n = hs_strlist_len (allow); i < n; i++)
    {
      const char *a = hs_strlist_at (allow, i);
      size_t al = strlen (a);
      if (al > 0 && a[al - 1] == '*' ? strncmp (name, a, al - 1) == 0 : strcmp (name, a) == 0)
        return true;
    }
  return false;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_strlist_t allow = { NULL, default_allow };
  hs_json_t *sysctl = hs_json_path (h->spec, "linux", "sysctl", NULL);
  const char *action = "refuse";
  int r;

  if (settings != NULL)
    {
      allow.arr = hs_json_get_exact (settings, "allow");
      if ((r = hs_settings_enum (settings, CONTROL, "disallowed", actions, "refuse", &action, err))
          < 0)
        return r;
    }
  if (sysctl == NULL || sysctl->type != HS_JSON_OBJECT)
    return 0;
  for (size_t i = 0; i < sysctl->len;)
    {
      /* runc and crun write "a.b/c" and "a/b.c" to the same file: compare
       * the dotted form. */
      cleanup_free char *name = hs_xstrdup (sysctl->keys[i]);
      cleanup_free char *jp = hs_xasprintf ("linux.sysctl[\"%s\"]", sysctl->keys[i]);

      for (char *c = name; *c; c++)
        if (*c == '/')
          *c = '.';
      if (name[0] == '\0' || name[0] == '.' || name[strlen (name) - 1] == '.'
          || strstr (name, "..") != NULL)
        {
          r = hs_harden_refuse (h, err, jp, "malformed sysctl name `%s`", sysctl->keys[i]);
          if (r < 0)
            return r;
          i++;
          continue;
        }
      if (allowed (&allow, name))
        {
          i++;
          continue;
        }
      if (strcmp (action, "remove") == 0)
        {
          hs_harden_change (h, jp, sysctl->items[i], NULL,
                            "sysctl %s is not in the host policy's allowed list: removed", name);
          hs_json_remove_exact (sysctl, sysctl->keys[i]);
          continue;
        }
      r = hs_harden_refuse (h, err, jp, "sysctl %s is not allowed by host policy", name);
      if (r < 0)
        return r;
      i++;
    }
  return 0;
}

const hs_control_t hs_control_sysctls = {
  .name = CONTROL,
  .summary = "only namespaced safe sysctls (Kubernetes Pod Security Standards) in linux.sysctl",
  .doc = "Each linux.sysctl key (with '/' read as '.') must match `allow`; others are\n"
         "refused, or removed when `disallowed` is \"remove\".\n"
         "Settings:\n"
         "  allow       sysctl names; a trailing * matches a prefix (\"net.ipv4.tcp_*\").\n"
         "              Default: the Kubernetes Pod Security Standards safe set:\n"
         "              kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,\n"
         "              net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies,\n"
         "              net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports,\n"
         "              net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout,\n"
         "              net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes\n"
         "  disallowed  \"refuse\" (default) or \"remove\"\n",
  .validate = validate,
  .apply = apply,
};
