/* Allocation helpers: out of memory aborts (the one exception to "only main
 * exits": a half-hardened config must never be written because malloc failed). */
#ifndef HS_XALLOC_H
#define HS_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *hs_xmalloc (size_t size);
void *hs_xcalloc (size_t n, size_t size);
void *hs_xrealloc (void *p, size_t size);
/* Grow an array to hold at least `need` items of `size`; updates *cap. */
void *hs_xgrow (void *p, size_t *cap, size_t need, size_t size);
char *hs_xstrdup (const char *s);
char *hs_xstrndup (const char *s, size_t n);
char *hs_xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *hs_xvasprintf (const char *fmt, va_list ap) __attribute__ ((format (printf, 1, 0)));

#endif
