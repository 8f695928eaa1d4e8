/* seccomp: generation for capability x architecture x kernel x
 * noNewPrivileges, intersection never allowing more than either side,
 * validation with libseccomp and its cache, the control's verdicts, and a
 * golden generated profile.
 *
 * Profiles are checked by meaning, not text: `eval` answers what a filter
 * does with one call the way the kernel would, and fails the test when two
 * rules of different actions both match (libseccomp's rule order would then
 * decide, which hardshim never leaves to chance). */
#include "testutil.h"

#include "cleanup.h"
#include "harden.h"
#include "policy.h"
#include "seccomp_profile.h"
#include "spec.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct
{
  hs_sc_action_t action;
  uint32_t errno_ret;
} verdict_t;

static bool
cond_holds (const hs_sc_cond_t *c, const uint64_t *args)
{
  uint64_t x = args[c->index];
  switch (c->op)
    {
    case HS_SC_NE:
      return x != c->value;
    case HS_SC_LT:
      return x < c->value;
    case HS_SC_LE:
      return x <= c->value;
    case HS_SC_EQ:
      return x == c->value;
    case HS_SC_GE:
      return x >= c->value;
    case HS_SC_GT:
      return x > c->value;
    case HS_SC_MASKED_EQ:
      return (x & c->value) == c->value_two;
    }
  return false;
}

/* strict: two matching rules of different actions fail the test;
 * otherwise (an engine's profile may have them) the most permissive wins,
 * the upper bound of what libseccomp could do. */
typedef enum
{
  EVAL_STRICT,
  EVAL_OPTIMISTIC,
  EVAL_PESSIMISTIC,
} eval_mode_t;

static bool permissive (verdict_t v);

static verdict_t
eval_mode (const hs_sc_profile_t *p, const char *name, const uint64_t args[6], eval_mode_t mode)
{
  bool strict = mode == EVAL_STRICT;
  verdict_t v = { p->default_action, p->has_default_errno ? p->default_errno : EPERM };
  bool matched = false;

  for (size_t i = 0; i < p->n_rules; i++)
    {
      const hs_sc_rule_t *r = &p->rules[i];
      bool all = strcmp (r->name, name) == 0;
      verdict_t w;

      for (size_t j = 0; all && j < r->nargs; j++)
        all = cond_holds (&r->args[j], args);
      if (!all)
        continue;
      w.action = r->action;
      w.errno_ret = r->has_errno ? r->errno_ret : EPERM;
      /* Two refusals may overlap (either refuses); an allowance may not
       * overlap a refusal or another allowance of a different action. */
      if (matched && strict && w.action != v.action && (permissive (w) || permissive (v)))
        ck_abort_msg ("%s: two matching rules with different actions", name);
      if (!matched || (mode == EVAL_OPTIMISTIC && w.action > v.action)
          || (mode == EVAL_PESSIMISTIC && w.action < v.action))
        v = w;
      matched = true;
    }
  if (v.action != HS_SC_ERRNO)
    v.errno_ret = 0;
  return v;
}

static verdict_t
eval (const hs_sc_profile_t *p, const char *name, const uint64_t args[6])
{
  return eval_mode (p, name, args, EVAL_STRICT);
}

static bool
permissive (verdict_t v)
{
  return v.action > HS_SC_ERRNO;
}

static hs_json_t *
default_source (void)
{
  static const hs_json_limits_t limits = { 1 << 20, 32, true };
  const char *text = hs_sc_builtin_source ("default");
  hs_json_t *v = NULL;
  hs_error_t err = NULL;

  ck_assert_ptr_nonnull (text);
  if (hs_json_parse (text, strlen (text), &limits, &v, &err) < 0)
    ck_abort_msg ("default profile: %s", err->msg);
  return v;
}

static hs_sc_profile_t *
gen (const char *native, bool compat, unsigned kmaj, unsigned kmin, const char *caps_json, bool nnp)
{
  cleanup_json hs_json_t *src = default_source ();
  cleanup_json hs_json_t *caps = caps_json ? test_parse (caps_json) : NULL;
  hs_sc_context_t ctx = { native, compat, kmaj, kmin, caps, nnp };
  hs_sc_profile_t *p = NULL;
  hs_error_t err = NULL;

  if (hs_sc_generate (src, &ctx, &p, &err) < 0)
    ck_abort_msg ("generate: %s", err->msg);
  return p;
}

#define A(...) ((const uint64_t[6]){ __VA_ARGS__ })
#define ALLOW ((verdict_t){ HS_SC_ALLOW, 0 })
#define REFUSE(e) ((verdict_t){ HS_SC_ERRNO, e })

static void
expect_call (const hs_sc_profile_t *p, const char *case_name, const char *name,
             const uint64_t args[6], verdict_t want)
{
  verdict_t got = eval (p, name, args);
  ck_assert_msg (got.action == want.action && got.errno_ret == want.errno_ret,
                 "%s: %s(%#llx, %#llx): got action %d errno %u, want action %d errno %u", case_name,
                 name, (unsigned long long) args[0], (unsigned long long) args[1], got.action,
                 got.errno_ret, want.action, want.errno_ret);
}

/* ---- generation: one table, capability x architecture x kernel x nnp ---- */

#define NO_CAPS "[]"
#define DOCKER_CAPS                                                                                \
  "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\","               \
  "\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\","                 \
  "\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\",\"CAP_AUDIT_WRITE\"]"
#define ADMIN_CAPS "[\"CAP_SYS_ADMIN\"]"
#define NET_RAW_CAPS "[\"CAP_NET_RAW\"]"

enum
{
  CLONE_NEWNS_ = 0x20000,
  CLONE_NEWUSER_ = 0x10000000,
  CLONE_NEWNET_ = 0x40000000,
  THREAD_FLAGS = 0x3d0f00, /* what glibc's pthread_create passes */
  SOCK_RAW_NB = 3 | 04000,
};

typedef struct
{
  const char *name;
  const char *native;
  bool compat;
  unsigned kmaj, kmin;
  const char *caps;
  bool nnp;
  const char *syscall;
  uint64_t args[6];
  verdict_t want;
} gen_case_t;

/* One case per line: the table reads as a table. */
/* clang-format off */
static const gen_case_t gen_cases[] = {
  /* no capabilities at all */
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "read", { 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "unshare", { CLONE_NEWNS_ }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "mount", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "umount2", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "setns", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clone", { THREAD_FLAGS }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clone", { 17 /* SIGCHLD */ }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clone", { CLONE_NEWUSER_ | 17 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clone", { CLONE_NEWNS_ }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clone", { 0x02000000 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clone3", { 0 }, REFUSE (ENOSYS) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "keyctl", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "add_key", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "request_key", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "bpf", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "perf_event_open", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "userfaultfd", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "io_uring_setup", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "io_uring_enter", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "init_module", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "kexec_load", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "kexec_file_load", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "open_by_handle_at", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "syslog", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "settimeofday", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "clock_settime", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "ptrace", { 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "personality", { 0xffffffff }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "personality", { 8 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "personality", { 0x0400000 }, REFUSE (ENOSYS) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 2, 1 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 10, 2 | 02000000 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 1, 5 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 16, 3, 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 16, SOCK_RAW_NB, 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 2, SOCK_RAW_NB, 1 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 17, 2 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 38, 5 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 40, 1 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 31, 1 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 44, 3 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socket", { 0x100000002ull, 1 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "setuid", { 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "setgroups", { 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "chroot", { 0 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "socketcall", { 1 }, REFUSE (EPERM) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "mseal", { 0 }, REFUSE (ENOSYS) },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "arch_prctl", { 0 }, ALLOW },
  { "none", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true, "modify_ldt", { 0 }, REFUSE (EPERM) },
  /* Docker's default capabilities: raw sockets and chroot open */
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "setuid", { 0 }, ALLOW },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "setresgid", { 0 }, ALLOW },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "chroot", { 0 }, ALLOW },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "socket", { 17, 3 }, ALLOW },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "socket", { 2, SOCK_RAW_NB }, ALLOW },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "socket", { 38, 5 }, REFUSE (EPERM) },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "socket", { 40, 1 }, REFUSE (EPERM) },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "unshare", { 0 }, REFUSE (EPERM) },
  { "docker", "SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true, "clone", { CLONE_NEWNET_ }, REFUSE (EPERM) },
  /* CAP_NET_RAW alone */
  { "net_raw", "SCMP_ARCH_X86_64", false, 6, 1, NET_RAW_CAPS, true, "socket", { 17, 3 }, ALLOW },
  { "net_raw", "SCMP_ARCH_X86_64", false, 6, 1, NET_RAW_CAPS, true, "socket", { 39, 1 }, ALLOW },
  { "net_raw", "SCMP_ARCH_X86_64", false, 6, 1, NET_RAW_CAPS, true, "socket", { 41, 1 }, ALLOW },
  { "net_raw", "SCMP_ARCH_X86_64", false, 6, 1, NET_RAW_CAPS, true, "socket", { 38, 1 }, REFUSE (EPERM) },
  /* CAP_SYS_ADMIN opens namespaces and mounts, not keys or io_uring */
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "unshare", { CLONE_NEWUSER_ }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "clone", { CLONE_NEWUSER_ }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "clone3", { 0 }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "mount", { 0 }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "setns", { 0 }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "bpf", { 0 }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "syslog", { 0 }, ALLOW },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "keyctl", { 0 }, REFUSE (EPERM) },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "io_uring_setup", { 0 }, REFUSE (EPERM) },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "userfaultfd", { 0 }, REFUSE (EPERM) },
  { "admin", "SCMP_ARCH_X86_64", false, 6, 1, ADMIN_CAPS, true, "kexec_load", { 0 }, REFUSE (EPERM) },
  /* old kernels: ptrace could bypass seccomp before 4.8 */
  { "k4.4", "SCMP_ARCH_X86_64", false, 4, 4, NO_CAPS, true, "ptrace", { 0 }, REFUSE (EPERM) },
  { "k4.8", "SCMP_ARCH_X86_64", false, 4, 8, NO_CAPS, true, "ptrace", { 0 }, ALLOW },
  { "k4.4+ptrace", "SCMP_ARCH_X86_64", false, 4, 4, "[\"CAP_SYS_PTRACE\"]", true, "ptrace", { 0 }, ALLOW },
  /* noNewPrivileges false: what the runtimes do after loading the filter */
  { "nnp-false", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, false, "setuid", { 1000 }, ALLOW },
  { "nnp-false", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, false, "setgroups", { 0 }, ALLOW },
  { "nnp-false", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, false, "capset", { 0 }, ALLOW },
  { "nnp-false", "SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, false, "unshare", { 0 }, REFUSE (EPERM) },
  /* compat architectures: socketcall stays refused */
  { "compat", "SCMP_ARCH_X86_64", true, 6, 1, NO_CAPS, true, "socketcall", { 1 }, REFUSE (EPERM) },
  { "compat", "SCMP_ARCH_X86_64", true, 6, 1, NO_CAPS, true, "socket", { 38, 5 }, REFUSE (EPERM) },
  { "compat", "SCMP_ARCH_X86_64", true, 6, 1, NO_CAPS, true, "modify_ldt", { 0 }, REFUSE (EPERM) },
  /* other architectures */
  { "aarch64", "SCMP_ARCH_AARCH64", false, 6, 1, NO_CAPS, true, "arch_prctl", { 0 }, REFUSE (ENOSYS) },
  { "aarch64", "SCMP_ARCH_AARCH64", false, 6, 1, NO_CAPS, true, "cacheflush", { 0 }, ALLOW },
  { "aarch64", "SCMP_ARCH_AARCH64", false, 6, 1, NO_CAPS, true, "clone", { CLONE_NEWUSER_ }, REFUSE (EPERM) },
  { "s390x", "SCMP_ARCH_S390X", false, 6, 1, NO_CAPS, true, "clone", { 0, 17 }, ALLOW },
  { "s390x", "SCMP_ARCH_S390X", false, 6, 1, NO_CAPS, true, "clone", { 0, CLONE_NEWUSER_ }, REFUSE (EPERM) },
  { "s390x", "SCMP_ARCH_S390X", false, 6, 1, NO_CAPS, true, "s390_runtime_instr", { 0 }, ALLOW },
  { "absent caps", "SCMP_ARCH_X86_64", false, 6, 1, NULL, true, "mount", { 0 }, REFUSE (EPERM) },
};
/* clang-format on */

START_TEST (test_generate_table)
{
  const gen_case_t *c = &gen_cases[_i];
  hs_sc_profile_t *p = gen (c->native, c->compat, c->kmaj, c->kmin, c->caps, c->nnp);

  expect_call (p, c->name, c->syscall, c->args, c->want);
  hs_sc_profile_free (p);
}
END_TEST

START_TEST (test_generate_arches)
{
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true);
  hs_sc_profile_t *q = gen ("SCMP_ARCH_X86_64", true, 6, 1, NO_CAPS, true);
  hs_sc_profile_t *r = gen ("SCMP_ARCH_AARCH64", true, 6, 1, NO_CAPS, true);

  ck_assert_uint_eq (p->n_arches, 1);
  ck_assert_str_eq (p->arches[0], "SCMP_ARCH_X86_64");
  ck_assert_uint_eq (q->n_arches, 3);
  ck_assert_str_eq (q->arches[1], "SCMP_ARCH_X86");
  ck_assert_str_eq (q->arches[2], "SCMP_ARCH_X32");
  ck_assert_uint_eq (r->n_arches, 2);
  ck_assert_str_eq (r->arches[1], "SCMP_ARCH_ARM");
  ck_assert (p->default_action == HS_SC_ERRNO && p->default_errno == ENOSYS);
  hs_sc_profile_free (p);
  hs_sc_profile_free (q);
  hs_sc_profile_free (r);
}
END_TEST

/* Every generated profile has one condition per argument and rules that
 * never overlap with different actions (eval would abort on the sample). */
START_TEST (test_generate_no_ambiguity)
{
  static const char *const caps[] = { NO_CAPS, DOCKER_CAPS, ADMIN_CAPS, NET_RAW_CAPS };
  static const uint64_t vals[]
      = { 0,  1,  2,  3,  8,     10,      16,         17,         18,         37,
          38, 39, 40, 41, 0x803, 0x20000, 0x10000011, 0x7e020000, 0xffffffff, 1ull << 40 };

  for (size_t c = 0; c < 4; c++)
    for (int nnp = 0; nnp < 2; nnp++)
      {
        hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", true, 6, 1, caps[c], nnp);
        for (size_t i = 0; i < p->n_rules; i++)
          {
            for (size_t j = 1; j < p->rules[i].nargs; j++)
              ck_assert_uint_lt (p->rules[i].args[j - 1].index, p->rules[i].args[j].index);
            for (size_t a = 0; a < sizeof (vals) / sizeof (vals[0]); a++)
              for (size_t b = 0; b < sizeof (vals) / sizeof (vals[0]); b++)
                eval (p, p->rules[i].name, A (vals[a], vals[b], 0, 0, 0, 0));
          }
        hs_sc_profile_free (p);
      }
}
END_TEST

/* The golden profile: Docker's default capabilities on x86_64, kernel 6.1. */
START_TEST (test_golden_profile)
{
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, DOCKER_CAPS, true);
  hs_json_t *oci = hs_sc_to_oci (p);
  char *out = NULL, *want;
  const char *regen = getenv ("HS_REGEN_GOLDEN");

  ck_assert_int_eq (hs_json_emit (oci, true, &out, NULL, NULL), 0);
  if (regen != NULL && *regen)
    {
      char *path = hs_xasprintf ("%s/seccomp/golden-docker-caps-x86_64.json", TEST_DATA_DIR);
      FILE *f = fopen (path, "w");
      ck_assert_ptr_nonnull (f);
      fprintf (f, "%s\n", out);
      fclose (f);
      free (path);
    }
  want = test_read_data ("seccomp/golden-docker-caps-x86_64.json", NULL);
  want[strlen (want) - 1] = '\0';
  if (strcmp (out, want) != 0)
    {
      size_t at = 0;
      while (out[at] && out[at] == want[at])
        at++;
      ck_abort_msg ("golden profile differs at byte %zu: got \"%.60s\", want \"%.60s\" "
                    "(HS_REGEN_GOLDEN=1 rewrites it)",
                    at, out + at, want + at);
    }
  free (want);
  free (out);
  hs_json_free (oci);
  hs_sc_profile_free (p);
}
END_TEST

/* Round trip: OCI -> profile -> OCI keeps the meaning. */
START_TEST (test_oci_roundtrip)
{
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", true, 6, 1, NO_CAPS, true), *q = NULL;
  hs_json_t *oci = hs_sc_to_oci (p), *oci2;
  hs_error_t err = NULL;

  if (hs_sc_from_oci (oci, "linux.seccomp", &q, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  oci2 = hs_sc_to_oci (q);
  ck_assert (hs_json_equal (oci, oci2));
  hs_json_free (oci);
  hs_json_free (oci2);
  hs_sc_profile_free (p);
  hs_sc_profile_free (q);
}
END_TEST

/* ---- intersection ------------------------------------------------------ */

static hs_sc_profile_t *
from_oci_text (const char *text)
{
  cleanup_json hs_json_t *v = test_parse (text);
  hs_sc_profile_t *p = NULL;
  hs_error_t err = NULL;

  if (hs_sc_from_oci (v, "linux.seccomp", &p, &err) < 0)
    ck_abort_msg ("from_oci: %s", err->msg);
  return p;
}

static hs_sc_profile_t *
intersect (const hs_sc_profile_t *c, const hs_sc_profile_t *p, hs_sc_notes_t *notes)
{
  hs_sc_profile_t *r = NULL;
  hs_error_t err = NULL;

  if (hs_sc_intersect (c, p, "SCMP_ARCH_X86_64", &r, notes, &err) < 0)
    ck_abort_msg ("intersect: %s", err->msg);
  return r;
}

static bool
has_args (const hs_sc_profile_t *p, const char *name)
{
  for (size_t i = 0; i < p->n_rules; i++)
    if (p->rules[i].nargs > 0 && strcmp (p->rules[i].name, name) == 0)
      return true;
  return false;
}

static size_t
first_rule_of (const hs_sc_profile_t *p, const char *name)
{
  for (size_t i = 0; i < p->n_rules; i++)
    if (strcmp (p->rules[i].name, name) == 0)
      return i;
  return p->n_rules;
}

/* Does one of p's rules matching the call (or its default) answer so?
 * Overlapping refusals of one side may answer either way. */
static bool
side_answers (const hs_sc_profile_t *p, const char *name, const uint64_t args[6], verdict_t v)
{
  for (size_t i = 0; i < p->n_rules; i++)
    {
      const hs_sc_rule_t *r = &p->rules[i];
      bool all = strcmp (r->name, name) == 0;

      for (size_t j = 0; all && j < r->nargs; j++)
        all = cond_holds (&r->args[j], args);
      if (all && r->action == v.action
          && (v.action != HS_SC_ERRNO || (r->has_errno ? r->errno_ret : EPERM) == v.errno_ret))
        return true;
    }
  return false;
}

/* Sample calls: every name either side mentions x interesting arguments.
 * The result is permissive only where both are; where both are, so is it
 * (unless `exact` is false); its refusals keep one side's action. */
static void
check_intersection (const hs_sc_profile_t *c, const hs_sc_profile_t *p, const hs_sc_profile_t *r,
                    bool exact)
{
  static const uint64_t vals[]
      = { 0,  1,  2,     3,       5,          8,          10,         16,       17,        38,
          39, 40, 0x803, 0x20000, 0x10000011, 0x40000000, 0xffffffff, 0x400000, 1ull << 40 };
  const size_t nv = sizeof (vals) / sizeof (vals[0]);

  for (size_t side = 0; side < 3; side++)
    {
      const hs_sc_profile_t *s = side == 0 ? c : side == 1 ? p : r;
      for (size_t i = 0; i < s->n_rules + 1; i++)
        {
          const char *name = i < s->n_rules ? s->rules[i].name : "not_in_any_profile";
          /* arguments matter only to names some side filters by argument */
          size_t n = has_args (c, name) || has_args (p, name) || has_args (r, name) ? nv : 1;

          if (i < s->n_rules && first_rule_of (s, name) != i)
            continue;
          for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < n; b++)
              {
                const uint64_t *args = A (vals[a], vals[b], vals[(a + b) % nv], 0, 0, 0);
                verdict_t vc = eval_mode (c, name, args, EVAL_OPTIMISTIC),
                          vp = eval (p, name, args);
                verdict_t vc_low = eval_mode (c, name, args, EVAL_PESSIMISTIC);
                verdict_t dc
                    = { c->default_action, c->has_default_errno ? c->default_errno : EPERM };
                verdict_t dp
                    = { p->default_action, p->has_default_errno ? p->default_errno : EPERM };
                verdict_t vr = eval (r, name, args);

                if (permissive (vr))
                  ck_assert_msg (permissive (vc) && permissive (vp),
                                 "%s(%#llx, %#llx): allowed by the intersection only", name,
                                 (unsigned long long) args[0], (unsigned long long) args[1]);
                if (permissive (vr))
                  ck_assert_msg (vr.action <= vc.action && vr.action <= vp.action,
                                 "%s: the intersection's action is looser than a side's", name);
                if (exact && permissive (vc_low) && permissive (vp))
                  ck_assert_msg (permissive (vr), "%s(%#llx, %#llx): allowed by both, lost", name,
                                 (unsigned long long) args[0], (unsigned long long) args[1]);
                /* A refusal is one side's answer to this call, or (for calls
                 * a side filters by argument) a side's default. */
                if (dc.action != HS_SC_ERRNO)
                  dc.errno_ret = 0;
                if (dp.action != HS_SC_ERRNO)
                  dp.errno_ret = 0;
                if (!permissive (vr))
                  ck_assert_msg (
                      (vr.action == vc.action && vr.errno_ret == vc.errno_ret)
                          || (vr.action == vc_low.action && vr.errno_ret == vc_low.errno_ret)
                          || (vr.action == vp.action && vr.errno_ret == vp.errno_ret)
                          || (vr.action == dc.action && vr.errno_ret == dc.errno_ret)
                          || (vr.action == dp.action && vr.errno_ret == dp.errno_ret)
                          || side_answers (c, name, args, vr) || side_answers (p, name, args, vr),
                      "%s(%#llx): a refusal neither side asked for", name,
                      (unsigned long long) args[0]);
              }
        }
    }
}

static const char *const containers[] = {
  /* Docker 20.10 (EPERM default, conditional personality and clone) */
  "captures/docker-20.10-config.json",
  /* Podman 4.3 (ENOSYS default, socket rules with NE conditions) */
  "captures/podman-4.3-config.json",
};

START_TEST (test_intersect_engine_profiles)
{
  char *text = test_read_data (containers[_i / 3], NULL);
  hs_json_t *config = test_parse (text);
  static const char *const caps[] = { NO_CAPS, DOCKER_CAPS, ADMIN_CAPS };
  hs_sc_profile_t *c = NULL, *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, caps[_i % 3], true), *r;
  hs_sc_notes_t notes = { 0 };
  hs_error_t err = NULL;

  if (hs_sc_from_oci (hs_json_path (config, "linux", "seccomp", NULL), "linux.seccomp", &c, &err)
      < 0)
    ck_abort_msg ("%s", err->msg);
  r = intersect (c, p, &notes);
  check_intersection (c, p, r, true);
  ck_assert_uint_eq (r->n_arches, 1); /* x86 and x32 dropped */
  ck_assert_uint_gt (notes.len, 0);   /* ... and said so */
  hs_sc_notes_release (&notes);
  hs_sc_profile_free (r);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
  hs_json_free (config);
  free (text);
}
END_TEST

typedef struct
{
  const char *name;
  const char *container;
  const char *syscall;
  uint64_t args[6];
  verdict_t want;
} merge_case_t;

/* One case per line: the table reads as a table. */
/* clang-format off */
static const merge_case_t merge_cases[] = {
  /* an ALLOW-default container: the policy's refusals apply, its own stay */
  { "allow-default", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
                     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
    "mkdir", { 0 }, REFUSE (EACCES) },
  { "allow-default", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "unshare", { 0 }, REFUSE (EPERM) },
  { "allow-default", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "read", { 0 }, ALLOW },
  { "allow-default", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "mseal", { 0 }, REFUSE (ENOSYS) },
  { "allow-default", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "socket", { 2, 1 }, ALLOW },
  { "allow-default", "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "socket", { 38, 1 }, REFUSE (EPERM) },
  /* a container refusing socket families by argument */
  { "deny-inet6", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"socket\"],"
                  "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":97,\"args\":[{\"index\":0,\"value\":10,"
                  "\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "socket", { 10, 1 }, REFUSE (97) },
  { "deny-inet6", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"socket\"],"
                  "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":97,\"args\":[{\"index\":0,\"value\":10,"
                  "\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "socket", { 2, 1 }, ALLOW },
  /* container allows everything the policy refuses: still refused */
  { "allow-mount", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"mount\","
                   "\"unshare\",\"read\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "mount", { 0 }, REFUSE (EPERM) },
  { "allow-mount", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"mount\","
                   "\"unshare\",\"read\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "clone", { CLONE_NEWUSER_ }, REFUSE (EPERM) },
  { "allow-mount", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"mount\","
                   "\"unshare\",\"read\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "clone", { 17 }, ALLOW },
  /* container's default errno is kept where both refuse by default */
  { "allow-mount", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"mount\","
                   "\"unshare\",\"read\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "write", { 0 }, REFUSE (EPERM) },
  /* stricter default actions win */
  { "kill-default", "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{\"names\":[\"read\"],"
                    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "write", { 0 }, { HS_SC_KILL_PROCESS, 0 } },
  { "kill-default", "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{\"names\":[\"read\"],"
                    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "read", { 0 }, ALLOW },
  /* NOTIFY stays NOTIFY where the policy allows, refused where it refuses */
  { "notify", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\","
              "\"syscalls\":[{\"names\":[\"mknod\",\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
    "mknod", { 0 }, { HS_SC_NOTIFY, 0 } },
  { "notify", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\","
              "\"syscalls\":[{\"names\":[\"mknod\",\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
    "mount", { 0 }, REFUSE (EPERM) },
  { "notify", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\","
              "\"syscalls\":[{\"names\":[\"mknod\",\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
    "read", { 0 }, ALLOW },
  /* argument conditions combine: personality(8) only if both allow 8 */
  { "personality", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"personality\"],"
                   "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":16,"
                   "\"op\":\"SCMP_CMP_LT\"}]}]}",
    "personality", { 8 }, ALLOW },
  { "personality", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"personality\"],"
                   "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":16,"
                   "\"op\":\"SCMP_CMP_LT\"}]}]}",
    "personality", { 0xffffffff }, REFUSE (EPERM) },
  { "personality", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"personality\"],"
                   "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":16,"
                   "\"op\":\"SCMP_CMP_LT\"}]}]}",
    "personality", { 3 }, REFUSE (EPERM) }, /* filtered by argument: the default's errno */
  /* masked conditions combine into one: clone without NEWNET on the
   * container's side, without any CLONE_NEW* on the policy's */
  { "masked", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"clone\"],"
              "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1073741824,"
              "\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
    "clone", { 17 }, ALLOW },
  { "masked", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"clone\"],"
              "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1073741824,"
              "\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
    "clone", { CLONE_NEWNS_ }, REFUSE (EPERM) },
  /* a refusal with two conditions on one argument: the wider (runc) reading */
  { "dup-refusal", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"socket\"],"
                   "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":[{\"index\":0,\"value\":2,"
                   "\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "socket", { 10, 1 }, REFUSE (EPERM) },
  { "dup-refusal", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"socket\"],"
                   "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":[{\"index\":0,\"value\":2,"
                   "\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "socket", { 1, 1 }, ALLOW },
};
/* clang-format on */

START_TEST (test_intersect_table)
{
  const merge_case_t *m = &merge_cases[_i];
  hs_sc_profile_t *c = from_oci_text (m->container);
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true);
  hs_sc_profile_t *r = intersect (c, p, NULL);

  expect_call (r, m->name, m->syscall, m->args, m->want);
  check_intersection (c, p, r, false);
  hs_sc_profile_free (r);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
}
END_TEST

/* A refusal without conditions beside conditional ones of another errno
 * (fuzz_seccomp regression roundtrip-errno-whole-refusal): libseccomp
 * answers with the unconditional one whatever the order, so the
 * intersection keeps only it, and means the same after the OCI round trip
 * (which emits unconditional rules first). */
START_TEST (test_intersect_whole_refusal)
{
  hs_sc_profile_t *c = from_oci_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
      "{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22,"
      "\"args\":[{\"index\":0,\"value\":16,\"op\":\"SCMP_CMP_EQ\"},"
      "{\"index\":2,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]},"
      "{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}");
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true);
  hs_sc_profile_t *r = intersect (c, p, NULL), *rt = NULL;
  cleanup_json hs_json_t *oci = hs_sc_to_oci (r);
  hs_error_t err = NULL;
  size_t n = 0;

  for (size_t i = 0; i < r->n_rules; i++)
    if (strcmp (r->rules[i].name, "getpriority") == 0)
      {
        n++;
        ck_assert_uint_eq (r->rules[i].nargs, 0);
        ck_assert_uint_eq (r->rules[i].errno_ret, 1);
      }
  ck_assert_uint_eq (n, 1);
  ck_assert_int_eq (hs_sc_from_oci (oci, "linux.seccomp", &rt, &err), 0);
  expect_call (r, "whole", "getpriority", A (16, 0, 9), REFUSE (1));
  expect_call (rt, "whole after the round trip", "getpriority", A (16, 0, 9), REFUSE (1));
  check_intersection (c, p, r, false);
  hs_sc_profile_free (rt);
  hs_sc_profile_free (r);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
}
END_TEST

/* What the rule above relies on, measured on this libseccomp: a real
 * filter, loaded in a child, in both rule orders. */
START_TEST (test_libseccomp_whole_rule_wins)
{
  for (int order = 0; order < 2; order++)
    {
      pid_t pid = fork ();
      int status;

      ck_assert_int_ge (pid, 0);
      if (pid == 0)
        {
          scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
          struct scmp_arg_cmp cmp[2] = { SCMP_A0 (SCMP_CMP_EQ, 16), SCMP_A2 (SCMP_CMP_EQ, 9) };
          int nr = SCMP_SYS (getpriority);

          if (ctx == NULL)
            _exit (10);
          if (order == 0
              && (seccomp_rule_add_array (ctx, SCMP_ACT_ERRNO (22), nr, 2, cmp) < 0
                  || seccomp_rule_add (ctx, SCMP_ACT_ERRNO (1), nr, 0) < 0))
            _exit (11);
          if (order == 1
              && (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (1), nr, 0) < 0
                  || seccomp_rule_add_array (ctx, SCMP_ACT_ERRNO (22), nr, 2, cmp) < 0))
            _exit (11);
          if (seccomp_load (ctx) < 0)
            _exit (12);
          errno = 0;
          if (syscall (SYS_getpriority, 16, 0, 9) != -1)
            _exit (13);
          _exit (errno == 1 ? 0 : errno == 22 ? 22 : 14);
        }
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);
      ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0,
                     "order %d: libseccomp answered %d, not the unconditional rule's errno 1",
                     order, WIFEXITED (status) ? WEXITSTATUS (status) : -1);
    }
}
END_TEST

/* fuzz findings whose intersection had ~120 overlapping socket
 * allowances (the container's `arg2 != 4`, `arg0 != 16`, `arg2 != 9` cover
 * every call, crossed with the policy's rules): libseccomp spent the whole
 * 10 s validation bound on them and the container was refused. Simplified,
 * they validate at once. Selector byte as in tests/fuzz/fuzz_seccomp.c. */
static const struct
{
  const char *file;
  bool whole_config;
} slow_inputs[] = {
  { "fuzz_seccomp/redundant-allowances-libseccomp-slow", false },
  { "fuzz_harden/redundant-allowances-libseccomp-slow", true },
};

START_TEST (test_intersect_redundant_allowances)
{
  static const char *const caps[] = { NO_CAPS, DOCKER_CAPS, ADMIN_CAPS,
                                      "[\"CAP_NET_RAW\",\"CAP_SYS_PTRACE\",\"CAP_SYS_MODULE\","
                                      "\"CAP_BPF\"]" };
  cleanup_free char *path
      = hs_xasprintf ("%s/../fuzz/regressions/%s", TEST_DATA_DIR, slow_inputs[_i].file);
  size_t len;
  cleanup_free char *data = test_read_file (path, &len);
  unsigned b = (unsigned char) data[0];
  cleanup_json hs_json_t *tree = NULL;
  hs_sc_profile_t *c = NULL, *r, *p;
  hs_sc_notes_t notes = { 0 };
  hs_error_t err = NULL;
  bool cached;

  if (slow_inputs[_i].whole_config)
    b = 0; /* fuzz_harden: the config's own facts; the generation context of byte 0 */
  p = gen ("SCMP_ARCH_X86_64", (b >> 1) & 1, 6, 1, caps[(b >> 2) % 4], b & 1);
  ck_assert_int_eq (hs_json_parse (data + 1, len - 1, &hs_spec_limits, &tree, NULL), 0);
  ck_assert_int_eq (hs_sc_from_oci (slow_inputs[_i].whole_config
                                        ? hs_json_path (tree, "linux", "seccomp", NULL)
                                        : tree,
                                    "linux.seccomp", &c, &err),
                    0);
  r = intersect (c, p, &notes);
  check_intersection (c, p, r, true);
  ck_assert_msg (hs_sc_validate (r, NULL, &notes, &cached, &err) == 0, "%s", err->msg);
  hs_sc_notes_release (&notes);
  hs_sc_profile_free (r);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
}
END_TEST

START_TEST (test_intersect_self)
{
  static const char *const caps[] = { DOCKER_CAPS, NO_CAPS, ADMIN_CAPS };
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, caps[_i], true);
  hs_sc_notes_t notes = { 0 };
  hs_sc_profile_t *r = intersect (p, p, &notes);

  check_intersection (p, p, r, true);
  /* nothing lost, nothing to say (disjoint pairs and aligned blocks
   * intersect exactly; before, `socket` pairs left notes of lost rules) */
  ck_assert_msg (notes.len == 0, "%zu notes, first: %s", notes.len, notes.items[0]);
  ck_assert_uint_eq (r->n_rules, p->n_rules);
  hs_sc_notes_release (&notes);
  hs_sc_profile_free (r);
  hs_sc_profile_free (p);
}
END_TEST

START_TEST (test_intersect_extras)
{
  hs_sc_profile_t *c = from_oci_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
      "\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_"
      "LOG\"],"
      "\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\"}");
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", true, 6, 1, NO_CAPS, true);
  hs_sc_notes_t notes = { 0 };
  hs_sc_profile_t *r = intersect (c, p, &notes);
  hs_json_t *oci = hs_sc_to_oci (r);
  char *out = test_emit (hs_json_get (oci, "flags"));

  ck_assert_str_eq (out, "[\"SECCOMP_FILTER_FLAG_LOG\"]");
  ck_assert_str_eq (hs_json_get (oci, "listenerPath")->str, "/run/agent.sock");
  ck_assert_str_eq (hs_json_get (oci, "listenerMetadata")->str, "m");
  /* x32 is the policy's but not the container's: not admitted */
  ck_assert_uint_eq (r->n_arches, 2);
  ck_assert_str_eq (r->arches[1], "SCMP_ARCH_X86");
  ck_assert_ptr_nonnull (strstr (notes.items[0], "SCMP_ARCH_X32"));
  ck_assert_ptr_nonnull (strstr (notes.items[1], "SPEC_ALLOW"));
  hs_sc_notes_release (&notes);
  free (out);
  hs_json_free (oci);
  hs_sc_profile_free (r);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
}
END_TEST

/* Bad container profiles are errors that name the field. */
static const struct
{
  const char *profile;
  const char *message;
} bad_profiles[] = {
  { "{\"defaultAction\":\"SCMP_ACT_MAYBE\"}", "unknown seccomp action" },
  { "{\"syscalls\":[]}", "defaultAction" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
    "architectures[0]" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "not below 6" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "not an unsigned integer" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}",
    "unknown seccomp operator" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"socket\"],"
    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
    "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "several conditions on one argument" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
    "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{}}]}",
    "syscalls[0].includes" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":99999}", "not an errno" },
};

START_TEST (test_bad_container_profiles)
{
  hs_json_t *v = test_parse (bad_profiles[_i].profile);
  hs_sc_profile_t *p = NULL;
  hs_error_t err = NULL;

  ck_assert_int_lt (hs_sc_from_oci (v, "linux.seccomp", &p, &err), 0);
  ck_assert_msg (strstr (err->msg, bad_profiles[_i].message) != NULL, "%s", err->msg);
  hs_error_release (&err);
  hs_json_free (v);
}
END_TEST

START_TEST (test_too_many_rules)
{
  size_t cap = 128 + (HS_SC_MAX_RULES + 1) * 12;
  char *text = hs_xmalloc (cap), *at = text;
  hs_json_t *v;
  hs_sc_profile_t *p = NULL;
  hs_error_t err = NULL;

  at += sprintf (at, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[");
  for (int i = 0; i <= HS_SC_MAX_RULES; i++)
    at += sprintf (at, "%s\"n%d\"", i ? "," : "", i);
  sprintf (at, "],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  v = test_parse (text);
  ck_assert_int_lt (hs_sc_from_oci (v, "linux.seccomp", &p, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "rules"));
  hs_error_release (&err);
  hs_json_free (v);
  free (text);
}
END_TEST

/* More conditional rules for one syscall than the intersection holds
 * pieces for (2048): the rest are refused with a note, never an overflow. */
START_TEST (test_intersect_many_rules_one_syscall)
{
  size_t cap = 256 + 5000 * 128;
  char *text = hs_xmalloc (cap), *at = text;
  hs_sc_profile_t *c, *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true), *r;
  hs_sc_notes_t notes = { 0 };
  size_t reads = 0;
  bool noted = false;

  at += sprintf (at, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
  for (int i = 0; i < 5000; i++)
    at += sprintf (at,
                   "%s{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
                   "[{\"index\":0,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}]}",
                   i ? "," : "", i);
  sprintf (at, "]}");
  c = from_oci_text (text);
  r = intersect (c, p, &notes);
  for (size_t i = 0; i < r->n_rules; i++)
    if (strcmp (r->rules[i].name, "read") == 0 && r->rules[i].action == HS_SC_ALLOW)
      {
        ck_assert_uint_eq (r->rules[i].nargs, 1);
        ck_assert_uint_lt (r->rules[i].args[0].value, 5000);
        reads++;
      }
  ck_assert_uint_gt (reads, 0);
  ck_assert_uint_lt (reads, 5000);
  for (size_t i = 0; i < notes.len; i++)
    noted = noted || strstr (notes.items[i], "allowances beyond the 2048") != NULL;
  ck_assert (noted);
  hs_sc_notes_release (&notes);
  hs_sc_profile_free (r);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
  free (text);
}
END_TEST

START_TEST (test_intersect_unknown_flag)
{
  hs_sc_profile_t *c = from_oci_text ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"X\"]}");
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true), *r = NULL;
  hs_error_t err = NULL;

  ck_assert_int_lt (hs_sc_intersect (c, p, "SCMP_ARCH_X86_64", &r, NULL, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "unknown flag"));
  hs_error_release (&err);
  hs_sc_profile_free (c);
  hs_sc_profile_free (p);
}
END_TEST

/* ---- source format errors ------------------------------------------------ */

static const struct
{
  const char *source;
  const char *message;
} bad_sources[] = {
  { "{\"groups\":[]}", "hardshim_seccomp" },
  { "{\"hardshim_seccomp\":1,\"groups\":[],\"extra\":1}", "`extra`: unknown key" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\"}]}", "exactly one of" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"allow\":[\"read\"],\"errno\":\"EPERM\"}]"
    "}",
    "only for `refuse` groups" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"refuse\":[\"read\"],\"errno\":\"EWHAT\"}"
    "]}",
    "errno name" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"allow\":[\"read\"],\"when\":{\"caps\":1}"
    "}]}",
    "when.caps" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"allow\":[\"read\"],\"when\":{"
    "\"minKernel\":\"4\"}}]}",
    "MAJOR.MINOR" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"allow\":[\"read\"],\"when\":{\"arches\":"
    "[\"SCMP_ARCH_Z80\"]}}]}",
    "unknown architecture" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"allow\":[\"read\"],\"when\":{\"ifFull\":"
    "true}}]}",
    "unknown condition" },
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"g\",\"allow\":[\"socket\"],\"args\":["
    "{\"index\":0,\"op\":\"SCMP_CMP_EQ\",\"value\":1},{\"index\":0,\"op\":\"SCMP_CMP_EQ\","
    "\"value\":2}]}]}",
    "has a condition already" },
  /* allowed and refused for the same arguments: a mistake, not a coin toss */
  { "{\"hardshim_seccomp\":1,\"groups\":[{\"name\":\"a\",\"allow\":[\"socket\"],\"args\":["
    "{\"index\":0,\"op\":\"SCMP_CMP_LT\",\"value\":40}]},{\"name\":\"r\",\"refuse\":[\"socket\"],"
    "\"args\":[{\"index\":1,\"op\":\"SCMP_CMP_EQ\",\"value\":3}]}]}",
    "both allowed and refused" },
};

START_TEST (test_bad_sources)
{
  hs_json_t *v = test_parse (bad_sources[_i].source);
  hs_sc_context_t ctx = { "SCMP_ARCH_X86_64", false, 6, 1, NULL, true };
  hs_sc_profile_t *p = NULL;
  hs_error_t err = NULL;

  ck_assert_int_lt (hs_sc_generate (v, &ctx, &p, &err), 0);
  ck_assert_msg (strstr (err->msg, bad_sources[_i].message) != NULL, "%s", err->msg);
  hs_error_release (&err);
  hs_json_free (v);
}
END_TEST

/* Conditions of a trimmed source: each group applies exactly when its
 * `when` holds. */
START_TEST (test_source_conditions)
{
  hs_json_t *src = test_parse (
      "{\"hardshim_seccomp\":1,\"refuse\":[\"setuid\",\"mount\"],\"groups\":["
      "{\"name\":\"runtime\",\"when\":{\"noNewPrivileges\":false},\"allow\":[\"setuid\"]},"
      "{\"name\":\"admin\",\"when\":{\"caps\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_BOOT\"]},"
      "\"allow\":[\"mount\"]},"
      "{\"name\":\"new\",\"when\":{\"minKernel\":\"6.10\",\"notArches\":[\"SCMP_ARCH_X86\"]},"
      "\"allow\":[\"mseal\"]}]}");
  hs_json_t *both = test_parse ("[\"CAP_SYS_ADMIN\",\"CAP_SYS_BOOT\"]");
  hs_json_t *one = test_parse ("[\"CAP_SYS_ADMIN\"]");
  struct
  {
    hs_sc_context_t ctx;
    const char *name;
    verdict_t want;
  } cases[] = {
    { { "SCMP_ARCH_X86_64", false, 6, 1, NULL, false }, "setuid", ALLOW },
    { { "SCMP_ARCH_X86_64", false, 6, 1, NULL, true }, "setuid", REFUSE (EPERM) },
    { { "SCMP_ARCH_X86_64", false, 6, 1, both, true }, "mount", ALLOW },
    { { "SCMP_ARCH_X86_64", false, 6, 1, one, true }, "mount", REFUSE (EPERM) },
    { { "SCMP_ARCH_X86_64", false, 6, 10, NULL, true }, "mseal", ALLOW },
    { { "SCMP_ARCH_X86_64", false, 6, 9, NULL, true }, "mseal", REFUSE (ENOSYS) },
    { { "SCMP_ARCH_X86_64", true, 6, 10, NULL, true }, "mseal", REFUSE (ENOSYS) },
    { { "SCMP_ARCH_X86_64", false, 7, 0, NULL, true }, "mseal", ALLOW },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      hs_sc_profile_t *p = NULL;
      hs_error_t err = NULL;
      char label[32];

      if (hs_sc_generate (src, &cases[i].ctx, &p, &err) < 0)
        ck_abort_msg ("%s", err->msg);
      snprintf (label, sizeof (label), "case %zu", i);
      expect_call (p, label, cases[i].name, A (0), cases[i].want);
      hs_sc_profile_free (p);
    }
  hs_json_free (src);
  hs_json_free (both);
  hs_json_free (one);
}
END_TEST

/* ---- validation and cache ------------------------------------------------ */

static char *
temp_dir (void)
{
  char *d = hs_xstrdup ("/tmp/hs-check-seccomp.XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (d));
  return d;
}

START_TEST (test_validate_drops_unknown_names)
{
  hs_sc_profile_t *p = from_oci_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{\"names\":"
      "[\"read\",\"no_such_syscall_hs\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  hs_sc_notes_t notes = { 0 };
  hs_error_t err = NULL;
  bool cached = true;

  if (hs_sc_validate (p, NULL, &notes, &cached, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  ck_assert (!cached);
  ck_assert_uint_eq (p->n_rules, 1);
  ck_assert_str_eq (p->rules[0].name, "read");
  ck_assert_uint_eq (notes.len, 1);
  ck_assert_ptr_nonnull (strstr (notes.items[0], "no_such_syscall_hs"));
  hs_sc_notes_release (&notes);
  hs_sc_profile_free (p);
}
END_TEST

START_TEST (test_validate_refuses_what_libseccomp_refuses)
{
  /* A big-endian architecture cannot join a little-endian filter. */
  hs_sc_profile_t *p = from_oci_text ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
                                      "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_S390X\"]}");
  hs_error_t err = NULL;
  bool cached;

  ck_assert_int_lt (hs_sc_validate (p, NULL, NULL, &cached, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "SCMP_ARCH_S390X"));
  hs_error_release (&err);
  hs_sc_profile_free (p);
}
END_TEST

/* A profile whose validation once used up the CPU bound is refused at
 * once by later creates (the record the bound left), without libseccomp. */
START_TEST (test_validate_cache_too_complex)
{
  char *dir = temp_dir ();
  char *state = hs_xasprintf ("%s/state", dir);
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", true, 6, 1, DOCKER_CAPS, true);
  hs_error_t err = NULL;
  bool cached = true;
  char *cmd;

  ck_assert_int_eq (hs_sc_validate (p, state, NULL, &cached, &err), 0);
  ck_assert (!cached);
  /* what build_filter_bounded writes when the child hit the CPU bound */
  cmd = hs_xasprintf ("for f in '%s'/seccomp/*.json; do echo '{\"too_complex\":true}' > \"$f\"; "
                      "done",
                      state);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  ck_assert_int_lt (hs_sc_validate (p, state, NULL, &cached, &err), 0);
  ck_assert_msg (strstr (err->msg, "more than 5 s of CPU") != NULL
                     && strstr (err->msg, "an earlier create") != NULL,
                 "%s", err->msg);
  hs_error_release (&err);
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (state);
  free (dir);
  hs_sc_profile_free (p);
}
END_TEST

START_TEST (test_validate_cache)
{
  char *dir = temp_dir ();
  char *state = hs_xasprintf ("%s/state", dir);
  hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", true, 6, 1, DOCKER_CAPS, true);
  hs_sc_profile_t *q = gen ("SCMP_ARCH_X86_64", true, 6, 1, DOCKER_CAPS, true);
  hs_sc_profile_t *other = gen ("SCMP_ARCH_X86_64", true, 6, 1, ADMIN_CAPS, true);
  hs_error_t err = NULL;
  bool cached = true;
  struct stat st;
  char *cmd;

  if (hs_sc_validate (p, state, NULL, &cached, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  ck_assert (!cached);
  ck_assert_int_eq (hs_sc_validate (q, state, NULL, &cached, &err), 0);
  ck_assert (cached);
  ck_assert_int_eq (hs_sc_validate (other, state, NULL, &cached, &err), 0);
  ck_assert (!cached); /* another profile, another digest */
  cmd = hs_xasprintf ("%s/seccomp", state);
  ck_assert_int_eq (stat (cmd, &st), 0);
  ck_assert_uint_eq (st.st_mode & 0777, 0700);
  free (cmd);
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (state);
  free (dir);
  hs_sc_profile_free (p);
  hs_sc_profile_free (q);
  hs_sc_profile_free (other);
}
END_TEST

/* 8 processes validating the same profile at once: all succeed, one entry. */
START_TEST (test_validate_cache_concurrent)
{
  char *dir = temp_dir ();
  char *state = hs_xasprintf ("%s/state", dir);
  char *cmd;
  pid_t pids[8];
  FILE *f;
  char line[64];

  for (int i = 0; i < 8; i++)
    {
      pids[i] = fork ();
      ck_assert_int_ge (pids[i], 0);
      if (pids[i] == 0)
        {
          hs_sc_profile_t *p = gen ("SCMP_ARCH_X86_64", false, 6, 1, NO_CAPS, true);
          hs_error_t err = NULL;
          bool cached;
          int r = hs_sc_validate (p, state, NULL, &cached, &err);
          hs_sc_profile_free (p);
          hs_error_release (&err);
          free (state);
          free (dir);
          _exit (r == 0 ? 0 : 1);
        }
    }
  for (int i = 0; i < 8; i++)
    {
      int st;
      ck_assert_int_eq (waitpid (pids[i], &st, 0), pids[i]);
      ck_assert (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    }
  cmd = hs_xasprintf ("ls '%s/seccomp' | grep -c json", state);
  f = popen (cmd, "r");
  ck_assert_ptr_nonnull (fgets (line, sizeof (line), f));
  pclose (f);
  ck_assert_str_eq (line, "1\n");
  free (cmd);
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (state);
  free (dir);
}
END_TEST

/* ---- the control: (config, policy) -> (config, verdict) ------------------- */

typedef struct
{
  const char *name;
  const char *config_extra; /* jq-free: spliced into the config object */
  const char *policy;
  bool admitted;
  const char *message; /* refusal text, or a text the resulting config contains */
} control_case_t;

/* One case per line: the table reads as a table. */
/* clang-format off */
static const control_case_t control_cases[] = {
  { "no profile: the policy's", "", "{\"seccomp\":{}}", true, "\"defaultErrnoRet\":38" },
  { "bpf annotation removed", ",\"annotations\":{\"run.oci.seccomp_bpf_data\":\"AAAA\"}",
    "{\"seccomp\":{}}", true, "\"org.hardshim.hardened\":" },
  { "reject mode refuses a config without the profile", "", "{\"seccomp\":{\"mode\":\"reject\"}}",
    false, "reject mode" },
  { "unknown profile refused", "", "{\"seccomp\":{\"profile\":\"nope\"}}", false,
    "no built-in of that name" },
  { "the old selection annotation is not read",
    ",\"annotations\":{\"org.hardshim.seccomp.profile\":\"extra\"}", "{\"seccomp\":{}}", true,
    "\"defaultErrnoRet\":38" },
  { "extra profile through an exception",
    ",\"annotations\":{\"org.hardshim.exception.seccomp.profile\":\"default\"}",
    "{\"seccomp\":{\"profile\":\"nope\",\"allowed_profiles\":[\"default\"],\"overridable\":true},"
    "\"exceptions\":{\"all\":{\"scope\":{},\"allow\":{\"seccomp\":{\"profile\":true}}}}}",
    true, "\"defaultErrnoRet\":38" },
  { "exception for a profile policy does not list",
    ",\"annotations\":{\"org.hardshim.exception.seccomp.profile\":\"extra\"}",
    "{\"seccomp\":{\"overridable\":true},"
    "\"exceptions\":{\"all\":{\"scope\":{},\"allow\":{\"seccomp\":{\"profile\":true}}}}}",
    false, "not in policy `seccomp.allowed_profiles`" },
  { "malformed existing profile refused",
    ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_SOMETIMES\"}}", "{\"seccomp\":{}}",
    false, "unknown seccomp action" },
  { "existing profile intersected",
    ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
    "[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}}",
    "{\"seccomp\":{}}", true, "\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13" },
  { "audit mode changes nothing", ",\"annotations\":{\"run.oci.seccomp_bpf_data\":\"AAAA\"}",
    "{\"mode\":\"audit\",\"seccomp\":{}}", true, "run.oci.seccomp_bpf_data" },
  { "off", "", "{\"seccomp\":{\"mode\":\"off\"}}", true, "\"ociVersion\"" },
  { "listenerPath refused by default",
    ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent.sock\"}}",
    "{\"seccomp\":{}}", false,
    "seccomp listener socket /run/agent.sock is not allowed by host policy: the runtime would hand it "
    "the container's seccomp notify fd (list it in seccomp.listener_paths) (control `seccomp`, "
    "`linux.seccomp.listenerPath`)" },
  { "listenerPath the policy names kept",
    ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent.sock\","
    "\"listenerMetadata\":\"m\"}}",
    "{\"seccomp\":{\"listener_paths\":[\"/run/agent.sock\"]}}", true,
    "\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\"" },
  { "listenerPath another than the one the policy names refused",
    ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\"}}",
    "{\"seccomp\":{\"listener_paths\":[\"/run/agent.sock\"]}}", false,
    "seccomp listener socket /run/x.sock is not allowed" },
  { "empty listenerPath is none",
    ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"\"}}",
    "{\"seccomp\":{}}", true, "\"defaultErrnoRet\":38" },
};
/* clang-format on */

/* The control caches its whole outcome: a second identical container gets
 * the same profile and notes from <state_dir>/seccomp (proved by editing
 * the cached record), another capability set does not. */
static size_t
seccomp_notes (const hs_audit_t *a)
{
  char *line;
  size_t n = 0;

  for (size_t i = 0; i < a->len; i++)
    {
      line = hs_audit_line (a, i);
      n += strstr (line, "\"control\":\"seccomp\"") && strstr (line, "\"action\":\"note\"");
      free (line);
    }
  return n;
}

/* `config` hardened with the default policy and state under `dir`; the
 * audit trail goes to `audit` (the caller releases it). */
static hs_json_t *
harden_in (const char *dir, const char *config, hs_audit_t *audit)
{
  char *policy_text = hs_xasprintf ("{\"state_dir\":\"%s/run\"}", dir);
  hs_policy_t *policy = NULL;
  hs_json_t *spec = test_parse (config);
  hs_host_t host = { 0 };
  hs_error_t err = NULL;

  if (hs_policy_from_text (policy_text, "test", &policy, &err) < 0
      || hs_policy_validate_controls (policy, &err) < 0)
    ck_abort_msg ("policy: %s", err->msg);
  hs_audit_init (audit, "create", "id", "/b", NULL);
  if (hs_harden_spec (spec, policy, &host, audit, &err) < 0)
    ck_abort_msg ("refused: %s", err->msg);
  hs_policy_free (policy);
  free (policy_text);
  return spec;
}

/* linux.seccomp after hardening `config` with state under `dir`, and the
 * number of seccomp notes. */
static char *
harden_with (const char *dir, const char *config, size_t *ret_notes)
{
  hs_audit_t audit;
  hs_json_t *spec = harden_in (dir, config, &audit);
  char *out = test_emit (hs_json_path (spec, "linux", "seccomp", NULL));

  *ret_notes = seccomp_notes (&audit);
  hs_audit_release (&audit);
  hs_json_free (spec);
  return out;
}

START_TEST (test_result_cache)
{
  static const char *const cfg_fmt
      = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":"
        "[\"sh\"],\"cwd\":\"/\",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":"
        "[\"%s\"]}},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
        /* x86 is not admitted by policy: a note the cache must replay */
        "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
        "\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
        "\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_GT\"},{\"index\":1,\"value\":8,"
        "\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}}}";
  char *cfg = hs_xasprintf (cfg_fmt, "CAP_CHOWN"),
       *with_admin = hs_xasprintf (cfg_fmt, "CAP_SYS_ADMIN");
  char *dir = temp_dir (), *cmd, *first, *second, *other, *edited, *seccomp_dir;
  size_t n1, n2, n3, n4;
  int results = 0;
  FILE *f;

  first = harden_with (dir, cfg, &n1);
  second = harden_with (dir, cfg, &n2);
  ck_assert_str_eq (first, second);
  ck_assert_uint_gt (n1, 0);
  ck_assert_uint_eq (n1, n2);
  /* the cached record is what the next container gets */
  seccomp_dir = hs_xasprintf ("%s/run/seccomp", dir);
  cmd = hs_xasprintf ("for f in '%s'/*.result.json; do sed -i 's/SCMP_ACT_ERRNO/SCMP_ACT_KILL/g' "
                      "\"$f\"; done; ls '%s' | grep -c 'result.json$'",
                      seccomp_dir, seccomp_dir);
  f = popen (cmd, "r");
  ck_assert_int_eq (fscanf (f, "%d", &results), 1);
  pclose (f);
  ck_assert_int_eq (results, 1);
  free (cmd);
  edited = harden_with (dir, cfg, &n3);
  ck_assert_ptr_nonnull (strstr (edited, "SCMP_ACT_KILL"));
  ck_assert_uint_eq (n3, n1);
  /* other capabilities: another key, computed afresh */
  other = harden_with (dir, with_admin, &n4);
  ck_assert_ptr_null (strstr (other, "SCMP_ACT_KILL"));
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (seccomp_dir);
  free (with_admin);
  free (cfg);
  free (first);
  free (second);
  free (edited);
  free (other);
  free (dir);
}
END_TEST

/* The whole config after hardening `config` with state under `dir`, and
 * how many changes the seccomp control made. */
static char *
harden_full (const char *dir, const char *config, size_t *ret_changes)
{
  hs_audit_t audit;
  hs_json_t *spec = harden_in (dir, config, &audit);
  char *out = test_emit (spec);

  *ret_changes = 0;
  for (size_t i = 0; i < audit.len; i++)
    *ret_changes += strcmp (audit.items[i].control, "seccomp") == 0
                    && strcmp (audit.items[i].action, HS_ACT_CHANGED) == 0;
  hs_audit_release (&audit);
  hs_json_free (spec);
  return out;
}

static int
shell_count (const char *cmd)
{
  FILE *f = popen (cmd, "r");
  int n = -1;

  ck_assert_ptr_nonnull (f);
  ck_assert_int_eq (fscanf (f, "%d", &n), 1);
  pclose (f);
  return n;
}

/* A config that already has its outcome is recorded as "unchanged", without
 * a profile, and keeps its own profile byte for byte, cached or not; a
 * record that contradicts itself is not trusted. */
START_TEST (test_result_cache_unchanged)
{
  static const char *const cfg
      = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":"
        "[\"sh\"],\"cwd\":\"/\",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":"
        "[\"CAP_CHOWN\"]}},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
        "\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}";
  char *dir = temp_dir (), *hardened, *again, *cached, *redone, *cmd;
  size_t changes = 99;

  hardened = harden_full (dir, cfg, &changes);
  ck_assert_uint_eq (changes, 1);
  again = harden_full (dir, hardened, &changes);
  ck_assert_uint_eq (changes, 0);
  ck_assert_str_eq (again, hardened);
  cmd = hs_xasprintf ("grep -l '\"unchanged\":true' '%s'/run/seccomp/*.result.json "
                      "| xargs grep -L '\"seccomp\"' | wc -l",
                      dir);
  ck_assert_int_eq (shell_count (cmd), 1);
  free (cmd);
  cached = harden_full (dir, hardened, &changes);
  ck_assert_uint_eq (changes, 0);
  ck_assert_str_eq (cached, hardened);
  /* "unchanged" with a profile in it: recomputed, not believed */
  cmd = hs_xasprintf (
      "sed -i 's/\"unchanged\":false/\"unchanged\":true/' '%s'/run/seccomp/*.result.json; "
      "grep -l '\"seccomp\"' '%s'/run/seccomp/*.result.json "
      "| xargs grep -l '\"unchanged\":true' | wc -l",
      dir, dir);
  ck_assert_int_eq (shell_count (cmd), 1);
  free (cmd);
  redone = harden_full (dir, cfg, &changes);
  ck_assert_uint_eq (changes, 1);
  ck_assert_str_eq (redone, hardened);
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (hardened);
  free (again);
  free (cached);
  free (redone);
  free (dir);
}
END_TEST

START_TEST (test_control_table)
{
  const control_case_t *c = &control_cases[_i];
  char *dir = temp_dir ();
  char *policy_text = hs_xasprintf ("{\"state_dir\":\"%s/run\",%s", dir, c->policy + 1);
  char *config = hs_xasprintf ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                               "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"noNewPrivileges\":"
                               "true}%s}",
                               c->config_extra);
  hs_policy_t *policy = NULL;
  hs_json_t *spec = test_parse (config);
  hs_error_t err = NULL;
  hs_audit_t audit;
  hs_host_t host = { 0 };
  char *out, *cmd;
  int r;

  if (hs_policy_from_text (policy_text, "test", &policy, &err) < 0
      || hs_policy_validate_controls (policy, &err) < 0)
    ck_abort_msg ("policy: %s", err->msg);
  hs_audit_init (&audit, "create", "id", "/b", policy->digest);
  r = hs_harden_spec (spec, policy, &host, &audit, &err);
  out = test_emit (spec);
  if (c->admitted)
    {
      ck_assert_msg (r == 0, "%s: refused: %s", c->name, err ? err->msg : "");
      ck_assert_msg (strstr (out, c->message) != NULL, "%s: %s", c->name, out);
      if (strstr (c->name, "annotation removed"))
        ck_assert (strstr (out, "seccomp_bpf_data") == NULL);
      if (strcmp (c->name, "off") == 0)
        ck_assert (strstr (out, "seccomp\"") == NULL);
      /* Hardening the result again changes nothing (fuzz_harden found the
       * intersection reordering hardshim's own profile). */
      {
        hs_json_t *again = test_parse (out);
        hs_audit_t audit2;

        hs_audit_init (&audit2, "create", "id", "/b", policy->digest);
        ck_assert_int_eq (hs_harden_spec (again, policy, &host, &audit2, &err), 0);
        ck_assert_msg (hs_audit_count (&audit2, HS_ACT_CHANGED) == 0, "%s: not idempotent",
                       c->name);
        hs_audit_release (&audit2);
        hs_json_free (again);
      }
    }
  else
    {
      ck_assert_msg (r < 0, "%s: admitted: %s", c->name, out);
      ck_assert_msg (strstr (err->msg, c->message) != NULL, "%s: %s", c->name, err->msg);
      hs_error_release (&err);
    }
  hs_audit_release (&audit);
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (out);
  free (config);
  free (policy_text);
  free (dir);
  hs_json_free (spec);
  hs_policy_free (policy);
}
END_TEST

static const struct
{
  const char *policy;
  const char *message;
} bad_settings[] = {
  { "{\"seccomp\":{\"profil\":\"default\"}}", "seccomp.profil" },
  { "{\"seccomp\":{\"profile\":\"../etc/x\"}}", "seccomp.profile" },
  { "{\"seccomp\":{\"profile_dir\":\"relative\"}}", "seccomp.profile_dir" },
  { "{\"seccomp\":{\"compat_arches\":\"yes\"}}", "seccomp.compat_arches" },
  { "{\"seccomp\":{\"allowed_profiles\":[\"a/b\"]}}", "seccomp.allowed_profiles[0]" },
  { "{\"seccomp\":{\"listener_paths\":[\"run/a.sock\"]}}", "seccomp.listener_paths[0]" },
};

START_TEST (test_bad_settings)
{
  hs_policy_t *policy = NULL;
  hs_error_t err = NULL;

  if (hs_policy_from_text (bad_settings[_i].policy, "test", &policy, &err) == 0)
    ck_assert_int_lt (hs_policy_validate_controls (policy, &err), 0);
  ck_assert_msg (strstr (err->msg, bad_settings[_i].message) != NULL, "%s", err->msg);
  hs_error_release (&err);
  hs_policy_free (policy);
}
END_TEST

static Suite *
seccomp_suite (void)
{
  Suite *s = suite_create ("seccomp");
  TCase *t = tcase_create ("core");

  tcase_set_timeout (t, 60);
  tcase_add_loop_test (t, test_generate_table, 0, sizeof (gen_cases) / sizeof (gen_cases[0]));
  tcase_add_test (t, test_generate_arches);
  tcase_add_test (t, test_generate_no_ambiguity);
  tcase_add_test (t, test_golden_profile);
  tcase_add_test (t, test_oci_roundtrip);
  tcase_add_loop_test (t, test_intersect_engine_profiles, 0,
                       3 * sizeof (containers) / sizeof (containers[0]));
  tcase_add_loop_test (t, test_intersect_table, 0, sizeof (merge_cases) / sizeof (merge_cases[0]));
  tcase_add_loop_test (t, test_intersect_self, 0, 3);
  tcase_add_test (t, test_intersect_whole_refusal);
  tcase_add_loop_test (t, test_intersect_redundant_allowances, 0,
                       sizeof (slow_inputs) / sizeof (slow_inputs[0]));
  tcase_add_test (t, test_libseccomp_whole_rule_wins);
  tcase_add_test (t, test_intersect_extras);
  tcase_add_test (t, test_intersect_unknown_flag);
  tcase_add_test (t, test_intersect_many_rules_one_syscall);
  tcase_add_test (t, test_too_many_rules);
  tcase_add_loop_test (t, test_bad_container_profiles, 0,
                       sizeof (bad_profiles) / sizeof (bad_profiles[0]));
  tcase_add_loop_test (t, test_bad_sources, 0, sizeof (bad_sources) / sizeof (bad_sources[0]));
  tcase_add_test (t, test_source_conditions);
  tcase_add_test (t, test_validate_drops_unknown_names);
  tcase_add_test (t, test_validate_refuses_what_libseccomp_refuses);
  tcase_add_test (t, test_validate_cache);
  tcase_add_test (t, test_validate_cache_too_complex);
  tcase_add_test (t, test_result_cache);
  tcase_add_test (t, test_result_cache_unchanged);
  tcase_add_test (t, test_validate_cache_concurrent);
  tcase_add_loop_test (t, test_control_table, 0,
                       sizeof (control_cases) / sizeof (control_cases[0]));
  tcase_add_loop_test (t, test_bad_settings, 0, sizeof (bad_settings) / sizeof (bad_settings[0]));
  suite_add_tcase (s, t);
  return s;
}

TEST_MAIN (seccomp_suite ())
