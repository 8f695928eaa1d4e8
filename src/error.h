/* hardshim: one error object that travels up the call chain (crun style).
 * Fallible functions take `hs_error_t *err` last and return a negative int
 * (or NULL); callers add context with hs_error_wrap; only main prints. */
#ifndef HS_ERROR_H
#define HS_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum
{
  HS_ERR_FAIL = 0, /* something did not work: I/O, parse, internal */
  HS_ERR_REFUSED,  /* policy verdict: the container must not start */
  HS_ERR_USAGE,    /* bad command line */
} hs_error_kind_t;

struct hs_error_s
{
  int status; /* errno, or 0 */
  hs_error_kind_t kind;
  char *msg;
};
typedef struct hs_error_s *hs_error_t;

/* All return a value < 0 so callers can `return hs_error_make (...)`. */
int hs_error_make (hs_error_t *err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int hs_error_refuse (hs_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
int hs_error_usage (hs_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Prefix context: "ctx: previous message". Returns < 0. */
int hs_error_wrap (hs_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

void hs_error_release (hs_error_t *err);
bool hs_error_is_refusal (const hs_error_t *err);

#define cleanup_error __attribute__ ((cleanup (hs_error_release)))

#endif
