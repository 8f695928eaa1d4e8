#include "harden/caps.h"
#include "cleanup.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>

const char *const hs_cap_sets[5]
    = { "bounding", "effective", "permitted", "inheritable", "ambient" };

/* The kernel's names, numbered by its own header: no library to load on
 * every verb (libcap also probed the kernel with six prctl calls at load). */
#define NAME(c) [c] = #c
static const char *const names[CAP_LAST_CAP + 1] = {
  NAME (CAP_CHOWN),
  NAME (CAP_DAC_OVERRIDE),
  NAME (CAP_DAC_READ_SEARCH),
  NAME (CAP_FOWNER),
  NAME (CAP_FSETID),
  NAME (CAP_KILL),
  NAME (CAP_SETGID),
  NAME (CAP_SETUID),
  NAME (CAP_SETPCAP),
  NAME (CAP_LINUX_IMMUTABLE),
  NAME (CAP_NET_BIND_SERVICE),
  NAME (CAP_NET_BROADCAST),
  NAME (CAP_NET_ADMIN),
  NAME (CAP_NET_RAW),
  NAME (CAP_IPC_LOCK),
  NAME (CAP_IPC_OWNER),
  NAME (CAP_SYS_MODULE),
  NAME (CAP_SYS_RAWIO),
  NAME (CAP_SYS_CHROOT),
  NAME (CAP_SYS_PTRACE),
  NAME (CAP_SYS_PACCT),
  NAME (CAP_SYS_ADMIN),
  NAME (CAP_SYS_BOOT),
  NAME (CAP_SYS_NICE),
  NAME (CAP_SYS_RESOURCE),
  NAME (CAP_SYS_TIME),
  NAME (CAP_SYS_TTY_CONFIG),
  NAME (CAP_MKNOD),
  NAME (CAP_LEASE),
  NAME (CAP_AUDIT_WRITE),
  NAME (CAP_AUDIT_CONTROL),
  NAME (CAP_SETFCAP),
  NAME (CAP_MAC_OVERRIDE),
  NAME (CAP_MAC_ADMIN),
  NAME (CAP_SYSLOG),
  NAME (CAP_WAKE_ALARM),
  NAME (CAP_BLOCK_SUSPEND),
  NAME (CAP_AUDIT_READ),
  NAME (CAP_PERFMON),
  NAME (CAP_BPF),
  NAME (CAP_CHECKPOINT_RESTORE),
};
#undef NAME

int
hs_cap_from_name (const char *name)
{
  /* a runtime wants the CAP_ prefix; any case, as libcap and runc take it */
  if (name == NULL || strncasecmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  for (int v = 0; v <= CAP_LAST_CAP; v++)
    if (names[v] != NULL && strcasecmp (name, names[v]) == 0)
      return v;
  return -1;
}

char *
hs_cap_name (int cap)
{
  if (cap >= 0 && cap <= CAP_LAST_CAP && names[cap] != NULL)
    return hs_xstrdup (names[cap]);
  return hs_xasprintf ("CAP_%d", cap);
}

/* The highest capability the running kernel has, found by asking for
 * bounding-set bits (an unknown one is EINVAL). */
static int
kernel_last_cap (void)
{
  int lo = 0, hi = 63; /* lo is known to exist: CAP_CHOWN */

  while (lo < hi)
    {
      int mid = lo + (hi - lo + 1) / 2;

      if (prctl (PR_CAPBSET_READ, (unsigned long) mid, 0, 0, 0) >= 0 || errno != EINVAL)
        lo = mid;
      else
        hi = mid - 1;
    }
  return lo;
}

uint64_t
hs_cap_all (void)
{
  /* Capabilities that both the kernel and this table know: a name newer
   * than the table could not be judged anyway (it is refused). */
  static int last = -1;

  if (last < 0)
    {
      last = kernel_last_cap ();
      if (last > CAP_LAST_CAP)
        last = CAP_LAST_CAP;
    }
  if (last >= 63)
    return UINT64_MAX;
  return (UINT64_C (1) << (last + 1)) - 1;
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
