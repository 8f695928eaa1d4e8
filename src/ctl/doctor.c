/* hardshimctl doctor: the real runtimes hardshim would exec, judged against
 * their advisory tables: version (and Debian package and changelog), open
 * advisories, the rules covering each and whether the policy has them in
 * force. Exit 0: every open advisory is covered by an active rule (or only
 * partly, see runtime_advisories.refuse_partial); 1: at least one is not,
 * so `runtime_advisories: refuse` would refuse containers on that runtime;
 * 2: an error (usage, policy, a runtime or table that cannot be read). */
#include "advisory_cache.h"
#include "advisory_check.h"
#include "cleanup.h"
#include "config.h"
#include "ctl/ctl.h"
#include "harden/controls.h"
#include "runtime.h"
#include "xalloc.h"

#include <archive.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOCTOR_USAGE                                                                               \
  "doctor [--policy FILE] [--runtime PATH]... [--advisories DIR] [--dpkg-admin DIR] [--json]"
#define MAX_RUNTIMES 16
#define CHANGELOG_MAX (8u << 20)

typedef struct
{
  const hs_policy_t *policy;
  const char *dir;
  const char *dpkg_admin;
  const char *changelog_dir; /* /usr/share/doc */
  bool refuse_partial;
  bool json;
} doctor_t;

static bool
policy_active (const char *rule, void *ctx)
{
  return hs_policy_rule_active (ctx, rule);
}

static const char *
rule_mode_text (const hs_policy_t *policy, const char *rule)
{
  const char *m = hs_policy_rule_mode (policy, rule);

  if (strcmp (m, "unknown rule") == 0)
    return "no such rule in this hardshim";
  if (policy->mode != HS_POLICY_ENFORCE)
    return "policy mode is not enforce";
  return m;
}

/* CVE ids the Debian changelog names, each with the entry's version. */
typedef struct
{
  char *text;
  size_t len;
} changelog_t;

static void
changelog_clear (changelog_t *c)
{
  free (c->text);
}

static void
archive_freep (struct archive **a)
{
  if (*a != NULL)
    archive_read_free (*a);
}

static int
read_changelog (const char *dir, const char *package, changelog_t *ret)
{
  __attribute__ ((cleanup (archive_freep))) struct archive *a = NULL;
  cleanup_free char *path = hs_xasprintf ("%s/%s/changelog.Debian.gz", dir, package);
  cleanup_free char *buf = NULL;
  struct archive_entry *e;
  size_t len = 0;
  cleanup_close int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

  if (fd < 0)
    return -1;
  a = archive_read_new ();
  archive_read_support_filter_gzip (a);
  archive_read_support_format_raw (a);
  if (archive_read_open_fd (a, fd, 1 << 16) != ARCHIVE_OK
      || archive_read_next_header (a, &e) != ARCHIVE_OK)
    return -1;
  buf = hs_xmalloc (CHANGELOG_MAX + 1);
  for (;;)
    {
      la_ssize_t n = archive_read_data (a, buf + len, CHANGELOG_MAX - len);

      if (n < 0)
        return -1;
      if (n == 0 || (len += (size_t) n) >= CHANGELOG_MAX)
        break;
    }
  buf[len] = '\0';
  ret->text = TAKE_PTR (buf);
  ret->len = len;
  return 0;
}

/* The version of the entry under which the changelog names `id`, or NULL
 * (into out). Entries start with "package (version) suite; ...". */
static const char *
changelog_names (const changelog_t *c, const char *id, char *out, size_t size)
{
  const char *version = NULL;
  size_t vlen = 0, idl = strlen (id);

  for (const char *s = c->text, *end = c->text + c->len; s < end;)
    {
      const char *nl = memchr (s, '\n', (size_t) (end - s));
      size_t l = (nl ? nl : end) - s;

      if (l > 0 && s[0] != ' ' && s[0] != '\t')
        {
          const char *open = memchr (s, '(', l),
                     *close = open ? memchr (open, ')', l - (open - s)) : NULL;

          if (close != NULL)
            version = open + 1, vlen = (size_t) (close - open - 1);
        }
      else if (version != NULL)
        for (const char *p = s; p + idl <= s + l; p++)
          if (memcmp (p, id, idl) == 0 && (p + idl == s + l || !(p[idl] >= '0' && p[idl] <= '9')))
            {
              snprintf (out, size, "%.*s", (int) vlen, version);
              return out;
            }
      s += l + 1;
    }
  return NULL;
}

static hs_json_t *
opt_string (const char *s)
{
  return s ? hs_json_new_string (s) : hs_json_new (HS_JSON_NULL);
}

static hs_json_t *
string_array (char *const *v, size_t n)
{
  hs_json_t *a = hs_json_new (HS_JSON_ARRAY);

  for (size_t i = 0; i < n; i++)
    hs_json_append (a, hs_json_new_string (v[i]));
  return a;
}

/* One runtime: prints (or appends to `out`) and returns its status. */
static int
doctor_one (const doctor_t *d, const char *path, hs_json_t *out)
{
  cleanup_error hs_error_t err = NULL;
  cleanup_probe hs_probe_t facts = { 0 };
  cleanup_advisory_report hs_advisory_report_t rep = { 0 };
  __attribute__ ((cleanup (changelog_clear))) changelog_t cl = { 0 };
  hs_json_t *j = hs_json_new (HS_JSON_OBJECT);
  bool cached, have_cl = false;
  int status = 0;

  hs_json_append (out, j);
  hs_json_set_exact (j, "runtime", hs_json_new_string (path));
  if (hs_advisory_facts (NULL, path, d->dpkg_admin, &facts, &cached, &err) < 0
      || hs_advisory_judge (d->dir, &facts, policy_active, (void *) d->policy, &rep, &err) < 0)
    {
      hs_json_set_exact (j, "error", hs_json_new_string (err->msg));
      if (!d->json)
        printf ("runtime %s: error: %s\n\n", path, err->msg);
      return 2;
    }
  if (facts.debian_package != NULL)
    have_cl = read_changelog (d->changelog_dir, facts.debian_package, &cl) == 0;

  hs_json_set_exact (j, "name", hs_json_new_string (facts.name));
  hs_json_set_exact (j, "version", opt_string (facts.version));
  hs_json_set_exact (j, "features",
                     facts.features ? string_array (facts.features, facts.n_features)
                                    : hs_json_new (HS_JSON_NULL));
  if (facts.debian_package != NULL)
    {
      hs_json_t *deb = hs_json_new (HS_JSON_OBJECT);
      cleanup_free char *clp
          = hs_xasprintf ("%s/%s/changelog.Debian.gz", d->changelog_dir, facts.debian_package);

      hs_json_set_exact (deb, "package", hs_json_new_string (facts.debian_package));
      hs_json_set_exact (deb, "version", hs_json_new_string (facts.debian_version));
      hs_json_set_exact (deb, "changelog",
                         have_cl ? hs_json_new_string (clp) : hs_json_new (HS_JSON_NULL));
      hs_json_set_exact (j, "debian", deb);
    }
  else
    hs_json_set_exact (j, "debian", hs_json_new (HS_JSON_NULL));
  hs_json_set_exact (j, "table", hs_json_new_string (rep.table_path));
  hs_json_set_exact (j, "table_updated", opt_string (rep.table.updated));

  if (!d->json)
    {
      printf ("runtime %s: %s %s", path, facts.name,
              facts.version ? facts.version : "(version unknown)");
      if (facts.debian_package)
        printf (", Debian package %s %s", facts.debian_package, facts.debian_version);
      printf ("\n  table: %s (%zu advisories%s%s)\n", rep.table_path, rep.table.n,
              rep.table.updated ? ", updated " : "", rep.table.updated ? rep.table.updated : "");
      if (facts.debian_package)
        printf ("  changelog: %s/%s/changelog.Debian.gz%s\n", d->changelog_dir,
                facts.debian_package, have_cl ? "" : " (not readable)");
      printf ("  open advisories: %zu (%zu covered, %zu partly covered, %zu not covered)\n",
              rep.open, rep.open - rep.partial - rep.uncovered, rep.partial, rep.uncovered);
    }

  {
    hs_json_t *list = hs_json_new (HS_JSON_ARRAY);

    hs_json_set_exact (j, "advisories", list);
    for (size_t i = 0; i < rep.n; i++)
      {
        const hs_advisory_verdict_t *v = &rep.v[i];
        hs_json_t *a = hs_json_new (HS_JSON_OBJECT), *covers = hs_json_new (HS_JSON_ARRAY);
        char clv[256];
        const char *named = have_cl ? changelog_names (&cl, v->a->id, clv, sizeof (clv)) : NULL;

        hs_json_append (list, a);
        hs_json_set_exact (a, "id", hs_json_new_string (v->a->id));
        hs_json_set_exact (a, "aliases", string_array (v->a->aliases, v->a->n_aliases));
        hs_json_set_exact (a, "title", hs_json_new_string (v->a->title));
        hs_json_set_exact (a, "severity", hs_json_new_string (v->a->severity));
        hs_json_set_exact (a, "status", hs_json_new_string (hs_advisory_status_name (v->status)));
        hs_json_set_exact (a, "because", hs_json_new_string (v->why));
        hs_json_set_exact (a, "coverage",
                           v->status == HS_ADV_OPEN ? hs_json_new_string (hs_cover_name (v->cover))
                                                    : hs_json_new (HS_JSON_NULL));
        hs_json_set_exact (a, "debian_changelog_names", opt_string (named));
        for (size_t k = 0; k < v->a->n_covered_by; k++)
          {
            const hs_advisory_cover_t *c = &v->a->covered_by[k];
            hs_json_t *o = hs_json_new (HS_JSON_OBJECT);

            hs_json_set_exact (o, "rule", hs_json_new_string (c->rule));
            hs_json_set_exact (o, "partial", hs_json_new_bool (c->partial));
            hs_json_set_exact (o, "active",
                               hs_json_new_bool (hs_policy_rule_active (d->policy, c->rule)));
            hs_json_set_exact (o, "mode",
                               hs_json_new_string (hs_policy_rule_mode (d->policy, c->rule)));
            hs_json_append (covers, o);
          }
        hs_json_set_exact (a, "covered_by", covers);
        hs_json_set_exact (a, "sources", string_array (v->a->sources, v->a->n_sources));
        if (d->json || v->status != HS_ADV_OPEN)
          continue;
        printf ("  %-15s %-8s %s: %s\n", v->a->id, v->a->severity,
                v->cover == HS_COVER_FULL      ? "covered"
                : v->cover == HS_COVER_PARTIAL ? "PARTLY covered"
                                               : "NOT COVERED",
                v->a->title);
        for (size_t k = 0; k < v->a->n_covered_by; k++)
          {
            const hs_advisory_cover_t *c = &v->a->covered_by[k];
            bool on = hs_policy_rule_active (d->policy, c->rule);

            printf ("      %s %s%s: %s%s%s\n", on ? "+" : "-", c->rule,
                    c->partial ? " (partial)" : "", on ? "active" : "not active (",
                    on ? "" : rule_mode_text (d->policy, c->rule), on ? "" : ")");
            if (c->note)
              printf ("          %s\n", c->note);
          }
        if (v->a->n_covered_by == 0)
          printf ("      no hardshim rule covers it%s%s\n", v->a->note ? ": " : "",
                  v->a->note ? v->a->note : "");
        if (named)
          printf ("      note: the Debian changelog names it under %s, but the table lists no "
                  "such backport: it stays open until the table does\n",
                  named);
      }
  }
  if (!d->json)
    {
      const char *sep = "  fixed: ";

      for (size_t i = 0; i < rep.n; i++)
        if (rep.v[i].status == HS_ADV_FIXED || rep.v[i].status == HS_ADV_FIXED_DEBIAN)
          {
            printf ("%s%s (%s %s)", sep, rep.v[i].a->id,
                    rep.v[i].status == HS_ADV_FIXED ? "upstream" : "Debian", rep.v[i].why);
            sep = ", ";
          }
      if (*sep == ',')
        printf ("\n");
      sep = "  not affected: ";
      for (size_t i = 0; i < rep.n; i++)
        if (rep.v[i].status == HS_ADV_NOT_AFFECTED)
          {
            printf ("%s%s", sep, rep.v[i].a->id);
            sep = ", ";
          }
      if (*sep == ',')
        printf ("\n");
      sep = "  not applicable: ";
      for (size_t i = 0; i < rep.n; i++)
        if (rep.v[i].status == HS_ADV_NOT_APPLICABLE)
          {
            printf ("%s%s (needs %s)", sep, rep.v[i].a->id, rep.v[i].why);
            sep = ", ";
          }
      if (*sep == ',')
        printf ("\n");
    }
  if (rep.uncovered > 0 || (d->refuse_partial && rep.partial > 0))
    status = 1;
  hs_json_set_exact (j, "open", hs_json_new_uint (rep.open));
  hs_json_set_exact (j, "uncovered", hs_json_new_uint (rep.uncovered));
  hs_json_set_exact (j, "partial", hs_json_new_uint (rep.partial));
  hs_json_set_exact (j, "would_refuse", hs_json_new_bool (status == 1));
  if (!d->json)
    printf ("  verdict: %s\n\n",
            status == 1 ? "open advisories that no active rule covers (runtime_advisories: refuse "
                          "would refuse containers)"
            : rep.partial ? "every open advisory is covered, some only partly"
                          : "every open advisory is covered");
  return status;
}

static bool
same_file (const char *a, const char *b)
{
  struct stat sa, sb;

  return stat (a, &sa) == 0 && stat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

static void
add (char **list, size_t *n, const char *path)
{
  for (size_t i = 0; i < *n; i++)
    if (strcmp (list[i], path) == 0 || same_file (list[i], path))
      return;
  if (*n < MAX_RUNTIMES)
    list[(*n)++] = hs_xstrdup (path);
}

/* What hardshim would exec: under its own name (HARDSHIM_RUNTIME, the
 * policy's `runtime`, the default search) and in place of each node runtime
 * (the diverted real one), else each node runtime's package path. */
static void
default_runtimes (const hs_policy_t *policy, char **list, size_t *n)
{
  hs_runtime_query_t q = {
    .env = secure_getenv ("HARDSHIM_RUNTIME"),
    .configured = policy->runtime,
    .argv0 = "hardshim",
    .real_dir = HS_REAL_RUNTIME_DIR,
  };
  hs_runtime_t rt = { 0 };

  if (hs_runtime_resolve (&q, &rt, NULL) == 0)
    add (list, n, rt.path);
  hs_runtime_release (&rt);
  for (const hs_node_runtime_t *r = hs_node_runtimes; r->name != NULL; r++)
    {
      cleanup_free char *real = hs_node_real_path (HS_REAL_RUNTIME_DIR, r);

      if (access (real, X_OK) == 0)
        add (list, n, real);
      else if (access (r->path, X_OK) == 0)
        add (list, n, r->path);
    }
}

int
hs_ctl_doctor (int argc, char **argv)
{
  cleanup_error hs_error_t err = NULL;
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_json hs_json_t *out = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *list = hs_json_new (HS_JSON_ARRAY);
  const char *policy_file = NULL, *dir = NULL;
  char *runtimes[MAX_RUNTIMES];
  size_t n = 0;
  doctor_t d = { .dpkg_admin = HS_DPKG_ADMIN, .changelog_dir = "/usr/share/doc" };
  int status = 0;

  hs_json_set_exact (out, "runtimes", list);
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (strcmp (a, "--json") == 0)
        d.json = true;
      else if (strcmp (a, "--policy") == 0 && i + 1 < argc)
        policy_file = argv[++i];
      else if (strcmp (a, "--advisories") == 0 && i + 1 < argc)
        dir = argv[++i];
      else if (strcmp (a, "--dpkg-admin") == 0 && i + 1 < argc)
        d.dpkg_admin = argv[++i];
      else if (strcmp (a, "--changelog-dir") == 0 && i + 1 < argc)
        d.changelog_dir = argv[++i];
      else if (strcmp (a, "--runtime") == 0 && i + 1 < argc)
        {
          if (argv[i + 1][0] != '/')
            {
              fprintf (stderr, "hardshimctl: --runtime `%s`: not an absolute path\n", argv[i + 1]);
              goto usage;
            }
          add (runtimes, &n, argv[++i]);
        }
      else
        {
          fprintf (stderr, "hardshimctl: doctor: unknown or incomplete argument `%s`\n", a);
          goto usage;
        }
    }
  if (hs_ctl_load_policy (policy_file, &policy, &err) < 0)
    {
      for (size_t i = 0; i < n; i++)
        free (runtimes[i]);
      return hs_ctl_fail (&err, 2);
    }
  {
    const hs_json_t *s = hs_policy_control (policy, "runtime_advisories");

    d.policy = policy;
    d.dir = dir ? dir : hs_runtime_advisories_dir (s);
    (void) hs_settings_bool (s, "runtime_advisories", "refuse_partial", false, &d.refuse_partial,
                             NULL);
    hs_json_set_exact (out, "policy_mode",
                       hs_json_new_string (hs_policy_rule_mode (policy, "runtime_advisories")));
  }
  if (n == 0)
    default_runtimes (policy, runtimes, &n);
  if (n == 0)
    {
      fprintf (stderr, "hardshimctl: doctor: no runtime found (give --runtime PATH)\n");
      return 2;
    }
  for (size_t i = 0; i < n; i++)
    {
      int s = doctor_one (&d, runtimes[i], list);

      status = s > status ? s : status;
      free (runtimes[i]);
    }
  hs_json_set_exact (out, "status", hs_json_new_uint ((unsigned) status));
  if (d.json)
    {
      cleanup_free char *text = NULL;
      size_t len;

      if (hs_json_emit (out, true, &text, &len, &err) < 0)
        return hs_ctl_fail (&err, 2);
      printf ("%s\n", text);
    }
  return status;
usage:
  for (size_t i = 0; i < n; i++)
    free (runtimes[i]);
  fprintf (stderr, "usage: hardshimctl " DOCTOR_USAGE "\n");
  return 2;
}
