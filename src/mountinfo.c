#include "mountinfo.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* Larger than any real mount table; a bound on what a read may allocate. */
#define MOUNTINFO_MAX (64u << 20)

/* A decimal field that must end at `stop`: full checks, no sign. */
static bool
parse_u64 (const char *s, char stop, uint64_t *ret, const char **ret_end)
{
  char *end = NULL;
  unsigned long long v;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno != 0 || *end != stop)
    return false;
  *ret = v;
  *ret_end = end;
  return true;
}

/* One space-separated field with mountinfo's octal escapes (\040 for a
 * space, \134 for a backslash) undone. */
static char *
field (const char **p)
{
  const char *s = *p;
  size_t n = strcspn (s, " \n");
  char *out = hs_xmalloc (n + 1), *o = out;

  for (size_t i = 0; i < n; i++)
    if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0'
        && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7')
      {
        *o++ = (char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
        i += 3;
      }
    else
      *o++ = s[i];
  *o = '\0';
  *p = s + n;
  if (**p == ' ')
    (*p)++;
  return out;
}

static void
skip_field (const char **p)
{
  *p += strcspn (*p, " \n");
  if (**p == ' ')
    (*p)++;
}

/* "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static bool
parse_line (const char *line, hs_mount_t *m)
{
  const char *p = line, *e;
  uint64_t major, minor;

  memset (m, 0, sizeof (*m));
  if (!parse_u64 (p, ' ', &m->id, &e) || !parse_u64 (e + 1, ' ', &m->parent, &e)
      || !parse_u64 (e + 1, ':', &major, &e) || !parse_u64 (e + 1, ' ', &minor, &e))
    return false;
  m->dev = makedev (major, minor);
  p = e + 1;
  m->root = field (&p);
  m->point = field (&p);
  skip_field (&p); /* per-mount options */
  /* optional fields up to the separator */
  while (*p != '\0' && *p != '\n' && !(p[0] == '-' && (p[1] == ' ' || p[1] == '\n')))
    skip_field (&p);
  if (p[0] != '-' || p[1] != ' ')
    return false;
  p += 2;
  m->fstype = field (&p);
  m->source = field (&p);
  m->super = field (&p);
  return m->root[0] != '\0' && m->point[0] == '/' && m->fstype[0] != '\0';
}

static void
mount_release (hs_mount_t *m)
{
  free (m->root);
  free (m->point);
  free (m->fstype);
  free (m->source);
  free (m->super);
}

hs_mountinfo_t *
hs_mountinfo_free (hs_mountinfo_t *mi)
{
  if (mi == NULL)
    return NULL;
  for (size_t i = 0; i < mi->n; i++)
    mount_release (&mi->items[i]);
  free (mi->items);
  free (mi);
  return NULL;
}

int
hs_mountinfo_parse (const char *text, hs_mountinfo_t **ret, hs_error_t *err)
{
  cleanup_mountinfo hs_mountinfo_t *mi = hs_xcalloc (1, sizeof (*mi));
  size_t cap = 0, lineno = 0;

  for (const char *line = text; *line != '\0';)
    {
      const char *nl = strchr (line, '\n');
      hs_mount_t m;

      lineno++;
      if (!parse_line (line, &m))
        {
          mount_release (&m);
          return hs_error_make (err, 0, "mountinfo line %zu: cannot parse `%.*s`", lineno,
                                (int) (nl ? nl - line : (ptrdiff_t) strlen (line)), line);
        }
      mi->items = hs_xgrow (mi->items, &cap, mi->n + 1, sizeof (*mi->items));
      mi->items[mi->n++] = m;
      if (nl == NULL)
        break;
      line = nl + 1;
    }
  *ret = TAKE_PTR (mi);
  return 0;
}

int
hs_mountinfo_load (hs_mountinfo_t **ret, hs_error_t *err)
{
  cleanup_close int fd = open ("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd < 0)
    return hs_error_make (err, errno, "open /proc/self/mountinfo");
  /* procfs files have no size: read to the end */
  for (;;)
    {
      ssize_t n;

      if (cap - len < 4096)
        {
          if (cap >= MOUNTINFO_MAX)
            return hs_error_make (err, EFBIG, "/proc/self/mountinfo is larger than %u bytes",
                                  MOUNTINFO_MAX);
          buf = hs_xgrow (buf, &cap, len + 65536, 1);
        }
      n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hs_error_make (err, errno, "read /proc/self/mountinfo");
      if (n == 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  if (hs_mountinfo_parse (buf, ret, err) < 0)
    return hs_error_wrap (err, "/proc/self/mountinfo");
  return 0;
}

const hs_mount_t *
hs_mountinfo_find (const hs_mountinfo_t *mi, uint64_t id)
{
  for (size_t i = 0; i < mi->n; i++)
    if (mi->items[i].id == id)
      return &mi->items[i];
  return NULL;
}
