/* rlimits: process.rlimits never exceed the policy's maxima (hard and
 * soft, soft <= hard), every RLIMIT_* type is one the kernel has, and the
 * container has a pids limit, so one container cannot exhaust the host's
 * file descriptors, memory locks, message queues, pending signals or
 * process table. process.oomScoreAdj is never below `min_oom_score_adj`:
 * the runtime writes it as root, and a negative value makes the host's OOM
 * killer spare the container and kill host processes instead. */
#include "harden/controls.h"
#include "harden/util_b.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CONTROL "rlimits"

static const char *const known_keys[] = { "max", "pids_limit", "min_oom_score_adj", NULL };

#define UNLIMITED 18446744073709551615ull
/* Every rlimit has a maximum; UNLIMITED where the limit only restricts the
 * container's own processes (sizes, CPU time). Those counted per user or
 * in kernel memory are capped. */
static const struct
{
  const char *name;
  unsigned long long max;
} default_max[] = {
  { "RLIMIT_AS", UNLIMITED },
  { "RLIMIT_CORE", UNLIMITED },
  { "RLIMIT_CPU", UNLIMITED },
  { "RLIMIT_DATA", UNLIMITED },
  { "RLIMIT_FSIZE", UNLIMITED },
  { "RLIMIT_LOCKS", UNLIMITED },
  { "RLIMIT_MEMLOCK", 67108864 }, /* locked kernel memory */
  { "RLIMIT_MSGQUEUE", 819200 },  /* POSIX queue bytes, kernel memory, per user */
  { "RLIMIT_NICE", 0 },           /* no raising of priorities */
  { "RLIMIT_NOFILE", 1048576 },
  { "RLIMIT_NPROC", 1048576 },
  { "RLIMIT_RSS", UNLIMITED },
  { "RLIMIT_RTPRIO", 0 },           /* no real-time scheduling */
  { "RLIMIT_RTTIME", UNLIMITED },   /* real-time CPU time: none without RTPRIO */
  { "RLIMIT_SIGPENDING", 1048576 }, /* queued signals, kernel memory, per user */
  { "RLIMIT_STACK", UNLIMITED },
};
#define N_RLIMITS (sizeof (default_max) / sizeof (default_max[0]))
#define DEFAULT_MIN_OOM 0ll
#define DEFAULT_PIDS_LIMIT 4096ull

static int
validate (const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *max;
  unsigned long long n;
  int r;

  if ((r = hs_settings_check_keys (settings, CONTROL, known_keys, err)) < 0
      || (r = hs_settings_u64 (settings, CONTROL, "pids_limit", DEFAULT_PIDS_LIMIT, &n, err)) < 0)
    return r;
  if (n == 0 || n > 0x7fffffffffffffffull)
    return hs_error_make (err, 0,
                          "policy key `" CONTROL ".pids_limit`: expected an integer from 1 to "
                          "9223372036854775807 (set `" CONTROL ".mode` to \"off\" for no limit)");
  {
    const hs_json_t *m = hs_json_get_exact (settings, "min_oom_score_adj");
    long long oom;

    if (m != NULL && (!hs_json_to_i64 (m, &oom) || oom < -1000 || oom > 1000))
      return hs_error_make (err, 0,
                            "policy key `" CONTROL ".min_oom_score_adj`: expected an integer "
                            "from -1000 to 1000");
  }
  max = hs_json_get_exact (settings, "max");
  if (max == NULL)
    return 0;
  if (max->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0,
                          "policy key `" CONTROL ".max`: expected an object of RLIMIT_* -> "
                          "integer, got %s",
                          hs_json_type_name (max->type));
  for (size_t i = 0; i < max->len; i++)
    {
      bool known = false;
      for (size_t j = 0; j < N_RLIMITS; j++)
        known = known || strcmp (max->keys[i], default_max[j].name) == 0;
      if (!known)
        return hs_error_make (err, 0, "policy key `" CONTROL ".max.%s`: unknown rlimit",
                              max->keys[i]);
      if (!hs_json_to_u64 (max->items[i], &n))
        return hs_error_make (err, 0,
                              "policy key `" CONTROL ".max.%s`: expected a non-negative integer",
                              max->keys[i]);
    }
  return 0;
}

/* The policy's maximum for `name`, else the built-in one. */
static bool
max_for (const hs_json_t *settings, const char *name, unsigned long long *ret)
{
  const hs_json_t *max = settings ? hs_json_get_exact (settings, "max") : NULL;
  const hs_json_t *v = max ? hs_json_get_exact (max, name) : NULL;

  if (v != NULL)
    return hs_json_to_u64 (v, ret);
  for (size_t i = 0; i < N_RLIMITS; i++)
    if (strcmp (default_max[i].name, name) == 0)
      {
        *ret = default_max[i].max;
        return true;
      }
  return false;
}

static int
cap_rlimit (hs_harden_t *h, const hs_json_t *settings, size_t i, hs_json_t *rl, hs_error_t *err)
{
  cleanup_free char *jp = hs_xasprintf ("process.rlimits[%zu]", i);
  hs_json_t *type = hs_json_get (rl, "type");
  hs_json_t *hard = hs_json_get (rl, "hard"), *soft = hs_json_get (rl, "soft");
  unsigned long long max, hv, sv, nh, ns;

  if (type == NULL || type->type != HS_JSON_STRING || !hs_json_to_u64 (hard, &hv)
      || !hs_json_to_u64 (soft, &sv))
    return hs_harden_refuse (h, err, jp,
                             "an rlimit needs a string `type` and integer `hard` and `soft`");
  /* runc and crun refuse a type they do not know; both must agree with
   * the table here */
  if (!max_for (settings, type->str, &max))
    return hs_harden_refuse (h, err, jp, "unknown rlimit type `%s`", type->str);
  nh = hv;
  ns = sv;
  if (nh > max)
    nh = max;
  if (ns > nh)
    ns = nh;
  if (nh != hv)
    {
      cleanup_free char *p = hs_xasprintf ("%s.hard", jp);
      hs_json_t *after = hs_json_new_uint (nh);
      hs_harden_change (h, p, hard, after, "%s hard limit capped at %llu by host policy", type->str,
                        nh);
      hs_json_set (rl, "hard", after);
    }
  if (ns != sv)
    {
      cleanup_free char *p = hs_xasprintf ("%s.soft", jp);
      hs_json_t *after = hs_json_new_uint (ns);
      hs_harden_change (h, p, soft, after, "%s soft limit capped at %llu (<= hard, host policy)",
                        type->str, ns);
      hs_json_set (rl, "soft", after);
    }
  return 0;
}

static int
pids (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  unsigned long long want = DEFAULT_PIDS_LIMIT;
  hs_json_t *linux_ = hs_json_get (h->spec, "linux");
  hs_json_t *res, *p, *limit;
  long long cur;
  int r;

  if (settings != NULL
      && (r = hs_settings_u64 (settings, CONTROL, "pids_limit", DEFAULT_PIDS_LIMIT, &want, err))
             < 0)
    return r;
  if (linux_ != NULL && linux_->type != HS_JSON_OBJECT && linux_->type != HS_JSON_NULL)
    return 0; /* spec validation refuses it */
  linux_ = hs_json_ensure_object (h->spec, "linux");
  res = hs_json_ensure_object (linux_, "resources");
  if (res == NULL)
    return 0; /* spec validation refuses it */
  p = hs_json_get (res, "pids");
  if (p != NULL && p->type != HS_JSON_OBJECT && p->type != HS_JSON_NULL)
    return hs_harden_refuse (h, err, "linux.resources.pids", "expected an object");
  if (h->host->caller_without_cgroups
      && (p == NULL || p->type == HS_JSON_NULL || hs_json_get (p, "limit") == NULL))
    {
      hs_harden_note (h, "linux.resources.pids",
                      "no pids limit: a rootless engine's runtime has no cgroup on this host "
                      "(cgroup v1); the engine user's own limits bound the container");
      return 0;
    }
  p = hs_json_ensure_object (res, "pids");
  limit = hs_json_get (p, "limit");
  if (limit != NULL && limit->type != HS_JSON_NULL && !hs_json_to_i64 (limit, &cur))
    return hs_harden_refuse (h, err, "linux.resources.pids.limit", "expected an integer");
  /* 0 and negative mean "no limit" to the runtimes */
  if (limit != NULL && limit->type != HS_JSON_NULL && cur > 0 && (unsigned long long) cur <= want)
    return 0;
  {
    hs_json_t *after = hs_json_new_uint (want);
    hs_harden_change (
        h, "linux.resources.pids.limit", limit, after, "%s pids limit %llu by host policy",
        limit != NULL && limit->type != HS_JSON_NULL && cur > 0 ? "capped at" : "set to", want);
    hs_json_set (p, "limit", after);
  }
  return 0;
}

/* Raising a negative process.oomScoreAdj only makes the container the
 * likelier victim: stricter, so enforce mode raises it. */
static int
oom_score (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *process = hs_json_get (h->spec, "process");
  hs_json_t *v
      = process && process->type == HS_JSON_OBJECT ? hs_json_get (process, "oomScoreAdj") : NULL;
  const hs_json_t *m = settings ? hs_json_get_exact (settings, "min_oom_score_adj") : NULL;
  long long cur, min = DEFAULT_MIN_OOM;

  if (v == NULL || v->type == HS_JSON_NULL)
    return 0;
  if (m != NULL && !hs_json_to_i64 (m, &min))
    min = DEFAULT_MIN_OOM; /* validate refuses it first */
  if (!hs_json_to_i64 (v, &cur) || cur < -1000 || cur > 1000)
    return hs_harden_refuse (h, err, "process.oomScoreAdj",
                             "expected an integer from -1000 to 1000");
  if (cur >= min)
    return 0;
  {
    cleanup_free char *text = hs_xasprintf ("%lld", min);
    hs_json_t *after = hs_json_new_number (text);

    hs_harden_change (h, "process.oomScoreAdj", v, after,
                      "oom_score_adj %lld raised to %lld by host policy (a lower value makes "
                      "the host's OOM killer kill host processes first)",
                      cur, min);
    hs_json_set (process, "oomScoreAdj", after);
  }
  return 0;
}

static int
apply_process (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *rls = hs_json_path (h->spec, "process", "rlimits", NULL);
  int r;

  if (rls != NULL && rls->type == HS_JSON_ARRAY)
    for (size_t i = 0; i < rls->len; i++)
      if ((r = cap_rlimit (h, settings, i, rls->items[i], err)) < 0)
        return r;
  return oom_score (h, settings, err);
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  int r = apply_process (h, settings, err);

  return r < 0 ? r : pids (h, settings, err);
}

/* update may only set a pids limit the host policy allows: lifting it
 * (0, -1, or a unified pids.max of "max") or raising it above the cap is
 * refused. Nothing is added: an update that does not name it keeps it. */
static int
apply_update (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_json_t *res = hs_json_path (h->spec, "linux", "resources", NULL);
  const hs_json_t *limit = res ? hs_json_path (res, "pids", "limit", NULL) : NULL;
  const hs_json_t *unified = res ? hs_json_get (res, "unified") : NULL;
  const hs_json_t *pmax
      = unified && unified->type == HS_JSON_OBJECT ? hs_json_get_exact (unified, "pids.max") : NULL;
  unsigned long long want = DEFAULT_PIDS_LIMIT;
  long long cur;
  int r;

  if (settings != NULL
      && (r = hs_settings_u64 (settings, CONTROL, "pids_limit", DEFAULT_PIDS_LIMIT, &want, err))
             < 0)
    return r;
  if (limit != NULL && limit->type != HS_JSON_NULL
      && (!hs_json_to_i64 (limit, &cur) || cur <= 0 || (unsigned long long) cur > want))
    return hs_harden_refuse (h, err, "linux.resources.pids.limit",
                             "update would set the pids limit to %s%s: host policy keeps it at "
                             "1 to %llu",
                             limit->type == HS_JSON_NUMBER ? limit->str : "a non-integer",
                             limit->type == HS_JSON_NUMBER && cur <= 0 ? " (no limit)" : "", want);
  if (pmax != NULL)
    {
      char *end = NULL;
      unsigned long long n = pmax->type == HS_JSON_STRING ? strtoull (pmax->str, &end, 10) : 0;

      if (pmax->type != HS_JSON_STRING || end == pmax->str || *end != '\0' || n == 0 || n > want
          || pmax->str[0] < '0' || pmax->str[0] > '9')
        return hs_harden_refuse (h, err, "linux.resources.unified.pids.max",
                                 "update would set pids.max to `%s`: host policy keeps it at 1 to "
                                 "%llu",
                                 pmax->type == HS_JSON_STRING ? pmax->str : "?", want);
    }
  return 0;
}

const hs_control_t hs_control_rlimits = {
  .name = CONTROL,
  .summary = "every rlimit capped at a policy maximum; a pids limit always set; "
             "oomScoreAdj not negative",
  .doc = "Caps the hard value of each process.rlimits entry named in `max` at its maximum\n"
         "and the soft value at the (capped) hard value; applies to exec'd processes too.\n"
         "An rlimit type the kernel does not have is refused. Sets\n"
         "linux.resources.pids.limit to `pids_limit` when absent, 0 or negative (no\n"
         "limit), or higher. Raises process.oomScoreAdj to `min_oom_score_adj`.\n"
         "Settings:\n"
         "  max         object RLIMIT_* -> integer, over the built-in maxima (set one to\n"
         "              18446744073709551615 to lift it): RLIMIT_NOFILE 1048576,\n"
         "              RLIMIT_NPROC 1048576, RLIMIT_MEMLOCK 67108864,\n"
         "              RLIMIT_RTPRIO 0, RLIMIT_NICE 0, RLIMIT_MSGQUEUE 819200,\n"
         "              RLIMIT_SIGPENDING 1048576, the others unlimited\n"
         "  pids_limit  integer >= 1; default 4096\n"
         "  min_oom_score_adj  integer -1000..1000; default 0\n",
  .validate = validate,
  .apply = apply,
  .apply_process = apply_process,
  .apply_update = apply_update,
};
