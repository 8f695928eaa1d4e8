#include "spec.h"
#include "cleanup.h"
#include "fileio.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const hs_json_limits_t hs_spec_limits = {
  .max_bytes = HS_JSON_MAX_BYTES,
  .max_depth = HS_JSON_MAX_DEPTH,
  .allow_comments = false, /* Go's encoding/json has none */
};

void
hs_spec_release (hs_spec_file_t *f)
{
  if (f->dirfd >= 0)
    close (f->dirfd);
  f->dirfd = -1;
  free (f->name);
  free (f->display);
  free (f->raw);
  f->tree = hs_json_free (f->tree);
  f->name = f->display = f->raw = NULL;
}

static int
load_at (int dirfd, const char *name, const char *display, hs_spec_file_t *ret, hs_error_t *err)
{
  hs_spec_file_t f = { .dirfd = dirfd };
  int r;

  f.name = hs_xstrdup (name);
  f.display = hs_xstrdup (display);
  r = hs_read_file_at (dirfd, name, HS_JSON_MAX_BYTES, &f.raw, &f.raw_len, &f.st, err);
  if (r == 0)
    r = hs_json_parse (f.raw, f.raw_len, &hs_spec_limits, &f.tree, err);
  if (r < 0)
    {
      hs_error_wrap (err, "`%s`", display);
      f.dirfd = -1; /* the caller still owns it */
      hs_spec_release (&f);
      return r;
    }
  *ret = f;
  return 0;
}

int
hs_spec_load (const char *bundle, const char *config, hs_spec_file_t *ret, hs_error_t *err)
{
  const char *dir = bundle ? bundle : ".";
  cleanup_close int bfd = -1;
  cleanup_free char *display = NULL;
  int r;

  bfd = hs_open_dir (dir, err);
  if (bfd < 0)
    return hs_error_wrap (err, "bundle");
  if (config != NULL && strcmp (config, "config.json") != 0)
    {
      /* crun makes --config absolute against the current directory before
       * it changes into the bundle: only the exact default name is read in
       * the bundle. Harden the file crun will read. */
      cleanup_free char *name = NULL;
      int pfd = hs_open_parent (config, &name, err);

      if (pfd < 0)
        return hs_error_wrap (err, "config `%s`", config);
      r = load_at (pfd, name, config, ret, err);
      if (r < 0)
        close (pfd);
      return r;
    }
  display = hs_xasprintf ("%s/config.json", dir);
  r = load_at (bfd, "config.json", display, ret, err);
  if (r == 0)
    bfd = -1; /* owned by ret */
  return r;
}

int
hs_process_load (const char *path, hs_spec_file_t *ret, hs_error_t *err)
{
  cleanup_free char *name = NULL;
  int dfd, r;

  dfd = hs_open_parent (path, &name, err);
  if (dfd < 0)
    return hs_error_wrap (err, "process file");
  r = load_at (dfd, name, path, ret, err);
  if (r < 0)
    close (dfd);
  return r;
}

static int
expect (const hs_json_t *v, hs_json_type_t type, const char *path, hs_error_t *err)
{
  if (v == NULL || v->type == type || v->type == HS_JSON_NULL)
    return 0;
  return hs_error_make (err, 0, "`%s`: expected %s, got %s", path, hs_json_type_name (type),
                        hs_json_type_name (v->type));
}

static int
expect_array_of (const hs_json_t *v, hs_json_type_t type, const char *path, hs_error_t *err)
{
  int r = expect (v, HS_JSON_ARRAY, path, err);

  if (r < 0 || v == NULL || v->type != HS_JSON_ARRAY)
    return r;
  for (size_t i = 0; i < v->len; i++)
    if (v->items[i]->type != type)
      return hs_error_make (err, 0, "`%s[%zu]`: expected %s, got %s", path, i,
                            hs_json_type_name (type), hs_json_type_name (v->items[i]->type));
  return 0;
}

/* A JSON number that Go would decode into a uint32. */
static int
expect_u32 (const hs_json_t *v, const char *path, hs_error_t *err)
{
  unsigned long long n = 0;

  if (v == NULL || v->type == HS_JSON_NULL)
    return 0;
  if (v->type != HS_JSON_NUMBER)
    return hs_error_make (err, 0, "`%s`: expected a number, got %s", path,
                          hs_json_type_name (v->type));
  for (size_t i = 0; i < v->len; i++)
    {
      if (v->str[i] < '0' || v->str[i] > '9' || n > 0xFFFFFFFFull)
        return hs_error_make (err, 0, "`%s`: `%s` is not an integer from 0 to 4294967295", path,
                              v->str);
      n = n * 10 + (unsigned) (v->str[i] - '0');
    }
  if (n > 0xFFFFFFFFull)
    return hs_error_make (err, 0, "`%s`: `%s` is not an integer from 0 to 4294967295", path,
                          v->str);
  return 0;
}

int
hs_process_validate (const hs_json_t *process, const char *prefix, hs_error_t *err)
{
  static const char *const cap_sets[]
      = { "bounding", "effective", "inheritable", "permitted", "ambient" };
  const hs_json_t *caps, *user;
  char path[128];
  int r;

  if (process == NULL || process->type == HS_JSON_NULL)
    return 0;
  if (process->type != HS_JSON_OBJECT) /* "process." names `process` */
    return hs_error_make (err, 0, "`%.*s`: expected object, got %s",
                          prefix[0] ? (int) strlen (prefix) - 1 : 7, prefix[0] ? prefix : "process",
                          hs_json_type_name (process->type));
#define P(field) (snprintf (path, sizeof (path), "%s%s", prefix, field), path)
  if ((r = expect (hs_json_get (process, "noNewPrivileges"), HS_JSON_BOOL, P ("noNewPrivileges"),
                   err))
          < 0
      || (r = expect_array_of (hs_json_get (process, "args"), HS_JSON_STRING, P ("args"), err)) < 0
      || (r = expect_array_of (hs_json_get (process, "env"), HS_JSON_STRING, P ("env"), err)) < 0
      || (r = expect (hs_json_get (process, "apparmorProfile"), HS_JSON_STRING,
                      P ("apparmorProfile"), err))
             < 0
      || (r
          = expect (hs_json_get (process, "selinuxLabel"), HS_JSON_STRING, P ("selinuxLabel"), err))
             < 0
      || (r
          = expect_array_of (hs_json_get (process, "rlimits"), HS_JSON_OBJECT, P ("rlimits"), err))
             < 0)
    return r;

  user = hs_json_get (process, "user");
  if ((r = expect (user, HS_JSON_OBJECT, P ("user"), err)) < 0)
    return r;
  if (user != NULL && user->type == HS_JSON_OBJECT)
    {
      const hs_json_t *gids = hs_json_get (user, "additionalGids");

      if ((r = expect_u32 (hs_json_get (user, "uid"), P ("user.uid"), err)) < 0
          || (r = expect_u32 (hs_json_get (user, "gid"), P ("user.gid"), err)) < 0
          || (r = expect_array_of (gids, HS_JSON_NUMBER, P ("user.additionalGids"), err)) < 0)
        return r;
      /* Go decodes each into a uint32 too. */
      for (size_t i = 0; gids != NULL && gids->type == HS_JSON_ARRAY && i < gids->len; i++)
        {
          char field[64];
          snprintf (field, sizeof (field), "user.additionalGids[%zu]", i);
          if ((r = expect_u32 (gids->items[i], P (field), err)) < 0)
            return r;
        }
    }

  caps = hs_json_get (process, "capabilities");
  if (caps != NULL && caps->type == HS_JSON_ARRAY) /* the pre-1.0 form */
    return expect_array_of (caps, HS_JSON_STRING, P ("capabilities"), err);
  if ((r = expect (caps, HS_JSON_OBJECT, P ("capabilities"), err)) < 0)
    return r;
  for (size_t i = 0; caps != NULL && caps->type == HS_JSON_OBJECT && i < 5; i++)
    {
      char field[64];
      snprintf (field, sizeof (field), "capabilities.%s", cap_sets[i]);
      r = expect_array_of (hs_json_get (caps, cap_sets[i]), HS_JSON_STRING, P (field), err);
      if (r < 0)
        return r;
    }
#undef P
  return 0;
}

int
hs_spec_validate (const hs_json_t *spec, hs_error_t *err)
{
  const hs_json_t *linux_, *mounts;
  int r;

  if (spec->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "the top level must be an object, got %s",
                          hs_json_type_name (spec->type));
  if ((r = expect (hs_json_get (spec, "ociVersion"), HS_JSON_STRING, "ociVersion", err)) < 0
      || (r = expect (hs_json_get (spec, "root"), HS_JSON_OBJECT, "root", err)) < 0
      || (r = expect (hs_json_get (spec, "annotations"), HS_JSON_OBJECT, "annotations", err)) < 0
      || (r = expect (hs_json_get (spec, "hooks"), HS_JSON_OBJECT, "hooks", err)) < 0
      || (r = hs_process_validate (hs_json_get (spec, "process"), "process.", err)) < 0)
    return r;

  mounts = hs_json_get (spec, "mounts");
  if ((r = expect_array_of (mounts, HS_JSON_OBJECT, "mounts", err)) < 0)
    return r;
  linux_ = hs_json_get (spec, "linux");
  if ((r = expect (linux_, HS_JSON_OBJECT, "linux", err)) < 0)
    return r;
  if (linux_ != NULL && linux_->type == HS_JSON_OBJECT)
    {
      if ((r = expect (hs_json_get (linux_, "seccomp"), HS_JSON_OBJECT, "linux.seccomp", err)) < 0
          || (r = expect_array_of (hs_json_get (linux_, "namespaces"), HS_JSON_OBJECT,
                                   "linux.namespaces", err))
                 < 0
          || (r = expect_array_of (hs_json_get (linux_, "maskedPaths"), HS_JSON_STRING,
                                   "linux.maskedPaths", err))
                 < 0
          || (r = expect_array_of (hs_json_get (linux_, "readonlyPaths"), HS_JSON_STRING,
                                   "linux.readonlyPaths", err))
                 < 0
          || (r = expect (hs_json_get (linux_, "sysctl"), HS_JSON_OBJECT, "linux.sysctl", err)) < 0
          || (r
              = expect (hs_json_get (linux_, "resources"), HS_JSON_OBJECT, "linux.resources", err))
                 < 0)
        return r;
    }
  return 0;
}

int
hs_spec_store (hs_spec_file_t *f, hs_error_t *err)
{
  cleanup_free char *out = NULL;
  size_t len;
  int r;

  r = hs_json_emit (f->tree, false, &out, &len, err);
  if (r < 0)
    return hs_error_wrap (err, "`%s`", f->display);
  r = hs_write_file_atomic_at (f->dirfd, f->name, out, len, &f->st, err);
  if (r < 0)
    return hs_error_wrap (err, "`%s`", f->display);
  return 0;
}
