#include "error.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
error_vmake (hs_error_t *err, int status, hs_error_kind_t kind, const char *fmt, va_list ap)
{
  char *msg = hs_xvasprintf (fmt, ap);

  if (status != 0)
    {
      char *full = hs_xasprintf ("%s: %s", msg, strerror (status));
      free (msg);
      msg = full;
    }
  if (err != NULL)
    {
      hs_error_release (err);
      *err = hs_xmalloc (sizeof (**err));
      (*err)->status = status;
      (*err)->kind = kind;
      (*err)->msg = msg;
    }
  else
    free (msg);
  return -status - 1;
}

int
hs_error_make (hs_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = error_vmake (err, status < 0 ? -status : status, HS_ERR_FAIL, fmt, ap);
  va_end (ap);
  return r;
}

int
hs_error_refuse (hs_error_t *err, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = error_vmake (err, 0, HS_ERR_REFUSED, fmt, ap);
  va_end (ap);
  return r;
}

int
hs_error_usage (hs_error_t *err, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = error_vmake (err, 0, HS_ERR_USAGE, fmt, ap);
  va_end (ap);
  return r;
}

int
hs_error_wrap (hs_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *ctx, *full;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  ctx = hs_xvasprintf (fmt, ap);
  va_end (ap);
  full = hs_xasprintf ("%s: %s", ctx, (*err)->msg);
  free (ctx);
  free ((*err)->msg);
  (*err)->msg = full;
  return -(*err)->status - 1;
}

void
hs_error_release (hs_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

bool
hs_error_is_refusal (const hs_error_t *err)
{
  return err != NULL && *err != NULL && (*err)->kind == HS_ERR_REFUSED;
}
