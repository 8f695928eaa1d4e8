#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void __attribute__ ((noreturn)) oom (void)
{
  static const char msg[] = "hardshim: out of memory\n";

  if (write (2, msg, sizeof (msg) - 1) < 0)
    abort ();
  abort ();
}

void *
hs_xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);

  if (p == NULL)
    oom ();
  return p;
}

void *
hs_xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);

  if (p == NULL)
    oom ();
  return p;
}

void *
hs_xrealloc (void *p, size_t size)
{
  p = realloc (p, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
hs_xgrow (void *p, size_t *cap, size_t need, size_t size)
{
  size_t n = *cap ? *cap : 4;

  if (need <= *cap)
    return p;
  while (n < need)
    {
      if (n > SIZE_MAX / 2)
        oom ();
      n *= 2;
    }
  if (n > SIZE_MAX / size)
    oom ();
  *cap = n;
  return hs_xrealloc (p, n * size);
}

char *
hs_xstrdup (const char *s)
{
  return hs_xstrndup (s, strlen (s));
}

char *
hs_xstrndup (const char *s, size_t n)
{
  char *r = hs_xmalloc (n + 1);

  memcpy (r, s, n);
  r[n] = '\0';
  return r;
}

char *
hs_xvasprintf (const char *fmt, va_list ap)
{
  char *r = NULL;

  if (vasprintf (&r, fmt, ap) < 0)
    oom ();
  return r;
}

char *
hs_xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *r;

  va_start (ap, fmt);
  r = hs_xvasprintf (fmt, ap);
  va_end (ap);
  return r;
}
