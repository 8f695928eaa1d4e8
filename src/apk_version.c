/* apk version ordering, written from apk-tools' rules (2.12 and later):
 * a version is a sequence of tokens, digit{.digit}...{letter}{_suffix{#}}...
 * {-r#}; tokens are compared pairwise while both sides have the same token
 * kind; the first difference decides. No library offers this (apk-tools
 * has no library package in Debian), hence by hand; tests/data/apk-versions
 * holds apk-tools' own test vectors. */
#include "apk_version.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Token kinds in apk's order: a later kind may follow an earlier one only. */
enum
{
  TOK_INITIAL_DIGIT,
  TOK_DIGIT,
  TOK_LETTER,
  TOK_SUFFIX,
  TOK_SUFFIX_NO,
  TOK_REVISION_NO,
  TOK_END,
  TOK_INVALID,
};

/* Pre-release suffixes sort below "no suffix", post-release ones above. */
enum
{
  SUF_INVALID = 0,
  SUF_ALPHA,
  SUF_BETA,
  SUF_PRE,
  SUF_RC,
  SUF_NONE,
  SUF_CVS,
  SUF_SVN,
  SUF_GIT,
  SUF_HG,
  SUF_P,
};

typedef struct
{
  int kind;
  int suffix;
  const char *val; /* the token's text; may be empty and then points at what follows */
  size_t len;
} token_t;

typedef struct
{
  const char *p;
  size_t left;
} cursor_t;

static size_t
span (cursor_t *c, int (*in) (char))
{
  size_t n = 0;

  while (n < c->left && in (c->p[n]))
    n++;
  return n;
}

static int
is_digit (char ch)
{
  return ch >= '0' && ch <= '9';
}

static int
is_lower (char ch)
{
  return ch >= 'a' && ch <= 'z';
}

static void
take (cursor_t *c, token_t *t, size_t n)
{
  t->val = c->p;
  t->len = n;
  c->p += n;
  c->left -= n;
}

static int
suffix_of (const char *s, size_t n)
{
  static const struct
  {
    const char *name;
    int value;
  } names[] = {
    { "alpha", SUF_ALPHA }, { "beta", SUF_BETA }, { "pre", SUF_PRE },
    { "rc", SUF_RC },       { "cvs", SUF_CVS },   { "svn", SUF_SVN },
    { "git", SUF_GIT },     { "hg", SUF_HG },     { "p", SUF_P },
  };

  if (n == 0)
    return SUF_NONE;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen (names[i].name) == n && memcmp (names[i].name, s, n) == 0)
      return names[i].value;
  return SUF_INVALID;
}

static void
token_first (token_t *t, cursor_t *c)
{
  take (c, t, span (c, is_digit));
  t->kind = t->len ? TOK_INITIAL_DIGIT : TOK_INVALID;
}

static void
token_next (token_t *t, cursor_t *c)
{
  if (c->left == 0)
    {
      t->kind = TOK_END;
      return;
    }
  switch (c->p[0])
    {
    case 'a' ... 'z':
      if (t->kind > TOK_DIGIT)
        break;
      take (c, t, 1);
      t->kind = TOK_LETTER;
      return;
    case '.':
    case '0' ... '9':
      if (c->p[0] == '.')
        {
          if (t->kind > TOK_DIGIT)
            break;
          c->p++, c->left--;
        }
      if (t->kind == TOK_SUFFIX)
        t->kind = TOK_SUFFIX_NO;
      else if (t->kind == TOK_INITIAL_DIGIT || t->kind == TOK_DIGIT)
        t->kind = TOK_DIGIT;
      else
        break;
      take (c, t, span (c, is_digit));
      return;
    case '_':
      if (t->kind > TOK_SUFFIX_NO)
        break;
      c->p++, c->left--;
      take (c, t, span (c, is_lower));
      t->suffix = suffix_of (t->val, t->len);
      if (t->suffix == SUF_INVALID)
        break;
      t->kind = TOK_SUFFIX;
      return;
    case '-':
      if (t->kind >= TOK_REVISION_NO || c->left < 2 || c->p[1] != 'r')
        break;
      c->p += 2, c->left -= 2;
      take (c, t, span (c, is_digit));
      t->kind = TOK_REVISION_NO;
      return;
    default:
      break;
    }
  t->kind = TOK_INVALID;
}

/* apk reads numbers into 64 bits and lets them wrap: so do we. */
static uint64_t
number (const token_t *t)
{
  uint64_t v = 0;

  for (size_t i = 0; i < t->len; i++)
    v = v * 10 + (uint64_t) (t->val[i] - '0');
  return v;
}

static int
string_order (const token_t *a, const token_t *b)
{
  size_t n = a->len < b->len ? a->len : b->len;
  int r = memcmp (a->val, b->val, n);

  if (r != 0)
    return r < 0 ? -1 : 1;
  return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static int
token_order (const token_t *a, const token_t *b)
{
  uint64_t x, y;

  switch (a->kind)
    {
    case TOK_DIGIT:
      /* A leading zero makes the part a fraction: compare as text (Gentoo's
       * rule). An empty part looks at the character after it, as apk does. */
      if (a->val[0] == '0' || b->val[0] == '0')
        return string_order (a, b);
      /* fallthrough */
    case TOK_INITIAL_DIGIT:
    case TOK_SUFFIX_NO:
    case TOK_REVISION_NO:
      x = number (a);
      y = number (b);
      break;
    case TOK_LETTER:
      x = (unsigned char) a->val[0];
      y = (unsigned char) b->val[0];
      break;
    case TOK_SUFFIX:
      x = (uint64_t) a->suffix;
      y = (uint64_t) b->suffix;
      break;
    default:
      return string_order (a, b);
    }
  return x < y ? -1 : x > y ? 1 : 0;
}

int
hs_apk_version_compare (const char *a, const char *b)
{
  cursor_t ca = { a, strlen (a) }, cb = { b, strlen (b) };
  token_t ta = { 0 }, tb = { 0 };

  for (token_first (&ta, &ca), token_first (&tb, &cb); ta.kind == tb.kind && ta.kind < TOK_END;
       token_next (&ta, &ca), token_next (&tb, &cb))
    {
      int r = token_order (&ta, &tb);

      if (r != 0)
        return r;
    }
  if (ta.kind == tb.kind)
    return 0;
  /* Equal so far: the longer version is newer, unless what it has more is
   * a pre-release suffix. */
  if (ta.kind == TOK_SUFFIX && ta.suffix < SUF_NONE)
    return -1;
  if (tb.kind == TOK_SUFFIX && tb.suffix < SUF_NONE)
    return 1;
  return ta.kind > tb.kind ? -1 : 1;
}

bool
hs_apk_version_valid (const char *v)
{
  cursor_t c = { v, strlen (v) };
  token_t t = { 0 };

  for (token_first (&t, &c); t.kind < TOK_END; token_next (&t, &c))
    ;
  return t.kind == TOK_END;
}
