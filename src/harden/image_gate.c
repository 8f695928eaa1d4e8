/* image_gate: refuse (or report) containers whose packages have known,
 * fixed vulnerabilities, from the offline feed `hardshimctl feed import`
 * installed. The rootfs is the image's: everything read from it is
 * hostile (rootfs.c, pkgdb.h limits). An image built to lie can delete or
 * forge its package database; the gate catches honest stale images. */
#include "harden/image_gate.h"
#include "cleanup.h"
#include "feed.h"
#include "harden/controls.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_PACKAGES 5
#define SHOW_IDS 3
#define DEFAULT_MAX_AGE (14LL * 86400)

static const char *const known_keys[]
    = { "feed_dir", "severity_threshold", "refuse_unfixed", "max_feed_age", "ignore", "fail_closed",
        NULL };

/* "30d", "12h", "90m", "3600s", "3600" or a number of seconds; 0 = none */
static int
parse_age (const hs_json_t *v, long long *ret, hs_error_t *err)
{
  char *end;
  long long n, unit = 1;

  if (v->type == HS_JSON_NUMBER || v->type == HS_JSON_STRING)
    {
      errno = 0;
      n = strtoll (v->str, &end, 10);
      if (end == v->str || errno != 0 || n < 0)
        goto bad;
      if (v->type == HS_JSON_STRING && *end)
        {
          unit = *end == 'd' ? 86400 : *end == 'h' ? 3600 : *end == 'm' ? 60 : *end == 's' ? 1 : 0;
          if (unit == 0 || end[1] != '\0')
            goto bad;
        }
      else if (*end)
        goto bad;
      if (n > (1LL << 40) / unit)
        goto bad;
      *ret = n * unit;
      return 0;
    }
bad:
  return hs_error_make (err, 0,
                        "policy key image_gate.max_feed_age: expected seconds or a string such "
                        "as \"14d\", \"12h\" (0: no limit)");
}

static int
string_array (const hs_json_t *obj, const char *key, const char *path, const hs_json_t **ret,
              hs_error_t *err)
{
  const hs_json_t *a = hs_json_get_exact (obj, key);

  *ret = NULL;
  if (a == NULL)
    return 0;
  if (a->type != HS_JSON_ARRAY)
    return hs_error_make (err, 0, "policy key %s.%s: expected an array of strings", path, key);
  for (size_t i = 0; i < a->len; i++)
    if (a->items[i]->type != HS_JSON_STRING)
      return hs_error_make (err, 0, "policy key %s.%s[%zu]: expected a string", path, key, i);
  *ret = a;
  return 0;
}

int
hs_gate_policy_parse (const hs_json_t *settings, hs_gate_policy_t *ret, hs_error_t *err)
{
  hs_gate_policy_t p = { .mode = HS_GATE_MODE_OFF,
                         .feed_dir = HS_FEED_DIR_DEFAULT,
                         .threshold = HS_SEV_LOW,
                         .max_feed_age = DEFAULT_MAX_AGE };
  const char *mode = settings ? hs_settings_mode_name (settings) : NULL;
  const hs_json_t *v;

  for (int c = 0; c < HS_GATE_CONDITIONS; c++)
    p.refuse_condition[c] = true;
  if (settings == NULL || settings->type == HS_JSON_NULL)
    {
      *ret = p;
      return 0;
    }
  if (settings->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "policy key image_gate: expected an object");
  if (hs_settings_check_keys (settings, "image_gate", known_keys, err) < 0)
    return -1;
  if (mode == NULL || strcmp (mode, "enforce") == 0)
    p.mode = HS_GATE_MODE_ENFORCE; /* an absent mode is enforce, as for every control */
  else if (strcmp (mode, "warn") == 0)
    p.mode = HS_GATE_MODE_WARN;
  else if (strcmp (mode, "audit") == 0)
    p.mode = HS_GATE_MODE_AUDIT;
  else if (strcmp (mode, "off") == 0)
    p.mode = HS_GATE_MODE_OFF;
  else
    return hs_error_make (
        err, 0, "policy key image_gate.mode: `%s` is not off, audit, warn or enforce", mode);
  if ((v = hs_json_get_exact (settings, "feed_dir")) != NULL)
    {
      if (v->type != HS_JSON_STRING || v->str[0] != '/')
        return hs_error_make (err, 0, "policy key image_gate.feed_dir: expected an absolute path");
      p.feed_dir = v->str;
    }
  if ((v = hs_json_get_exact (settings, "severity_threshold")) != NULL
      && (v->type != HS_JSON_STRING || hs_severity_parse (v->str, &p.threshold) < 0
          || p.threshold == HS_SEV_UNKNOWN))
    return hs_error_make (err, 0,
                          "policy key image_gate.severity_threshold: expected unimportant, low, "
                          "medium, high or critical");
  if (hs_settings_bool (settings, "image_gate", "refuse_unfixed", false, &p.refuse_unfixed, err)
      < 0)
    return -1;
  if ((v = hs_json_get_exact (settings, "max_feed_age")) != NULL
      && parse_age (v, &p.max_feed_age, err) < 0)
    return -1;
  if ((v = hs_json_get_exact (settings, "ignore")) != NULL)
    {
      static const char *const ignore_keys[] = { "advisories", "packages", NULL };

      if (v->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "policy key image_gate.ignore: expected an object");
      for (size_t i = 0; i < v->len; i++)
        if (strcmp (v->keys[i], ignore_keys[0]) != 0 && strcmp (v->keys[i], ignore_keys[1]) != 0)
          return hs_error_make (err, 0,
                                "policy key image_gate.ignore.%s: unknown key "
                                "(advisories, packages)",
                                v->keys[i]);
      if (string_array (v, "advisories", "image_gate.ignore", &p.ignore_advisories, err) < 0
          || string_array (v, "packages", "image_gate.ignore", &p.ignore_packages, err) < 0)
        return -1;
    }
  if ((v = hs_json_get_exact (settings, "fail_closed")) != NULL)
    {
      if (v->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "policy key image_gate.fail_closed: expected an object");
      for (size_t i = 0; i < v->len; i++)
        {
          int c;

          for (c = 0; c < HS_GATE_CONDITIONS; c++)
            if (strcmp (v->keys[i], hs_gate_condition_name (c)) == 0)
              break;
          if (c == HS_GATE_CONDITIONS)
            return hs_error_make (err, 0,
                                  "policy key image_gate.fail_closed.%s: unknown condition "
                                  "(unknown_distribution, no_package_database, "
                                  "unreadable_package_database, no_feed, stale_feed)",
                                  v->keys[i]);
          if (v->items[i]->type != HS_JSON_STRING
              || (strcmp (v->items[i]->str, "refuse") != 0
                  && strcmp (v->items[i]->str, "warn") != 0))
            return hs_error_make (err, 0,
                                  "policy key image_gate.fail_closed.%s: expected "
                                  "\"refuse\" or \"warn\"",
                                  v->keys[i]);
          p.refuse_condition[c] = strcmp (v->items[i]->str, "refuse") == 0;
        }
    }
  *ret = p;
  return 0;
}

static bool
listed (const hs_json_t *a, const char *s)
{
  return a != NULL && hs_json_array_find_string (a, s) >= 0;
}

hs_gate_class_t
hs_gate_classify (const hs_finding_t *f, const hs_gate_policy_t *p, hs_gate_excepted_fn excepted,
                  void *ctx)
{
  bool counts = f->severity == HS_SEV_UNKNOWN || f->severity >= p->threshold;

  if (listed (p->ignore_advisories, f->id) || listed (p->ignore_packages, f->package)
      || (excepted && (excepted (ctx, "advisory", f->id) || excepted (ctx, "package", f->package))))
    return HS_GATE_EXCEPTED;
  if (f->fixed == NULL)
    return p->refuse_unfixed && counts ? HS_GATE_BLOCKING : HS_GATE_UNFIXED;
  return counts ? HS_GATE_BLOCKING : HS_GATE_BELOW;
}

void
hs_gate_verdict_clear (hs_gate_verdict_t *v)
{
  free (v->message);
  memset (v, 0, sizeof *v);
}

typedef struct
{
  char *buf;
  size_t len, cap;
} sbuf_t;

static void __attribute__ ((format (printf, 2, 3))) sb_add (sbuf_t *s, const char *fmt, ...)
{
  va_list ap;
  char *t;

  va_start (ap, fmt);
  t = hs_xvasprintf (fmt, ap);
  va_end (ap);
  s->buf = hs_xgrow (s->buf, &s->cap, s->len + strlen (t) + 1, 1);
  memcpy (s->buf + s->len, t, strlen (t) + 1);
  s->len += strlen (t);
  free (t);
}

/* "glibc 2.36-9+deb12u2 (fixed in 2.36-9+deb12u3: DSA-5514-1, CVE-x and 2 more)"
 * for each package with blocking findings, the first few, then a count. */
static void
describe_blocking (sbuf_t *s, const hs_gate_report_t *r, const hs_gate_class_t *cls)
{
  size_t shown = 0, packages = 0;

  for (size_t i = 0; i < r->n;)
    {
      size_t j = i, ids = 0;
      const char *fixed = NULL;
      hs_pkgver_buf_t b1, b2;

      while (j < r->n && strcmp (r->v[j].package, r->v[i].package) == 0
             && strcmp (r->v[j].installed, r->v[i].installed) == 0)
        j++;
      for (size_t k = i; k < j; k++)
        if (cls[k] == HS_GATE_BLOCKING)
          {
            ids++;
            /* the fix that clears them all: the highest of their fixes */
            if (r->v[k].fixed != NULL)
              {
                hs_pkgver_t a, b;
                hs_pkgver_scheme_t sc = r->ecosystem && strncmp (r->ecosystem, "Alpine", 6) == 0
                                            ? HS_PKGVER_APK
                                            : HS_PKGVER_DPKG;

                if (fixed == NULL)
                  fixed = r->v[k].fixed;
                else if (hs_pkgver_parse (sc, fixed, strlen (fixed), &b1, &a, NULL) == 0
                         && hs_pkgver_parse (sc, r->v[k].fixed, strlen (r->v[k].fixed), &b2, &b,
                                             NULL)
                                == 0
                         && hs_pkgver_compare (&b, &a) > 0)
                  fixed = r->v[k].fixed;
              }
          }
      if (ids > 0)
        {
          packages++;
          if (shown < SHOW_PACKAGES)
            {
              size_t listed_ids = 0;

              sb_add (s, "%s%s %s (", shown ? "; " : "", r->v[i].package, r->v[i].installed);
              if (fixed)
                sb_add (s, "fixed in %s: ", fixed);
              else
                sb_add (s, "no fix yet: ");
              for (size_t k = i; k < j && listed_ids < SHOW_IDS; k++)
                if (cls[k] == HS_GATE_BLOCKING)
                  sb_add (s, "%s%s", listed_ids++ ? ", " : "", r->v[k].id);
              if (ids > SHOW_IDS)
                sb_add (s, " and %zu more", ids - SHOW_IDS);
              sb_add (s, ")");
              shown++;
            }
        }
      i = j;
    }
  if (packages > shown)
    sb_add (s, "; and %zu more packages", packages - shown);
}

void
hs_gate_verdict (const hs_gate_report_t *r, const hs_gate_policy_t *p, time_t now,
                 hs_gate_excepted_fn excepted, void *ctx, hs_gate_verdict_t *ret)
{
  hs_gate_verdict_t v = { 0 };
  cleanup_free hs_gate_class_t *cls = hs_xcalloc (r->n ? r->n : 1, sizeof *cls);
  cleanup_free char *stale = NULL;
  sbuf_t s = { 0 };
  bool refuse_cond = false, any_cond = false;

  for (int c = 0; c < HS_GATE_CONDITIONS; c++)
    v.condition[c] = r->condition[c] != NULL;
  if (!v.condition[HS_GATE_NO_FEED] && p->max_feed_age > 0
      && (r->feed_time <= 0 || now - r->feed_time > p->max_feed_age))
    {
      v.condition[HS_GATE_STALE_FEED] = true;
      stale
          = r->feed_time <= 0
                ? hs_xstrdup ("the feed does not say how recent its data is")
                : hs_xasprintf ("the feed's newest record is %lld days old, over max_feed_age "
                                "(%lld days): refresh it with hardshimctl feed import",
                                (long long) (now - r->feed_time) / 86400, p->max_feed_age / 86400);
    }
  for (size_t i = 0; i < r->n; i++)
    {
      cls[i] = hs_gate_classify (&r->v[i], p, excepted, ctx);
      switch (cls[i])
        {
        case HS_GATE_BLOCKING:
          v.blocking++;
          break;
        case HS_GATE_UNFIXED:
          v.unfixed++;
          break;
        case HS_GATE_BELOW:
          v.below++;
          break;
        case HS_GATE_EXCEPTED:
          v.excepted++;
          break;
        }
    }
  for (int c = 0; c < HS_GATE_CONDITIONS; c++)
    if (v.condition[c])
      {
        const char *why = c == HS_GATE_STALE_FEED ? stale : r->condition[c];

        any_cond = true;
        if (p->refuse_condition[c])
          refuse_cond = true;
        sb_add (&s, "%simage gate: %s: %s", s.len ? "; " : "", hs_gate_condition_name (c), why);
      }
  if (v.blocking > 0)
    {
      size_t pk = 0;

      for (size_t i = 0; i < r->n; i++)
        if (cls[i] == HS_GATE_BLOCKING
            && (i == 0 || cls[i - 1] != HS_GATE_BLOCKING
                || strcmp (r->v[i].package, r->v[i - 1].package) != 0))
          pk++;
      sb_add (&s, "%simage has %zu known vulnerabilit%s %s%s%s: ", s.len ? "; " : "", v.blocking,
              v.blocking == 1 ? "y" : "ies", p->refuse_unfixed ? "" : "with a fix ",
              "at or above severity ", hs_severity_name (p->threshold));
      describe_blocking (&s, r, cls);
    }
  if (v.unfixed + v.below > 0)
    sb_add (&s, "%s%zu more without a fix or below the threshold (hardshimctl scan for all)",
            s.len ? "; " : "", v.unfixed + v.below);
  v.refuse = v.blocking > 0 || refuse_cond;
  v.clean = !any_cond && v.blocking + v.unfixed + v.below == 0;
  v.message = s.buf;
  *ret = v;
}

/* ---- the control ---- */

typedef struct
{
  hs_harden_t *h;
} except_ctx_t;

static bool
container_excepted (void *ctx, const char *kind, const char *value)
{
  except_ctx_t *c = ctx;

  return hs_harden_exception_allows (c->h, NULL, kind, value);
}

static char *
rootfs_path (const hs_harden_t *h)
{
  const hs_json_t *path = hs_json_path (h->spec, "root", "path", NULL);
  const char *bundle = h->ctr && h->ctr->bundle ? h->ctr->bundle : ".";

  if (path == NULL || path->type != HS_JSON_STRING || path->str[0] == '\0')
    return NULL;
  if (path->str[0] == '/')
    return hs_xstrdup (path->str);
  return hs_xasprintf ("%s/%s", bundle, path->str);
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_gate_policy_t p;
  cleanup_gate_report hs_gate_report_t r = { 0 };
  cleanup_free char *root_path = NULL, *cache = NULL;
  hs_gate_verdict_t v;
  hs_rootfs_t root = { .fd = -1 };
  hs_error_t e = NULL;
  except_ctx_t ctx = { h };
  hs_gate_scan_opts_t opts = { 0 };
  int ret = 0;

  if (hs_gate_policy_parse (settings, &p, err) < 0)
    return -1;
  if (p.mode == HS_GATE_MODE_OFF)
    return 0;
  root_path = rootfs_path (h);
  if (root_path == NULL)
    return 0; /* no rootfs: nothing runs from an image */
  opts.feed_dir = p.feed_dir;
  cache = hs_xasprintf ("%s/image_gate",
                        h->policy && h->policy->state_dir ? h->policy->state_dir : HS_STATE_DIR);
  opts.cache_dir = cache;
  if (hs_rootfs_open (root_path, &root, &e) < 0)
    {
      r.condition[HS_GATE_UNREADABLE_PACKAGE_DATABASE] = hs_xstrdup (e->msg);
      hs_error_release (&e);
    }
  else if (hs_gate_scan (&root, &opts, &r, err) < 0)
    {
      hs_rootfs_close (&root);
      return hs_error_wrap (err, "image gate");
    }
  hs_rootfs_close (&root);
  hs_gate_verdict (&r, &p, time (NULL), container_excepted, &ctx, &v);
  if (v.refuse && p.mode == HS_GATE_MODE_ENFORCE)
    ret = hs_harden_refuse (h, err, "root.path", "%s", v.message);
  else if (v.message != NULL)
    hs_harden_note (h, "root.path", "%s%s", v.refuse ? "would refuse: " : "", v.message);
  hs_gate_verdict_clear (&v);
  return ret;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  hs_gate_policy_t p;

  return hs_gate_policy_parse (settings, &p, err);
}

static const hs_mode_name_t gate_modes[] = {
  { "enforce", HS_CTL_ENFORCE }, { "warn", HS_CTL_ENFORCE }, /* the control itself reports instead
                                                                of refusing */
  { "audit", HS_CTL_AUDIT },     { "off", HS_CTL_OFF },      { NULL, HS_CTL_OFF },
};

static const char *const gate_exceptions[] = { "advisory", "package", NULL };

const hs_control_t hs_control_image_gate = {
  .name = "image_gate",
  .summary = "refuse images whose packages have known, fixed vulnerabilities (offline feed)",
  .doc = "Reads etc/os-release and the dpkg or apk package database of the rootfs and\n"
         "matches every installed source package against the feed installed by\n"
         "`hardshimctl feed import` (OSV, Debian:<major> and Alpine:v<x.y>).\n"
         "Modes: off, audit, warn (run and report), enforce (refuse).\n"
         "Settings: feed_dir, severity_threshold (unimportant|low|medium|high|critical,\n"
         "default low; advisories without a severity always count), refuse_unfixed\n"
         "(false), max_feed_age (\"14d\"), ignore {advisories, packages},\n"
         "fail_closed {unknown_distribution, no_package_database,\n"
         "unreadable_package_database, no_feed, stale_feed: refuse|warn}.\n"
         "Exceptions: advisory, package (comma-separated lists).\n",
  .validate = validate,
  .apply = apply,
  .modes = gate_modes,
  .exceptions = gate_exceptions,
  .read_only = true,
};
