/* hardshim: `exec --user UID[:GID]` as hardshim can judge it.
 *
 * runc reads each part with Go's strconv.Atoi and keeps the low 32 bits
 * (`+0`, `-0`, `00000000000`, `4294967296` and `-4294967296` are uid 0);
 * crun reads them with strtol, which also skips leading white space and
 * takes an empty uid as 0 (` 0`, `` and `:5` are uid 0). hardshim reads only
 * the spelling both agree on: plain decimal digits, no sign, space or
 * leading zero, below 4294967295 ((uid_t) -1, which setresuid leaves
 * unchanged); every other spelling is one it cannot judge. */
#ifndef HS_EXEC_USER_H
#define HS_EXEC_USER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct
{
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
} hs_exec_user_t;

/* True and *ret filled when `spec` is canonical `UID` or `UID:GID`. */
bool hs_exec_user_parse (const char *spec, hs_exec_user_t *ret);

/* The largest id a process may be given: (uid_t) -1 means "unchanged". */
#define HS_EXEC_USER_ID_MAX 4294967294u

#endif
