#include "audit.h"
#include "cleanup.h"
#include "fileio.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

void
hs_audit_init (hs_audit_t *a, const char *verb, const char *id, const char *bundle,
               const char *policy_digest)
{
  *a = (hs_audit_t){ .verb = verb, .id = id, .bundle = bundle, .policy_digest = policy_digest };
}

void
hs_audit_release (hs_audit_t *a)
{
  for (size_t i = 0; i < a->len; i++)
    {
      hs_decision_t *d = &a->items[i];
      free (d->control);
      free (d->action);
      free (d->path);
      hs_json_free (d->before);
      hs_json_free (d->after);
      free (d->message);
    }
  free (a->items);
  a->items = NULL;
  a->len = a->cap = 0;
}

void
hs_audit_add (hs_audit_t *a, const char *control, const char *action, const char *path,
              const hs_json_t *before, const hs_json_t *after, const char *message)
{
  hs_decision_t *d;

  a->items = hs_xgrow (a->items, &a->cap, a->len + 1, sizeof (*a->items));
  d = &a->items[a->len++];
  d->control = hs_xstrdup (control ? control : "");
  d->action = hs_xstrdup (action);
  d->path = path ? hs_xstrdup (path) : NULL;
  d->before = hs_json_dup (before);
  d->after = hs_json_dup (after);
  d->message = hs_xstrdup (message ? message : "");
}

size_t
hs_audit_count (const hs_audit_t *a, const char *action)
{
  size_t n = 0;

  for (size_t i = 0; i < a->len; i++)
    if (action == NULL || strcmp (a->items[i].action, action) == 0)
      n++;
  return n;
}

/* Civil date of a day count since 1970-01-01 (Howard Hinnant's
 * days-from-civil inverse): gmtime_r would read /etc/localtime first. */
static void
civil_from_days (long long z, long long *y, unsigned *m, unsigned *d)
{
  long long era, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  yoe = z - era * 146097;
  yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
  doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (unsigned) (doy - (153 * mp + 2) / 5 + 1);
  *m = (unsigned) (mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

void
hs_rfc3339_format (long long secs, long nanos, bool with_nanos, char buf[40])
{
  long long days = secs / 86400, rem = secs % 86400, y;
  unsigned m, d;

  if (rem < 0)
    rem += 86400, days--;
  civil_from_days (days, &y, &m, &d);
  /* not strftime: it consults the locale, at ten times the cost */
  if (with_nanos)
    snprintf (buf, 40, "%04lld-%02u-%02uT%02u:%02u:%02u.%09ldZ", y % 10000, m, d,
              (unsigned) (rem / 3600), (unsigned) (rem / 60 % 60), (unsigned) (rem % 60),
              nanos % 1000000000);
  else
    snprintf (buf, 40, "%04lld-%02u-%02uT%02u:%02u:%02uZ", y % 10000, m, d, (unsigned) (rem / 3600),
              (unsigned) (rem / 60 % 60), (unsigned) (rem % 60));
}

void
hs_rfc3339_now (char buf[40], bool nanos)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  hs_rfc3339_format ((long long) ts.tv_sec, ts.tv_nsec, nanos, buf);
}

/* Messages quote paths and argv, which need not be UTF-8: replace what
 * is not, so the JSON line is always emitted (and always valid). */
static char *
utf8_sanitize (const char *s)
{
  size_t len = strlen (s), n = 0;
  char *out;

  if (hs_utf8_valid (s, len))
    return hs_xstrndup (s, len);
  out = hs_xmalloc (len * 3 + 1);

  for (size_t i = 0; i < len;)
    {
      size_t k = 1;

      while (k <= 4 && i + k <= len && !hs_utf8_valid (s + i, k))
        k++;
      if (k <= 4 && i + k <= len)
        {
          memcpy (out + n, s + i, k);
          n += k;
          i += k;
        }
      else
        {
          memcpy (out + n, "\xef\xbf\xbd", 3); /* U+FFFD */
          n += 3;
          i++;
        }
    }
  out[n] = '\0';
  return out;
}

static void
put_str (hs_json_t *o, const char *key, const char *value)
{
  if (value != NULL)
    {
      char *clean = utf8_sanitize (value);
      hs_json_set_exact (o, key, hs_json_new_string (clean));
      free (clean);
    }
}

static void
put_str_or_null (hs_json_t *o, const char *key, const char *value)
{
  hs_json_set_exact (o, key, value ? hs_json_new_string (value) : hs_json_new (HS_JSON_NULL));
}

/* Record i as one JSON line, stamped `now`. */
static char *
audit_line (const hs_audit_t *a, size_t i, const char *now)
{
  const hs_decision_t *d = &a->items[i];
  cleanup_json hs_json_t *o = hs_json_new (HS_JSON_OBJECT);
  char *out = NULL;

  put_str (o, "time", now);
  /* every record has every field: null when unknown (an exec has no bundle) */
  put_str_or_null (o, "container", a->id);
  put_str_or_null (o, "bundle", a->bundle);
  put_str_or_null (o, "verb", a->verb);
  put_str (o, "control", d->control);
  put_str_or_null (o, "path", d->path);
  /* before and after are lent to the line, not copied: taken back below */
  hs_json_set_exact (o, "before", d->before ? d->before : hs_json_new (HS_JSON_NULL));
  hs_json_set_exact (o, "after", d->after ? d->after : hs_json_new (HS_JSON_NULL));
  put_str (o, "action", d->action);
  put_str (o, "message", d->message);
  put_str_or_null (o, "policy", a->policy_digest);
  if (hs_json_emit (o, false, &out, NULL, NULL) < 0)
    out = hs_xstrdup ("{}");
  if (d->before)
    (void) hs_json_take (o, "before");
  if (d->after)
    (void) hs_json_take (o, "after");
  return out;
}

char *
hs_audit_line (const hs_audit_t *a, size_t i)
{
  char now[40];

  hs_rfc3339_now (now, true);
  return audit_line (a, i, now);
}

static int
ensure_parent_dir (const char *path)
{
  const char *slash = strrchr (path, '/');
  cleanup_free char *dir = NULL;

  if (slash == NULL || slash == path)
    return 0;
  dir = hs_xstrndup (path, slash - path);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return -errno;
  return 0;
}

int
hs_audit_write (const hs_audit_t *a, const char *path, hs_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;
  char now[40];
  int r;

  if (a->len == 0)
    return 0;
  /* one decision, one time: every line of this write gets the same stamp */
  hs_rfc3339_now (now, true);
  for (size_t i = 0; i < a->len; i++)
    {
      cleanup_free char *line = audit_line (a, i, now);
      size_t n = strlen (line);

      buf = hs_xgrow (buf, &cap, len + n + 2, 1);
      memcpy (buf + len, line, n);
      len += n;
      buf[len++] = '\n';
    }
  (void) ensure_parent_dir (path);
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
  if (fd < 0)
    return hs_error_make (err, errno, "open audit log `%s`", path);
  r = hs_write_all (fd, buf, len);
  if (r < 0)
    return hs_error_make (err, -r, "write audit log `%s`", path);
  return 0;
}

void
hs_audit_syslog (const hs_audit_t *a, const char *verdict)
{
  openlog ("hardshim", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  syslog (LOG_NOTICE,
          "%s %s: %s; %zu changed, %zu refused, %zu audit-only, %zu exceptions, %zu ignored "
          "exceptions; policy %s",
          a->verb ? a->verb : "?", a->id ? a->id : "?", verdict, hs_audit_count (a, HS_ACT_CHANGED),
          hs_audit_count (a, HS_ACT_REFUSED),
          hs_audit_count (a, HS_ACT_WOULD_CHANGE) + hs_audit_count (a, HS_ACT_WOULD_REFUSE),
          hs_audit_count (a, HS_ACT_EXCEPTION), hs_audit_count (a, HS_ACT_IGNORED),
          a->policy_digest ? a->policy_digest : "?");
  closelog ();
}

/* Go strconv.Quote, enough for logrus text values. */
static char *
go_quote (const char *s)
{
  size_t cap = strlen (s) * 4 + 3, n = 0;
  char *out = hs_xmalloc (cap);

  out[n++] = '"';
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        out[n++] = '\\', out[n++] = (char) *p;
      else if (*p == '\n')
        out[n++] = '\\', out[n++] = 'n';
      else if (*p == '\t')
        out[n++] = '\\', out[n++] = 't';
      else if (*p < 0x20 || *p == 0x7f)
        n += (size_t) snprintf (out + n, cap - n, "\\x%02x", *p);
      else
        out[n++] = (char) *p;
    }
  out[n++] = '"';
  out[n] = '\0';
  return out;
}

void
hs_runtime_log (const char *log_path, const char *log_format, const char *level, const char *msg)
{
  cleanup_close int fd = -1;
  cleanup_free char *line = NULL;
  struct stat st_log, st_err;
  char now[40];

  if (log_path == NULL || *log_path == '\0')
    return;
  fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0644);
  if (fd < 0)
    return;
  /* runc's default --log is /dev/stderr: main already printed there. */
  if (fstat (fd, &st_log) == 0 && fstat (2, &st_err) == 0 && st_log.st_dev == st_err.st_dev
      && st_log.st_ino == st_err.st_ino)
    return;
  hs_rfc3339_now (now, false);
  if (log_format != NULL && strcmp (log_format, "json") == 0)
    {
      cleanup_json hs_json_t *o = hs_json_new (HS_JSON_OBJECT);
      cleanup_free char *json = NULL;

      put_str (o, "level", level);
      put_str (o, "msg", msg);
      put_str (o, "time", now);
      if (hs_json_emit (o, false, &json, NULL, NULL) < 0)
        return;
      line = hs_xasprintf ("%s\n", json);
    }
  else
    {
      cleanup_free char *q = go_quote (msg);
      line = hs_xasprintf ("time=\"%s\" level=%s msg=%s\n", now, level, q);
    }
  (void) hs_write_all (fd, line, strlen (line));
}
