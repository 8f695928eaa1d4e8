/* hardshim: container ids hardshim allocates for.
 *
 * The id names the runtime's state directory (<root>/<id>) and hardshim's
 * records, so it is checked before anything is allocated: runc's rules
 * (letters, digits, `_ + - .`; not `.` or `..`) and at most
 * HS_CONTAINER_ID_MAX bytes (a file name: neither runtime can keep state
 * for a longer one). crun accepts more (`:`, `,`, `..` itself); engines
 * use hex ids, so hardshim holds both runtimes to runc's rules. */
#ifndef HS_CONTAINER_ID_H
#define HS_CONTAINER_ID_H

#include <stdbool.h>

#include "error.h"

#define HS_CONTAINER_ID_MAX 255

bool hs_container_id_valid (const char *id);
/* The same, as a refusal that says what is wrong (a long id is cut). */
int hs_container_id_check (const char *id, hs_error_t *err);

#endif
