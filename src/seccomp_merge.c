#include "seccomp_internal.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- condition algebra -------------------------------------------------- */

static bool
cond_member (const hs_sc_cond_t *c, uint64_t x)
{
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
  return true;
}

/* As an interval [lo, hi]; false if the condition is no interval (or empty). */
static bool
cond_interval (const hs_sc_cond_t *c, uint64_t *lo, uint64_t *hi)
{
  switch (c->op)
    {
    case HS_SC_EQ:
      *lo = *hi = c->value;
      return true;
    case HS_SC_LT:
      if (c->value == 0)
        return false;
      *lo = 0, *hi = c->value - 1;
      return true;
    case HS_SC_LE:
      *lo = 0, *hi = c->value;
      return true;
    case HS_SC_GT:
      if (c->value == UINT64_MAX)
        return false;
      *lo = c->value + 1, *hi = UINT64_MAX;
      return true;
    case HS_SC_GE:
      *lo = c->value, *hi = UINT64_MAX;
      return true;
    case HS_SC_MASKED_EQ:
      /* an aligned block: (x & ~(2^k - 1)) == base */
      if ((~c->value & (~c->value + 1)) != 0 || (c->value_two & ~c->value) != 0)
        return false;
      *lo = c->value_two, *hi = c->value_two | ~c->value;
      return true;
    default:
      return false;
    }
}

static bool
cond_empty (const hs_sc_cond_t *c)
{
  return (c->op == HS_SC_LT && c->value == 0) || (c->op == HS_SC_GT && c->value == UINT64_MAX)
         || (c->op == HS_SC_MASKED_EQ && (c->value_two & ~c->value) != 0);
}

/* True only when no value satisfies both (false: they may overlap). */
static bool
cond_disjoint (const hs_sc_cond_t *a, const hs_sc_cond_t *b)
{
  uint64_t alo, ahi, blo, bhi;

  if (cond_empty (a) || cond_empty (b))
    return true;
  if (a->op == HS_SC_EQ)
    return !cond_member (b, a->value);
  if (b->op == HS_SC_EQ)
    return !cond_member (a, b->value);
  if (a->op == HS_SC_MASKED_EQ && b->op == HS_SC_MASKED_EQ)
    return ((a->value_two ^ b->value_two) & a->value & b->value) != 0;
  if (cond_interval (a, &alo, &ahi) && cond_interval (b, &blo, &bhi))
    return ahi < blo || bhi < alo;
  return false;
}

bool
hs_sc_rule_disjoint (const hs_sc_rule_t *a, const hs_sc_rule_t *b)
{
  for (size_t i = 0; i < a->nargs; i++)
    for (size_t j = 0; j < b->nargs; j++)
      if (a->args[i].index == b->args[j].index && cond_disjoint (&a->args[i], &b->args[j]))
        return true;
  return false;
}

/* True only when every value satisfying a satisfies b (false: maybe not). */
static bool
cond_within (const hs_sc_cond_t *a, const hs_sc_cond_t *b)
{
  uint64_t alo, ahi, blo, bhi;

  if (cond_empty (a))
    return true;
  if (a->op == b->op && a->value == b->value && a->value_two == b->value_two)
    return true;
  if (a->op == HS_SC_EQ)
    return cond_member (b, a->value);
  if (b->op == HS_SC_NE)
    {
      hs_sc_cond_t v = { a->index, HS_SC_EQ, b->value, 0 };
      return cond_disjoint (a, &v);
    }
  if (a->op == HS_SC_MASKED_EQ && b->op == HS_SC_MASKED_EQ)
    return (b->value & ~a->value) == 0 && ((a->value_two ^ b->value_two) & b->value) == 0;
  if (!cond_interval (b, &blo, &bhi))
    return false;
  if (a->op == HS_SC_MASKED_EQ) /* inside its smallest and largest member */
    alo = a->value_two, ahi = a->value_two | ~a->value;
  else if (!cond_interval (a, &alo, &ahi))
    return false;
  return alo >= blo && ahi <= bhi;
}

static int cond_negate (const hs_sc_cond_t *c, hs_sc_cond_t *out);

/* True only when every value satisfies a or b. */
static bool
cond_cover (const hs_sc_cond_t *a, const hs_sc_cond_t *b)
{
  hs_sc_cond_t neg[64];
  int n = cond_negate (a, neg);

  if (n < 0)
    return false;
  for (int i = 0; i < n; i++)
    if (!cond_within (&neg[i], b))
      return false;
  return true;
}

/* Every call piece a matches, piece b matches too (one syscall). */
static bool
piece_within (const hs_sc_rule_t *a, const hs_sc_rule_t *b)
{
  for (size_t j = 0; j < b->nargs; j++)
    {
      bool in = false;
      for (size_t i = 0; i < a->nargs && !in; i++)
        in = a->args[i].index == b->args[j].index && cond_within (&a->args[i], &b->args[j]);
      if (!in)
        return false;
    }
  return true;
}

#define SIMPLIFY_BUDGET (4u << 20) /* pair comparisons per syscall */

/* One syscall's allowances of one side, or the intersection's, as a
 * smaller union meaning the same: a piece inside another of its action
 * goes, and two that differ only in one argument whose conditions cover
 * every value become one without it. Redundant, overlapping argument
 * rules are what makes libseccomp's tree building explode (a 9 KB config
 * cost 10 s per create): keep them out. */
static void
pieces_simplify (hs_sc_rule_t *pieces, size_t *n)
{
  /* an optimisation only (the union means the same without it): a work
   * budget keeps its own cost bounded, whatever the pieces */
  size_t budget = SIMPLIFY_BUDGET;
  bool changed = true;

  while (changed && budget > 0)
    {
      changed = false;
      for (size_t i = 0; i < *n && budget > 0; i++)
        for (size_t j = 0; j < *n && budget > 0; j++, budget--)
          {
            hs_sc_rule_t *a = &pieces[i], *b = &pieces[j];
            size_t k, diff = 0, at = 0;

            if (i == j || a->action != b->action || a->has_errno != b->has_errno
                || a->errno_ret != b->errno_ret)
              continue;
            if (piece_within (a, b) && (!piece_within (b, a) || j < i))
              {
                /* a goes: look at the piece moved into its place */
                pieces[i] = pieces[--*n];
                changed = true;
                j = (size_t) -1;
                if (i >= *n)
                  break;
                continue;
              }
            if (a->nargs != b->nargs)
              continue;
            for (k = 0; k < a->nargs && diff < 2; k++)
              if (a->args[k].index != b->args[k].index)
                diff = 2;
              else if (hs_sc_cond_cmp (&a->args[k], &b->args[k]) != 0)
                diff++, at = k;
            if (diff == 1 && cond_cover (&a->args[at], &b->args[at]))
              {
                /* one piece without that argument's condition */
                memmove (&a->args[at], &a->args[at + 1], (a->nargs - at - 1) * sizeof (a->args[0]));
                a->nargs--;
                pieces[j] = pieces[--*n];
                if (i == *n) /* a itself was moved into j's place */
                  i = j;
                changed = true;
                j = (size_t) -1;
              }
          }
    }
}

#define MAX_ALTS 130

/* [lo, hi] as conditions whose union it is: one LE, GE or EQ when it
 * touches an end, else aligned blocks (x & ~(2^k - 1)) == base. */
static int
interval_conds (unsigned index, uint64_t lo, uint64_t hi, hs_sc_cond_t *out, size_t max)
{
  size_t n = 0;

  if (lo > hi)
    return 0;
  if (lo == hi || lo == 0 || hi == UINT64_MAX)
    {
      out[0] = (hs_sc_cond_t){ index,
                               lo == hi  ? HS_SC_EQ
                               : lo == 0 ? HS_SC_LE
                                         : HS_SC_GE,
                               lo == hi  ? lo
                               : lo == 0 ? hi
                                         : lo,
                               0 };
      return 1;
    }
  while (lo <= hi)
    {
      unsigned k = 0;

      while (k < 63 && (lo & ((2ull << k) - 1)) == 0 && lo + ((2ull << k) - 1) <= hi)
        k++;
      if (n == max)
        return -1;
      /* a block of one value is that value: EQ, the form a second pass
       * would give it (hardening a hardened profile must change nothing) */
      out[n++] = k == 0 ? (hs_sc_cond_t){ index, HS_SC_EQ, lo, 0 }
                        : (hs_sc_cond_t){ index, HS_SC_MASKED_EQ, ~((1ull << k) - 1), lo };
      if (lo + ((1ull << k) - 1) == hi)
        break;
      lo += 1ull << k;
    }
  return (int) n;
}

/* The conjunction of two conditions on one argument as a union of single
 * conditions in `out`: their number (0: empty), or -1 when not expressible. */
static int
cond_conj (const hs_sc_cond_t *a, const hs_sc_cond_t *b, hs_sc_cond_t *out, size_t max)
{
  uint64_t alo, ahi, blo, bhi;
  bool ai, bi;

  if (cond_disjoint (a, b))
    return 0;
  if (a->op == b->op && a->value == b->value && a->value_two == b->value_two)
    return out[0] = *a, 1;
  if (a->op == HS_SC_EQ)
    return out[0] = *a, 1; /* not disjoint: b holds a's value */
  if (b->op == HS_SC_EQ)
    return out[0] = *b, 1;
  if (a->op == HS_SC_MASKED_EQ && b->op == HS_SC_MASKED_EQ)
    {
      out[0] = *a;
      out[0].value = a->value | b->value;
      out[0].value_two = (a->value_two & a->value) | (b->value_two & b->value);
      if (out[0].value == UINT64_MAX) /* every bit fixed: one value */
        out[0] = (hs_sc_cond_t){ a->index, HS_SC_EQ, out[0].value_two, 0 };
      return 1;
    }
  ai = cond_interval (a, &alo, &ahi);
  bi = cond_interval (b, &blo, &bhi);
  if (ai && bi)
    return interval_conds (a->index, alo > blo ? alo : blo, ahi < bhi ? ahi : bhi, out, max);
  if ((a->op == HS_SC_NE && bi) || (b->op == HS_SC_NE && ai))
    {
      uint64_t v = a->op == HS_SC_NE ? a->value : b->value;
      uint64_t lo = a->op == HS_SC_NE ? blo : alo, hi = a->op == HS_SC_NE ? bhi : ahi;
      int n1 = 0, n2 = 0;

      if (v < lo || v > hi)
        return interval_conds (a->index, lo, hi, out, max);
      if (v > lo && (n1 = interval_conds (a->index, lo, v - 1, out, max)) < 0)
        return -1;
      if (v < hi && (n2 = interval_conds (a->index, v + 1, hi, out + n1, max - (size_t) n1)) < 0)
        return -1;
      return n1 + n2;
    }
  /* A masked condition with something that excludes none of its values. */
  if (a->op == HS_SC_MASKED_EQ && b->op == HS_SC_NE && !cond_member (a, b->value))
    return out[0] = *a, 1;
  if (b->op == HS_SC_MASKED_EQ && a->op == HS_SC_NE && !cond_member (b, a->value))
    return out[0] = *b, 1;
  return -1;
}

/* The complement of a condition as a union of conditions; -1 if it has none
 * (the condition is empty: its complement is everything). */
static int
cond_negate (const hs_sc_cond_t *c, hs_sc_cond_t *out)
{
  int n = 0;

  if (cond_empty (c))
    return -1;
  switch (c->op)
    {
    case HS_SC_EQ:
      if (c->value > 0)
        out[n++] = (hs_sc_cond_t){ c->index, HS_SC_LT, c->value, 0 };
      if (c->value < UINT64_MAX)
        out[n++] = (hs_sc_cond_t){ c->index, HS_SC_GT, c->value, 0 };
      return n;
    case HS_SC_NE:
      out[0] = (hs_sc_cond_t){ c->index, HS_SC_EQ, c->value, 0 };
      return 1;
    case HS_SC_LT:
      out[0] = (hs_sc_cond_t){ c->index, HS_SC_GE, c->value, 0 };
      return 1;
    case HS_SC_GE:
      out[0] = (hs_sc_cond_t){ c->index, HS_SC_LT, c->value, 0 };
      return 1;
    case HS_SC_GT:
      out[0] = (hs_sc_cond_t){ c->index, HS_SC_LE, c->value, 0 };
      return 1;
    case HS_SC_LE:
      if (c->value == UINT64_MAX)
        return 0;
      out[0] = (hs_sc_cond_t){ c->index, HS_SC_GT, c->value, 0 };
      return 1;
    case HS_SC_MASKED_EQ:
      for (unsigned b = 0; b < 64; b++)
        if (c->value & (1ull << b))
          out[n++]
              = (hs_sc_cond_t){ c->index, HS_SC_MASKED_EQ, 1ull << b, ~c->value_two & (1ull << b) };
      return n;
    }
  return -1;
}

/* ---- intersection ------------------------------------------------------- */

static hs_sc_action_t
stricter (hs_sc_action_t a, hs_sc_action_t b)
{
  return a < b ? a : b;
}

void
hs_sc_rule_text (const hs_sc_rule_t *r, char *buf, size_t len)
{
  size_t off = (size_t) snprintf (buf, len, "%s", r->name);

  for (size_t i = 0; i < r->nargs && off < len; i++)
    off += (size_t) snprintf (buf + off, len - off, "%sarg%u %s %llu", i ? " && " : " if ",
                              r->args[i].index, hs_sc_op_names[r->args[i].op] + 9,
                              (unsigned long long) r->args[i].value);
}

#define MAX_PIECES 2048

/* Narrow pieces[from..*n) by condition `c`: each piece becomes the pieces
 * of (piece AND c). -1 when that cannot be expressed or grows too large. */
static int
pieces_and (hs_sc_rule_t *pieces, size_t from, size_t *n, size_t max, const hs_sc_cond_t *c)
{
  size_t end = *n;

  for (size_t i = from; i < end; i++)
    {
      hs_sc_rule_t base = pieces[i];
      hs_sc_cond_t alts[MAX_ALTS];
      size_t k;
      int na;

      for (k = 0; k < base.nargs && base.args[k].index != c->index; k++)
        ;
      if (k == base.nargs)
        {
          if (base.nargs == HS_SC_MAX_ARGS)
            return -1;
          base.args[base.nargs++] = *c;
          qsort (base.args, base.nargs, sizeof (hs_sc_cond_t), hs_sc_cond_cmp);
          pieces[i] = base;
          continue;
        }
      na = cond_conj (&base.args[k], c, alts, MAX_ALTS);
      if (na < 0 || *n + (size_t) na > max)
        return -1;
      /* the first alternative replaces the piece, the others are appended;
       * an empty conjunction marks the piece for removal (nargs = SIZE_MAX) */
      if (na == 0)
        {
          pieces[i].nargs = (size_t) -1;
          continue;
        }
      pieces[i].args[k] = alts[0];
      for (int j = 1; j < na; j++)
        {
          pieces[*n] = base;
          pieces[*n].args[k] = alts[j];
          (*n)++;
        }
    }
  /* drop the empty ones */
  for (size_t i = from; i < *n;)
    if (pieces[i].nargs == (size_t) -1)
      pieces[i] = pieces[--*n];
    else
      i++;
  return 0;
}

/* out += piece minus refusal r, as pieces (union of piece AND not(r's
 * condition j) over j). -1 when not expressible. */
static int
piece_minus (const hs_sc_rule_t *piece, const hs_sc_rule_t *r, hs_sc_rule_t *out, size_t *n,
             size_t max)
{
  if (hs_sc_rule_disjoint (piece, r))
    {
      if (*n == max)
        return -1;
      out[(*n)++] = *piece;
      return 0;
    }
  for (size_t j = 0; j < r->nargs; j++)
    {
      hs_sc_cond_t neg[64];
      int nn = cond_negate (&r->args[j], neg);

      if (nn < 0) /* r can never match */
        {
          if (*n == max)
            return -1;
          out[(*n)++] = *piece;
          return 0;
        }
      for (int k = 0; k < nn; k++)
        {
          size_t from = *n;
          if (*n == max)
            return -1;
          out[(*n)++] = *piece;
          if (pieces_and (out, from, n, max, &neg[k]) < 0)
            {
              *n = from;
              return -1;
            }
        }
    }
  return 0;
}

/* Regions of syscall `name` where side `s` allows in some way. Its own
 * refusals are cut out of them later (with the other side's), so where a
 * side's allowance and refusal overlap, the result refuses. `idx[0..n)`
 * are the indices of s's rules for `name`, in order. */
static size_t
permissive_pieces (const hs_sc_profile_t *s, const size_t *idx, size_t n_idx, const char *name,
                   hs_sc_rule_t *out)
{
  size_t n = 0;
  bool other_action = false;

  for (size_t k = 0; k < n_idx; k++)
    {
      const hs_sc_rule_t *r = &s->rules[idx[k]];
      other_action
          = other_action || (!hs_sc_refusing (r->action) && r->action != s->default_action);
    }
  for (size_t k = 0; k < n_idx; k++)
    if (!hs_sc_refusing (s->rules[idx[k]].action))
      out[n++] = s->rules[idx[k]];
  /* A permissive default covers the rest, unless rules of another
   * permissive action (NOTIFY under ALLOW) would overlap it. */
  if (!hs_sc_refusing (s->default_action) && !other_action)
    {
      hs_sc_rule_t all = { .name = (char *) name, .action = s->default_action };
      out[n++] = all;
    }
  return n;
}

/* The rules of both profiles grouped by syscall name, names in order of
 * first appearance (the container's rules, then the policy's): one pass
 * each instead of a scan of every rule per name. */
typedef struct
{
  char **names;
  size_t n_names;
  /* rule indices of profile 0 (container) and 1 (policy) by name:
   * by_name[s][start[s][k] .. start[s][k + 1]) are name k's, in order */
  size_t *start[2], *by_name[2];
} name_groups_t;

static void
name_groups_release (name_groups_t *g)
{
  free (g->names);
  for (int s = 0; s < 2; s++)
    free (g->start[s]), free (g->by_name[s]);
}

static void
name_groups_build (name_groups_t *g, const hs_sc_profile_t *const prof[2])
{
  size_t total = prof[0]->n_rules + prof[1]->n_rules, n_slots = 16;
  cleanup_free size_t *slots = NULL, *id = NULL;
  size_t *fill;

  while (n_slots < 2 * (total + 1))
    n_slots *= 2;
  slots = hs_xcalloc (n_slots, sizeof (size_t)); /* name id + 1 */
  id = hs_xcalloc (total + 1, sizeof (size_t));
  g->names = hs_xcalloc (total + 1, sizeof (char *));
  g->n_names = 0;
  for (size_t i = 0; i < total; i++)
    {
      const char *name = i < prof[0]->n_rules ? prof[0]->rules[i].name
                                              : prof[1]->rules[i - prof[0]->n_rules].name;
      size_t h = hs_sc_name_hash (name) & (n_slots - 1);

      while (slots[h] != 0 && strcmp (g->names[slots[h] - 1], name) != 0)
        h = (h + 1) & (n_slots - 1);
      if (slots[h] == 0)
        {
          g->names[g->n_names] = (char *) name;
          slots[h] = ++g->n_names;
        }
      id[i] = slots[h] - 1;
    }
  for (int s = 0, off = 0; s < 2; off += (int) prof[s]->n_rules, s++)
    {
      g->start[s] = hs_xcalloc (g->n_names + 1, sizeof (size_t));
      g->by_name[s] = hs_xcalloc (prof[s]->n_rules + 1, sizeof (size_t));
      for (size_t i = 0; i < prof[s]->n_rules; i++)
        g->start[s][id[off + i] + 1]++;
      for (size_t k = 0; k < g->n_names; k++)
        g->start[s][k + 1] += g->start[s][k];
      fill = hs_xcalloc (g->n_names + 1, sizeof (size_t));
      memcpy (fill, g->start[s], g->n_names * sizeof (size_t));
      for (size_t i = 0; i < prof[s]->n_rules; i++)
        g->by_name[s][fill[id[off + i]]++] = i;
      free (fill);
    }
}

bool
hs_sc_name_seen (char **names, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (names[i], name) == 0)
      return true;
  return false;
}

int
hs_sc_intersect (const hs_sc_profile_t *c, const hs_sc_profile_t *p, const char *native,
                 hs_sc_profile_t **ret, hs_sc_notes_t *notes, hs_error_t *err)
{
  cleanup_sc_profile hs_sc_profile_t *out = hs_sc_profile_new ();
  const hs_sc_profile_t *const prof[2] = { c, p };
  __attribute__ ((cleanup (name_groups_release))) name_groups_t groups = { 0 };
  cleanup_free hs_sc_rule_t *pc = NULL, *pp = NULL, *pieces = NULL, *spare = NULL;
  size_t max = c->n_rules + p->n_rules + 2;
  const hs_json_t *flags;

  if (hs_sc_refusing (p->default_action) == false)
    return hs_error_make (err, 0, "the policy's seccomp profile must refuse by default");

  /* Default: the stricter; both refusing with errno: the container's errno. */
  if (hs_sc_refusing (c->default_action) && hs_sc_refusing (p->default_action)
      && c->default_action != p->default_action)
    out->default_action = stricter (c->default_action, p->default_action);
  else if (hs_sc_refusing (c->default_action))
    out->default_action = c->default_action;
  else
    out->default_action = p->default_action;
  if (out->default_action == c->default_action)
    out->has_default_errno = c->has_default_errno, out->default_errno = c->default_errno;
  else
    out->has_default_errno = p->has_default_errno, out->default_errno = p->default_errno;

  /* Architectures: both must admit one; the runtimes always add the native. */
  for (size_t i = 0; i < p->n_arches; i++)
    {
      bool in_c = strcmp (p->arches[i], native) == 0;
      for (size_t j = 0; j < c->n_arches && !in_c; j++)
        in_c = strcmp (c->arches[j], p->arches[i]) == 0;
      if (in_c)
        hs_sc_profile_add_arch (out, p->arches[i]);
      else
        hs_sc_notes_add (notes, "architecture %s: not in the container's profile", p->arches[i]);
    }
  for (size_t j = 0; j < c->n_arches; j++)
    if (!hs_sc_name_seen (out->arches, out->n_arches, c->arches[j]))
      hs_sc_notes_add (notes, "architecture %s: removed, the policy does not admit it",
                       c->arches[j]);
  if (out->n_arches == 0)
    hs_sc_profile_add_arch (out, native);

  /* Extra fields: the container's, without flags that weaken the filter. */
  for (size_t i = 0; i < c->extra->len; i++)
    {
      const char *k = c->extra->keys[i];
      const hs_json_t *v = c->extra->items[i];

      if (hs_json_key_fold_cmp (k, "flags") != 0)
        {
          hs_json_set (out->extra, k, hs_json_dup (v));
          continue;
        }
      flags = v;
      if (flags->type == HS_JSON_NULL)
        continue;
      if (flags->type != HS_JSON_ARRAY)
        return hs_error_make (err, 0, "`linux.seccomp.flags`: expected an array");
      {
        hs_json_t *kept = hs_json_new (HS_JSON_ARRAY);
        for (size_t j = 0; j < flags->len; j++)
          {
            const hs_json_t *f = flags->items[j];
            if (f->type != HS_JSON_STRING)
              {
                hs_json_free (kept);
                return hs_error_make (err, 0, "`linux.seccomp.flags[%zu]`: expected a string", j);
              }
            if (strcmp (f->str, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
              {
                hs_sc_notes_add (notes, "flag SECCOMP_FILTER_FLAG_SPEC_ALLOW removed: it turns "
                                        "off the speculative store bypass mitigation");
                continue;
              }
            if (strcmp (f->str, "SECCOMP_FILTER_FLAG_TSYNC") != 0
                && strcmp (f->str, "SECCOMP_FILTER_FLAG_LOG") != 0
                && strcmp (f->str, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") != 0)
              {
                hs_json_free (kept);
                return hs_error_make (err, 0, "`linux.seccomp.flags[%zu]`: unknown flag `%s`", j,
                                      f->str);
              }
            hs_json_append (kept, hs_json_dup (f));
          }
        hs_json_set (out->extra, k, kept);
      }
    }

  name_groups_build (&groups, prof);
  pc = hs_xcalloc (max, sizeof (*pc));
  pp = hs_xcalloc (max, sizeof (*pp));
  pieces = hs_xcalloc (MAX_PIECES, sizeof (*pieces));
  spare = hs_xcalloc (MAX_PIECES, sizeof (*spare));
  for (size_t k = 0; k < groups.n_names; k++)
    {
      const char *name = groups.names[k];
      const size_t *ic = groups.by_name[0] + groups.start[0][k];
      const size_t *ip = groups.by_name[1] + groups.start[1][k];
      size_t nic = groups.start[0][k + 1] - groups.start[0][k];
      size_t nip = groups.start[1][k + 1] - groups.start[1][k];
      size_t npc = permissive_pieces (c, ic, nic, name, pc);
      size_t npp = permissive_pieces (p, ip, nip, name, pp);
      size_t np, dropped, first_refusal = out->n_rules;
      char text[512];

      pieces_simplify (pc, &npc);
      pieces_simplify (pp, &npp);
      /* Refusals of both sides stay; for the same arguments (which
       * libseccomp would reject as a conflict) the container's. */
      for (size_t i = 0; i < nic + nip; i++)
        {
          const hs_sc_rule_t *r = i < nic ? &c->rules[ic[i]] : &p->rules[ip[i - nic]];
          bool shadowed = false;

          if (!hs_sc_refusing (r->action))
            continue;
          for (size_t j = first_refusal; j < out->n_rules && !shadowed; j++)
            {
              hs_sc_rule_t t = *r;
              t.action = out->rules[j].action;
              t.has_errno = out->rules[j].has_errno;
              t.errno_ret = out->rules[j].errno_ret;
              shadowed = hs_sc_rule_same (&t, &out->rules[j]);
            }
          if (!shadowed)
            hs_sc_profile_add (out, r);
        }
      /* An unconditional refusal replaces the syscall's argument rules in
       * libseccomp, whatever their order (seen with 2.5.4): conditional
       * refusals beside it never answer. Drop them, so the profile means
       * the same in any rule order (the OCI emitter regroups rules). */
      bool whole = false;
      for (size_t j = first_refusal; j < out->n_rules && !whole; j++)
        whole = out->rules[j].nargs == 0;
      for (size_t i = first_refusal; whole && i < out->n_rules;)
        if (out->rules[i].nargs > 0)
          hs_sc_profile_remove (out, i);
        else
          i++;
      /* Allowed where both allow: pairwise conjunctions. */
      np = 0;
      dropped = 0;
      for (size_t i = 0; i < npc; i++)
        for (size_t j = 0; j < npp; j++)
          {
            hs_sc_rule_t x = pc[i];
            size_t before = np;
            int r;

            /* nothing both allow here: no piece, and no note that one is lost */
            if (hs_sc_rule_disjoint (&pc[i], &pp[j]))
              continue;
            if (np == MAX_PIECES)
              {
                dropped++;
                continue;
              }
            x.name = (char *) name;
            x.action = stricter (pc[i].action, pp[j].action);
            if (x.action != pc[i].action)
              x.has_errno = pp[j].has_errno, x.errno_ret = pp[j].errno_ret;
            pieces[np++] = x;
            for (size_t k2 = 0; k2 < pp[j].nargs; k2++)
              if ((r = pieces_and (pieces, before, &np, MAX_PIECES, &pp[j].args[k2])) < 0)
                {
                  np = before;
                  hs_sc_rule_text (&pc[i], text, sizeof (text));
                  hs_sc_notes_add (notes,
                                   "%s: allowed only where both profiles allow it, which "
                                   "the rules cannot express; refused there instead",
                                   text);
                  break;
                }
          }
      if (dropped > 0)
        hs_sc_notes_add (notes,
                         "%s: %zu allowances beyond the %d one syscall may have in the "
                         "intersection; refused there instead",
                         name, dropped, MAX_PIECES);
      /* Take every refusal out of the pieces, so no allowance overlaps one
       * and libseccomp's rule order never decides. */
      for (size_t j = first_refusal; j < out->n_rules; j++)
        {
          size_t nn2 = 0;
          for (size_t i = 0; i < np; i++)
            if (piece_minus (&pieces[i], &out->rules[j], spare, &nn2, MAX_PIECES) < 0)
              {
                hs_sc_rule_text (&pieces[i], text, sizeof (text));
                hs_sc_notes_add (notes,
                                 "%s: overlaps a refusal in a way the rules cannot "
                                 "express; refused there instead",
                                 text);
              }
          memcpy (pieces, spare, nn2 * sizeof (*pieces));
          np = nn2;
        }
      pieces_simplify (pieces, &np);
      for (size_t i = 0; i < np; i++)
        {
          bool keep = true;

          /* Overlapping pieces of different permissive actions: the stricter. */
          for (size_t j = 0; j < np && keep; j++)
            if (j != i && pieces[j].action < pieces[i].action
                && !hs_sc_rule_disjoint (&pieces[i], &pieces[j]))
              keep = false;
          /* An unconditional piece of the same action subsumes the rest. */
          for (size_t j = 0; j < np && keep && pieces[i].nargs > 0; j++)
            if (j != i && pieces[j].nargs == 0 && pieces[j].action == pieces[i].action)
              keep = false;
          if (keep)
            hs_sc_profile_add (out, &pieces[i]);
        }
      /* A syscall only the container allows is refused the policy's way
       * (ENOSYS for what its profile does not know), not by the default;
       * unless a refusal of every call is already there (a second rule on
       * the same arguments would conflict, and a second pass drops it). */
      bool refused_whole = false;
      for (size_t j = first_refusal; j < out->n_rules && !refused_whole; j++)
        refused_whole = out->rules[j].nargs == 0 && hs_sc_refusing (out->rules[j].action);
      if (npc > 0 && nip == 0 && !refused_whole && hs_sc_refusing (c->default_action)
          && out->default_action == c->default_action
          && (p->default_action != out->default_action
              || p->has_default_errno != out->has_default_errno
              || p->default_errno != out->default_errno))
        {
          hs_sc_rule_t r = { .name = (char *) name,
                             .action = p->default_action,
                             .has_errno = p->has_default_errno,
                             .errno_ret = p->default_errno };
          hs_sc_profile_add (out, &r);
        }
    }
  *ret = TAKE_PTR (out);
  return 0;
}
