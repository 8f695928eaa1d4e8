/* masked_paths: linux.maskedPaths and linux.readonlyPaths hold at least
 * the policy's lists, so kernel interfaces that leak host information or
 * change host state (/proc/kcore, /proc/sysrq-trigger, /proc/sys, ...)
 * are hidden or read-only even when the config asks for none. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "masked_paths"

static const char *const known_keys[] = { "masked", "readonly", NULL };

/* The union of what Docker 20.10+ and Podman 4 mask, plus newer side channels. */
static const char *const default_masked[] = {
  "/proc/acpi",        "/proc/asound",    "/proc/interrupts",
  "/proc/kcore",       "/proc/keys",      "/proc/latency_stats",
  "/proc/sched_debug", "/proc/scsi",      "/proc/timer_list",
  "/proc/timer_stats", "/sys/dev/block",  "/sys/devices/virtual/powercap",
  "/sys/firmware",     "/sys/fs/selinux", NULL,
};
static const char *const default_readonly[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *m, *ro;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "masked", &m, err)) < 0
      || (r = hs_settings_abs_paths (settings, CONTROL, "readonly", &ro, err)) < 0)
    return r;
  return 0;
}

static int
merge (hs_harden_t *h, hs_json_t *linux_, const char *field, const hs_strlist_t *want,
       hs_error_t *err)
{
  hs_json_t *cur = hs_json_get (linux_, field);
  cleanup_json hs_json_t *before = NULL;
  cleanup_free char *path = hs_xasprintf ("linux.%s", field);
  size_t n = hs_strlist_len (want);
  bool changed = false;

  if (cur != NULL && cur->type != HS_JSON_ARRAY && cur->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, path, "expected an array of strings");
  if (cur != NULL && cur->type == HS_JSON_ARRAY)
    before = hs_json_dup (cur);
  for (size_t i = 0; i < n; i++)
    {
      const char *p = hs_strlist_at (want, i);
      if (cur == NULL || cur->type != HS_JSON_ARRAY || hs_json_array_find_string (cur, p) < 0)
        {
          if (cur == NULL || cur->type != HS_JSON_ARRAY)
            cur = hs_json_ensure_array (linux_, field);
          hs_json_append (cur, hs_json_new_string (p));
          changed = true;
        }
    }
  if (changed)
    hs_harden_change (h, path, before, cur, "%s paths required by host policy added",
                      strcmp (field, "maskedPaths") == 0 ? "masked" : "read-only");
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_strlist_t masked = { NULL, default_masked }, readonly = { NULL, default_readonly };
  hs_json_t *linux_ = hs_json_get (h->spec, "linux");
  int r;

  if (settings != NULL)
    {
      masked.arr = hs_json_get_exact (settings, "masked");
      readonly.arr = hs_json_get_exact (settings, "readonly");
    }
  if (linux_ != NULL && linux_->type != HS_JSON_OBJECT && linux_->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  if (hs_strlist_len (&masked) == 0 && hs_strlist_len (&readonly) == 0)
    return 0;
  linux_ = hs_json_ensure_object (h->spec, "linux");
  if ((r = merge (h, linux_, "maskedPaths", &masked, err)) < 0
      || (r = merge (h, linux_, "readonlyPaths", &readonly, err)) < 0)
    return r;
  return 0;
}

const hs_control_t hs_control_masked_paths = {
  .name = CONTROL,
  .summary = "linux.maskedPaths and linux.readonlyPaths include the policy's lists",
  .doc = "Adds every `masked` path missing from linux.maskedPaths (the runtime hides it:\n"
         "/dev/null over files, an empty read-only tmpfs over directories) and every\n"
         "`readonly` path missing from linux.readonlyPaths (bound read-only). The config's\n"
         "own entries are kept.\n"
         "Settings (arrays replace the defaults):\n"
         "  masked    default /proc/acpi, /proc/asound, /proc/interrupts, /proc/kcore,\n"
         "            /proc/keys, /proc/latency_stats, /proc/sched_debug, /proc/scsi,\n"
         "            /proc/timer_list, /proc/timer_stats, /sys/dev/block,\n"
         "            /sys/devices/virtual/powercap, /sys/firmware, /sys/fs/selinux\n"
         "  readonly  default /proc/bus, /proc/fs, /proc/irq, /proc/sys, /proc/sysrq-trigger\n",
  .validate = validate,
  .apply = apply,
};
