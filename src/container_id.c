#include "container_id.h"

#include <string.h>

static bool
id_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
         || c == '+' || c == '-' || c == '.';
}

bool
hs_container_id_valid (const char *id)
{
  size_t n;

  if (id == NULL || (n = strnlen (id, HS_CONTAINER_ID_MAX + 1)) == 0 || n > HS_CONTAINER_ID_MAX
      || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!id_char (id[i]))
      return false;
  return true;
}

int
hs_container_id_check (const char *id, hs_error_t *err)
{
  size_t n = id ? strnlen (id, HS_CONTAINER_ID_MAX + 1) : 0;
  char shown[65];
  size_t k;

  if (hs_container_id_valid (id))
    return 0;
  if (n == 0)
    return hs_error_refuse (err, "an empty container id is not valid");
  /* the id is the caller's: show a bounded, printable part of it */
  for (k = 0; k < n && k < sizeof (shown) - 1; k++)
    shown[k] = id[k] >= 0x20 && id[k] < 0x7f ? id[k] : '?';
  shown[k] = '\0';
  if (n > HS_CONTAINER_ID_MAX)
    return hs_error_refuse (err, "container id `%s...` is longer than %d bytes", shown,
                            HS_CONTAINER_ID_MAX);
  return hs_error_refuse (err,
                          "container id `%s%s` is not valid: use letters, digits and `_ + - .` "
                          "only (not `.` or `..`), as runc requires",
                          shown, n > k ? "..." : "");
}
