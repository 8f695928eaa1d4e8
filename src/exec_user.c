#include "exec_user.h"

#include <string.h>

/* `0` or [1-9][0-9]* up to HS_EXEC_USER_ID_MAX, ending at `end`. */
static bool
canonical_id (const char *s, const char *end, uint32_t *ret)
{
  uint64_t v = 0;

  if (s == end || (s[0] == '0' && end - s > 1) || end - s > 10)
    return false;
  for (const char *p = s; p < end; p++)
    {
      if (*p < '0' || *p > '9')
        return false;
      v = v * 10 + (uint64_t) (*p - '0');
    }
  if (v > HS_EXEC_USER_ID_MAX)
    return false;
  *ret = (uint32_t) v;
  return true;
}

bool
hs_exec_user_parse (const char *spec, hs_exec_user_t *ret)
{
  const char *colon, *end;
  hs_exec_user_t u = { 0 };

  if (spec == NULL)
    return false;
  end = spec + strlen (spec);
  colon = strchr (spec, ':');
  if (!canonical_id (spec, colon ? colon : end, &u.uid))
    return false;
  if (colon != NULL)
    {
      if (!canonical_id (colon + 1, end, &u.gid))
        return false;
      u.has_gid = true;
    }
  *ret = u;
  return true;
}
