/* Which runtime paths engines can run are hardshim: the runc and crun on
 * the PATH engines use and in podman's lookup lists, and the runtimes the
 * engines' own configs name (Docker's daemon.json, containerd's
 * config.toml, podman's pinning drop-in). */
#include "cleanup.h"
#include "ctl/node.h"
#include "fileio.h"
#include "node_runtimes.h"
#include "xalloc.h"

#include <dirent.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char hs_node_podman_dropin_path[] = "/etc/containers/containers.conf.d/99-hardshim-node.conf";

/* Built-in runtime names of podman 4 and 5 other than runc and crun:
 * hardshim cannot front them, so the drop-in leaves them without a binary
 * and podman refuses them. */
const char *
hs_node_podman_dropin (void)
{
  return "# Written by `hardshimctl install --node`; `hardshimctl uninstall --node` removes it.\n"
         "# Every runtime name podman offers runs hardshim: runc and crun are the\n"
         "# paths where hardshim stands in for them, and the runtimes hardshim cannot\n"
         "# front have no binary, so podman refuses them. A later drop-in or\n"
         "# `--runtime /path` can still name another runtime (root's engine: root only).\n"
         "[engine.runtimes]\n"
         "runc = [\"/usr/sbin/runc\"]\n"
         "crun = [\"/usr/bin/crun\"]\n"
         "crun-vm = []\n"
         "crun-wasm = []\n"
         "kata = []\n"
         "krun = []\n"
         "ocijail = []\n"
         "runj = []\n"
         "runsc = []\n"
         "youki = []\n";
}

/* Where engines look for runc and crun besides PATH: podman's lists. */
static const char *const extra_runc[]
    = { "/usr/lib/cri-o-runc/sbin/runc", "/run/current-system/sw/bin/runc", NULL };
static const char *const extra_crun[] = { "/run/current-system/sw/bin/crun", NULL };

typedef struct
{
  const hs_node_t *n;
  FILE *out;
  hs_json_t *arr;
  int uncovered;
} report_t;

static void line (report_t *rep, const char *status, const char *what, const char *path,
                  const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

static void
line (report_t *rep, const char *status, const char *what, const char *path, const char *fmt, ...)
{
  cleanup_free char *detail = NULL;
  va_list ap;

  va_start (ap, fmt);
  detail = hs_xvasprintf (fmt, ap);
  va_end (ap);
  if (strcmp (status, "not covered") == 0 || strcmp (status, "broken") == 0)
    rep->uncovered++;
  if (rep->out != NULL)
    {
      cleanup_free char *upper = hs_xstrdup (status);

      if (strcmp (status, "covered") != 0 && strcmp (status, "absent") != 0)
        for (char *c = upper; *c; c++)
          *c = *c >= 'a' && *c <= 'z' ? (char) (*c - 32) : *c;
      fprintf (rep->out, "#   %-12s %s: %s\n", upper, what, detail);
    }
  if (rep->arr != NULL)
    {
      hs_json_t *o = hs_json_new (HS_JSON_OBJECT);

      hs_json_set_exact (o, "what", hs_json_new_string (what));
      hs_json_set_exact (o, "path", path ? hs_json_new_string (path) : hs_json_new (HS_JSON_NULL));
      hs_json_set_exact (o, "status", hs_json_new_string (status));
      hs_json_set_exact (o, "detail", hs_json_new_string (detail));
      hs_json_append (rep->arr, o);
    }
}

static bool
executable (const hs_node_t *n, const char *path)
{
  cleanup_free char *file = hs_node_resolve (n, path);
  struct stat st;

  return file != NULL && stat (file, &st) == 0 && S_ISREG (st.st_mode) && access (file, X_OK) == 0;
}

/* One runtime path: hardshim (and, in a runtime's place, its real one) or not. */
static void
report_path (report_t *rep, const char *path, const hs_node_runtime_t *slot)
{
  const hs_node_t *n = rep->n;

  if (!hs_node_is_hardshim (n, path))
    {
      line (rep, "not covered", path, path, "a %s that is not hardshim%s", hs_path_base (path),
            slot ? " (`hardshimctl install --node` puts hardshim in its place)" : "");
      return;
    }
  if (slot != NULL)
    {
      cleanup_free char *real = hs_node_real_path (n->real_dir, slot);

      if (!executable (n, real))
        line (rep, "broken", path, path,
              "hardshim in place of %s, but the real %s is missing at %s: every %s call fails "
              "(`apt-get install --reinstall %s`)",
              slot->name, slot->name, real, slot->name, slot->name);
      else
        line (rep, "covered", path, path, "hardshim in place of %s; it runs the real %s, %s",
              slot->name, slot->name, real);
      return;
    }
  line (rep, "covered", path, path, "hardshim");
}

static bool
seen (char **keys, size_t n_keys, const char *key)
{
  for (size_t i = 0; i < n_keys; i++)
    if (strcmp (keys[i], key) == 0)
      return true;
  return false;
}

/* The absent runtime's line: fine unless its real binary is diverted
 * and waiting for hardshim. */
static void
report_absent (report_t *rep, const hs_node_runtime_t *r)
{
  cleanup_free char *real = hs_node_real_path (rep->n->real_dir, r);

  if (executable (rep->n, real))
    line (rep, "not covered", r->path, r->path,
          "missing, while the real %s is at %s: run `hardshimctl install --node` again", r->name,
          real);
  else
    line (rep, "absent", r->path, r->path, "%s is not installed", r->name);
}

/* Every runc and crun an engine could find by name (PATH, podman's lists). */
static void
report_runtime_paths (report_t *rep)
{
  char *keys[64];
  size_t n_keys = 0;

  for (const hs_node_runtime_t *r = hs_node_runtimes; r->name != NULL; r++)
    {
      const char *const *extra = strcmp (r->name, "runc") == 0 ? extra_runc : extra_crun;
      const char *cands[16];
      size_t n_cands = 0;

      if (!executable (rep->n, r->path))
        report_absent (rep, r);
      cands[n_cands++] = r->path;
      for (size_t i = 0; hs_node_path_dirs[i] != NULL && n_cands < 14; i++)
        cands[n_cands++] = hs_node_path_dirs[i];
      for (size_t i = 0; i < n_cands; i++)
        {
          cleanup_free char *path = NULL, *dir = NULL, *key = NULL, *host = NULL;

          path = i == 0 ? hs_xstrdup (r->path) : hs_xasprintf ("%s/%s", cands[i], r->name);
          if (!executable (rep->n, path))
            continue;
          /* /sbin/runc is /usr/sbin/runc where /sbin links to usr/sbin */
          host = hs_node_file (rep->n, path);
          *strrchr (host, '/') = '\0';
          dir = realpath (host, NULL);
          key = hs_xasprintf ("%s/%s", dir ? dir : host, r->name);
          if (n_keys == 64 || seen (keys, n_keys, key))
            continue;
          keys[n_keys++] = TAKE_PTR (key);
          report_path (rep, path, i == 0 ? r : NULL);
        }
      for (; *extra != NULL; extra++)
        if (executable (rep->n, *extra))
          report_path (rep, *extra, NULL);
    }
  for (size_t i = 0; i < n_keys; i++)
    free (keys[i]);
}

/* A runtime an engine config names: a bare name is found on PATH. */
static void
report_named (report_t *rep, const char *what, const char *binary)
{
  cleanup_free char *path = NULL;

  if (binary[0] == '/')
    path = hs_xstrdup (binary);
  else
    path = hs_node_path_lookup (rep->n, binary);
  if (path == NULL)
    line (rep, "absent", what, NULL, "runs `%s`, which is not on PATH", binary);
  else if (hs_node_is_hardshim (rep->n, path))
    line (rep, "covered", what, path, "runs %s (hardshim)", path);
  else
    line (rep, "not covered", what, path, "runs %s, which is not hardshim", path);
}

/* The shims that run runc by name (or options.BinaryName); one whose name
 * merely contains "runc" runs whatever it was built to. */
static bool
runc_shim (const char *type)
{
  return strcmp (type, "io.containerd.runc.v2") == 0 || strcmp (type, "io.containerd.runc.v1") == 0
         || strcmp (type, "io.containerd.runtime.v1.linux") == 0;
}

static char *
read_config (const hs_node_t *n, const char *path, size_t *ret_len)
{
  cleanup_free char *host = hs_node_file (n, path), *name = NULL;
  cleanup_close int dfd = hs_open_parent (host, &name, NULL);
  char *buf = NULL;

  if (dfd < 0 || hs_read_file_at (dfd, name, 1 << 20, &buf, ret_len, NULL, NULL) < 0)
    return NULL;
  return buf;
}

static void
report_docker (report_t *rep)
{
  const char *file = "/etc/docker/daemon.json";
  hs_json_limits_t limits = { .max_bytes = 1 << 20, .max_depth = 32 };
  cleanup_json hs_json_t *tree = NULL;
  cleanup_free char *buf = NULL;
  const hs_json_t *rts;
  size_t len;

  buf = read_config (rep->n, file, &len);
  if (buf == NULL)
    return;
  if (hs_json_parse (buf, len, &limits, &tree, NULL) < 0 || tree->type != HS_JSON_OBJECT)
    {
      line (rep, "not covered", "Docker", file, "%s cannot be read as JSON: not checked", file);
      return;
    }
  rts = hs_json_get_type (tree, "runtimes", HS_JSON_OBJECT);
  for (size_t i = 0; rts != NULL && i < rts->len; i++)
    {
      cleanup_free char *what = hs_xasprintf ("Docker runtime `%s` (%s)", rts->keys[i], file);
      const hs_json_t *rt = rts->items[i];
      const hs_json_t *path = hs_json_get_type (rt, "path", HS_JSON_STRING);
      const hs_json_t *type = hs_json_get_type (rt, "runtimeType", HS_JSON_STRING);
      const hs_json_t *bin = hs_json_path (rt, "options", "BinaryName", NULL);

      if (path != NULL)
        report_named (rep, what, path->str);
      else if (type != NULL && !runc_shim (type->str))
        line (rep, "not covered", what, NULL, "shim `%s` runs a runtime hardshim does not front",
              type->str);
      else if (bin != NULL && bin->type != HS_JSON_STRING)
        line (rep, "not covered", what, NULL, "its options.BinaryName is not a string");
      else
        report_named (rep, what, bin ? bin->str : "runc");
    }
}

typedef struct
{
  char name[128];
  char type[128];
  char binary[512];
  char unread[64]; /* a key that picks a binary, not read: not covered */
} cd_runtime_t;

/* The value of `key = "value"` on a TOML line, or NULL. */
static bool
toml_string (const char *l, const char *key, char *ret, size_t size)
{
  size_t klen = strlen (key);
  const char *q, *end;

  l = strstr (l, key);
  if (l == NULL)
    return false;
  l += klen;
  l += strspn (l, " \t");
  if (*l != '=')
    return false;
  l++;
  l += strspn (l, " \t");
  /* a basic "..." or literal '...' string; anything else is not read */
  if (*l != '"' && *l != '\'')
    return false;
  q = l;
  end = strchr (q + 1, *q);
  if (end == NULL || (size_t) (end - q - 1) >= size)
    return false;
  memcpy (ret, q + 1, (size_t) (end - q - 1));
  ret[end - q - 1] = '\0';
  return true;
}

/* containerd's runtimes: `[...runtimes.NAME]` and `[...runtimes.NAME.options]`
 * tables, their runtime_type and BinaryName. A line scanner, enough for
 * the files `containerd config default` writes and people edit. */
static void
report_containerd (report_t *rep)
{
  const char *file = "/etc/containerd/config.toml";
  cleanup_free char *buf = NULL;
  cd_runtime_t rts[32];
  size_t n_rts = 0, len;
  cd_runtime_t *cur = NULL;
  bool imports = false, inline_tables = false;

  buf = read_config (rep->n, file, &len);
  if (buf == NULL)
    return;
  for (char *l = buf, *next; l != NULL && *l; l = next)
    {
      next = strchr (l, '\n');
      if (next != NULL)
        *next++ = '\0';
      l += strspn (l, " \t");
      if (*l == '#')
        continue;
      if (*l == '[')
        {
          const char *p = strstr (l, ".runtimes.");
          char name[128];
          size_t k = 0;

          cur = NULL;
          if (p == NULL)
            continue;
          p += strlen (".runtimes.");
          if (*p == '"')
            for (p++; *p && *p != '"' && k < sizeof (name) - 1;)
              name[k++] = *p++;
          else
            while (*p && *p != '.' && *p != ']' && k < sizeof (name) - 1)
              name[k++] = *p++;
          name[k] = '\0';
          for (size_t i = 0; i < n_rts && cur == NULL; i++)
            if (strcmp (rts[i].name, name) == 0)
              cur = &rts[i];
          if (cur == NULL && n_rts < 32)
            {
              cur = &rts[n_rts++];
              *cur = (cd_runtime_t){ .type = "" };
              memcpy (cur->name, name, k + 1);
            }
          continue;
        }
      if (strncmp (l, "imports", 7) == 0)
        imports = true;
      /* `runtimes.NAME = { ... }` or a dotted key: not read by this scanner */
      if (strstr (l, "runtimes.") != NULL || (strncmp (l, "runtimes", 8) == 0 && strchr (l, '{')))
        inline_tables = true;
      if (cur != NULL)
        {
          /* every key that names the binary a shim runs (runc v2: BinaryName;
           * v1 shim: runtime_engine, options.Runtime; runtime_path) */
          static const char *const picks[]
              = { "BinaryName", "runtime_engine", "Runtime", "runtime_path", NULL };

          toml_string (l, "runtime_type", cur->type, sizeof (cur->type));
          for (size_t k = 0; picks[k]; k++)
            {
              size_t kl = strlen (picks[k]);

              if (strncmp (l, picks[k], kl) != 0 || (l[kl] != ' ' && l[kl] != '\t' && l[kl] != '='))
                continue;
              if (!toml_string (l, picks[k], cur->binary, sizeof (cur->binary)))
                snprintf (cur->unread, sizeof cur->unread, "%s", picks[k]);
            }
        }
    }
  if (imports)
    line (rep, "not covered", "containerd", file,
          "%s imports other files, which are not checked here", file);
  if (inline_tables)
    line (rep, "not covered", "containerd", file,
          "%s names runtimes in inline tables or dotted keys, which are not read here", file);
  for (size_t i = 0; i < n_rts; i++)
    {
      cleanup_free char *what = hs_xasprintf ("containerd runtime `%s` (%s)", rts[i].name, file);

      if (rts[i].unread[0] != '\0')
        line (rep, "not covered", what, NULL, "its `%s` is not a string this report can read",
              rts[i].unread);
      else if (rts[i].type[0] != '\0' && !runc_shim (rts[i].type))
        line (rep, "not covered", what, NULL, "shim `%s` runs a runtime hardshim does not front",
              rts[i].type);
      else
        report_named (rep, what, rts[i].binary[0] ? rts[i].binary : "runc");
    }
}

/* podman reads containers.conf, then the drop-ins in name order, the last
 * word winning: a drop-in after ours that names runtimes, or a runtime
 * name of containers.conf ours does not pin, can run another binary. */
static bool
podman_overridden (report_t *rep)
{
  static const char *const files[]
      = { "/etc/containers/containers.conf", "/usr/share/containers/containers.conf", NULL };
  const char *want = hs_node_podman_dropin ();
  cleanup_free char *dir = hs_node_file (rep->n, "/etc/containers/containers.conf.d");
  struct dirent **names = NULL;
  bool over = false;
  int n = scandir (dir, &names, NULL, alphasort);

  for (int i = 0; i < n; i++)
    {
      cleanup_free char *path
          = hs_xasprintf ("/etc/containers/containers.conf.d/%s", names[i]->d_name);
      cleanup_free char *buf = NULL;
      size_t len;

      if (!over && strcmp (names[i]->d_name, "99-hardshim-node.conf") > 0
          && (buf = read_config (rep->n, path, &len)) != NULL && strstr (buf, "runtime") != NULL)
        {
          line (rep, "not covered", "podman runtime names", path,
                "%s is read after hardshim's drop-in and names runtimes", path);
          over = true;
        }
      free (names[i]);
    }
  free (names);
  for (size_t f = 0; files[f] && !over; f++)
    {
      cleanup_free char *buf = NULL;
      size_t len;
      bool in_runtimes = false;

      buf = read_config (rep->n, files[f], &len);
      for (char *l = buf, *next; l != NULL && *l && !over; l = next)
        {
          char key[128];
          size_t k;

          next = strchr (l, '\n');
          if (next != NULL)
            *next++ = '\0';
          l += strspn (l, " \t");
          if (*l == '[')
            {
              in_runtimes = strncmp (l, "[engine.runtimes]", 17) == 0;
              continue;
            }
          if (!in_runtimes || *l == '#' || *l == '\0')
            continue;
          k = strcspn (l, " \t=");
          if (k == 0 || k >= sizeof key - 3)
            continue;
          key[0] = '\n';
          memcpy (key + 1, l, k);
          memcpy (key + 1 + k, " =", 3);
          if (strstr (want, key) == NULL)
            {
              line (rep, "not covered", "podman runtime names", files[f],
                    "%s names runtime `%.*s`, which hardshim's drop-in does not pin", files[f],
                    (int) k, l);
              over = true;
            }
        }
    }
  return over;
}

static void
report_podman (report_t *rep)
{
  cleanup_free char *buf = NULL;
  const char *want = hs_node_podman_dropin ();
  size_t len;

  buf = read_config (rep->n, hs_node_podman_dropin_path, &len);
  if (buf != NULL && len == strlen (want) && memcmp (buf, want, len) == 0)
    {
      if (!podman_overridden (rep))
        line (rep, "covered", "podman runtime names", hs_node_podman_dropin_path,
              "runc and crun are %s and %s, other names have no runtime (%s)",
              hs_node_runtimes[0].path, hs_node_runtimes[1].path, hs_node_podman_dropin_path);
    }
  else
    line (rep, "not covered", "podman runtime names", NULL,
          "not pinned (no %s from `hardshimctl install --node`): podman runs the first runc "
          "or crun of its own lists, and any other runtime it knows",
          hs_node_podman_dropin_path);
}

int
hs_node_report (const hs_node_t *n, FILE *out, hs_json_t *arr)
{
  report_t rep = { .n = n, .out = out, .arr = arr };
  cleanup_free char *runc = hs_node_path_lookup (n, "runc");

  if (out != NULL)
    fprintf (out, "# runtime paths engines run (`hardshimctl install --node` puts hardshim in "
                  "place of runc and crun):\n");
  report_runtime_paths (&rep);
  if (out != NULL)
    fprintf (out, "# engines:\n");
  if (runc != NULL)
    report_named (&rep,
                  "Docker (runc, io.containerd.runc.v2, io.containerd.runtime.v1.linux) and "
                  "containerd (ctr, CRI runtimes "
                  "without BinaryName)",
                  "runc");
  report_docker (&rep);
  report_containerd (&rep);
  report_podman (&rep);
  return rep.uncovered;
}
