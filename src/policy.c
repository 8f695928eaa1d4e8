#include "policy.h"
#include "caller.h"
#include "cleanup.h"
#include "config.h"
#include "fileio.h"
#include "presets.h"
#include "trusted_dir.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hs_policy_preset_names[] = { "restricted", "baseline", "audit-only", NULL };

const char *
hs_policy_preset_text (const char *name)
{
  if (strcmp (name, "restricted") == 0)
    return hs_preset_restricted;
  if (strcmp (name, "baseline") == 0)
    return hs_preset_baseline;
  if (strcmp (name, "audit-only") == 0)
    return hs_preset_audit_only;
  return NULL;
}

hs_policy_t *
hs_policy_free (hs_policy_t *p)
{
  if (p == NULL)
    return NULL;
  hs_json_free (p->tree);
  hs_json_free (p->origins);
  free (p->sources);
  free (p);
  return NULL;
}

const hs_json_t *
hs_policy_control (const hs_policy_t *p, const char *name)
{
  return hs_json_get_exact (p->tree, name);
}

static const hs_json_limits_t policy_limits = {
  .max_bytes = HS_POLICY_MAX_BYTES,
  .max_depth = HS_POLICY_MAX_DEPTH,
  .allow_comments = true,
};

/* A policy file decides what every container may do: it must not be
 * writable by anyone but root. */
static int
check_policy_file_owner (const struct stat *st, const char *path, hs_error_t *err)
{
  if (!hs_caller_trusts_owner (st->st_uid))
    return hs_error_make (err, 0, "policy file `%s` is owned by uid %u, not root", path,
                          (unsigned) st->st_uid);
  if (st->st_mode & 0022)
    return hs_error_make (err, 0, "policy file `%s` is writable by group or others (mode %04o)",
                          path, (unsigned) (st->st_mode & 07777));
  return 0;
}

static int
parse_text (const char *buf, size_t len, const char *name, hs_json_t **ret, hs_error_t *err)
{
  hs_json_t *tree = NULL;
  int r = hs_json_parse (buf, len, &policy_limits, &tree, err);

  if (r < 0)
    return hs_error_wrap (err, "policy `%s`", name);
  if (tree->type != HS_JSON_OBJECT)
    {
      hs_json_free (tree);
      return hs_error_make (err, 0, "policy `%s`: the top level must be an object", name);
    }
  *ret = tree;
  return 0;
}

/* Read and parse one file. ENOENT is reported as *ret == NULL when optional. */
static int
read_policy_file (int dirfd, const char *name, const char *display, bool optional, hs_json_t **ret,
                  hs_error_t *err)
{
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t len;
  int r;

  *ret = NULL;
  r = hs_read_file_at (dirfd, name, HS_POLICY_MAX_BYTES, &buf, &len, &st, err);
  if (r < 0)
    {
      if (optional && (*err)->status == ENOENT)
        {
          hs_error_release (err);
          return 0;
        }
      return hs_error_wrap (err, "read policy `%s`", display);
    }
  r = check_policy_file_owner (&st, display, err);
  if (r < 0)
    return r;
  return parse_text (buf, len, display, ret, err);
}

static void
origins_only (hs_json_t *origins, const hs_json_t *src, const char *source)
{
  for (size_t i = 0; i < src->len; i++)
    {
      if (src->items[i]->type == HS_JSON_OBJECT)
        {
          hs_json_t *ov = hs_json_new (HS_JSON_OBJECT);
          hs_json_set_exact (origins, src->keys[i], ov);
          origins_only (ov, src->items[i], source);
        }
      else
        hs_json_set_exact (origins, src->keys[i], hs_json_new_string (source));
    }
}

/* Deep merge `src` into `dst` and note where each value came from. */
static void
merge (hs_json_t *dst, hs_json_t *origins, const hs_json_t *src, const char *source)
{
  for (size_t i = 0; i < src->len; i++)
    {
      const char *key = src->keys[i];
      const hs_json_t *sv = src->items[i];
      hs_json_t *dv = hs_json_get_exact (dst, key);

      if (sv->type == HS_JSON_OBJECT && dv != NULL && dv->type == HS_JSON_OBJECT)
        {
          hs_json_t *ov = hs_json_get_exact (origins, key);
          if (ov == NULL || ov->type != HS_JSON_OBJECT)
            {
              ov = hs_json_new (HS_JSON_OBJECT);
              hs_json_set_exact (origins, key, ov);
            }
          merge (dv, ov, sv, source);
          continue;
        }
      hs_json_set_exact (dst, key, hs_json_dup (sv));
      if (sv->type == HS_JSON_OBJECT)
        {
          hs_json_t *ov = hs_json_new (HS_JSON_OBJECT);
          hs_json_set_exact (origins, key, ov);
          origins_only (ov, sv, source);
        }
      else
        hs_json_set_exact (origins, key, hs_json_new_string (source));
    }
}

typedef struct
{
  hs_json_t **layers;
  char **names;
  size_t n;
} layers_t;

static void
layers_add (layers_t *l, hs_json_t *tree, const char *name)
{
  l->layers = hs_xrealloc (l->layers, (l->n + 1) * sizeof (*l->layers));
  l->names = hs_xrealloc (l->names, (l->n + 1) * sizeof (*l->names));
  l->layers[l->n] = tree;
  l->names[l->n++] = hs_xstrdup (name);
}

static void
layers_release (layers_t *l)
{
  for (size_t i = 0; i < l->n; i++)
    {
      hs_json_free (l->layers[i]);
      free (l->names[i]);
    }
  free (l->layers);
  free (l->names);
}

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
read_dropins (const char *dir, layers_t *layers, hs_error_t *err)
{
  cleanup_close int dfd = -1;
  cleanup_dir DIR *d = NULL;
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  int r = 0;

  r = hs_trusted_dir_above_check (dir, "policy directory", err);
  if (r < 0)
    return r;
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return hs_error_make (err, errno, "open policy directory `%s`", dir);
    }
  /* whoever may write here could rename a drop-in away */
  r = hs_trusted_dir_fd_check (dfd, dir, "policy directory", err);
  if (r < 0)
    return r;
  d = fdopendir (fcntl (dfd, F_DUPFD_CLOEXEC, 3));
  if (d == NULL)
    return hs_error_make (err, errno, "read policy directory `%s`", dir);
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);

      if (de->d_name[0] == '.' || len < 6 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      if (n >= HS_POLICY_MAX_DROPINS)
        {
          r = hs_error_make (err, 0, "policy directory `%s` has more than %d files", dir,
                             HS_POLICY_MAX_DROPINS);
          goto out;
        }
      names = hs_xrealloc (names, (n + 1) * sizeof (char *));
      names[n++] = hs_xstrdup (de->d_name);
    }
  qsort (names, n, sizeof (char *), name_cmp);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *display = hs_xasprintf ("%s/%s", dir, names[i]);
      hs_json_t *tree = NULL;

      r = read_policy_file (dfd, names[i], display, false, &tree, err);
      if (r < 0)
        goto out;
      layers_add (layers, tree, display);
    }
out:
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  free (names);
  return r;
}

static int
get_string (const hs_json_t *obj, const char *key, const char *where, const char **ret,
            hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  *ret = NULL;
  if (v == NULL || v->type == HS_JSON_NULL)
    return 0;
  if (v->type != HS_JSON_STRING)
    return hs_error_make (err, 0, "policy key `%s%s`: expected a string, got %s", where, key,
                          hs_json_type_name (v->type));
  *ret = v->str;
  return 0;
}

static int
get_bool (const hs_json_t *obj, const char *key, const char *where, bool dflt, bool *ret,
          hs_error_t *err)
{
  const hs_json_t *v = hs_json_get_exact (obj, key);

  *ret = dflt;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_BOOL)
    return hs_error_make (err, 0, "policy key `%s%s`: expected true or false, got %s", where, key,
                          hs_json_type_name (v->type));
  *ret = v->boolean;
  return 0;
}

/* Validate and cache the global keys; controls validate their own. */
static int
finish (hs_policy_t *p, hs_error_t *err)
{
  const hs_json_t *al;
  const char *mode = NULL;
  int r;

  r = get_string (p->tree, "mode", "", &mode, err);
  if (r < 0)
    return r;
  if (mode == NULL || strcmp (mode, "enforce") == 0)
    p->mode = HS_POLICY_ENFORCE;
  else if (strcmp (mode, "audit") == 0)
    p->mode = HS_POLICY_AUDIT;
  else if (strcmp (mode, "off") == 0)
    p->mode = HS_POLICY_OFF;
  else
    return hs_error_make (err, 0, "policy key `mode`: `%s` is not one of enforce, audit, off",
                          mode);

  r = get_string (p->tree, "runtime", "", &p->runtime, err);
  if (r < 0)
    return r;
  if (p->runtime != NULL && p->runtime[0] != '/')
    return hs_error_make (err, 0, "policy key `runtime`: `%s` is not an absolute path", p->runtime);

  r = get_string (p->tree, "state_dir", "", &p->state_dir, err);
  if (r < 0)
    return r;
  if (p->state_dir == NULL)
    p->state_dir = HS_STATE_DIR;
  if (p->state_dir[0] != '/')
    return hs_error_make (err, 0, "policy key `state_dir`: `%s` is not an absolute path",
                          p->state_dir);

  {
    /* the control's earlier spelling, a string: "refuse" is its enforce
     * mode, "warn" its audit mode */
    const hs_json_t *bp = hs_json_get_exact (p->tree, "bundle_permissions");

    if (bp != NULL && bp->type == HS_JSON_STRING)
      {
        const char *bp_mode = strcmp (bp->str, "refuse") == 0 ? "enforce"
                              : strcmp (bp->str, "warn") == 0 ? "audit"
                                                              : NULL;
        hs_json_t *obj, *oobj;
        const hs_json_t *origin = hs_json_get_exact (p->origins, "bundle_permissions");

        if (bp_mode == NULL)
          return hs_error_make (err, 0,
                                "policy key `bundle_permissions`: `%s` is not one of refuse, "
                                "warn (or the control's settings object)",
                                bp->str);
        obj = hs_json_new (HS_JSON_OBJECT);
        hs_json_set_exact (obj, "mode", hs_json_new_string (bp_mode));
        oobj = hs_json_new (HS_JSON_OBJECT);
        hs_json_set_exact (
            oobj, "mode",
            hs_json_new_string (origin && origin->type == HS_JSON_STRING ? origin->str : "policy"));
        hs_json_set_exact (p->tree, "bundle_permissions", obj);
        hs_json_set_exact (p->origins, "bundle_permissions", oobj);
      }
  }

  {
    const char *uf = NULL;

    r = get_string (p->tree, "unknown_fields", "", &uf, err);
    if (r < 0)
      return r;
    if (uf != NULL && strcmp (uf, "refuse") != 0 && strcmp (uf, "audit") != 0)
      return hs_error_make (err, 0, "policy key `unknown_fields`: `%s` is not one of refuse, audit",
                            uf);
  }

  al = hs_json_get_exact (p->tree, "audit_log");
  p->audit_syslog = true;
  if (al != NULL && al->type == HS_JSON_STRING)
    p->audit_log = al->str;
  else if (al != NULL && al->type == HS_JSON_OBJECT)
    {
      for (size_t i = 0; i < al->len; i++)
        if (strcmp (al->keys[i], "path") != 0 && strcmp (al->keys[i], "required") != 0
            && strcmp (al->keys[i], "syslog") != 0)
          return hs_error_make (err, 0,
                                "policy key `audit_log.%s`: unknown (known: path, required, "
                                "syslog)",
                                al->keys[i]);
      if ((r = get_string (al, "path", "audit_log.", &p->audit_log, err)) < 0
          || (r = get_bool (al, "required", "audit_log.", false, &p->audit_log_required, err)) < 0
          || (r = get_bool (al, "syslog", "audit_log.", true, &p->audit_syslog, err)) < 0)
        return r;
    }
  else if (al != NULL && al->type != HS_JSON_NULL)
    return hs_error_make (err, 0, "policy key `audit_log`: expected an object, got %s",
                          hs_json_type_name (al->type));
  if (p->audit_log != NULL && p->audit_log[0] != '/')
    return hs_error_make (err, 0, "policy key `audit_log.path`: `%s` is not an absolute path",
                          p->audit_log);
  if (p->audit_log != NULL && p->audit_log[0] == '/' && p->audit_log[1] == '\0')
    p->audit_log = NULL;

  return 0;
}

/* The digest of the effective policy: emitted and hashed only when a record
 * or the hardened mark names it (pass-through verbs never do). */
int
hs_policy_ensure_digest (hs_policy_t *p, hs_error_t *err)
{
  cleanup_free char *emitted = NULL;
  size_t len;
  int r;

  if (p->digest[0] != '\0')
    return 0;
  r = hs_json_emit (p->tree, false, &emitted, &len, err);
  if (r < 0)
    return r;
  hs_sha256_digest (emitted, len, p->digest);
  return 0;
}

static int
build (layers_t *layers, bool lazy_digest, hs_policy_t **ret, hs_error_t *err)
{
  hs_policy_t *p = hs_xcalloc (1, sizeof (*p));
  cleanup_json hs_json_t *user = hs_json_new (HS_JSON_OBJECT);
  cleanup_json hs_json_t *user_origins = hs_json_new (HS_JSON_OBJECT);
  const char *preset_name = "restricted";
  const char *preset_text;
  hs_json_t *preset = NULL;
  cleanup_free char *preset_label = NULL;
  int r;

  for (size_t i = 0; i < layers->n; i++)
    merge (user, user_origins, layers->layers[i], layers->names[i]);

  r = get_string (user, "preset", "", &preset_name, err);
  if (r < 0)
    goto fail;
  if (preset_name == NULL)
    preset_name = "restricted";
  preset_text = hs_policy_preset_text (preset_name);
  if (preset_text == NULL)
    {
      r = hs_error_make (err, 0,
                         "policy key `preset`: `%s` is not a built-in preset (restricted, "
                         "baseline, audit-only)",
                         preset_name);
      goto fail;
    }
  preset_label = hs_xasprintf ("built-in preset `%s`", preset_name);
  r = parse_text (preset_text, strlen (preset_text), preset_label, &preset, err);
  if (r < 0)
    goto fail;

  p->tree = preset;
  p->origins = hs_json_new (HS_JSON_OBJECT);
  origins_only (p->origins, preset, preset_label);
  for (size_t i = 0; i < layers->n; i++)
    merge (p->tree, p->origins, layers->layers[i], layers->names[i]);
  if (hs_json_get_exact (p->tree, "preset") == NULL)
    hs_json_set_exact (p->tree, "preset", hs_json_new_string (preset_name));
  p->preset = hs_json_get_exact (p->tree, "preset")->str;

  {
    size_t cap = strlen (preset_label) + 1;
    for (size_t i = 0; i < layers->n; i++)
      cap += strlen (layers->names[i]) + 3;
    p->sources = hs_xmalloc (cap);
    strcpy (p->sources, preset_label);
    for (size_t i = 0; i < layers->n; i++)
      {
        strcat (p->sources, " + ");
        strcat (p->sources, layers->names[i]);
      }
  }

  r = finish (p, err);
  if (r == 0 && !lazy_digest)
    r = hs_policy_ensure_digest (p, err);
  if (r < 0)
    goto fail;
  *ret = p;
  return 0;

fail:
  hs_policy_free (p);
  return r;
}

int
hs_policy_from_text (const char *text, const char *name, hs_policy_t **ret, hs_error_t *err)
{
  layers_t layers = { 0 };
  hs_json_t *tree = NULL;
  int r;

  r = parse_text (text, strlen (text), name, &tree, err);
  if (r < 0)
    return r;
  layers_add (&layers, tree, name);
  r = build (&layers, false, ret, err);
  layers_release (&layers);
  return r;
}

int
hs_policy_load (const hs_policy_paths_t *paths, hs_policy_t **ret, hs_error_t *err)
{
  layers_t layers = { 0 };
  int r = 0;

  if (paths->override != NULL)
    {
      cleanup_free char *name = NULL;
      cleanup_close int dfd = -1;
      hs_json_t *tree = NULL;

      /* its directory and those above: nobody else may rename it */
      if (hs_trusted_dir_above_check (paths->override, "policy file", err) < 0)
        return -1;
      dfd = hs_open_parent (paths->override, &name, err);
      if (dfd < 0)
        return hs_error_wrap (err, "policy named by HARDSHIM_POLICY");
      r = read_policy_file (dfd, name, paths->override, false, &tree, err);
      if (r < 0)
        goto out;
      layers_add (&layers, tree, paths->override);
    }
  else
    {
      if (paths->file != NULL)
        {
          cleanup_free char *name = NULL;
          hs_error_t open_err = NULL;
          cleanup_close int dfd = -1;
          hs_json_t *tree = NULL;
          const char *slash = strrchr (paths->file, '/');
          cleanup_free char *dir
              = slash ? hs_xstrndup (paths->file, slash > paths->file ? slash - paths->file : 1)
                      : hs_xstrdup (".");

          /* whoever may write the policy directory could rename
           * policy.json (or policy.d) away */
          r = hs_trusted_dir_check (dir, "policy directory", err);
          if (r < 0)
            goto out;
          dfd = hs_open_parent (paths->file, &name, &open_err);
          if (dfd < 0)
            {
              bool missing = open_err->status == ENOENT;
              if (!missing)
                {
                  *err = open_err;
                  r = -1;
                  goto out;
                }
              hs_error_release (&open_err);
            }
          else
            {
              r = read_policy_file (dfd, name, paths->file, true, &tree, err);
              if (r < 0)
                goto out;
              if (tree != NULL)
                layers_add (&layers, tree, paths->file);
            }
        }
      if (paths->dir != NULL)
        {
          r = read_dropins (paths->dir, &layers, err);
          if (r < 0)
            goto out;
        }
    }
  r = build (&layers, paths->lazy_digest, ret, err);
out:
  layers_release (&layers);
  return r;
}
