#include "gate_scan.h"
#include "cleanup.h"
#include "feed.h"
#include "fileio.h"
#include "osv.h"
#include "pkgdb.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS 256
#define CACHE_MAX (4u << 20)
/* bump when the matcher or the report changes: old entries then miss */
#define CACHE_VERSION "image-gate-cache/1"

static const char *const condition_names[HS_GATE_CONDITIONS] = {
  "unknown_distribution", "no_package_database", "unreadable_package_database", "no_feed",
  "stale_feed",
};

const char *
hs_gate_condition_name (hs_gate_condition_t c)
{
  return (unsigned) c < HS_GATE_CONDITIONS ? condition_names[c] : "?";
}

void
hs_gate_report_clear (hs_gate_report_t *r)
{
  for (size_t i = 0; i < r->n; i++)
    {
      free (r->v[i].package);
      free (r->v[i].installed);
      free (r->v[i].binaries);
      free (r->v[i].id);
      free (r->v[i].fixed);
    }
  free (r->v);
  free (r->distribution);
  free (r->ecosystem);
  for (int c = 0; c < HS_GATE_CONDITIONS; c++)
    free (r->condition[c]);
  memset (r, 0, sizeof *r);
}

static void __attribute__ ((format (printf, 3, 4)))
condition (hs_gate_report_t *r, hs_gate_condition_t c, const char *fmt, ...)
{
  va_list ap;

  if (r->condition[c] != NULL)
    return;
  va_start (ap, fmt);
  r->condition[c] = hs_xvasprintf (fmt, ap);
  va_end (ap);
}

/* ---- matching ---- */

typedef struct
{
  hs_gate_report_t *r;
  const hs_package_t *pkg;
  const char *binaries;
  size_t first; /* this package's first finding */
  hs_pkgver_scheme_t scheme;
} match_ctx_t;

static int
add_finding (void *ctx, const hs_index_match_t *m)
{
  match_ctx_t *c = ctx;
  hs_gate_report_t *r = c->r;
  hs_finding_t *f;
  char fixed[2 * HS_PKGVER_MAX + 8];

  if (m->has_fix)
    hs_pkgver_format (&m->fixed, fixed, sizeof fixed);
  /* A record may list the same package twice (two entries): one finding,
   * fixed only by a version past both fixes, at the higher severity. */
  for (size_t i = c->first; i < r->n; i++)
    if (strcmp (r->v[i].id, m->id) == 0)
      {
        f = &r->v[i];
        if (m->severity > f->severity)
          f->severity = m->severity;
        if (!m->has_fix)
          {
            free (f->fixed);
            f->fixed = NULL;
          }
        else if (f->fixed != NULL)
          {
            hs_pkgver_buf_t b;
            hs_pkgver_t old;

            if (hs_pkgver_parse (c->scheme, f->fixed, strlen (f->fixed), &b, &old, NULL) == 0
                && hs_pkgver_compare (&m->fixed, &old) > 0)
              {
                free (f->fixed);
                f->fixed = hs_xstrdup (fixed);
              }
          }
        return 0;
      }
  r->v = hs_xgrow (r->v, &r->cap, r->n + 1, sizeof *r->v);
  f = &r->v[r->n++];
  f->package = hs_xstrdup (c->pkg->source);
  f->installed = hs_xstrdup (c->pkg->version);
  f->binaries = hs_xstrdup (c->binaries);
  f->id = hs_xstrdup (m->id);
  f->severity = m->severity;
  f->fixed = m->has_fix ? hs_xstrdup (fixed) : NULL;
  return 0;
}

static int
pkg_order (const void *a, const void *b)
{
  const hs_package_t *x = a, *y = b;
  int r = strcmp (x->source, y->source);

  if (r == 0)
    r = strcmp (x->version, y->version);
  if (r == 0)
    r = strcmp (x->name, y->name);
  return r;
}

/* Each distinct (source, version) once, naming its binary packages. */
static int
match_list (hs_gate_report_t *r, hs_pkglist_t *l, const hs_index_t *ix, const char *dbname,
            hs_error_t *err)
{
  qsort (l->v, l->n, sizeof *l->v, pkg_order);
  r->packages += l->n;
  for (size_t i = 0; i < l->n;)
    {
      size_t j = i;
      cleanup_free char *bins = NULL;
      hs_pkgver_buf_t buf;
      hs_pkgver_t v;
      hs_error_t verr = NULL;
      size_t blen = 0;

      while (j < l->n && strcmp (l->v[j].source, l->v[i].source) == 0
             && strcmp (l->v[j].version, l->v[i].version) == 0)
        j++;
      for (size_t k = i; k < j; k++)
        {
          size_t n = strlen (l->v[k].name);

          if (k > i && strcmp (l->v[k].name, l->v[k - 1].name) == 0)
            continue; /* one name per architecture */
          bins = hs_xrealloc (bins, blen + n + 2);
          if (blen)
            bins[blen++] = ',';
          memcpy (bins + blen, l->v[k].name, n + 1);
          blen += n;
        }
      if (hs_pkgver_parse (l->scheme, l->v[i].version, strlen (l->v[i].version), &buf, &v, &verr)
          < 0)
        {
          condition (r, HS_GATE_UNREADABLE_PACKAGE_DATABASE, "%s: package `%s`: %s", dbname,
                     l->v[i].name, verr->msg);
          hs_error_release (&verr);
        }
      else
        {
          match_ctx_t c = { r, &l->v[i], bins, r->n, l->scheme };

          if (hs_index_match (ix, l->v[i].source, &v, add_finding, &c, err) < 0)
            return -1;
        }
      i = j;
    }
  return 0;
}

static void
judge (hs_gate_report_t *r, hs_pkgdb_t *db, const hs_feed_t *feed, hs_error_t *perr_unused)
{
  hs_pkgver_scheme_t scheme = 0;
  hs_pkglist_t *mine, *other;
  const char *mine_name, *other_name;
  hs_feed_map_t map = { 0 };
  hs_error_t err = NULL;
  int ri;

  if (db->os_release.buf == NULL)
    {
      condition (r, HS_GATE_UNKNOWN_DISTRIBUTION, "no etc/os-release or usr/lib/os-release");
      if (!hs_pkgdb_has_dpkg (db) && !hs_pkgdb_has_apk (db))
        condition (r, HS_GATE_NO_PACKAGE_DATABASE, "no dpkg or apk package database");
      return;
    }
  r->distribution = db->os.pretty ? hs_xstrdup (db->os.pretty)
                                  : hs_xasprintf ("%s %s", db->os.id,
                                                  db->os.version_id ? db->os.version_id : "");
  r->ecosystem = hs_os_release_ecosystem (&db->os, &scheme);
  if (r->ecosystem == NULL)
    {
      condition (r, HS_GATE_UNKNOWN_DISTRIBUTION,
                 "`%s` (ID=%s VERSION_ID=%s) is not a release the image gate knows",
                 r->distribution, db->os.id, db->os.version_id ? db->os.version_id : "(none)");
      return;
    }
  mine = scheme == HS_PKGVER_DPKG ? &db->dpkg : &db->apk;
  other = scheme == HS_PKGVER_DPKG ? &db->apk : &db->dpkg;
  mine_name = scheme == HS_PKGVER_DPKG ? "var/lib/dpkg" : "lib/apk/db/installed";
  other_name = scheme == HS_PKGVER_DPKG ? "lib/apk/db/installed" : "var/lib/dpkg";
  if (scheme == HS_PKGVER_DPKG ? !hs_pkgdb_has_dpkg (db) : !hs_pkgdb_has_apk (db))
    condition (r, HS_GATE_NO_PACKAGE_DATABASE, "%s has no %s", r->distribution, mine_name);
  if (other->n > 0)
    condition (r, HS_GATE_UNKNOWN_DISTRIBUTION,
               "%s lists %zu packages, but the image is %s: they cannot be judged", other_name,
               other->n, r->distribution);
  if (feed == NULL)
    return;
  ri = hs_feed_index (feed, r->ecosystem, &map, &err);
  if (ri != 0)
    {
      condition (r, HS_GATE_NO_FEED, "%s",
                 ri > 0 ? "the feed has no advisories for this release" : err->msg);
      hs_error_release (&err);
      return;
    }
  if (match_list (r, mine, &map.ix, mine_name, &err) < 0)
    {
      condition (r, HS_GATE_NO_FEED, "%s", err->msg);
      hs_error_release (&err);
    }
  hs_feed_unmap (&map);
}

/* ---- cache ---- */

static void
cache_key (const hs_gate_report_t *r, char out[HS_DIGEST_LEN])
{
  hs_sha256_t c;
  uint8_t sum[32];
  static const char hex[] = "0123456789abcdef";

  hs_sha256_init (&c);
  hs_sha256_update (&c, CACHE_VERSION, sizeof CACHE_VERSION);
  hs_sha256_update (&c, r->rootfs_digest, sizeof r->rootfs_digest);
  hs_sha256_update (&c, r->feed_digest, sizeof r->feed_digest);
  hs_sha256_final (&c, sum);
  memcpy (out, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    {
      out[7 + 2 * i] = hex[sum[i] >> 4];
      out[8 + 2 * i] = hex[sum[i] & 15];
    }
  out[HS_DIGEST_LEN - 1] = '\0';
}

static const hs_json_limits_t cache_limits = { CACHE_MAX, 16, false };

/* A fixed number of slots, chosen by the key: the cache never grows past
 * them, and a collision only costs a miss. */
static char *
slot_name (const char key[HS_DIGEST_LEN], size_t slots)
{
  unsigned long v
      = strtoul ((char[]){ key[7], key[8], key[9], key[10], key[11], key[12], 0 }, NULL, 16);

  return hs_xasprintf ("slot-%lu.json", v % slots);
}

static int
open_cache_dir (const char *dir, bool create)
{
  int fd;
  struct stat st;

  if (create)
    mkdir (dir, 0700);
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  /* hardshim's alone, or not used at all */
  if (fstat (fd, &st) < 0 || st.st_uid != geteuid () || (st.st_mode & 077) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static bool
cache_get (const hs_gate_scan_opts_t *o, const char key[HS_DIGEST_LEN], hs_gate_report_t *r)
{
  cleanup_close int fd = open_cache_dir (o->cache_dir, false);
  cleanup_free char *name = NULL, *buf = NULL;
  cleanup_json hs_json_t *j = NULL;
  const hs_json_t *k;
  hs_gate_report_t got = { 0 };
  size_t len;

  if (fd < 0)
    return false;
  name = slot_name (key, o->cache_slots ? o->cache_slots : CACHE_SLOTS);
  if (hs_read_file_at (fd, name, CACHE_MAX, &buf, &len, NULL, NULL) < 0
      || hs_json_parse (buf, len, &cache_limits, &j, NULL) < 0)
    return false;
  k = hs_json_get_type (j, "key", HS_JSON_STRING);
  if (k == NULL || strcmp (k->str, key) != 0
      || hs_gate_report_from_json (hs_json_get_exact (j, "report"), &got, NULL) < 0)
    return false;
  /* what the key covers must be what the entry says */
  if (strcmp (got.rootfs_digest, r->rootfs_digest) != 0
      || strcmp (got.feed_digest, r->feed_digest) != 0)
    {
      hs_gate_report_clear (&got);
      return false;
    }
  got.cached = true;
  hs_gate_report_clear (r);
  *r = got;
  return true;
}

static void
cache_put (const hs_gate_scan_opts_t *o, const char key[HS_DIGEST_LEN], const hs_gate_report_t *r)
{
  cleanup_close int fd = open_cache_dir (o->cache_dir, true);
  cleanup_json hs_json_t *j = hs_json_new (HS_JSON_OBJECT);
  cleanup_free char *name = NULL, *text = NULL;
  size_t len;

  if (fd < 0)
    return;
  hs_json_set_exact (j, "key", hs_json_new_string (key));
  hs_json_set_exact (j, "report", hs_gate_report_to_json (r));
  if (hs_json_emit (j, false, &text, &len, NULL) < 0 || len > CACHE_MAX)
    return;
  name = slot_name (key, o->cache_slots ? o->cache_slots : CACHE_SLOTS);
  hs_write_state_file_at (fd, name, text, len, NULL); /* a cache: failure is a miss later */
}

int
hs_gate_scan (const hs_rootfs_t *root, const hs_gate_scan_opts_t *opts, hs_gate_report_t *ret,
              hs_error_t *err)
{
  hs_gate_report_t r = { 0 };
  cleanup_pkgdb hs_pkgdb_t db = { 0 };
  hs_feed_t feed = { .dirfd = -1 };
  hs_error_t e = NULL;
  char key[HS_DIGEST_LEN];
  bool have_feed = false;
  int fr;

  if (hs_pkgdb_read (root, &db, &e) < 0)
    {
      condition (&r, HS_GATE_UNREADABLE_PACKAGE_DATABASE, "%s", e->msg);
      hs_error_release (&e);
      *ret = r;
      return 0;
    }
  memcpy (r.rootfs_digest, db.digest, HS_DIGEST_LEN);
  fr = hs_feed_open (opts->feed_dir, &feed, &e);
  if (fr != 0)
    {
      condition (&r, HS_GATE_NO_FEED, "%s",
                 fr > 0 ? "no feed installed (hardshimctl feed import)" : e->msg);
      hs_error_release (&e);
    }
  else
    {
      have_feed = true;
      memcpy (r.feed_digest, feed.digest, HS_DIGEST_LEN);
      r.feed_time = feed.data_as_of_time;
      cache_key (&r, key);
      if (opts->cache_dir && cache_get (opts, key, &r))
        {
          r.feed_time = feed.data_as_of_time;
          hs_feed_close (&feed);
          *ret = r;
          return 0;
        }
    }
  if (hs_pkgdb_parse (&db, &e) < 0)
    {
      condition (&r, HS_GATE_UNREADABLE_PACKAGE_DATABASE, "%s", e->msg);
      hs_error_release (&e);
    }
  else
    judge (&r, &db, have_feed ? &feed : NULL, err);
  if (have_feed && opts->cache_dir)
    cache_put (opts, key, &r);
  hs_feed_close (&feed);
  *ret = r;
  return 0;
}

/* ---- JSON ---- */

static void
set_str (hs_json_t *o, const char *k, const char *v)
{
  if (v != NULL)
    hs_json_set_exact (o, k, hs_json_new_string (v));
}

hs_json_t *
hs_gate_report_to_json (const hs_gate_report_t *r)
{
  hs_json_t *j = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *conds = hs_json_new (HS_JSON_OBJECT), *fs = hs_json_new (HS_JSON_ARRAY);

  set_str (j, "distribution", r->distribution);
  set_str (j, "ecosystem", r->ecosystem);
  hs_json_set_exact (j, "packages", hs_json_new_uint (r->packages));
  set_str (j, "rootfs_digest", r->rootfs_digest);
  set_str (j, "feed_digest", r->feed_digest);
  for (int c = 0; c < HS_GATE_CONDITIONS; c++)
    set_str (conds, condition_names[c], r->condition[c]);
  hs_json_set_exact (j, "conditions", conds);
  for (size_t i = 0; i < r->n; i++)
    {
      hs_json_t *f = hs_json_new (HS_JSON_OBJECT);

      set_str (f, "package", r->v[i].package);
      set_str (f, "installed", r->v[i].installed);
      set_str (f, "binaries", r->v[i].binaries);
      set_str (f, "advisory", r->v[i].id);
      set_str (f, "severity", hs_severity_name (r->v[i].severity));
      hs_json_set_exact (f, "fixed",
                         r->v[i].fixed ? hs_json_new_string (r->v[i].fixed)
                                       : hs_json_new (HS_JSON_NULL));
      hs_json_append (fs, f);
    }
  hs_json_set_exact (j, "findings", fs);
  return j;
}

static char *
dup_str (const hs_json_t *o, const char *k)
{
  const hs_json_t *v = hs_json_get_type (o, k, HS_JSON_STRING);

  return v ? hs_xstrdup (v->str) : NULL;
}

static bool
copy_digest (const hs_json_t *o, const char *k, char out[HS_DIGEST_LEN])
{
  const hs_json_t *v = hs_json_get_type (o, k, HS_JSON_STRING);

  if (v == NULL || v->len >= HS_DIGEST_LEN)
    return v == NULL;
  memcpy (out, v->str, v->len + 1);
  return true;
}

int
hs_gate_report_from_json (const hs_json_t *j, hs_gate_report_t *ret, hs_error_t *err)
{
  hs_gate_report_t r = { 0 };
  const hs_json_t *conds, *fs, *pk;

  if (j == NULL || j->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "not a report");
  r.distribution = dup_str (j, "distribution");
  r.ecosystem = dup_str (j, "ecosystem");
  pk = hs_json_get_type (j, "packages", HS_JSON_NUMBER);
  r.packages = pk ? strtoull (pk->str, NULL, 10) : 0;
  if (!copy_digest (j, "rootfs_digest", r.rootfs_digest)
      || !copy_digest (j, "feed_digest", r.feed_digest))
    goto bad;
  conds = hs_json_get_type (j, "conditions", HS_JSON_OBJECT);
  for (int c = 0; conds && c < HS_GATE_CONDITIONS; c++)
    r.condition[c] = dup_str (conds, condition_names[c]);
  fs = hs_json_get_type (j, "findings", HS_JSON_ARRAY);
  for (size_t i = 0; fs && i < fs->len; i++)
    {
      const hs_json_t *f = fs->items[i];
      hs_finding_t *x;
      const hs_json_t *sev;

      r.v = hs_xgrow (r.v, &r.cap, r.n + 1, sizeof *r.v);
      x = &r.v[r.n++];
      memset (x, 0, sizeof *x);
      x->package = dup_str (f, "package");
      x->installed = dup_str (f, "installed");
      x->binaries = dup_str (f, "binaries");
      x->id = dup_str (f, "advisory");
      x->fixed = dup_str (f, "fixed");
      sev = hs_json_get_type (f, "severity", HS_JSON_STRING);
      if (!x->package || !x->installed || !x->binaries || !x->id || !sev
          || hs_severity_parse (sev->str, &x->severity) < 0)
        goto bad;
    }
  *ret = r;
  return 0;
bad:
  hs_gate_report_clear (&r);
  return hs_error_make (err, 0, "malformed report");
}
