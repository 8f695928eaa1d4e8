#include "exec_cgroup.h"

#include <string.h>

static bool
controllers_ok (const char *s, size_t n)
{
  size_t start = 0;

  for (size_t i = 0; i <= n; i++)
    if (i == n || s[i] == ',')
      {
        if (i == start)
          return false;
        start = i + 1;
      }
    else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'
               || s[i] == '='))
      return false;
  return true;
}

const char *
hs_exec_cgroup_refusal (const char *value)
{
  const char *colon = strchr (value, ':');
  const char *path = colon ? colon + 1 : value;
  const char *p = path;

  if (colon != NULL && !controllers_ok (value, (size_t) (colon - value)))
    return "names controllers that are not CTRL[,CTRL]";
  if (path[0] == '\0')
    return "has an empty path";
  if (path[0] == '/')
    return "is absolute: only a path below the container's cgroup is admitted";
  if (strchr (path, ':') != NULL)
    return "has more than one `:`";
  while (*p != '\0')
    {
      const char *e = strchrnul (p, '/');
      size_t n = (size_t) (e - p);

      if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return "is not a clean path (empty, `.` or `..` components): the runtime would leave "
               "the container's cgroup";
      p = *e ? e + 1 : e;
    }
  return NULL;
}

int
hs_exec_cgroup_check (const hs_invocation_t *inv, hs_error_t *err)
{
  for (size_t i = 0; i < inv->n_exec_cgroups; i++)
    {
      const char *why = hs_exec_cgroup_refusal (inv->exec_cgroups[i]);

      if (why != NULL)
        return hs_error_refuse (err, "exec --cgroup `%s` %s", inv->exec_cgroups[i], why);
    }
  return 0;
}
