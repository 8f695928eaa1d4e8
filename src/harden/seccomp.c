/* seccomp: linux.seccomp is hardshim's generated profile for this container
 * (its final bounding capabilities, architectures, kernel, noNewPrivileges),
 * intersected with any profile the config already had; validated with
 * libseccomp before the config is written. crun's run.oci.seccomp_bpf_data
 * annotation, which would replace the profile, is removed. */
#include "harden/controls.h"

#include "caller.h"
#include "cleanup.h"
#include "config.h"
#include "fileio.h"
#include "registry.h"
#include "seccomp_profile.h"
#include "sha256.h"
#include "trusted_dir.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BPF_ANNOTATION "run.oci.seccomp_bpf_data"
/* Per-container choice among policy's allowed_profiles: the named
 * exception `profile` (see requested_profile). */
#define PROFILE_ANNOTATION "org.hardshim.exception.seccomp.profile"
#define DEFAULT_PROFILE_DIR HS_POLICY_DIR "/seccomp.d"
#define MAX_SOURCE_BYTES (1024u * 1024)

static const char *const keys[]
    = { "profile", "profile_dir", "compat_arches", "allowed_profiles", "listener_paths", NULL };

static const char *const exceptions[] = { "profile", NULL };

static bool
valid_profile_name (const char *s)
{
  if (s[0] == '\0' || s[0] == '.' || strlen (s) > 64)
    return false;
  for (const char *c = s; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
          || *c == '-' || *c == '_' || *c == '.'))
      return false;
  return true;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v, *allowed;
  bool b;
  int r;

  if ((r = hs_settings_check_keys (settings, "seccomp", keys, err)) < 0
      || (r = hs_settings_bool (settings, "seccomp", "compat_arches", false, &b, err)) < 0
      || (r = hs_settings_string_array (settings, "seccomp", "allowed_profiles", &allowed, err))
             < 0)
    return r;
  v = hs_json_get_exact (settings, "profile");
  if (v != NULL && (v->type != HS_JSON_STRING || !valid_profile_name (v->str)))
    return hs_error_make (err, 0,
                          "policy key `seccomp.profile`: expected a profile name "
                          "(letters, digits, `-`, `_`, `.`)");
  v = hs_json_get_exact (settings, "profile_dir");
  if (v != NULL && (v->type != HS_JSON_STRING || v->str[0] != '/'))
    return hs_error_make (err, 0, "policy key `seccomp.profile_dir`: expected an absolute path");
  if ((r = hs_settings_string_array (settings, "seccomp", "listener_paths", &v, err)) < 0)
    return r;
  for (size_t i = 0; v != NULL && i < v->len; i++)
    if (v->items[i]->str[0] != '/')
      return hs_error_make (err, 0,
                            "policy key `seccomp.listener_paths[%zu]`: `%s` is not an absolute "
                            "path",
                            i, v->items[i]->str);
  for (size_t i = 0; allowed != NULL && i < allowed->len; i++)
    if (!valid_profile_name (allowed->items[i]->str))
      return hs_error_make (err, 0,
                            "policy key `seccomp.allowed_profiles[%zu]`: `%s` is not a "
                            "profile name",
                            i, allowed->items[i]->str);
  return 0;
}

/* The extra profile this container selected through its exception
 * org.hardshim.exception.seccomp.profile, or NULL for the policy's. The
 * exceptions mechanism decides who may select which name; the name must
 * also be one of the host's `allowed_profiles`. */
static int
requested_profile (hs_harden_t *h, const hs_json_t *settings, const char **ret, hs_error_t *err)
{
  const hs_json_t *allowed = NULL;
  const char *v;

  *ret = NULL;
  if (!hs_harden_exception (h, NULL, "profile", &v))
    return 0;
  if (!valid_profile_name (v))
    return hs_harden_refuse (h, err, "annotations[\"" PROFILE_ANNOTATION "\"]",
                             "seccomp profile `%s`: expected one profile name (letters, "
                             "digits, `-`, `_`, `.`)",
                             v);
  hs_settings_string_array (settings, "seccomp", "allowed_profiles", &allowed, NULL);
  if (allowed == NULL || hs_json_array_find_string (allowed, v) < 0)
    return hs_harden_refuse (h, err, "annotations[\"" PROFILE_ANNOTATION "\"]",
                             "seccomp profile `%s` is granted by a policy exception but is not "
                             "in policy `seccomp.allowed_profiles`",
                             v);
  *ret = v;
  return 0;
}

/* Source text of profile `name`: <profile_dir>/<name>.json when present
 * (it overrides a built-in of the same name), else the built-in. `*ret_buf`
 * owns a file's text (NULL for a built-in). */
static int
load_source_text (const hs_json_t *settings, const char *name, const char **ret, size_t *ret_len,
                  char **ret_buf, hs_error_t *err)
{
  const hs_json_t *d = hs_json_get_exact (settings, "profile_dir");
  const char *dir = d ? d->str : DEFAULT_PROFILE_DIR;
  cleanup_free char *file = hs_xasprintf ("%s.json", name);
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int r;

  *ret_buf = NULL;
  /* a profile decides which syscalls every container gets: its directory
   * and file are held to the policy files' rules */
  if (dfd >= 0
      && ((r = hs_trusted_dir_above_check (dir, "seccomp profile directory", err)) < 0
          || (r = hs_trusted_dir_fd_check (dfd, dir, "seccomp profile directory", err)) < 0))
    return r;
  if (dfd >= 0 && faccessat (dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      struct stat st;

      if ((r = hs_read_file_at (dfd, file, MAX_SOURCE_BYTES, ret_buf, ret_len, &st, err)) < 0)
        return hs_error_wrap (err, "seccomp profile `%s/%s`", dir, file);
      if (!hs_caller_trusts_owner (st.st_uid))
        r = hs_error_make (err, 0, "seccomp profile `%s/%s` is owned by uid %u, not root", dir,
                           file, (unsigned) st.st_uid);
      else if (st.st_mode & 0022)
        r = hs_error_make (err, 0,
                           "seccomp profile `%s/%s` is writable by group or others (mode %04o)",
                           dir, file, (unsigned) (st.st_mode & 07777));
      if (r < 0)
        {
          free (*ret_buf);
          *ret_buf = NULL;
          return r;
        }
      *ret = *ret_buf;
    }
  else if (dfd < 0 && errno != ENOENT)
    return hs_error_make (err, errno, "seccomp profile directory `%s`", dir);
  else if ((*ret = hs_sc_builtin_source (name)) != NULL)
    *ret_len = strlen (*ret);
  else
    return hs_error_make (err, 0, "seccomp profile `%s`: no `%s/%s` and no built-in of that name",
                          name, dir, file);
  return 0;
}

static int
load_source (const hs_json_t *settings, const char *name, hs_json_t **ret, hs_error_t *err)
{
  static const hs_json_limits_t limits = { MAX_SOURCE_BYTES, 32, true };
  cleanup_free char *buf = NULL;
  const char *text = NULL;
  size_t len = 0;
  int r;

  if ((r = load_source_text (settings, name, &text, &len, &buf, err)) < 0)
    return r;
  if ((r = hs_json_parse (text, len, &limits, ret, err)) < 0
      || (r = hs_sc_source_check (*ret, err)) < 0)
    {
      *ret = hs_json_free (*ret);
      return hs_error_wrap (err, "seccomp profile `%s`", name);
    }
  return 0;
}

/* The container's facts the profile depends on. */
static void
container_context (const hs_json_t *spec, const hs_json_t *settings, hs_sc_context_t *ctx)
{
  const hs_json_t *process = hs_json_get (spec, "process");
  bool compat = false;

  hs_sc_context_host (ctx);
  hs_settings_bool (settings, "seccomp", "compat_arches", false, &compat, NULL);
  ctx->compat_arches = compat;
  ctx->bounding = hs_json_path (spec, "process", "capabilities", "bounding", NULL);
  ctx->no_new_privileges
      = process != NULL && hs_json_is_true (hs_json_get (process, "noNewPrivileges"));
}

int
hs_seccomp_profile_for (const hs_json_t *spec, const hs_json_t *settings, const char *name,
                        const char *state_dir, hs_sc_profile_t **ret, hs_sc_notes_t *notes,
                        bool *ret_cached, hs_error_t *err)
{
  cleanup_json hs_json_t *source = NULL;
  cleanup_sc_profile hs_sc_profile_t *policy = NULL, *container = NULL, *result = NULL;
  const hs_json_t *existing = hs_json_path (spec, "linux", "seccomp", NULL);
  hs_sc_context_t ctx;
  int r;

  if (name == NULL)
    {
      const hs_json_t *v = hs_json_get_exact (settings, "profile");
      name = v ? v->str : "default";
    }
  container_context (spec, settings, &ctx);
  if ((r = load_source (settings, name, &source, err)) < 0
      || (r = hs_sc_generate (source, &ctx, &policy, err)) < 0)
    return r;
  if (existing != NULL && existing->type != HS_JSON_NULL)
    {
      if ((r = hs_sc_from_oci (existing, "linux.seccomp", &container, err)) < 0
          || (r = hs_sc_intersect (container, policy, ctx.native_arch, &result, notes, err)) < 0)
        return r;
    }
  else
    result = TAKE_PTR (policy);
  if ((r = hs_sc_validate (result, state_dir, notes, ret_cached, err)) < 0)
    return r;
  *ret = TAKE_PTR (result);
  return 0;
}

static int
str_ptr_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* One string per (syscall name, rest of its entry) of a linux.seccomp, sorted. */
static char **
exploded_rules (const hs_json_t *syscalls, size_t *ret_n)
{
  char **out = NULL;
  size_t n = 0, cap = 0;

  for (size_t i = 0; i < syscalls->len; i++)
    {
      const hs_json_t *names = hs_json_get_type (syscalls->items[i], "names", HS_JSON_ARRAY);
      cleanup_json hs_json_t *rest = hs_json_dup (syscalls->items[i]);
      cleanup_free char *text = NULL;
      size_t len;

      if (names == NULL || rest->type != HS_JSON_OBJECT)
        goto fail;
      hs_json_remove (rest, "names");
      if (hs_json_emit (rest, false, &text, &len, NULL) < 0)
        goto fail;
      for (size_t j = 0; j < names->len; j++)
        {
          if (names->items[j]->type != HS_JSON_STRING)
            goto fail;
          out = hs_xgrow (out, &cap, n + 2, sizeof (char *));
          out[n++] = hs_xasprintf ("%s %s", names->items[j]->str, text);
        }
    }
  if (n > 1)
    qsort (out, n, sizeof (char *), str_ptr_cmp);
  *ret_n = n;
  return out != NULL ? out : hs_xcalloc (1, sizeof (char *));
fail:
  for (size_t j = 0; j < n; j++)
    free (out[j]);
  free (out);
  return NULL;
}

/* The same rules, however they are grouped into entries: to_oci merges
 * consecutive conditional rules that differ only in name, so the entries
 * depend on the rules' order, which the intersection changes. */
static bool
same_rules (const hs_json_t *a, const hs_json_t *b)
{
  const hs_json_t *sa = hs_json_get_type (a, "syscalls", HS_JSON_ARRAY);
  const hs_json_t *sb = hs_json_get_type (b, "syscalls", HS_JSON_ARRAY);
  cleanup_json hs_json_t *ra = NULL, *rb = NULL;
  char **ea = NULL, **eb = NULL;
  size_t na = 0, nb = 0;
  bool same;

  if (a == NULL || a->type != HS_JSON_OBJECT || sa == NULL || sb == NULL)
    return false;
  ra = hs_json_dup (a);
  rb = hs_json_dup (b);
  hs_json_remove (ra, "syscalls");
  hs_json_remove (rb, "syscalls");
  if (!hs_json_equal (ra, rb))
    return false;
  ea = exploded_rules (sa, &na);
  eb = exploded_rules (sb, &nb);
  same = ea != NULL && eb != NULL && na == nb;
  for (size_t i = 0; same && i < na; i++)
    same = strcmp (ea[i], eb[i]) == 0;
  for (size_t i = 0; ea && i < na; i++)
    free (ea[i]);
  for (size_t i = 0; eb && i < nb; i++)
    free (eb[i]);
  free (ea);
  free (eb);
  return same;
}

static hs_json_t *
summary (const hs_json_t *sc)
{
  const hs_json_t *sys = sc ? hs_json_get (sc, "syscalls") : NULL;
  const hs_json_t *def = sc ? hs_json_get (sc, "defaultAction") : NULL;
  cleanup_free char *s = NULL;

  if (sc == NULL || sc->type != HS_JSON_OBJECT)
    return NULL;
  s = hs_xasprintf ("%s, %zu rule entries", def && def->type == HS_JSON_STRING ? def->str : "?",
                    sys && sys->type == HS_JSON_ARRAY ? sys->len : (size_t) 0);
  return hs_json_new_string (s);
}

/* The same profile up to the order of its syscall rules (the intersection
 * lists them in its own order): hardening a hardened config again must
 * change nothing. */
static bool
same_profile (const hs_json_t *a, const hs_json_t *b)
{
  const hs_json_t *sa = hs_json_get_type (a, "syscalls", HS_JSON_ARRAY);
  const hs_json_t *sb = hs_json_get_type (b, "syscalls", HS_JSON_ARRAY);
  cleanup_json hs_json_t *ra = NULL, *rb = NULL;
  cleanup_free bool *used = NULL;

  if (hs_json_equal (a, b))
    return true;
  if (sa == NULL || sb == NULL || sa->len != sb->len)
    return false;
  ra = hs_json_dup (a);
  rb = hs_json_dup (b);
  hs_json_remove (ra, "syscalls");
  hs_json_remove (rb, "syscalls");
  if (!hs_json_equal (ra, rb))
    return false;
  used = hs_xcalloc (sb->len + 1, sizeof (bool));
  for (size_t i = 0; i < sa->len; i++)
    {
      size_t j = 0;

      while (j < sb->len && (used[j] || !hs_json_equal (sa->items[i], sb->items[j])))
        j++;
      if (j == sb->len)
        return false;
      used[j] = true;
    }
  return true;
}

/* The whole outcome for a container is cached under <state_dir>/seccomp,
 * keyed by a digest of everything it depends on: the source text, the
 * container's facts, the profile the config already has and libseccomp's
 * version. The record holds the notes and whether the outcome is the
 * config's own profile again ("unchanged", then without the profile) or
 * the new linux.seccomp. The second identical container pays a digest and
 * a small read instead of generation, intersection, validation and the
 * comparison with its own profile. Only validated outcomes are stored. */
#define RESULT_CACHE_MAX (4u * 1024 * 1024)

typedef struct
{
  hs_json_t *seccomp; /* the new linux.seccomp, or NULL when unchanged */
  bool unchanged;
} sc_outcome_t;

static void
digest_json (hs_sha256_t *c, const hs_json_t *v)
{
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (v == NULL || hs_json_emit (v, false, &text, &len, NULL) < 0)
    hs_sha256_update (c, "-", 2);
  else
    hs_sha256_update (c, text, len + 1);
}

static char *
result_key (const hs_json_t *spec, const hs_json_t *settings, const char *name)
{
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *buf = NULL, *head = NULL;
  cleanup_error hs_error_t err = NULL;
  uint8_t src_digest[32], digest[32];
  char hex[65];
  const char *text;
  hs_sc_context_t ctx;
  hs_sha256_t c;
  size_t len;

  container_context (spec, settings, &ctx);
  if (load_source_text (settings, name, &text, &len, &buf, &err) < 0)
    return NULL;
  hs_sha256_init (&c);
  hs_sha256_update (&c, text, len);
  hs_sha256_final (&c, src_digest);
  head = hs_xasprintf ("hardshim seccomp result 2\nlibseccomp %u.%u.%u\n%s\n%s %d %u.%u %d\n",
                       v->major, v->minor, v->micro, name, ctx.native_arch, ctx.compat_arches,
                       ctx.kernel_major, ctx.kernel_minor, ctx.no_new_privileges);
  hs_sha256_init (&c);
  hs_sha256_update (&c, head, strlen (head));
  hs_sha256_update (&c, src_digest, sizeof (src_digest));
  digest_json (&c, ctx.bounding);
  digest_json (&c, hs_json_path (spec, "linux", "seccomp", NULL));
  hs_sha256_final (&c, digest);
  for (size_t i = 0; i < sizeof (digest); i++)
    snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hs_xasprintf ("%s.result.json", hex);
}

/* The cached outcome, or false. */
static bool
result_cached (const char *state_dir, const char *file, sc_outcome_t *ret, hs_sc_notes_t *notes)
{
  static const hs_json_limits_t limits = { RESULT_CACHE_MAX, 64, false };
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  cleanup_json hs_json_t *record = NULL;
  cleanup_free char *buf = NULL;
  hs_json_t *sc;
  const hs_json_t *n, *unchanged;
  size_t len;

  if (hs_registry_lock (state_dir, "seccomp", &reg, NULL) < 0)
    return false;
  if (hs_read_file_at (reg.dirfd, file, limits.max_bytes, &buf, &len, NULL, NULL) < 0
      || hs_json_parse (buf, len, &limits, &record, NULL) < 0)
    {
      hs_registry_unlock (&reg);
      return false;
    }
  hs_registry_unlock (&reg);
  sc = (hs_json_t *) hs_json_get_type (record, "seccomp", HS_JSON_OBJECT);
  n = hs_json_get_type (record, "notes", HS_JSON_ARRAY);
  unchanged = hs_json_get_type (record, "unchanged", HS_JSON_BOOL);
  if (n == NULL || unchanged == NULL || (unchanged->boolean ? sc != NULL : sc == NULL))
    return false;
  for (size_t i = 0; i < n->len; i++)
    if (n->items[i]->type != HS_JSON_STRING)
      return false;
  for (size_t i = 0; i < n->len; i++)
    hs_sc_notes_add (notes, "%s", n->items[i]->str);
  ret->unchanged = unchanged->boolean;
  /* the record goes: take the profile out of it rather than copy it */
  ret->seccomp = sc != NULL ? hs_json_take (record, "seccomp") : NULL;
  return true;
}

static void
result_store (const char *state_dir, const char *file, const sc_outcome_t *o,
              const hs_sc_notes_t *notes)
{
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  cleanup_json hs_json_t *record = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *n = hs_json_new (HS_JSON_ARRAY);
  cleanup_free char *out = NULL;
  size_t len;

  hs_json_set_exact (record, "unchanged", hs_json_new_bool (o->unchanged));
  if (!o->unchanged)
    hs_json_set_exact (record, "seccomp", hs_json_dup (o->seccomp));
  for (size_t i = 0; i < notes->len; i++)
    hs_json_append (n, hs_json_new_string (notes->items[i]));
  hs_json_set_exact (record, "notes", n);
  if (hs_json_emit (record, false, &out, &len, NULL) < 0 || len > RESULT_CACHE_MAX
      || hs_registry_lock (state_dir, "seccomp", &reg, NULL) < 0)
    return;
  (void) hs_write_state_file_at (reg.dirfd, file, out, len, NULL);
  hs_registry_unlock (&reg);
}

/* This container's outcome: its new linux.seccomp, or unchanged when the
 * result means the same as the profile it already has. */
static int
profile_outcome (const hs_harden_t *h, const hs_json_t *settings, const char *name,
                 sc_outcome_t *ret, hs_sc_notes_t *notes, hs_error_t *err)
{
  cleanup_sc_profile hs_sc_profile_t *result = NULL;
  const hs_json_t *existing = hs_json_path (h->spec, "linux", "seccomp", NULL);
  const char *state_dir = h->policy->state_dir;
  cleanup_free char *file = NULL;
  bool cached = false;
  int r;

  if (name == NULL)
    {
      const hs_json_t *v = hs_json_get_exact (settings, "profile");
      name = v ? v->str : "default";
    }
  file = state_dir ? result_key (h->spec, settings, name) : NULL;
  if (file != NULL && result_cached (state_dir, file, ret, notes))
    return 0;
  r = hs_seccomp_profile_for (h->spec, settings, name, state_dir, &result, notes, &cached, err);
  if (r < 0)
    return r;
  ret->seccomp = hs_sc_to_oci (result);
  ret->unchanged
      = existing != NULL
        && (same_rules (existing, ret->seccomp) || same_profile (existing, ret->seccomp));
  if (file != NULL)
    result_store (state_dir, file, ret, notes);
  if (ret->unchanged)
    ret->seccomp = hs_json_free (ret->seccomp);
  return 0;
}

/* linux.seccomp.listenerPath: the runtime connects to this host socket as
 * root and hands it the container's seccomp notify fd, whose holder
 * answers the container's syscalls (and can read and write its memory
 * through them). Only a socket the host policy names. */
static int
check_listener (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *lp = hs_json_path (h->spec, "linux", "seccomp", "listenerPath", NULL);
  const hs_json_t *allow = settings ? hs_json_get_exact (settings, "listener_paths") : NULL;

  if (lp == NULL || lp->type == HS_JSON_NULL || (lp->type == HS_JSON_STRING && lp->str[0] == '\0'))
    return 0;
  if (lp->type == HS_JSON_STRING && allow != NULL
      && hs_json_array_find_string (allow, lp->str) >= 0)
    return 0;
  return hs_harden_refuse (h, err, "linux.seccomp.listenerPath",
                           "seccomp listener socket %s is not allowed by host policy: the "
                           "runtime would hand it the container's seccomp notify fd (list it "
                           "in seccomp.listener_paths)",
                           lp->type == HS_JSON_STRING ? lp->str : "(not a string)");
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_sc_notes_t notes = { 0 };
  hs_json_t *ann = hs_json_get (h->spec, "annotations"), *linux_;
  sc_outcome_t o = { 0 };
  const hs_json_t *existing;
  cleanup_json hs_json_t *before_sum = NULL, *after_sum = NULL;
  const char *requested = NULL;
  int r;

  if ((r = check_listener (h, settings, err)) < 0)
    return r;
  /* crun loads this BPF instead of linux.seccomp: never let it through. */
  if (ann != NULL && ann->type == HS_JSON_OBJECT && hs_json_get_exact (ann, BPF_ANNOTATION))
    {
      cleanup_free char *path = hs_xasprintf ("annotations[\"%s\"]", BPF_ANNOTATION);
      hs_harden_change (h, path, hs_json_get_exact (ann, BPF_ANNOTATION), NULL,
                        "crun would load this filter instead of linux.seccomp");
      hs_json_remove_exact (ann, BPF_ANNOTATION);
    }

  r = requested_profile (h, settings, &requested, err);
  if (r < 0)
    return r;
  r = profile_outcome (h, settings, requested, &o, &notes, err);
  if (r < 0)
    {
      cleanup_free char *msg = hs_xstrdup ((*err)->msg);
      hs_error_release (err);
      hs_sc_notes_release (&notes);
      return hs_harden_refuse (h, err, "linux.seccomp", "%s", msg);
    }
  for (size_t i = 0; i < notes.len; i++)
    hs_harden_note (h, "linux.seccomp", "%s", notes.items[i]);
  hs_sc_notes_release (&notes);
  if (o.unchanged)
    return 0;

  linux_ = hs_json_ensure_object (h->spec, "linux");
  if (linux_ == NULL)
    {
      hs_json_free (o.seccomp);
      return hs_harden_refuse (h, err, "linux", "`linux` must be an object");
    }
  existing = hs_json_get (linux_, "seccomp");
  before_sum = summary (existing);
  after_sum = summary (o.seccomp);
  hs_harden_change (h, "linux.seccomp", before_sum, after_sum,
                    existing && existing->type != HS_JSON_NULL
                        ? "the container's profile intersected with the policy's seccomp profile"
                        : "the policy's seccomp profile for this container");
  hs_json_set (linux_, "seccomp", o.seccomp);
  return 0;
}

const hs_control_t hs_control_seccomp = {
  .name = "seccomp",
  .summary = "linux.seccomp is generated per container and never looser than policy",
  .doc = "Generates linux.seccomp from hardshim's source profile for this container's\n"
         "final bounding capabilities, architecture, kernel and noNewPrivileges: unknown\n"
         "syscalls get ENOSYS, known-dangerous ones EPERM (namespaces, mounts, keys, bpf,\n"
         "io_uring, modules, kexec, ...). A profile the config already has is intersected\n"
         "with it: a call is allowed only if both allow it. The result is built with\n"
         "libseccomp before config.json is written (cached under <state_dir>/seccomp).\n"
         "crun's run.oci.seccomp_bpf_data annotation is removed. linux.seccomp.listenerPath\n"
         "(the host socket the runtime hands the notify fd to) must be in listener_paths.\n"
         "Settings:\n"
         "  profile           source profile name (default \"default\")\n"
         "  profile_dir       where NAME.json overrides live (default " DEFAULT_PROFILE_DIR ")\n"
         "  compat_arches     also admit 32-bit ABIs (x86, x32 on x86_64); default false\n"
         "  allowed_profiles  extra profiles a container may select with the exception\n"
         "                    " PROFILE_ANNOTATION " = NAME, when policy\n"
         "                    grants it (seccomp.overridable, an `exceptions` entry)\n"
         "  listener_paths    sockets linux.seccomp.listenerPath may name; default none\n"
         "See doc/seccomp.md.\n",
  .validate = validate,
  .apply = apply,
  .exceptions = exceptions,
};
