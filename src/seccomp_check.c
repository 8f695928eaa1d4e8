#include "seccomp_internal.h"
#include "child.h"
#include "cleanup.h"
#include "fileio.h"
#include "registry.h"
#include "sha256.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- validation with libseccomp ------------------------------------------ */

static const char *
lib_arch_name (const char *oci)
{
  static char buf[32];
  size_t i;

  /* SCMP_ARCH_X86_64 -> x86_64 */
  for (i = 0; oci[10 + i] && i + 1 < sizeof (buf); i++)
    buf[i] = (char) (oci[10 + i] >= 'A' && oci[10 + i] <= 'Z' ? oci[10 + i] + 32 : oci[10 + i]);
  buf[i] = '\0';
  return buf;
}

static uint32_t
lib_action (hs_sc_action_t a, bool has_errno, uint32_t e)
{
  switch (a)
    {
    case HS_SC_KILL_PROCESS:
      return SCMP_ACT_KILL_PROCESS;
    case HS_SC_KILL_THREAD:
    case HS_SC_KILL:
      return SCMP_ACT_KILL_THREAD;
    case HS_SC_TRAP:
      return SCMP_ACT_TRAP;
    case HS_SC_ERRNO:
      return SCMP_ACT_ERRNO (hs_sc_effective_errno (has_errno, e));
    case HS_SC_TRACE:
      return SCMP_ACT_TRACE (has_errno ? e : 0);
    case HS_SC_NOTIFY:
      return SCMP_ACT_NOTIFY;
    case HS_SC_LOG:
      return SCMP_ACT_LOG;
    case HS_SC_ALLOW:
      return SCMP_ACT_ALLOW;
    }
  return SCMP_ACT_KILL_PROCESS;
}

static void
seccomp_releasep (scmp_filter_ctx *c)
{
  if (*c != NULL)
    seccomp_release (*c);
}

/* Build and export; unknown names go to `unknown` (a JSON array). */
static int
build_filter (const hs_sc_profile_t *given, hs_json_t *unknown, hs_error_t *err)
{
  /* Rule order matters to libseccomp (a refusal of socketcall must come
   * before socket's rules, or 32-bit socket rules are multiplexed through
   * it): build from the profile exactly as the runtime will read it. */
  cleanup_json hs_json_t *oci = hs_sc_to_oci (given);
  cleanup_sc_profile hs_sc_profile_t *p = NULL;
  __attribute__ ((cleanup (seccomp_releasep))) scmp_filter_ctx ctx = NULL;
  cleanup_close int fd = -1;
  struct stat st;
  uint32_t default_act;
  int r;

  if ((r = hs_sc_from_oci (oci, "linux.seccomp", &p, err)) < 0)
    return r;
  default_act = lib_action (p->default_action, p->has_default_errno, p->default_errno);
  ctx = seccomp_init (default_act);
  if (ctx == NULL)
    return hs_error_make (err, 0, "libseccomp: cannot create a filter for default action %s",
                          hs_sc_action_names[p->default_action]);
  for (size_t i = 0; i < p->n_arches; i++)
    {
      uint32_t a = seccomp_arch_resolve_name (lib_arch_name (p->arches[i]));
      if (a == 0)
        return hs_error_make (err, 0, "libseccomp does not know architecture %s", p->arches[i]);
      r = seccomp_arch_add (ctx, a);
      if (r < 0 && r != -EEXIST)
        return hs_error_make (err, -r, "libseccomp: add architecture %s", p->arches[i]);
    }
  for (size_t i = 0; i < p->n_rules; i++)
    {
      const hs_sc_rule_t *rule = &p->rules[i];
      struct scmp_arg_cmp cmp[HS_SC_MAX_ARGS];
      static const enum scmp_compare ops[] = { [HS_SC_NE] = SCMP_CMP_NE,
                                               [HS_SC_LT] = SCMP_CMP_LT,
                                               [HS_SC_LE] = SCMP_CMP_LE,
                                               [HS_SC_EQ] = SCMP_CMP_EQ,
                                               [HS_SC_GE] = SCMP_CMP_GE,
                                               [HS_SC_GT] = SCMP_CMP_GT,
                                               [HS_SC_MASKED_EQ] = SCMP_CMP_MASKED_EQ };
      uint32_t act = lib_action (rule->action, rule->has_errno, rule->errno_ret);
      int nr = seccomp_syscall_resolve_name (rule->name);

      if (nr == __NR_SCMP_ERROR)
        {
          if (hs_json_array_find_string (unknown, rule->name) < 0)
            hs_json_append (unknown, hs_json_new_string (rule->name));
          continue;
        }
      /* libseccomp refuses rules that repeat the default; runc and crun skip them. */
      if (act == default_act)
        continue;
      for (size_t j = 0; j < rule->nargs; j++)
        {
          cmp[j].arg = rule->args[j].index;
          cmp[j].op = ops[rule->args[j].op];
          cmp[j].datum_a = rule->args[j].value;
          cmp[j].datum_b = rule->args[j].value_two;
        }
      r = seccomp_rule_add_array (ctx, act, nr, (unsigned) rule->nargs, cmp);
      if (r < 0)
        {
          char text[512];
          hs_sc_rule_text (rule, text, sizeof (text));
          return hs_error_make (err, -r, "libseccomp refuses the rule for %s (%s)", text,
                                hs_sc_action_names[rule->action]);
        }
    }
  fd = memfd_create ("hardshim-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return hs_error_make (err, errno, "memfd_create");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return hs_error_make (err, -r, "libseccomp: export the filter");
  if (fstat (fd, &st) < 0 || st.st_size == 0)
    return hs_error_make (err, errno, "libseccomp exported an empty filter");
  return 0;
}

/* libseccomp can spend minutes on a crafted profile (deep recursion over
 * overlapping argument filters; found by fuzzing). Build in a child with a
 * time limit: a hostile config then costs at most that long and is refused.
 * The child holds no lock or fd of hardshim's, has the same CPU bound and
 * dies with hardshim (src/child.h): a SIGKILLed create leaves nothing
 * running. (A helper child, not the hand-over: the runtime is still
 * exec'd.) */
#define BUILD_CPU_SECONDS 5
/* wall clock, for a child starved of CPU on a loaded host: that refusal is
 * not remembered (only the CPU bound is a property of the profile) */
#define BUILD_WALL_SECONDS 15
#define TOO_COMPLEX                                                                                \
  "libseccomp needed more than 5 s of CPU to build the filter: the profile is too complex to "     \
  "validate"
static const hs_json_limits_t child_limits = { 1024 * 1024, 8, false };

static void __attribute__ ((noreturn)) build_child (int fd, const hs_sc_profile_t *p)
{
  cleanup_json hs_json_t *res = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *unknown = hs_json_new (HS_JSON_ARRAY);
  hs_error_t e = NULL;
  char *out = NULL;
  size_t len = 0;

  if (build_filter (p, unknown, &e) < 0)
    hs_json_set_exact (res, "error", hs_json_new_string (e->msg));
  hs_json_set_exact (res, "unknown", unknown);
  if (hs_json_emit (res, false, &out, &len, NULL) == 0)
    (void) hs_write_all (fd, out, len);
  _exit (0); /* no atexit handlers: the parent owns everything */
}

static bool
used_cpu_bound (const struct rusage *ru)
{
  long ms = (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000L
            + (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000L;
  return ms >= BUILD_CPU_SECONDS * 1000L - 100; /* the kernel checks at tick granularity */
}

/* *ret_too_complex: refused because the child used up its CPU bound (a
 * property of the profile, so the refusal may be remembered). */
static int
build_filter_bounded (const hs_sc_profile_t *p, hs_json_t *unknown, bool *ret_too_complex,
                      hs_error_t *err)
{
  struct rusage ru = { 0 };
  cleanup_close int rfd = -1;
  cleanup_free char *buf = NULL;
  cleanup_json hs_json_t *res = NULL;
  size_t len = 0, cap = 0;
  struct timespec start, now;
  const hs_json_t *u, *e;
  int fds[2], status, r = 0;
  pid_t pid, parent = getpid ();

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hs_error_make (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return hs_error_make (err, errno, "fork");
    }
  if (pid == 0)
    {
      hs_child_init (parent, fds[1], BUILD_CPU_SECONDS);
      build_child (fds[1], p);
    }
  close (fds[1]);
  rfd = fds[0];
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      struct pollfd pfd = { .fd = rfd, .events = POLLIN };
      long left;
      ssize_t n;

      clock_gettime (CLOCK_MONOTONIC, &now);
      left = BUILD_WALL_SECONDS * 1000L
             - ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L);
      if (left <= 0 || (r = poll (&pfd, 1, (int) left)) == 0)
        {
          kill (pid, SIGKILL);
          while (wait4 (pid, &status, 0, &ru) < 0 && errno == EINTR)
            ;
          if (used_cpu_bound (&ru))
            {
              *ret_too_complex = true;
              return hs_error_make (err, 0, TOO_COMPLEX);
            }
          return hs_error_make (err, 0,
                                "libseccomp did not finish building the filter within %d s "
                                "(%ld ms of CPU): the host is overloaded or the profile too "
                                "complex to validate",
                                BUILD_WALL_SECONDS,
                                (long) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L
                                    + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L);
        }
      if (r < 0 && errno == EINTR)
        continue;
      buf = hs_xgrow (buf, &cap, len + 65536, 1);
      n = read (rfd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
      if (len > child_limits.max_bytes)
        break;
    }
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      return hs_error_make (err, errno, "wait for the seccomp validation");
  if (len == 0 && WIFSIGNALED (status) && used_cpu_bound (&ru))
    {
      /* SIGXCPU at the soft limit, SIGKILL at the hard one */
      *ret_too_complex = true;
      return hs_error_make (err, 0, TOO_COMPLEX);
    }
  if (len == 0 || hs_json_parse (buf, len, &child_limits, &res, NULL) < 0)
    return hs_error_make (err, 0, "the seccomp validation ended without an answer (status %d)",
                          status);
  e = hs_json_get_type (res, "error", HS_JSON_STRING);
  if (e != NULL)
    return hs_error_make (err, 0, "%s", e->str);
  u = hs_json_get_type (res, "unknown", HS_JSON_ARRAY);
  for (size_t i = 0; u != NULL && i < u->len; i++)
    hs_json_append (unknown, hs_json_dup (u->items[i]));
  return 0;
}

static const hs_json_limits_t cache_limits = { 256 * 1024, 8, false };

int
hs_sc_validate (hs_sc_profile_t *p, const char *state_dir, hs_sc_notes_t *notes, bool *ret_cached,
                hs_error_t *err)
{
  const struct scmp_version *v = seccomp_version ();
  cleanup_json hs_json_t *oci = hs_sc_to_oci (p), *unknown = NULL, *record = NULL;
  cleanup_free char *text = NULL, *keyed = NULL, *name = NULL, *buf = NULL, *out = NULL;
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  char digest[HS_DIGEST_LEN];
  bool cacheable = false, too_complex = false;
  size_t len;
  int r;

  *ret_cached = false;
  if ((r = hs_json_emit (oci, false, &text, &len, err)) < 0)
    return r;
  /* The outcome depends on the profile and on this libseccomp's tables. */
  keyed = hs_xasprintf ("libseccomp %u.%u.%u\n%s", v->major, v->minor, v->micro, text);
  hs_sha256_digest (keyed, strlen (keyed), digest);
  name = hs_xasprintf ("%.64s.json", digest + 7);

  /* The lock covers the cache read and the cache write, never the
   * validation: one create's slow (hostile) profile must not stall the
   * others. Two creates of one new profile may both validate it; the
   * second write replaces the first with the same outcome. */
  if (state_dir != NULL && hs_registry_lock (state_dir, "seccomp", &reg, NULL) == 0)
    {
      if (hs_read_file_at (reg.dirfd, name, cache_limits.max_bytes, &buf, &len, NULL, NULL) == 0
          && hs_json_parse (buf, len, &cache_limits, &record, NULL) == 0)
        {
          if ((unknown = hs_json_dup (hs_json_get_type (record, "unknown", HS_JSON_ARRAY))) != NULL)
            *ret_cached = true;
          else if (hs_json_is_true (hs_json_get_exact (record, "too_complex")))
            too_complex = true;
        }
      hs_registry_unlock (&reg);
      cacheable = true;
    }
  /* A profile that used up the CPU bound once will again: refused at once,
   * so one hostile profile costs the host that CPU once, not per create. */
  if (too_complex)
    return hs_error_make (err, 0,
                          "validate the seccomp profile: " TOO_COMPLEX
                          " (an earlier create of the same profile found so)");
  if (!*ret_cached)
    {
      unknown = hs_json_new (HS_JSON_ARRAY);
      r = build_filter_bounded (p, unknown, &too_complex, err);
      if ((r == 0 || too_complex) && cacheable
          && hs_registry_lock (state_dir, "seccomp", &reg, NULL) == 0)
        {
          hs_json_free (record);
          record = hs_json_new (HS_JSON_OBJECT);
          if (r == 0)
            hs_json_set_exact (record, "unknown", hs_json_dup (unknown));
          else
            hs_json_set_exact (record, "too_complex", hs_json_new_bool (true));
          if (hs_json_emit (record, false, &out, &len, NULL) == 0)
            (void) hs_write_state_file_at (reg.dirfd, name, out, len, NULL);
          hs_registry_unlock (&reg);
        }
      if (r < 0)
        return hs_error_wrap (err, "validate the seccomp profile");
    }

  /* Names this libseccomp does not know cannot be filtered by it: drop them
   * (the calls fall to the default action, a refusal). */
  for (size_t i = 0; i < unknown->len; i++)
    {
      const char *u = unknown->items[i]->type == HS_JSON_STRING ? unknown->items[i]->str : "";
      hs_sc_notes_add (notes,
                       "syscall `%s` is unknown to libseccomp %u.%u.%u: dropped from the "
                       "profile",
                       u, v->major, v->minor, v->micro);
      for (size_t j = 0; j < p->n_rules;)
        if (strcmp (p->rules[j].name, u) == 0)
          {
            hs_sc_profile_remove (p, j);
          }
        else
          j++;
    }
  return 0;
}
