#include "feed_index.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Layout (host byte order; the magic says which):
 *   header: magic[8], u32 scheme, n_pkgs, n_entries, n_events, n_versions, pool_len
 *   pkgs[n_pkgs]       { name, first_entry, n_entries }        sorted by name
 *   entries[n_entries] { id, first_event, n_events, severity }
 *   events[n_events]   { kind, version }  RANGE marks a range; VERSION a listed version
 *   versions[...]      { epoch, upstream, revision }           pool offsets
 *   pool               NUL-terminated strings, ending in NUL */
static const char index_magic[8] = { 'H', 'S', 'O', 'S', 'V', 'I', 'X', 1 };
#define HEADER_WORDS 6
#define PKG_WORDS 3
#define ENTRY_WORDS 4
#define EVENT_WORDS 2
#define VERSION_WORDS 3
#define EV_RANGE 0u
#define EV_VERSION 5u
#define V_ZERO 0xffffffffu /* introduced "0": before every version */
#define V_INF 0xfffffffeu  /* limit "*": after every version */

static const char *const severity_names[]
    = { "unknown", "unimportant", "low", "medium", "high", "critical" };

const char *
hs_severity_name (hs_severity_t s)
{
  return (unsigned) s < sizeof severity_names / sizeof severity_names[0] ? severity_names[s]
                                                                         : "unknown";
}

int
hs_severity_parse (const char *name, hs_severity_t *ret)
{
  for (size_t i = 0; i < sizeof severity_names / sizeof severity_names[0]; i++)
    if (strcmp (name, severity_names[i]) == 0)
      {
        *ret = (hs_severity_t) i;
        return 0;
      }
  return -1;
}

/* ---- builder ---- */

typedef struct
{
  uint32_t pkg, id, first_event, n_events, severity;
} bentry_t;

struct hs_index_builder_s
{
  hs_pkgver_scheme_t scheme;
  char *pool;
  size_t pool_len, pool_cap;
  bentry_t *entries;
  size_t n_entries, entries_cap;
  uint32_t *events; /* kind, version pairs */
  size_t n_events, events_cap;
  uint32_t *versions; /* epoch, upstream, revision triples */
  size_t n_versions, versions_cap;
  /* the open entry */
  bool open;
  size_t mark_events, mark_versions, mark_pool;
};

static uint32_t
pool_add (hs_index_builder_t *b, const char *s)
{
  size_t n = strlen (s) + 1;
  uint32_t off = (uint32_t) b->pool_len;

  b->pool = hs_xgrow (b->pool, &b->pool_cap, b->pool_len + n, 1);
  memcpy (b->pool + b->pool_len, s, n);
  b->pool_len += n;
  return off;
}

hs_index_builder_t *
hs_index_builder_new (hs_pkgver_scheme_t scheme)
{
  hs_index_builder_t *b = hs_xcalloc (1, sizeof *b);

  b->scheme = scheme;
  pool_add (b, ""); /* offset 0: the empty string */
  return b;
}

void
hs_index_builder_free (hs_index_builder_t *b)
{
  if (b == NULL)
    return;
  free (b->pool);
  free (b->entries);
  free (b->events);
  free (b->versions);
  free (b);
}

void
hs_index_entry_begin (hs_index_builder_t *b, const char *package, const char *id, hs_severity_t sev)
{
  bentry_t *e;

  b->mark_events = b->n_events;
  b->mark_versions = b->n_versions;
  b->mark_pool = b->pool_len;
  b->entries = hs_xgrow (b->entries, &b->entries_cap, b->n_entries + 1, sizeof *b->entries);
  e = &b->entries[b->n_entries];
  e->pkg = pool_add (b, package);
  e->id = pool_add (b, id);
  e->first_event = (uint32_t) b->n_events;
  e->n_events = 0;
  e->severity = (uint32_t) sev;
  b->open = true;
}

static void
push_event (hs_index_builder_t *b, uint32_t kind, uint32_t ver)
{
  b->events = hs_xgrow (b->events, &b->events_cap, 2 * (b->n_events + 1), sizeof *b->events);
  b->events[2 * b->n_events] = kind;
  b->events[2 * b->n_events + 1] = ver;
  b->n_events++;
}

void
hs_index_range_begin (hs_index_builder_t *b)
{
  push_event (b, EV_RANGE, 0);
}

static int
add_version (hs_index_builder_t *b, const char *text, uint32_t *ret, hs_error_t *err)
{
  hs_pkgver_buf_t buf;
  hs_pkgver_t v;
  size_t i;

  if (hs_pkgver_parse (b->scheme, text, strlen (text), &buf, &v, err) < 0)
    return -1;
  i = b->n_versions;
  b->versions = hs_xgrow (b->versions, &b->versions_cap, 3 * (i + 1), sizeof *b->versions);
  b->versions[3 * i] = v.epoch;
  b->versions[3 * i + 1] = pool_add (b, v.upstream);
  b->versions[3 * i + 2] = *v.revision ? pool_add (b, v.revision) : 0;
  b->n_versions++;
  *ret = (uint32_t) i;
  return 0;
}

int
hs_index_event (hs_index_builder_t *b, hs_event_kind_t kind, const char *version, hs_error_t *err)
{
  uint32_t v;

  if (kind == HS_EV_INTRODUCED && strcmp (version, "0") == 0)
    v = V_ZERO;
  else if (kind == HS_EV_LIMIT && strchr (version, '*') != NULL)
    v = V_INF;
  else if (add_version (b, version, &v, err) < 0)
    return -1;
  push_event (b, (uint32_t) kind, v);
  return 0;
}

int
hs_index_version (hs_index_builder_t *b, const char *version, hs_error_t *err)
{
  uint32_t v;

  if (add_version (b, version, &v, err) < 0)
    return -1;
  push_event (b, EV_VERSION, v);
  return 0;
}

void
hs_index_entry_end (hs_index_builder_t *b, bool keep)
{
  if (!b->open)
    return;
  b->open = false;
  if (!keep)
    {
      b->n_events = b->mark_events;
      b->n_versions = b->mark_versions;
      b->pool_len = b->mark_pool;
      return;
    }
  b->entries[b->n_entries].n_events = (uint32_t) (b->n_events - b->mark_events);
  b->n_entries++;
}

size_t
hs_index_builder_entries (const hs_index_builder_t *b)
{
  return b->n_entries;
}

static hs_pkgver_t
version_at (hs_pkgver_scheme_t scheme, const char *pool, const uint32_t *versions, uint32_t i)
{
  hs_pkgver_t v
      = { scheme, versions[3 * i], pool + versions[3 * i + 1], pool + versions[3 * i + 2] };

  return v;
}

typedef struct
{
  const hs_index_builder_t *b;
  uint32_t kind, ver, pos;
} sort_event_t;

static int
event_order (const void *pa, const void *pb)
{
  const sort_event_t *a = pa, *b = pb;
  int r = 0;

  if (a->ver != b->ver)
    {
      if (a->ver == V_ZERO || b->ver == V_INF)
        r = -1;
      else if (b->ver == V_ZERO || a->ver == V_INF)
        r = 1;
      else
        {
          hs_pkgver_t x = version_at (a->b->scheme, a->b->pool, a->b->versions, a->ver);
          hs_pkgver_t y = version_at (a->b->scheme, a->b->pool, a->b->versions, b->ver);

          r = hs_pkgver_compare (&x, &y);
        }
    }
  if (r == 0)
    r = a->pos < b->pos ? -1 : a->pos > b->pos;
  return r;
}

/* Events of each range in version order (the schema's sorted(events)). */
static void
sort_ranges (hs_index_builder_t *b, const bentry_t *e)
{
  uint32_t *ev;
  size_t i = 0;

  if (e->n_events == 0)
    return; /* b->events may still be NULL: no pointer arithmetic on it */
  ev = b->events + 2 * e->first_event;

  while (i < e->n_events)
    {
      size_t start, end;

      if (ev[2 * i] != EV_RANGE)
        {
          i++;
          continue;
        }
      start = ++i;
      while (i < e->n_events && ev[2 * i] != EV_RANGE && ev[2 * i] != EV_VERSION)
        i++;
      end = i;
      if (end - start > 1)
        {
          sort_event_t *tmp = hs_xcalloc (end - start, sizeof *tmp);

          for (size_t k = start; k < end; k++)
            tmp[k - start] = (sort_event_t){ b, ev[2 * k], ev[2 * k + 1], (uint32_t) k };
          qsort (tmp, end - start, sizeof *tmp, event_order);
          for (size_t k = start; k < end; k++)
            {
              ev[2 * k] = tmp[k - start].kind;
              ev[2 * k + 1] = tmp[k - start].ver;
            }
          free (tmp);
        }
    }
}

static int
entry_order (const void *pa, const void *pb, void *ctx)
{
  const bentry_t *a = pa, *b = pb;
  const char *pool = ctx;
  int r = strcmp (pool + a->pkg, pool + b->pkg);

  if (r == 0)
    r = strcmp (pool + a->id, pool + b->id);
  if (r == 0)
    r = a->first_event < b->first_event ? -1 : a->first_event > b->first_event;
  return r;
}

static void
put (char **buf, size_t *len, size_t *cap, const void *data, size_t n)
{
  /* An empty section (no events, no strings) may come with data == NULL. */
  if (n == 0)
    return;
  *buf = hs_xgrow (*buf, cap, *len + n, 1);
  memcpy (*buf + *len, data, n);
  *len += n;
}

void
hs_index_builder_finish (hs_index_builder_t *b, char **ret_buf, size_t *ret_len)
{
  char *out = NULL;
  size_t len = 0, cap = 0, n_pkgs = 0;
  uint32_t hdr[HEADER_WORDS];

  for (size_t i = 0; i < b->n_entries; i++)
    sort_ranges (b, &b->entries[i]);
  qsort_r (b->entries, b->n_entries, sizeof *b->entries, entry_order, b->pool);
  for (size_t i = 0; i < b->n_entries; i++)
    if (i == 0 || strcmp (b->pool + b->entries[i].pkg, b->pool + b->entries[i - 1].pkg) != 0)
      n_pkgs++;

  hdr[0] = (uint32_t) b->scheme;
  hdr[1] = (uint32_t) n_pkgs;
  hdr[2] = (uint32_t) b->n_entries;
  hdr[3] = (uint32_t) b->n_events;
  hdr[4] = (uint32_t) b->n_versions;
  hdr[5] = (uint32_t) b->pool_len;
  put (&out, &len, &cap, index_magic, sizeof index_magic);
  put (&out, &len, &cap, hdr, sizeof hdr);
  for (size_t i = 0; i < b->n_entries;)
    {
      size_t j = i;
      uint32_t rec[PKG_WORDS];

      while (j < b->n_entries
             && strcmp (b->pool + b->entries[j].pkg, b->pool + b->entries[i].pkg) == 0)
        j++;
      rec[0] = b->entries[i].pkg;
      rec[1] = (uint32_t) i;
      rec[2] = (uint32_t) (j - i);
      put (&out, &len, &cap, rec, sizeof rec);
      i = j;
    }
  for (size_t i = 0; i < b->n_entries; i++)
    {
      uint32_t rec[ENTRY_WORDS] = { b->entries[i].id, b->entries[i].first_event,
                                    b->entries[i].n_events, b->entries[i].severity };

      put (&out, &len, &cap, rec, sizeof rec);
    }
  put (&out, &len, &cap, b->events, b->n_events * EVENT_WORDS * sizeof (uint32_t));
  put (&out, &len, &cap, b->versions, b->n_versions * VERSION_WORDS * sizeof (uint32_t));
  put (&out, &len, &cap, b->pool, b->pool_len);
  *ret_buf = out;
  *ret_len = len;
}

/* ---- reader ---- */

int
hs_index_open (const void *buf, size_t len, hs_index_t *ret, hs_error_t *err)
{
  const unsigned char *p = buf;
  uint32_t hdr[HEADER_WORDS];
  uint64_t need;
  hs_index_t ix = { 0 };

  if (len < sizeof index_magic + sizeof hdr || memcmp (p, index_magic, sizeof index_magic) != 0)
    return hs_error_make (err, 0, "not a hardshim advisory index (or another version of it)");
  if (((uintptr_t) p & 3) != 0)
    return hs_error_make (err, 0, "advisory index not aligned");
  memcpy (hdr, p + sizeof index_magic, sizeof hdr);
  if (hdr[0] != HS_PKGVER_DPKG && hdr[0] != HS_PKGVER_APK)
    return hs_error_make (err, 0, "advisory index: unknown version scheme %u", hdr[0]);
  need = sizeof index_magic + sizeof hdr
         + 4ull
               * ((uint64_t) hdr[1] * PKG_WORDS + (uint64_t) hdr[2] * ENTRY_WORDS
                  + (uint64_t) hdr[3] * EVENT_WORDS + (uint64_t) hdr[4] * VERSION_WORDS)
         + hdr[5];
  if (need != len || hdr[5] == 0 || p[len - 1] != '\0')
    return hs_error_make (err, 0, "advisory index truncated or corrupt");
  ix.base = p;
  ix.len = len;
  ix.scheme = (hs_pkgver_scheme_t) hdr[0];
  ix.n_pkgs = hdr[1];
  ix.n_entries = hdr[2];
  ix.n_events = hdr[3];
  ix.n_versions = hdr[4];
  ix.pool_len = hdr[5];
  ix.pkgs = (const uint32_t *) (p + sizeof index_magic + sizeof hdr);
  ix.entries = ix.pkgs + (size_t) ix.n_pkgs * PKG_WORDS;
  ix.events = ix.entries + (size_t) ix.n_entries * ENTRY_WORDS;
  ix.versions = ix.events + (size_t) ix.n_events * EVENT_WORDS;
  ix.pool = (const char *) (ix.versions + (size_t) ix.n_versions * VERSION_WORDS);
  *ret = ix;
  return 0;
}

static int
corrupt (hs_error_t *err)
{
  return hs_error_make (err, 0, "advisory index corrupt (re-import the feed)");
}

static const char *
str_at (const hs_index_t *ix, uint32_t off)
{
  return off < ix->pool_len ? ix->pool + off : NULL;
}

static int
version_get (const hs_index_t *ix, uint32_t i, hs_pkgver_t *ret)
{
  const uint32_t *v;

  if (i >= ix->n_versions)
    return -1;
  v = ix->versions + (size_t) i * VERSION_WORDS;
  ret->scheme = ix->scheme;
  ret->epoch = v[0];
  ret->upstream = str_at (ix, v[1]);
  ret->revision = str_at (ix, v[2]);
  return ret->upstream && ret->revision ? 0 : -1;
}

/* cmp(installed, event version); V_ZERO and V_INF are the extremes. */
static int
cmp_event (const hs_index_t *ix, const hs_pkgver_t *v, uint32_t ver, int *ret)
{
  hs_pkgver_t e;

  if (ver == V_ZERO)
    *ret = 1;
  else if (ver == V_INF)
    *ret = -1;
  else if (version_get (ix, ver, &e) < 0)
    return -1;
  else
    *ret = hs_pkgver_compare (v, &e);
  return 0;
}

/* One entry: IsVulnerable's IncludedInVersions || IncludedInRanges, and
 * the lowest fixed version above v of any range. */
static int
entry_affects (const hs_index_t *ix, const uint32_t *ev, uint32_t n, const hs_pkgver_t *v,
               bool *ret_affected, bool *ret_has_fix, hs_pkgver_t *ret_fixed)
{
  bool affected = false, has_fix = false;
  hs_pkgver_t fixed = { 0 };
  uint32_t i = 0;

  while (i < n)
    {
      uint32_t kind = ev[2 * i];
      int c;

      if (kind == EV_VERSION)
        {
          if (cmp_event (ix, v, ev[2 * i + 1], &c) < 0)
            return -1;
          if (c == 0)
            affected = true;
          i++;
          continue;
        }
      if (kind != EV_RANGE)
        return -1;
      /* one range: its events up to the next marker */
      {
        uint32_t start = ++i, end;
        bool vulnerable = false, limited = false, before_limit = false;

        while (i < n && ev[2 * i] != EV_RANGE && ev[2 * i] != EV_VERSION)
          i++;
        end = i;
        for (uint32_t k = start; k < end; k++)
          if (ev[2 * k] == HS_EV_LIMIT)
            {
              limited = true;
              if (cmp_event (ix, v, ev[2 * k + 1], &c) < 0)
                return -1;
              if (c < 0)
                before_limit = true;
            }
        if (limited && !before_limit)
          continue;
        for (uint32_t k = start; k < end; k++)
          {
            uint32_t ek = ev[2 * k];

            if (ek == HS_EV_LIMIT)
              continue;
            if (ek < HS_EV_INTRODUCED || ek > HS_EV_LIMIT)
              return -1;
            if (cmp_event (ix, v, ev[2 * k + 1], &c) < 0)
              return -1;
            if (ek == HS_EV_INTRODUCED && c >= 0)
              vulnerable = true;
            else if (ek == HS_EV_FIXED && c >= 0)
              vulnerable = false;
            else if (ek == HS_EV_LAST_AFFECTED && c > 0)
              vulnerable = false;
          }
        if (vulnerable)
          affected = true;
        /* the fix to name: the lowest fixed event above v in any range */
        for (uint32_t k = start; k < end; k++)
          if (ev[2 * k] == HS_EV_FIXED)
            {
              hs_pkgver_t f;

              if (cmp_event (ix, v, ev[2 * k + 1], &c) < 0
                  || version_get (ix, ev[2 * k + 1], &f) < 0)
                return -1;
              if (c < 0 && (!has_fix || hs_pkgver_compare (&f, &fixed) < 0))
                {
                  fixed = f;
                  has_fix = true;
                }
            }
      }
    }
  *ret_affected = affected;
  *ret_has_fix = has_fix;
  if (has_fix)
    *ret_fixed = fixed;
  return 0;
}

int
hs_index_match (const hs_index_t *ix, const char *package, const hs_pkgver_t *installed,
                int (*cb) (void *ctx, const hs_index_match_t *m), void *ctx, hs_error_t *err)
{
  uint32_t lo = 0, hi = ix->n_pkgs;

  if (installed->scheme != ix->scheme)
    return hs_error_make (err, 0, "version scheme of the package does not match the index");
  while (lo < hi)
    {
      uint32_t mid = lo + (hi - lo) / 2;
      const uint32_t *pk = ix->pkgs + (size_t) mid * PKG_WORDS;
      const char *name = str_at (ix, pk[0]);
      int r;

      if (name == NULL)
        return corrupt (err);
      r = strcmp (package, name);
      if (r < 0)
        hi = mid;
      else if (r > 0)
        lo = mid + 1;
      else
        {
          if (pk[1] > ix->n_entries || pk[2] > ix->n_entries - pk[1])
            return corrupt (err);
          for (uint32_t e = pk[1]; e < pk[1] + pk[2]; e++)
            {
              const uint32_t *en = ix->entries + (size_t) e * ENTRY_WORDS;
              hs_index_match_t m = { 0 };
              bool affected;

              if (en[1] > ix->n_events || en[2] > ix->n_events - en[1]
                  || (m.id = str_at (ix, en[0])) == NULL)
                return corrupt (err);
              if (entry_affects (ix, ix->events + (size_t) en[1] * EVENT_WORDS, en[2], installed,
                                 &affected, &m.has_fix, &m.fixed)
                  < 0)
                return corrupt (err);
              if (!affected)
                continue;
              m.severity = en[3] <= HS_SEV_CRITICAL ? (hs_severity_t) en[3] : HS_SEV_UNKNOWN;
              r = cb (ctx, &m);
              if (r < 0)
                return r;
            }
          return 0;
        }
    }
  return 0;
}
