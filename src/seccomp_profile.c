#include "seccomp_internal.h"
#include "cleanup.h"
#include "seccomp_profiles.h"
#include "xalloc.h"

#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* ---- names ------------------------------------------------------------- */

const char *const hs_sc_action_names[] = {
  [HS_SC_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
  [HS_SC_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
  [HS_SC_KILL] = "SCMP_ACT_KILL",
  [HS_SC_TRAP] = "SCMP_ACT_TRAP",
  [HS_SC_ERRNO] = "SCMP_ACT_ERRNO",
  [HS_SC_TRACE] = "SCMP_ACT_TRACE",
  [HS_SC_NOTIFY] = "SCMP_ACT_NOTIFY",
  [HS_SC_LOG] = "SCMP_ACT_LOG",
  [HS_SC_ALLOW] = "SCMP_ACT_ALLOW",
};

const char *const hs_sc_op_names[] = {
  [HS_SC_NE] = "SCMP_CMP_NE",
  [HS_SC_LT] = "SCMP_CMP_LT",
  [HS_SC_LE] = "SCMP_CMP_LE",
  [HS_SC_EQ] = "SCMP_CMP_EQ",
  [HS_SC_GE] = "SCMP_CMP_GE",
  [HS_SC_GT] = "SCMP_CMP_GT",
  [HS_SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const struct
{
  const char *name;
  int value;
} errno_table[] = {
  { "EPERM", EPERM },
  { "ENOENT", ENOENT },
  { "EACCES", EACCES },
  { "EINVAL", EINVAL },
  { "ENOSYS", ENOSYS },
  { "EOPNOTSUPP", EOPNOTSUPP },
  { "ENOTSUP", ENOTSUP },
  { "EAFNOSUPPORT", EAFNOSUPPORT },
  { "EPROTONOSUPPORT", EPROTONOSUPPORT },
  { NULL, 0 },
};

int
hs_sc_errno_value (const char *name)
{
  for (size_t i = 0; errno_table[i].name; i++)
    if (strcmp (errno_table[i].name, name) == 0)
      return errno_table[i].value;
  return -1;
}

static const char *const known_arches[] = {
  "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     NULL,
};

bool
hs_sc_arch_known (const char *a)
{
  for (size_t i = 0; known_arches[i]; i++)
    if (strcmp (known_arches[i], a) == 0)
      return true;
  return false;
}

const char *const *
hs_sc_compat_arches (const char *native)
{
  static const char *const x86_64[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
  static const char *const aarch64[] = { "SCMP_ARCH_ARM", NULL };
  static const char *const none[] = { NULL };

  if (strcmp (native, "SCMP_ARCH_X86_64") == 0)
    return x86_64;
  if (strcmp (native, "SCMP_ARCH_AARCH64") == 0)
    return aarch64;
  return none;
}

void
hs_sc_context_host (hs_sc_context_t *ctx)
{
  static const struct
  {
    uint32_t token;
    const char *name;
  } map[] = {
    { SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64" },   { SCMP_ARCH_X86, "SCMP_ARCH_X86" },
    { SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64" }, { SCMP_ARCH_ARM, "SCMP_ARCH_ARM" },
    { SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE" }, { SCMP_ARCH_S390X, "SCMP_ARCH_S390X" },
    { SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64" },
  };
  uint32_t native = seccomp_arch_native ();
  struct utsname u;

  ctx->native_arch = "SCMP_ARCH_NATIVE_UNKNOWN";
  for (size_t i = 0; i < sizeof (map) / sizeof (map[0]); i++)
    if (map[i].token == native)
      ctx->native_arch = map[i].name;
  ctx->kernel_major = ctx->kernel_minor = 0;
  if (uname (&u) == 0)
    sscanf (u.release, "%u.%u", &ctx->kernel_major, &ctx->kernel_minor);
}

const char *
hs_sc_builtin_source (const char *name)
{
  if (strcmp (name, "default") == 0)
    return hs_seccomp_profile_default;
  return NULL;
}

/* ---- notes, profiles --------------------------------------------------- */

void
hs_sc_notes_release (hs_sc_notes_t *n)
{
  for (size_t i = 0; i < n->len; i++)
    free (n->items[i]);
  free (n->items);
  n->items = NULL;
  n->len = n->cap = 0;
}

void
hs_sc_notes_add (hs_sc_notes_t *n, const char *fmt, ...)
{
  va_list ap;

  if (n == NULL)
    return;
  n->items = hs_xgrow (n->items, &n->cap, n->len + 1, sizeof (char *));
  va_start (ap, fmt);
  n->items[n->len++] = hs_xvasprintf (fmt, ap);
  va_end (ap);
}

hs_sc_profile_t *
hs_sc_profile_free (hs_sc_profile_t *p)
{
  if (p == NULL)
    return NULL;
  for (size_t i = 0; i < p->n_rules; i++)
    free (p->rules[i].name);
  for (size_t i = 0; i < p->n_arches; i++)
    free (p->arches[i]);
  free (p->rules);
  free (p->arches);
  free (p->slots);
  hs_json_free (p->extra);
  free (p);
  return NULL;
}

hs_sc_profile_t *
hs_sc_profile_new (void)
{
  hs_sc_profile_t *p = hs_xcalloc (1, sizeof (*p));

  p->extra = hs_json_new (HS_JSON_OBJECT);
  return p;
}

uint32_t
hs_sc_name_hash (const char *s)
{
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 16777619u;
  return h;
}

/* Same syscall name; the hash makes the quadratic passes cheap. */
bool
hs_sc_same_name (const hs_sc_rule_t *a, const hs_sc_rule_t *b)
{
  return a->hash == b->hash && strcmp (a->name, b->name) == 0;
}

bool
hs_sc_rule_same (const hs_sc_rule_t *a, const hs_sc_rule_t *b)
{
  if (!hs_sc_same_name (a, b) || a->action != b->action || a->has_errno != b->has_errno
      || (a->has_errno && a->errno_ret != b->errno_ret) || a->nargs != b->nargs)
    return false;
  for (size_t i = 0; i < a->nargs; i++)
    if (a->args[i].index != b->args[i].index || a->args[i].op != b->args[i].op
        || a->args[i].value != b->args[i].value || a->args[i].value_two != b->args[i].value_two)
      return false;
  return true;
}

/* Equal for rules hs_sc_rule_same calls the same. */
static size_t
rule_hash (const hs_sc_rule_t *r)
{
  uint64_t h = r->hash;

  h = h * 31 + r->action;
  h = h * 31 + (r->has_errno ? 1 + (uint64_t) r->errno_ret : 0);
  h = h * 31 + r->nargs;
  for (size_t i = 0; i < r->nargs; i++)
    h = (((h * 31 + r->args[i].index) * 31 + r->args[i].op)
         ^ (r->args[i].value * 0x9e3779b97f4a7c15ull))
        + r->args[i].value_two;
  return (size_t) (h ^ (h >> 29));
}

static void
index_insert (hs_sc_profile_t *p, size_t i)
{
  size_t s = rule_hash (&p->rules[i]) & (p->n_slots - 1);

  while (p->slots[s] != 0)
    s = (s + 1) & (p->n_slots - 1);
  p->slots[s] = i + 1;
}

/* Keep the index over every rule, at most half full. */
static void
index_update (hs_sc_profile_t *p)
{
  if (p->n_slots < 2 * (p->n_rules + 1))
    {
      size_t n = 64;
      while (n < 4 * (p->n_rules + 1))
        n *= 2;
      free (p->slots);
      p->slots = hs_xcalloc (n, sizeof (size_t));
      p->n_slots = n;
      p->n_indexed = 0;
    }
  for (; p->n_indexed < p->n_rules; p->n_indexed++)
    index_insert (p, p->n_indexed);
}

/* Append a copy of `r` (args must be sorted, one per index); duplicates are skipped. */
void
hs_sc_profile_add (hs_sc_profile_t *p, const hs_sc_rule_t *given)
{
  hs_sc_rule_t copy = *given, *r = &copy;
  size_t s;

  copy.hash = hs_sc_name_hash (given->name);
  index_update (p);
  for (s = rule_hash (r) & (p->n_slots - 1); p->slots[s] != 0; s = (s + 1) & (p->n_slots - 1))
    if (hs_sc_rule_same (&p->rules[p->slots[s] - 1], r))
      return;
  p->rules = hs_xgrow (p->rules, &p->cap_rules, p->n_rules + 1, sizeof (*r));
  p->rules[p->n_rules] = *r;
  p->rules[p->n_rules].name = hs_xstrdup (r->name);
  p->n_rules++;
}

/* Remove rule i; the duplicate index is rebuilt on the next add. */
void
hs_sc_profile_remove (hs_sc_profile_t *p, size_t i)
{
  free (p->rules[i].name);
  memmove (&p->rules[i], &p->rules[i + 1], (p->n_rules - i - 1) * sizeof (hs_sc_rule_t));
  p->n_rules--;
  if (p->n_slots > 0)
    memset (p->slots, 0, p->n_slots * sizeof (size_t));
  p->n_indexed = 0;
}

void
hs_sc_profile_add_arch (hs_sc_profile_t *p, const char *a)
{
  for (size_t i = 0; i < p->n_arches; i++)
    if (strcmp (p->arches[i], a) == 0)
      return;
  p->arches = hs_xrealloc (p->arches, (p->n_arches + 1) * sizeof (char *));
  p->arches[p->n_arches++] = hs_xstrdup (a);
}

bool
hs_sc_refusing (hs_sc_action_t a)
{
  return a <= HS_SC_ERRNO;
}

uint32_t
hs_sc_effective_errno (bool has, uint32_t v)
{
  return has ? v : EPERM; /* what runc and crun return for SCMP_ACT_ERRNO without errnoRet */
}

int
hs_sc_cond_cmp (const void *a, const void *b)
{
  const hs_sc_cond_t *x = a, *y = b;
  return (x->index > y->index) - (x->index < y->index);
}

/* ---- parsing numbers and OCI ------------------------------------------- */

int
hs_sc_get_u64 (const hs_json_t *v, const char *path, uint64_t *ret, hs_error_t *err)
{
  char *end = NULL;
  unsigned long long n;

  if (v == NULL || v->type != HS_JSON_NUMBER)
    return hs_error_make (err, 0, "`%s`: expected an unsigned integer, got %s", path,
                          v ? hs_json_type_name (v->type) : "nothing");
  errno = 0;
  if (v->str[0] == '-' || v->str[0] == '\0')
    return hs_error_make (err, 0, "`%s`: `%s` is not an unsigned integer", path, v->str);
  n = strtoull (v->str, &end, 10);
  if (errno != 0 || *end != '\0')
    return hs_error_make (err, 0, "`%s`: `%s` is not an unsigned 64-bit integer", path, v->str);
  *ret = n;
  return 0;
}

static int
parse_action (const hs_json_t *v, const char *path, hs_sc_action_t *ret, hs_error_t *err)
{
  if (v == NULL || v->type != HS_JSON_STRING)
    return hs_error_make (err, 0, "`%s`: expected an action name", path);
  for (size_t i = 0; i < sizeof (hs_sc_action_names) / sizeof (hs_sc_action_names[0]); i++)
    if (strcmp (v->str, hs_sc_action_names[i]) == 0)
      {
        *ret = (hs_sc_action_t) i;
        return 0;
      }
  return hs_error_make (err, 0, "`%s`: unknown seccomp action `%s`", path, v->str);
}

static int
parse_op (const hs_json_t *v, const char *path, hs_sc_op_t *ret, hs_error_t *err)
{
  if (v == NULL || v->type != HS_JSON_STRING)
    return hs_error_make (err, 0, "`%s`: expected an operator name", path);
  for (size_t i = 0; i < sizeof (hs_sc_op_names) / sizeof (hs_sc_op_names[0]); i++)
    if (strcmp (v->str, hs_sc_op_names[i]) == 0)
      {
        *ret = (hs_sc_op_t) i;
        return 0;
      }
  return hs_error_make (err, 0, "`%s`: unknown seccomp operator `%s`", path, v->str);
}

/* One condition object: {index, value, valueTwo, op}. */
int
hs_sc_parse_cond (const hs_json_t *o, const char *path, bool need_index, hs_sc_cond_t *ret,
                  hs_error_t *err)
{
  cleanup_free char *p = NULL;
  uint64_t index = 0;
  int r;

  if (o == NULL || o->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "`%s`: expected an object", path);
  memset (ret, 0, sizeof (*ret));
  for (size_t i = 0; i < o->len; i++)
    {
      const char *k = o->keys[i];
      free (p);
      p = hs_xasprintf ("%s.%s", path, k);
      if (hs_json_key_fold_cmp (k, "index") == 0 && need_index)
        {
          if ((r = hs_sc_get_u64 (o->items[i], p, &index, err)) < 0)
            return r;
          if (index >= HS_SC_MAX_ARGS)
            return hs_error_make (err, 0, "`%s`: argument index %llu is not below 6", p,
                                  (unsigned long long) index);
          ret->index = (unsigned) index;
        }
      else if (hs_json_key_fold_cmp (k, "value") == 0)
        r = hs_sc_get_u64 (o->items[i], p, &ret->value, err);
      else if (hs_json_key_fold_cmp (k, "valueTwo") == 0)
        r = hs_sc_get_u64 (o->items[i], p, &ret->value_two, err);
      else if (hs_json_key_fold_cmp (k, "op") == 0)
        r = parse_op (o->items[i], p, &ret->op, err);
      else
        return hs_error_make (err, 0, "`%s`: unknown field", p);
      if (r < 0)
        return r;
    }
  if (need_index && hs_json_get (o, "index") == NULL)
    return hs_error_make (err, 0, "`%s.index`: missing", path);
  if (hs_json_get (o, "op") == NULL)
    return hs_error_make (err, 0, "`%s.op`: missing", path);
  return 0;
}

int
hs_sc_from_oci (const hs_json_t *sc, const char *path, hs_sc_profile_t **ret, hs_error_t *err)
{
  cleanup_sc_profile hs_sc_profile_t *p = hs_sc_profile_new ();
  cleanup_free char *sp = NULL;
  const hs_json_t *v;
  uint64_t n;
  int r;

  if (sc == NULL || sc->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "`%s`: expected an object", path);
  for (size_t i = 0; i < sc->len; i++)
    {
      const char *k = sc->keys[i];
      if (hs_json_key_fold_cmp (k, "defaultAction") == 0
          || hs_json_key_fold_cmp (k, "defaultErrnoRet") == 0
          || hs_json_key_fold_cmp (k, "architectures") == 0
          || hs_json_key_fold_cmp (k, "syscalls") == 0)
        continue;
      if (hs_json_key_fold_cmp (k, "flags") == 0 || hs_json_key_fold_cmp (k, "listenerPath") == 0
          || hs_json_key_fold_cmp (k, "listenerMetadata") == 0)
        {
          hs_json_set (p->extra, k, hs_json_dup (sc->items[i]));
          continue;
        }
      return hs_error_make (err, 0, "`%s.%s`: unknown field", path, k);
    }
  sp = hs_xasprintf ("%s.defaultAction", path);
  if ((r = parse_action (hs_json_get (sc, "defaultAction"), sp, &p->default_action, err)) < 0)
    return r;
  v = hs_json_get (sc, "defaultErrnoRet");
  if (v != NULL && v->type != HS_JSON_NULL)
    {
      free (sp);
      sp = hs_xasprintf ("%s.defaultErrnoRet", path);
      if ((r = hs_sc_get_u64 (v, sp, &n, err)) < 0)
        return r;
      if (n > 4095)
        return hs_error_make (err, 0, "`%s`: %llu is not an errno", sp, (unsigned long long) n);
      p->has_default_errno = true;
      p->default_errno = (uint32_t) n;
    }
  v = hs_json_get (sc, "architectures");
  if (v != NULL && v->type != HS_JSON_NULL)
    {
      if (v->type != HS_JSON_ARRAY)
        return hs_error_make (err, 0, "`%s.architectures`: expected an array", path);
      for (size_t i = 0; i < v->len; i++)
        {
          if (v->items[i]->type != HS_JSON_STRING || !hs_sc_arch_known (v->items[i]->str))
            return hs_error_make (err, 0, "`%s.architectures[%zu]`: unknown architecture", path, i);
          hs_sc_profile_add_arch (p, v->items[i]->str);
        }
    }
  v = hs_json_get (sc, "syscalls");
  if (v != NULL && v->type != HS_JSON_NULL && v->type != HS_JSON_ARRAY)
    return hs_error_make (err, 0, "`%s.syscalls`: expected an array", path);
  for (size_t i = 0; v != NULL && v->type == HS_JSON_ARRAY && i < v->len; i++)
    {
      const hs_json_t *e = v->items[i], *names, *args, *er;
      hs_sc_rule_t rule = { 0 };

      if (e->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "`%s.syscalls[%zu]`: expected an object", path, i);
      for (size_t j = 0; j < e->len; j++)
        if (hs_json_key_fold_cmp (e->keys[j], "names") != 0
            && hs_json_key_fold_cmp (e->keys[j], "action") != 0
            && hs_json_key_fold_cmp (e->keys[j], "errnoRet") != 0
            && hs_json_key_fold_cmp (e->keys[j], "args") != 0
            && hs_json_key_fold_cmp (e->keys[j], "comment") != 0)
          return hs_error_make (err, 0, "`%s.syscalls[%zu].%s`: unknown field", path, i,
                                e->keys[j]);
      free (sp);
      sp = hs_xasprintf ("%s.syscalls[%zu].action", path, i);
      if ((r = parse_action (hs_json_get (e, "action"), sp, &rule.action, err)) < 0)
        return r;
      er = hs_json_get (e, "errnoRet");
      if (er != NULL && er->type != HS_JSON_NULL)
        {
          free (sp);
          sp = hs_xasprintf ("%s.syscalls[%zu].errnoRet", path, i);
          if ((r = hs_sc_get_u64 (er, sp, &n, err)) < 0)
            return r;
          if (n > 4095)
            return hs_error_make (err, 0, "`%s`: %llu is not an errno", sp, (unsigned long long) n);
          rule.has_errno = true;
          rule.errno_ret = (uint32_t) n;
        }
      args = hs_json_get (e, "args");
      if (args != NULL && args->type != HS_JSON_NULL && args->type != HS_JSON_ARRAY)
        return hs_error_make (err, 0, "`%s.syscalls[%zu].args`: expected an array", path, i);
      {
        hs_sc_cond_t conds[HS_SC_MAX_ARGS * 4];
        size_t nc = 0;
        bool dup = false;

        for (size_t j = 0; args != NULL && args->type == HS_JSON_ARRAY && j < args->len; j++)
          {
            if (nc == sizeof (conds) / sizeof (conds[0]))
              return hs_error_make (err, 0, "`%s.syscalls[%zu].args`: too many conditions", path,
                                    i);
            free (sp);
            sp = hs_xasprintf ("%s.syscalls[%zu].args[%zu]", path, i, j);
            if ((r = hs_sc_parse_cond (args->items[j], sp, true, &conds[nc], err)) < 0)
              return r;
            for (size_t k = 0; k < nc; k++)
              dup = dup || conds[k].index == conds[nc].index;
            nc++;
          }
        qsort (conds, nc, sizeof (conds[0]), hs_sc_cond_cmp);
        names = hs_json_get (e, "names");
        if (names == NULL || names->type != HS_JSON_ARRAY)
          return hs_error_make (err, 0, "`%s.syscalls[%zu].names`: expected an array", path, i);
        for (size_t j = 0; j < names->len; j++)
          {
            if (p->n_rules >= HS_SC_MAX_RULES)
              return hs_error_make (err, 0, "`%s.syscalls`: more than %d rules", path,
                                    HS_SC_MAX_RULES);
            if (names->items[j]->type != HS_JSON_STRING || names->items[j]->len == 0)
              return hs_error_make (err, 0, "`%s.syscalls[%zu].names[%zu]`: expected a name", path,
                                    i, j);
            rule.name = names->items[j]->str;
            if (!dup)
              {
                rule.nargs = nc;
                memcpy (rule.args, conds, nc * sizeof (conds[0]));
                hs_sc_profile_add (p, &rule);
              }
            else if (hs_sc_refusing (rule.action))
              /* runc ORs conditions on one argument, libseccomp ANDs them: a
               * refusal keeps the wider reading, one rule per condition. */
              for (size_t k = 0; k < nc; k++)
                {
                  rule.nargs = 1;
                  rule.args[0] = conds[k];
                  hs_sc_profile_add (p, &rule);
                }
            else
              /* An allowance has no reading both runtimes share. */
              return hs_error_make (err, 0,
                                    "`%s.syscalls[%zu].args`: several conditions on one "
                                    "argument (runc ORs them, crun ANDs them); use one "
                                    "condition per argument",
                                    path, i);
          }
      }
    }
  *ret = TAKE_PTR (p);
  return 0;
}

static int
sorted_name_cmp (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static hs_json_t *
cond_json (const hs_sc_cond_t *c)
{
  hs_json_t *o = hs_json_new (HS_JSON_OBJECT);

  hs_json_set_exact (o, "index", hs_json_new_uint (c->index));
  hs_json_set_exact (o, "value", hs_json_new_uint (c->value));
  if (c->op == HS_SC_MASKED_EQ || c->value_two != 0)
    hs_json_set_exact (o, "valueTwo", hs_json_new_uint (c->value_two));
  hs_json_set_exact (o, "op", hs_json_new_string (hs_sc_op_names[c->op]));
  return o;
}

static bool
same_except_name (const hs_sc_rule_t *a, const hs_sc_rule_t *b)
{
  hs_sc_rule_t t = *b;

  t.name = a->name;
  t.hash = a->hash;
  return hs_sc_rule_same (a, &t);
}

hs_json_t *
hs_sc_to_oci (const hs_sc_profile_t *p)
{
  hs_json_t *o = hs_json_new (HS_JSON_OBJECT);
  hs_json_t *syscalls = hs_json_new (HS_JSON_ARRAY);
  bool *done = hs_xcalloc (p->n_rules + 1, sizeof (bool));
  cleanup_free const char **names = NULL;

  hs_json_set_exact (o, "defaultAction",
                     hs_json_new_string (hs_sc_action_names[p->default_action]));
  if (p->has_default_errno)
    hs_json_set_exact (o, "defaultErrnoRet", hs_json_new_uint (p->default_errno));
  if (p->n_arches > 0)
    {
      hs_json_t *a = hs_json_new (HS_JSON_ARRAY);
      for (size_t i = 0; i < p->n_arches; i++)
        hs_json_append (a, hs_json_new_string (p->arches[i]));
      hs_json_set_exact (o, "architectures", a);
    }
  for (size_t i = 0; i < p->extra->len; i++)
    hs_json_set_exact (o, p->extra->keys[i], hs_json_dup (p->extra->items[i]));
  /* Two passes: unconditional rules grouped by action (names sorted), then
   * conditional ones, consecutive rules differing only in name merged. */
  /* one buffer for every entry's names: a fresh one per entry made
   * profiles of many conditional rules quadratic */
  names = hs_xcalloc (p->n_rules + 1, sizeof (char *));
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < p->n_rules; i++)
      {
        const hs_sc_rule_t *r = &p->rules[i];
        size_t nn = 0;
        hs_json_t *e, *na;

        if (done[i] || (pass == 0) != (r->nargs == 0))
          continue;
        for (size_t j = i; j < p->n_rules; j++)
          {
            if (done[j] || !same_except_name (r, &p->rules[j]))
              {
                if (pass == 1 && j > i && !done[j])
                  break; /* keep conditional entries in order */
                continue;
              }
            done[j] = true;
            names[nn++] = p->rules[j].name;
          }
        if (pass == 0)
          qsort (names, nn, sizeof (char *), sorted_name_cmp);
        e = hs_json_new (HS_JSON_OBJECT);
        na = hs_json_new (HS_JSON_ARRAY);
        for (size_t j = 0; j < nn; j++)
          hs_json_append (na, hs_json_new_string (names[j]));
        hs_json_set_exact (e, "names", na);
        hs_json_set_exact (e, "action", hs_json_new_string (hs_sc_action_names[r->action]));
        if (r->has_errno)
          hs_json_set_exact (e, "errnoRet", hs_json_new_uint (r->errno_ret));
        if (r->nargs > 0)
          {
            hs_json_t *args = hs_json_new (HS_JSON_ARRAY);
            for (size_t j = 0; j < r->nargs; j++)
              hs_json_append (args, cond_json (&r->args[j]));
            hs_json_set_exact (e, "args", args);
          }
        hs_json_append (syscalls, e);
      }
  free (done);
  hs_json_set_exact (o, "syscalls", syscalls);
  return o;
}

/* ---- source profiles ----------------------------------------------------- */

static const char *const source_keys[] = {
  "hardshim_seccomp", "description", "unknown_errno", "refuse_errno", "groups", "refuse", NULL
};
static const char *const group_keys[]
    = { "name", "doc", "when", "allow", "refuse", "errno", "args", NULL };
static const char *const when_keys[]
    = { "caps", "notCaps", "arches", "notArches", "minKernel", "noNewPrivileges", NULL };

static bool
key_in (const char *k, const char *const *keys)
{
  for (size_t i = 0; keys[i]; i++)
    if (strcmp (keys[i], k) == 0)
      return true;
  return false;
}

static int
check_strings (const hs_json_t *v, const char *path, hs_error_t *err)
{
  if (v->type != HS_JSON_ARRAY)
    return hs_error_make (err, 0, "`%s`: expected an array of strings", path);
  for (size_t i = 0; i < v->len; i++)
    if (v->items[i]->type != HS_JSON_STRING || v->items[i]->len == 0)
      return hs_error_make (err, 0, "`%s[%zu]`: expected a non-empty string", path, i);
  return 0;
}

static int
errno_of (const hs_json_t *v, const char *path, int dflt, int *ret, hs_error_t *err)
{
  *ret = dflt;
  if (v == NULL)
    return 0;
  if (v->type != HS_JSON_STRING || (*ret = hs_sc_errno_value (v->str)) < 0)
    return hs_error_make (err, 0, "`%s`: expected an errno name such as EPERM or ENOSYS", path);
  return 0;
}

/* Expand one group's args (each {index, op, ...} or {index, any: [...]})
 * into alternatives: the cross product of the `any` lists. */
static int
parse_group_args (const hs_json_t *args, const char *path, hs_sc_cond_t (**ret)[HS_SC_MAX_ARGS],
                  size_t *ret_nalt, size_t *ret_nargs, hs_error_t *err)
{
  hs_sc_cond_t opts[HS_SC_MAX_ARGS][16];
  size_t nopt[HS_SC_MAX_ARGS] = { 0 }, n = 0, total = 1;
  hs_sc_cond_t (*alts)[HS_SC_MAX_ARGS] = NULL;
  int r;

  *ret = NULL, *ret_nalt = 1, *ret_nargs = 0;
  if (args == NULL)
    {
      *ret = hs_xcalloc (1, sizeof (**ret));
      return 0;
    }
  if (args->type != HS_JSON_ARRAY || args->len > HS_SC_MAX_ARGS)
    return hs_error_make (err, 0, "`%s`: expected an array of at most 6 conditions", path);
  for (size_t i = 0; i < args->len; i++)
    {
      cleanup_free char *p = hs_xasprintf ("%s[%zu]", path, i);
      const hs_json_t *a = args->items[i], *any, *idx;
      uint64_t index;

      if (a->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "`%s`: expected an object", p);
      idx = hs_json_get_exact (a, "index");
      {
        cleanup_free char *ip = hs_xasprintf ("%s.index", p);
        if ((r = hs_sc_get_u64 (idx, ip, &index, err)) < 0)
          return r;
      }
      if (index >= HS_SC_MAX_ARGS)
        return hs_error_make (err, 0, "`%s.index`: not below 6", p);
      for (size_t j = 0; j < i; j++)
        if (opts[j][0].index == index)
          return hs_error_make (err, 0, "`%s.index`: argument %llu has a condition already", p,
                                (unsigned long long) index);
      any = hs_json_get_exact (a, "any");
      if (any != NULL)
        {
          if (any->type != HS_JSON_ARRAY || any->len == 0 || any->len > 16 || a->len != 2)
            return hs_error_make (err, 0,
                                  "`%s.any`: expected 1 to 16 conditions (and only `index` "
                                  "beside it)",
                                  p);
          for (size_t j = 0; j < any->len; j++)
            {
              cleanup_free char *cp = hs_xasprintf ("%s.any[%zu]", p, j);
              if ((r = hs_sc_parse_cond (any->items[j], cp, false, &opts[i][j], err)) < 0)
                return r;
              opts[i][j].index = (unsigned) index;
            }
          nopt[i] = any->len;
        }
      else
        {
          cleanup_json hs_json_t *copy = hs_json_dup (a);
          hs_json_remove_exact (copy, "index");
          if ((r = hs_sc_parse_cond (copy, p, false, &opts[i][0], err)) < 0)
            return r;
          opts[i][0].index = (unsigned) index;
          nopt[i] = 1;
        }
      total *= nopt[i];
      n++;
    }
  alts = hs_xcalloc (total, sizeof (*alts));
  for (size_t t = 0; t < total; t++)
    {
      size_t rest = t;
      for (size_t i = 0; i < n; i++)
        {
          alts[t][i] = opts[i][rest % nopt[i]];
          rest /= nopt[i];
        }
      qsort (alts[t], n, sizeof (hs_sc_cond_t), hs_sc_cond_cmp);
    }
  *ret = alts, *ret_nalt = total, *ret_nargs = n;
  return 0;
}

int
hs_sc_source_check (const hs_json_t *src, hs_error_t *err)
{
  const hs_json_t *v, *groups;
  int r, e;

  if (src == NULL || src->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "seccomp source profile: expected an object");
  for (size_t i = 0; i < src->len; i++)
    if (!key_in (src->keys[i], source_keys))
      return hs_error_make (err, 0, "`%s`: unknown key", src->keys[i]);
  v = hs_json_get_exact (src, "hardshim_seccomp");
  if (v == NULL || v->type != HS_JSON_NUMBER || strcmp (v->str, "1") != 0)
    return hs_error_make (err, 0, "`hardshim_seccomp`: must be 1 (the format version)");
  if ((r = errno_of (hs_json_get_exact (src, "unknown_errno"), "unknown_errno", ENOSYS, &e, err))
          < 0
      || (r = errno_of (hs_json_get_exact (src, "refuse_errno"), "refuse_errno", EPERM, &e, err))
             < 0)
    return r;
  v = hs_json_get_exact (src, "refuse");
  if (v != NULL && (r = check_strings (v, "refuse", err)) < 0)
    return r;
  groups = hs_json_get_exact (src, "groups");
  if (groups == NULL || groups->type != HS_JSON_ARRAY)
    return hs_error_make (err, 0, "`groups`: expected an array");
  for (size_t i = 0; i < groups->len; i++)
    {
      const hs_json_t *g = groups->items[i], *when, *allow, *refuse;
      cleanup_free char *p = hs_xasprintf ("groups[%zu]", i);
      cleanup_free char *ap = hs_xasprintf ("groups[%zu].args", i);
      cleanup_free hs_sc_cond_t (*alts)[HS_SC_MAX_ARGS] = NULL;
      size_t nalt, nargs;

      if (g->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "`%s`: expected an object", p);
      for (size_t j = 0; j < g->len; j++)
        if (!key_in (g->keys[j], group_keys))
          return hs_error_make (err, 0, "`%s.%s`: unknown key", p, g->keys[j]);
      v = hs_json_get_exact (g, "name");
      if (v == NULL || v->type != HS_JSON_STRING)
        return hs_error_make (err, 0, "`%s.name`: expected a string", p);
      allow = hs_json_get_exact (g, "allow");
      refuse = hs_json_get_exact (g, "refuse");
      if ((allow == NULL) == (refuse == NULL))
        return hs_error_make (err, 0, "`%s` (%s): needs exactly one of `allow` and `refuse`", p,
                              v->str);
      {
        cleanup_free char *lp = hs_xasprintf ("%s.%s", p, allow ? "allow" : "refuse");
        if ((r = check_strings (allow ? allow : refuse, lp, err)) < 0)
          return r;
      }
      if (allow && hs_json_get_exact (g, "errno"))
        return hs_error_make (err, 0, "`%s.errno`: only for `refuse` groups", p);
      {
        cleanup_free char *ep = hs_xasprintf ("%s.errno", p);
        if ((r = errno_of (hs_json_get_exact (g, "errno"), ep, EPERM, &e, err)) < 0)
          return r;
      }
      if ((r = parse_group_args (hs_json_get_exact (g, "args"), ap, &alts, &nalt, &nargs, err)) < 0)
        return r;
      when = hs_json_get_exact (g, "when");
      if (when == NULL)
        continue;
      if (when->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "`%s.when`: expected an object", p);
      for (size_t j = 0; j < when->len; j++)
        {
          cleanup_free char *wp = hs_xasprintf ("%s.when.%s", p, when->keys[j]);
          const hs_json_t *w = when->items[j];
          if (!key_in (when->keys[j], when_keys))
            return hs_error_make (err, 0, "`%s`: unknown condition", wp);
          if (strcmp (when->keys[j], "noNewPrivileges") == 0)
            {
              if (w->type != HS_JSON_BOOL)
                return hs_error_make (err, 0, "`%s`: expected true or false", wp);
            }
          else if (strcmp (when->keys[j], "minKernel") == 0)
            {
              unsigned a, b;
              char c;
              if (w->type != HS_JSON_STRING || sscanf (w->str, "%u.%u%c", &a, &b, &c) != 2)
                return hs_error_make (err, 0, "`%s`: expected \"MAJOR.MINOR\"", wp);
            }
          else if ((r = check_strings (w, wp, err)) < 0)
            return r;
          else if (strstr (when->keys[j], "rches") != NULL)
            for (size_t k = 0; k < w->len; k++)
              if (!hs_sc_arch_known (w->items[k]->str))
                return hs_error_make (err, 0, "`%s[%zu]`: unknown architecture `%s`", wp, k,
                                      w->items[k]->str);
        }
    }
  return 0;
}

static bool
caps_has (const hs_json_t *bounding, const char *cap)
{
  return bounding != NULL && bounding->type == HS_JSON_ARRAY
         && hs_json_array_find_string (bounding, cap) >= 0;
}

static bool
arches_has (const hs_sc_profile_t *p, const char *a)
{
  return hs_sc_name_seen (p->arches, p->n_arches, a);
}

static bool
group_applies (const hs_json_t *when, const hs_sc_context_t *ctx, const hs_sc_profile_t *p)
{
  const hs_json_t *v;

  if (when == NULL)
    return true;
  if ((v = hs_json_get_exact (when, "caps")) != NULL)
    for (size_t i = 0; i < v->len; i++)
      if (!caps_has (ctx->bounding, v->items[i]->str))
        return false;
  if ((v = hs_json_get_exact (when, "notCaps")) != NULL)
    for (size_t i = 0; i < v->len; i++)
      if (caps_has (ctx->bounding, v->items[i]->str))
        return false;
  if ((v = hs_json_get_exact (when, "arches")) != NULL)
    {
      bool any = false;
      for (size_t i = 0; i < v->len; i++)
        any = any || arches_has (p, v->items[i]->str);
      if (!any)
        return false;
    }
  if ((v = hs_json_get_exact (when, "notArches")) != NULL)
    for (size_t i = 0; i < v->len; i++)
      if (arches_has (p, v->items[i]->str))
        return false;
  if ((v = hs_json_get_exact (when, "minKernel")) != NULL)
    {
      unsigned a = 0, b = 0;
      sscanf (v->str, "%u.%u", &a, &b);
      if (ctx->kernel_major < a || (ctx->kernel_major == a && ctx->kernel_minor < b))
        return false;
    }
  if ((v = hs_json_get_exact (when, "noNewPrivileges")) != NULL
      && v->boolean != ctx->no_new_privileges)
    return false;
  return true;
}

int
hs_sc_generate (const hs_json_t *src, const hs_sc_context_t *ctx, hs_sc_profile_t **ret,
                hs_error_t *err)
{
  cleanup_sc_profile hs_sc_profile_t *p = hs_sc_profile_new ();
  const hs_json_t *groups, *refuse;
  int unknown_errno, refuse_errno, r;

  if ((r = hs_sc_source_check (src, err)) < 0)
    return r;
  errno_of (hs_json_get_exact (src, "unknown_errno"), "", ENOSYS, &unknown_errno, NULL);
  errno_of (hs_json_get_exact (src, "refuse_errno"), "", EPERM, &refuse_errno, NULL);
  p->default_action = HS_SC_ERRNO;
  p->has_default_errno = true;
  p->default_errno = (uint32_t) unknown_errno;
  hs_sc_profile_add_arch (p, ctx->native_arch);
  if (ctx->compat_arches)
    for (const char *const *a = hs_sc_compat_arches (ctx->native_arch); *a; a++)
      hs_sc_profile_add_arch (p, *a);

  groups = hs_json_get_exact (src, "groups");
  for (size_t i = 0; i < groups->len; i++)
    {
      const hs_json_t *g = groups->items[i];
      const hs_json_t *allow = hs_json_get_exact (g, "allow");
      const hs_json_t *list = allow ? allow : hs_json_get_exact (g, "refuse");
      cleanup_free hs_sc_cond_t (*alts)[HS_SC_MAX_ARGS] = NULL;
      size_t nalt, nargs;
      int e;

      if (!group_applies (hs_json_get_exact (g, "when"), ctx, p))
        continue;
      errno_of (hs_json_get_exact (g, "errno"), "", refuse_errno, &e, NULL);
      if ((r = parse_group_args (hs_json_get_exact (g, "args"), "args", &alts, &nalt, &nargs, err))
          < 0)
        return r;
      for (size_t j = 0; j < list->len; j++)
        for (size_t t = 0; t < nalt; t++)
          {
            hs_sc_rule_t rule = { .name = list->items[j]->str, .nargs = nargs };
            rule.action = allow ? HS_SC_ALLOW : HS_SC_ERRNO;
            rule.has_errno = allow == NULL;
            rule.errno_ret = (uint32_t) e;
            memcpy (rule.args, alts[t], nargs * sizeof (hs_sc_cond_t));
            hs_sc_profile_add (p, &rule);
          }
    }

  /* An unconditional allowance subsumes conditional ones; an allowance
   * that may overlap a refusal is the profile's mistake. */
  for (size_t i = 0; i < p->n_rules; i++)
    {
      hs_sc_rule_t *a = &p->rules[i];
      for (size_t j = 0; j < p->n_rules; j++)
        {
          hs_sc_rule_t *b = &p->rules[j];
          if (i == j || !hs_sc_same_name (a, b))
            continue;
          if (a->action == HS_SC_ALLOW && hs_sc_refusing (b->action) && !hs_sc_rule_disjoint (a, b))
            return hs_error_make (err, 0,
                                  "seccomp source profile: `%s` is both allowed and refused "
                                  "for the same arguments",
                                  a->name);
        }
    }
  for (size_t i = 0; i < p->n_rules;)
    {
      bool subsumed = false;
      for (size_t j = 0; j < p->n_rules && !subsumed; j++)
        subsumed = j != i && p->rules[i].nargs > 0 && p->rules[j].nargs == 0
                   && p->rules[j].action == p->rules[i].action
                   && hs_sc_same_name (&p->rules[i], &p->rules[j]);
      if (!subsumed)
        {
          i++;
          continue;
        }
      hs_sc_profile_remove (p, i);
    }

  /* What the profile knows to refuse and nothing allowed: explicit errno. */
  refuse = hs_json_get_exact (src, "refuse");
  for (size_t i = 0; refuse != NULL && i < refuse->len; i++)
    {
      const char *name = refuse->items[i]->str;
      uint32_t h = hs_sc_name_hash (name);
      bool seen = false;
      for (size_t j = 0; j < p->n_rules && !seen; j++)
        seen = p->rules[j].hash == h && strcmp (p->rules[j].name, name) == 0;
      if (!seen)
        {
          hs_sc_rule_t rule = { .name = (char *) name,
                                .action = HS_SC_ERRNO,
                                .has_errno = true,
                                .errno_ret = (uint32_t) refuse_errno };
          hs_sc_profile_add (p, &rule);
        }
    }
  *ret = TAKE_PTR (p);
  return 0;
}
