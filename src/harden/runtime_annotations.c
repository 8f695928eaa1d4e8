/* runtime_annotations: annotations that make the runtime itself weaken
 * isolation. crun's run.oci.* extensions replace the seccomp filter with
 * raw BPF, load plugins into the runtime, keep the runtime's groups, write
 * host files, delegate cgroups or switch the execution handler; runc's
 * org.systemd.property.* sets arbitrary systemd unit properties (DeviceAllow=,
 * Delegate=, ...) and org.criu.config hands CRIU a config file on restore.
 * Such annotations are removed (enforce) or refused (reject). */
#include "harden/controls.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

static const char *const known_keys[] = { "allow", NULL };

/* Entries ending in `*` are prefixes. Default-deny for crun's namespace:
 * new run.oci.* features appear with every crun release. */
static const struct
{
  const char *pattern;
  const char *why;
} weakening[] = {
  { "run.oci.seccomp_bpf_data", "crun ignores linux.seccomp and loads this raw BPF instead" },
  { "run.oci.seccomp.plugins", "crun loads these shared objects into the runtime" },
  { "run.oci.seccomp.receiver", "crun sends the seccomp listener to a host socket" },
  { "run.oci.keep_original_groups", "crun keeps the runtime's supplementary groups" },
  { "run.oci.hooks.*", "crun opens this host file as root for hook output" },
  { "run.oci.systemd.*", "crun mounts a host cgroup hierarchy or changes the cgroup layout" },
  { "run.oci.delegate-cgroup", "crun delegates a cgroup to the container" },
  { "run.oci.handler", "crun runs the container through another execution handler" },
  { "run.oci.pidfd_receiver", "crun sends a pidfd of the container to a host socket" },
  { "run.oci.*", "a crun extension that hardshim does not know to be safe" },
  { "org.systemd.property.*",
    "runc sets this systemd unit property (DeviceAllow=, Delegate=, ...)" },
  { "org.criu.config", "runc hands this CRIU configuration file to CRIU" },
};

static bool
matches (const char *pattern, const char *name)
{
  size_t n = strlen (pattern);

  if (n > 0 && pattern[n - 1] == '*')
    return strncmp (pattern, name, n - 1) == 0;
  return strcmp (pattern, name) == 0;
}

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *allow;
  int r;

  if ((r = hs_settings_check_keys (settings, "runtime_annotations", known_keys, err)) < 0
      || (r = hs_settings_string_array (settings, "runtime_annotations", "allow", &allow, err)) < 0)
    return r;
  for (size_t i = 0; allow != NULL && i < allow->len; i++)
    {
      const char *s = allow->items[i]->str;
      const char *star = strchr (s, '*');

      if (s[0] == '\0' || strcmp (s, "*") == 0 || (star != NULL && star[1] != '\0'))
        return hs_error_make (err, 0,
                              "policy key `runtime_annotations.allow[%zu]`: `%s` is not an "
                              "annotation name or a prefix ending in `*` (a lone `*` is not "
                              "accepted: set the mode to off instead)",
                              i, s);
    }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *ann = hs_json_get (h->spec, "annotations");
  const hs_json_t *allow = NULL;
  int r;

  if ((r = hs_settings_string_array (settings, "runtime_annotations", "allow", &allow, err)) < 0)
    return r;
  if (ann == NULL || ann->type != HS_JSON_OBJECT)
    return 0;
  for (size_t i = 0; i < ann->len;)
    {
      const char *name = ann->keys[i];
      const char *why = NULL;
      bool allowed = false;

      for (size_t j = 0; j < sizeof (weakening) / sizeof (weakening[0]) && why == NULL; j++)
        if (matches (weakening[j].pattern, name))
          why = weakening[j].why;
      for (size_t j = 0; why != NULL && allow != NULL && j < allow->len && !allowed; j++)
        allowed = matches (allow->items[j]->str, name);
      if (why == NULL || allowed)
        {
          i++;
          continue;
        }
      {
        cleanup_free char *path = hs_xasprintf ("annotations.%s", name);
        cleanup_free char *key = hs_xstrdup (name);

        hs_harden_change (h, path, ann->items[i], NULL,
                          "annotation weakens isolation (%s); not in runtime_annotations.allow",
                          why);
        hs_json_remove_exact (ann, key);
      }
    }
  return 0;
}

const hs_control_t hs_control_runtime_annotations = {
  .name = "runtime_annotations",
  .summary = "runtime annotations that weaken isolation are removed",
  .doc = "Removes (enforce) or refuses (reject) annotations that make the runtime weaken\n"
         "isolation: crun's run.oci.seccomp_bpf_data (replaces linux.seccomp), run.oci.\n"
         "seccomp.plugins/receiver, keep_original_groups, hooks.*, systemd.*, delegate-\n"
         "cgroup, handler, pidfd_receiver and any other run.oci.* name; runc's\n"
         "org.systemd.property.* and org.criu.config.\n"
         "Settings:\n"
         "  allow  array of annotation names, or prefixes ending in `*`, to keep anyway;\n"
         "         default: run.oci.seccomp_fail_unknown_syscall, run.oci.timens_offset,\n"
         "         run.oci.mount_context_type (they do not weaken isolation)\n",
  .validate = validate,
  .apply = apply,
};
