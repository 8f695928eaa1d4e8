#include "harden/caps.h"
#include "cleanup.h"
#include "xalloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

const char *const hs_cap_sets[5]
    = { "bounding", "effective", "permitted", "inheritable", "ambient" };

int
hs_cap_from_name (const char *name)
{
  cap_value_t v;

  /* cap_from_name also takes "all" and plain numbers: neither is a
   * capability name a runtime accepts. */
  if (name == NULL || strncasecmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  for (const char *p = name + 4; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_')
      return -1;
  if (cap_from_name (name, &v) < 0 || v < 0 || v >= 64)
    return -1;
  return (int) v;
}

char *
hs_cap_name (int cap)
{
  char *n = cap_to_name ((cap_value_t) cap);
  char *out;

  if (n == NULL)
    return hs_xasprintf ("CAP_%d", cap);
  out = strncasecmp (n, "cap_", 4) == 0 ? hs_xstrdup (n) : hs_xasprintf ("CAP_%s", n);
  cap_free (n);
  for (char *p = out; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  return out;
}

uint64_t
hs_cap_all (void)
{
  /* Capabilities that both the kernel and these libcap headers know: a name
   * newer than libcap could not be judged anyway (it is refused). */
  unsigned bits = cap_max_bits ();

  if (bits > CAP_LAST_CAP + 1)
    bits = CAP_LAST_CAP + 1;

  if (bits >= 64)
    return UINT64_MAX;
  return (UINT64_C (1) << bits) - 1;
}

uint64_t
hs_cap_mask (const hs_json_t *arr, size_t *ret_unknown, size_t *ret_first_unknown)
{
  uint64_t mask = 0;
  size_t unknown = 0;

  for (size_t i = 0; arr != NULL && arr->type == HS_JSON_ARRAY && i < arr->len; i++)
    {
      int v = arr->items[i]->type == HS_JSON_STRING ? hs_cap_from_name (arr->items[i]->str) : -1;

      if (v < 0)
        {
          if (unknown++ == 0 && ret_first_unknown != NULL)
            *ret_first_unknown = i;
          continue;
        }
      mask |= UINT64_C (1) << v;
    }
  if (ret_unknown != NULL)
    *ret_unknown = unknown;
  return mask;
}

char *
hs_cap_mask_names (uint64_t mask)
{
  char *out = hs_xstrdup ("");

  for (int v = 0; v < 64; v++)
    if (mask & (UINT64_C (1) << v))
      {
        cleanup_free char *n = hs_cap_name (v);
        char *next = hs_xasprintf ("%s%s%s", out, out[0] ? ", " : "", n);
        free (out);
        out = next;
      }
  return out;
}
