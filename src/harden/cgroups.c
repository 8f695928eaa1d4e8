/* cgroups: where the runtime puts the container's cgroup, and the cgroup v2
 * files it writes there as root. linux.cgroupsPath must name a cgroup of
 * its own below a parent: no `..`, not the root or a top-level cgroup, no
 * host slice or unit (system.slice, init.scope, dockerd's service), not a
 * cgroup that already holds processes or child cgroups (another
 * container's, or a parent such as /kubepods/besteffort: their limits
 * would be this config's to set), and below `parents` when the policy
 * lists them. linux.resources.unified may only write controller files,
 * never cgroup.* (cgroup.procs moves any host pid) nor pids.* (the rlimits
 * control owns the pids limit). */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define CONTROL "cgroups"

static const char *const known_keys[] = { "parents", "unified", NULL };

/* cgroup v2 controllers whose files a config may set; pids is not one */
static const char *const default_unified[]
    = { "cpu", "cpuset", "io", "memory", "hugetlb", "rdma", "misc", NULL };

/* Host slices and scopes a container must never be placed in as such. */
static const char *const host_cgroups[]
    = { "-.slice", "init.scope", "system.slice", "user.slice", NULL };

/* systemd unit types other than slices: a cgroup named so is a host unit's. */
static const char *const unit_suffixes[]
    = { ".service", ".scope", ".socket", ".mount",     ".swap", ".device",
        ".target",  ".timer", ".path",   ".automount", NULL };

/* Where runc and crun find the cgroup (v1 hierarchies, hybrid and v2). */
static const char *const cgroup_roots[]
    = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory",
        "/sys/fs/cgroup/cpu",     "/sys/fs/cgroup",      NULL };

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *v;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "parents", &v, err)) < 0
      || (r = hs_settings_string_array (settings, CONTROL, "unified", &v, err)) < 0)
    return r;
  for (size_t i = 0; v != NULL && i < v->len; i++)
    if (strcmp (v->items[i]->str, "pids") == 0 || strcmp (v->items[i]->str, "cgroup") == 0)
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".unified[%zu]`: `%s` files are never "
                            "writable by a config",
                            i, v->items[i]->str);
  v = hs_json_get_exact (settings, "parents");
  for (size_t i = 0; v != NULL && i < v->len; i++)
    if (v->items[i]->str[0] == '\0' || strstr (v->items[i]->str, "..") != NULL)
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".parents[%zu]`: `%s` is not a cgroup path "
                            "or slice",
                            i, v->items[i]->str);
  return 0;
}

static bool
has_suffix (const char *s, size_t n, const char *suffix)
{
  size_t k = strlen (suffix);

  return n >= k && memcmp (s + n - k, suffix, k) == 0;
}

/* Why component `c` (length n) of a cgroups path is refused, or NULL. */
static const char *
bad_component (const char *c, size_t n, bool top)
{
  if (n == 0)
    return "it has an empty component";
  if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
    return "it has a `.` or `..` component, which leaves the cgroup parent";
  for (size_t i = 0; top && host_cgroups[i] != NULL; i++)
    if (strlen (host_cgroups[i]) == n && memcmp (c, host_cgroups[i], n) == 0)
      return "it is in a host slice";
  for (size_t i = 0; unit_suffixes[i] != NULL; i++)
    if (has_suffix (c, n, unit_suffixes[i]))
      return "it names a host unit's cgroup";
  return NULL;
}

/* Does the cgroup directory have a child cgroup? */
static bool
has_child (int dfd)
{
  DIR *d = fdopendir (dfd);
  struct dirent *e;
  bool found = false;

  if (d == NULL)
    {
      close (dfd);
      return false;
    }
  while (!found && (e = readdir (d)) != NULL)
    found = e->d_type == DT_DIR && strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0;
  closedir (d);
  return found;
}

/* A cgroup that holds processes or child cgroups already belongs to
 * someone else: another container's, or a parent such as
 * /kubepods/besteffort, whose limits would then be this config's to set
 * for everything below it. An empty leaf (a runtime's leftover) is fine. */
static bool
in_use (const char *path)
{
  for (size_t i = 0; cgroup_roots[i] != NULL; i++)
    {
      cleanup_free char *dir = hs_xasprintf ("%s/%s", cgroup_roots[i], path);
      cleanup_free char *procs = hs_xasprintf ("%s/cgroup.procs", dir);
      cleanup_close int fd = open (procs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      int dfd;
      char c;

      if (fd >= 0 && read (fd, &c, 1) == 1)
        return true;
      dfd = fd >= 0 ? open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) : -1;
      if (dfd >= 0 && has_child (dfd))
        return true;
    }
  return false;
}

static bool
under_parent (const hs_json_t *parents, const char *path, bool slice_form)
{
  for (size_t i = 0; i < parents->len; i++)
    {
      const char *p = parents->items[i]->str;
      size_t n = strlen (p);

      if (slice_form ? strncmp (path, p, n) == 0 && path[n] == ':'
                     : strncmp (path, p, n) == 0 && (path[n] == '/' || p[n - 1] == '/'))
        return true;
    }
  return false;
}

/* systemd's form, slice:prefix:name: the unit is prefix-name.scope in the
 * slice, or the slice `name` itself when it ends in .slice. */
static const char *
bad_slice_form (const char *v)
{
  const char *c1 = strchr (v, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  size_t slice_len;

  if (c2 == NULL || strchr (c2 + 1, ':') != NULL)
    return "it is not of the form slice:prefix:name";
  if (strchr (v, '/') != NULL)
    return "a systemd slice:prefix:name has no `/`";
  slice_len = (size_t) (c1 - v);
  if (slice_len > 0 && !has_suffix (v, slice_len, ".slice"))
    return "its slice does not end in .slice";
  if (slice_len == 7 && memcmp (v, "-.slice", 7) == 0)
    return "it is the root slice";
  if (c2[1] == '\0')
    return "it has no name";
  if (strstr (c2 + 1, ".slice") != NULL || strstr (c1, "..") != NULL)
    return "its name makes the container a slice of its own choosing";
  if (bad_component (c2 + 1, strlen (c2 + 1), false) != NULL
      || bad_component (c1 + 1, (size_t) (c2 - c1 - 1), false) != NULL)
    return "its prefix or name names a host unit";
  return NULL;
}

static const char *
bad_path_form (const char *v)
{
  const char *p = v[0] == '/' ? v + 1 : v;
  size_t depth = 0;

  for (;;)
    {
      const char *end = strchr (p, '/');
      size_t n = end ? (size_t) (end - p) : strlen (p);
      const char *why = bad_component (p, n, depth == 0 && v[0] == '/');

      if (why != NULL)
        return why;
      depth++;
      if (end == NULL)
        break;
      p = end + 1;
    }
  /* an absolute path names its parent too: one component is a top-level
   * cgroup, shared by everything the engine starts */
  if (v[0] == '/' && depth < 2)
    return "it is a top-level cgroup, not one below a parent";
  return NULL;
}

static int
judge_path (hs_harden_t *h, const hs_json_t *settings, const hs_json_t *v, hs_error_t *err)
{
  const hs_json_t *parents = settings ? hs_json_get_exact (settings, "parents") : NULL;
  bool slice_form;
  const char *why;

  if (v == NULL || v->type == HS_JSON_NULL)
    return 0;
  if (v->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, "linux.cgroupsPath", "expected a string");
  if (v->str[0] == '\0')
    return 0; /* the runtime's own default, named after the container id */
  if (strlen (v->str) > 1024)
    return hs_harden_refuse (h, err, "linux.cgroupsPath", "longer than 1024 bytes");
  /* runc and crun read slice:prefix:name with systemd cgroups and a path
   * otherwise: judge both readings of a path with colons */
  slice_form = v->str[0] != '/' && strchr (v->str, ':') != NULL;
  why = slice_form ? bad_slice_form (v->str) : NULL;
  if (why == NULL)
    why = bad_path_form (v->str);
  if (why == NULL && parents != NULL && !under_parent (parents, v->str, slice_form))
    why = "it is not below a parent the host policy lists (" CONTROL ".parents)";
  if (why == NULL && v->str[0] == '/' && in_use (v->str))
    why = "that cgroup holds processes or cgroups already (another container's, or a parent "
          "of others)";
  if (why != NULL)
    return hs_harden_refuse (h, err, "linux.cgroupsPath",
                             "cgroups path `%s` is not allowed by host policy: %s", v->str, why);
  return 0;
}

static int
judge_unified (hs_harden_t *h, const hs_json_t *settings, const hs_json_t *u, hs_error_t *err)
{
  hs_strlist_t allow
      = { settings ? hs_json_get_exact (settings, "unified") : NULL, default_unified };
  int r;

  if (u == NULL || u->type == HS_JSON_NULL)
    return 0;
  if (u->type != HS_JSON_OBJECT)
    return hs_harden_refuse (h, err, "linux.resources.unified", "expected an object");
  for (size_t i = 0; i < u->len; i++)
    {
      const char *k = u->keys[i];
      const char *dot = strchr (k, '.');
      cleanup_free char *jp = hs_xasprintf ("linux.resources.unified.%s", k);
      cleanup_free char *controller = dot ? hs_xstrndup (k, (size_t) (dot - k)) : NULL;
      bool ok = controller != NULL && dot[1] != '\0' && strchr (k, '/') == NULL
                && hs_strlist_has (&allow, controller);

      if (ok)
        continue;
      if ((r = hs_harden_refuse (h, err, jp,
                                 "cgroup file `%s` is not allowed by host policy: only files of "
                                 "the controllers in " CONTROL ".unified (never cgroup.*, which "
                                 "moves processes and changes the hierarchy, nor pids.*, "
                                 "which the rlimits control sets)",
                                 k))
          < 0)
        return r;
    }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *linux_ = hs_json_get (h->spec, "linux");
  int r;

  if (linux_ == NULL || linux_->type != HS_JSON_OBJECT)
    return 0;
  if ((r = judge_path (h, settings, hs_json_get (linux_, "cgroupsPath"), err)) < 0)
    return r;
  return judge_unified (h, settings, hs_json_path (linux_, "resources", "unified", NULL), err);
}

const hs_control_t hs_control_cgroups = {
  .name = CONTROL,
  .summary = "linux.cgroupsPath stays below a parent; unified writes only controller files",
  .doc = "Refuses a linux.cgroupsPath with an empty, `.` or `..` component, an absolute\n"
         "path of one component (a top-level cgroup), one in a host slice (-.slice,\n"
         "init.scope, system.slice, user.slice as its first component) or naming a host\n"
         "unit (*.service, *.scope, ...), one whose cgroup holds processes or child cgroups\n"
         "already, and a\n"
         "systemd slice:prefix:name that is malformed, in the root slice or names a slice\n"
         "as the container's unit. With `parents`, the path must be below one of them\n"
         "(a slice: equal to one). linux.resources.unified may only set files of the\n"
         "controllers in `unified` (never cgroup.* or pids.*).\n"
         "Settings:\n"
         "  parents  cgroup paths or slices the engines use; default: any parent\n"
         "  unified  controllers; default cpu, cpuset, io, memory, hugetlb, rdma, misc\n",
  .validate = validate,
  .apply = apply,
  .read_only = true,
};
