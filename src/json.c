#include "json.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strict UTF-8 ---------------------------------------------------- */

/* Bytes of s that are strictly valid UTF-8 before the first that is not. */
static size_t
utf8_valid_len (const char *s, size_t len)
{
  const unsigned char *start = (const unsigned char *) s, *p = start, *end = p + len;

  while (p < end)
    {
      unsigned c = *p;
      size_t n;
      uint32_t cp, min;

      if (c < 0x80)
        {
          uint64_t w;

          /* ASCII runs, eight bytes at a time */
          p++;
          while (end - p >= 8 && (memcpy (&w, p, 8), (w & 0x8080808080808080ull) == 0))
            p += 8;
          continue;
        }
      if ((c & 0xE0) == 0xC0)
        n = 1, cp = c & 0x1F, min = 0x80;
      else if ((c & 0xF0) == 0xE0)
        n = 2, cp = c & 0x0F, min = 0x800;
      else if ((c & 0xF8) == 0xF0)
        n = 3, cp = c & 0x07, min = 0x10000;
      else
        break;
      if ((size_t) (end - p) <= n)
        break;
      for (size_t i = 1; i <= n; i++)
        {
          if ((p[i] & 0xC0) != 0x80)
            return (size_t) (p - start);
          cp = (cp << 6) | (p[i] & 0x3F);
        }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        break;
      p += n + 1;
    }
  return (size_t) (p - start);
}

bool
hs_utf8_valid (const char *s, size_t len)
{
  return utf8_valid_len (s, len) == len;
}

/* ---- key folding like Go's encoding/json ------------------------------ */

static int
fold_next (const unsigned char **pp)
{
  const unsigned char *p = *pp;

  if (p[0] == 0xE2 && p[1] == 0x84 && p[2] == 0xAA) /* KELVIN SIGN */
    {
      *pp += 3;
      return 'k';
    }
  if (p[0] == 0xC5 && p[1] == 0xBF) /* LATIN SMALL LETTER LONG S */
    {
      *pp += 2;
      return 's';
    }
  *pp += 1;
  if (p[0] >= 'A' && p[0] <= 'Z')
    return p[0] + ('a' - 'A');
  return p[0];
}

int
hs_json_key_fold_cmp (const char *a, const char *b)
{
  const unsigned char *pa = (const unsigned char *) a, *pb = (const unsigned char *) b;

  for (;;)
    {
      int ca, cb;

      if (*pa == '\0' || *pb == '\0')
        return (int) *pa - (int) *pb;
      ca = fold_next (&pa);
      cb = fold_next (&pb);
      if (ca != cb)
        return ca - cb;
    }
}

/* ---- tree ------------------------------------------------------------- */

hs_json_t *
hs_json_new (hs_json_type_t type)
{
  hs_json_t *v = hs_xcalloc (1, sizeof (*v));

  v->type = type;
  return v;
}

/* A string or number and its text in one allocation: a config has
 * thousands of them, and a create is mostly malloc and free otherwise. */
static hs_json_t *
new_scalar (hs_json_type_t type, const char *s, size_t len)
{
  hs_json_t *v = hs_xmalloc (sizeof (*v) + len + 1);

  *v = (hs_json_t){ .type = type, .len = len, .str = (char *) (v + 1) };
  memcpy (v->str, s, len);
  v->str[len] = '\0';
  return v;
}

hs_json_t *
hs_json_new_string (const char *s)
{
  return new_scalar (HS_JSON_STRING, s, strlen (s));
}

hs_json_t *
hs_json_new_bool (bool b)
{
  hs_json_t *v = hs_json_new (HS_JSON_BOOL);

  v->boolean = b;
  return v;
}

hs_json_t *
hs_json_new_number (const char *text)
{
  return new_scalar (HS_JSON_NUMBER, text, strlen (text));
}

hs_json_t *
hs_json_new_uint (unsigned long long n)
{
  char buf[32];

  snprintf (buf, sizeof (buf), "%llu", n);
  return hs_json_new_number (buf);
}

hs_json_t *
hs_json_free (hs_json_t *v)
{
  if (v == NULL)
    return NULL;
  for (size_t i = 0; i < v->len && (v->type == HS_JSON_ARRAY || v->type == HS_JSON_OBJECT); i++)
    {
      hs_json_free (v->items[i]);
      if (v->keys)
        free (v->keys[i]);
    }
  free (v->items);
  free (v->keys);
  if (v->str != (char *) (v + 1))
    free (v->str);
  free (v);
  return NULL;
}

hs_json_t *
hs_json_dup (const hs_json_t *v)
{
  hs_json_t *r;

  if (v == NULL)
    return NULL;
  if (v->type == HS_JSON_STRING || v->type == HS_JSON_NUMBER)
    return new_scalar (v->type, v->str, v->len);
  r = hs_json_new (v->type);
  r->boolean = v->boolean;
  if (v->type != HS_JSON_ARRAY && v->type != HS_JSON_OBJECT)
    return r;
  r->cap = v->len;
  r->len = v->len;
  r->items = hs_xcalloc (r->cap, sizeof (*r->items));
  if (v->type == HS_JSON_OBJECT)
    r->keys = hs_xcalloc (r->cap, sizeof (*r->keys));
  for (size_t i = 0; i < v->len; i++)
    {
      r->items[i] = hs_json_dup (v->items[i]);
      if (r->keys)
        r->keys[i] = hs_xstrdup (v->keys[i]);
    }
  return r;
}

const char *
hs_json_type_name (hs_json_type_t t)
{
  switch (t)
    {
    case HS_JSON_NULL:
      return "null";
    case HS_JSON_BOOL:
      return "boolean";
    case HS_JSON_NUMBER:
      return "number";
    case HS_JSON_STRING:
      return "string";
    case HS_JSON_ARRAY:
      return "array";
    case HS_JSON_OBJECT:
      return "object";
    }
  return "?";
}

bool
hs_json_equal (const hs_json_t *a, const hs_json_t *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->type != b->type)
    return false;
  switch (a->type)
    {
    case HS_JSON_NULL:
      return true;
    case HS_JSON_BOOL:
      return a->boolean == b->boolean;
    case HS_JSON_NUMBER:
    case HS_JSON_STRING:
      return a->len == b->len && memcmp (a->str, b->str, a->len) == 0;
    case HS_JSON_ARRAY:
    case HS_JSON_OBJECT:
      if (a->len != b->len)
        return false;
      for (size_t i = 0; i < a->len; i++)
        {
          if (a->keys && strcmp (a->keys[i], b->keys[i]) != 0)
            return false;
          if (!hs_json_equal (a->items[i], b->items[i]))
            return false;
        }
      return true;
    }
  return false;
}

static long
find_key (const hs_json_t *obj, const char *key, bool exact)
{
  if (obj == NULL || obj->type != HS_JSON_OBJECT)
    return -1;
  for (size_t i = 0; i < obj->len; i++)
    if (exact ? strcmp (obj->keys[i], key) == 0 : hs_json_key_fold_cmp (obj->keys[i], key) == 0)
      return (long) i;
  return -1;
}

hs_json_t *
hs_json_get (const hs_json_t *obj, const char *key)
{
  long i = find_key (obj, key, false);

  return i < 0 ? NULL : obj->items[i];
}

hs_json_t *
hs_json_get_exact (const hs_json_t *obj, const char *key)
{
  long i = find_key (obj, key, true);

  return i < 0 ? NULL : obj->items[i];
}

hs_json_t *
hs_json_get_type (const hs_json_t *obj, const char *key, hs_json_type_t type)
{
  hs_json_t *v = hs_json_get (obj, key);

  return v != NULL && v->type == type ? v : NULL;
}

hs_json_t *
hs_json_path (const hs_json_t *root, ...)
{
  const hs_json_t *v = root;
  const char *key;
  va_list ap;

  va_start (ap, root);
  while (v != NULL && (key = va_arg (ap, const char *)) != NULL)
    v = hs_json_get (v, key);
  va_end (ap);
  return (hs_json_t *) v;
}

static void
object_put (hs_json_t *obj, const char *key, hs_json_t *value, bool exact)
{
  long i = find_key (obj, key, exact);

  if (i >= 0)
    {
      hs_json_free (obj->items[i]);
      obj->items[i] = value;
      return;
    }
  size_t cap = obj->cap;
  obj->items = hs_xgrow (obj->items, &cap, obj->len + 1, sizeof (*obj->items));
  cap = obj->cap;
  obj->keys = hs_xgrow (obj->keys, &cap, obj->len + 1, sizeof (*obj->keys));
  obj->cap = cap;
  obj->keys[obj->len] = hs_xstrdup (key);
  obj->items[obj->len++] = value;
}

void
hs_json_set (hs_json_t *obj, const char *key, hs_json_t *value)
{
  object_put (obj, key, value, false);
}

void
hs_json_set_exact (hs_json_t *obj, const char *key, hs_json_t *value)
{
  object_put (obj, key, value, true);
}

static hs_json_t *
ensure_child (hs_json_t *obj, const char *key, hs_json_type_t type)
{
  hs_json_t *v = hs_json_get (obj, key);

  if (v != NULL && v->type == type)
    return v;
  if (v != NULL && v->type != HS_JSON_NULL)
    return NULL;
  v = hs_json_new (type);
  hs_json_set (obj, key, v);
  return v;
}

hs_json_t *
hs_json_ensure_object (hs_json_t *obj, const char *key)
{
  return ensure_child (obj, key, HS_JSON_OBJECT);
}

hs_json_t *
hs_json_ensure_array (hs_json_t *obj, const char *key)
{
  return ensure_child (obj, key, HS_JSON_ARRAY);
}

/* Unlinks member i and returns its value. */
static hs_json_t *
object_unlink (hs_json_t *obj, size_t i)
{
  hs_json_t *v = obj->items[i];

  free (obj->keys[i]);
  memmove (&obj->items[i], &obj->items[i + 1], (obj->len - i - 1) * sizeof (*obj->items));
  memmove (&obj->keys[i], &obj->keys[i + 1], (obj->len - i - 1) * sizeof (*obj->keys));
  obj->len--;
  return v;
}

static bool
object_remove (hs_json_t *obj, const char *key, bool exact)
{
  long i = find_key (obj, key, exact);

  if (i < 0)
    return false;
  hs_json_free (object_unlink (obj, (size_t) i));
  return true;
}

hs_json_t *
hs_json_take (hs_json_t *obj, const char *key)
{
  long i = find_key (obj, key, true);

  return i < 0 ? NULL : object_unlink (obj, (size_t) i);
}

bool
hs_json_remove (hs_json_t *obj, const char *key)
{
  return object_remove (obj, key, false);
}

bool
hs_json_remove_exact (hs_json_t *obj, const char *key)
{
  return object_remove (obj, key, true);
}

void
hs_json_append (hs_json_t *arr, hs_json_t *value)
{
  arr->items = hs_xgrow (arr->items, &arr->cap, arr->len + 1, sizeof (*arr->items));
  arr->items[arr->len++] = value;
}

void
hs_json_remove_at (hs_json_t *arr, size_t i)
{
  if (i >= arr->len)
    return;
  hs_json_free (arr->items[i]);
  memmove (&arr->items[i], &arr->items[i + 1], (arr->len - i - 1) * sizeof (*arr->items));
  arr->len--;
}

long
hs_json_array_find_string (const hs_json_t *arr, const char *s)
{
  if (arr == NULL || arr->type != HS_JSON_ARRAY)
    return -1;
  for (size_t i = 0; i < arr->len; i++)
    if (arr->items[i]->type == HS_JSON_STRING && strcmp (arr->items[i]->str, s) == 0)
      return (long) i;
  return -1;
}

bool
hs_json_is_true (const hs_json_t *v)
{
  return v != NULL && v->type == HS_JSON_BOOL && v->boolean;
}

/* ---- plain string runs ---------------------------------------------- */

/* None of the 8 bytes in w needs escaping (< 0x20, '"', '\\'), so none ends or
 * escapes a string either: the SWAR "has a byte less than n" test; a false
 * alarm only drops to the byte loop. Emitter and parser use it. */
static inline bool
plain8 (uint64_t w)
{
  const uint64_t ones = 0x0101010101010101ULL;
  uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

  return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & (ones << 7)) == 0;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Index of the first byte of w that plain8 objects to (w must have one):
 * the lowest flag of each SWAR test is exact (borrows only run upwards). */
static inline size_t
first_special8 (uint64_t w)
{
  const uint64_t ones = 0x0101010101010101ULL;
  uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

  return (size_t) __builtin_ctzll (
             (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & (ones << 7))
         >> 3;
}
#endif

/* ---- parsing ---------------------------------------------------------- */

/* One pass over the buffer with an explicit stack of open containers. It
 * accepts exactly what yajl 2.1 (comments only when allowed) plus the checks
 * around it accepted before issue #8: tests/json_yajl_parse_ref.h keeps that
 * parser, and tests/check_json.c and tests/fuzz/fuzz_json.c compare. */
typedef struct
{
  hs_json_t **stack;
  size_t depth, cap;
  hs_json_t *root;
  char *pending_key;
  unsigned max_depth;
  char *error; /* the first refusal; the parse stops there */
  const char *buf, *p, *end;
  bool comments;
} parse_state_t;

/* "process.capabilities.bounding[3]": where the parse stands. With
 * `pending`, the innermost value is not yet in its container. */
static char *
state_path (const parse_state_t *st, bool pending)
{
  char *path = hs_xstrdup ("");

  for (size_t i = 0; i < st->depth; i++)
    {
      const hs_json_t *c = st->stack[i];
      bool top_pending = pending && i + 1 == st->depth;
      char *next;

      if (c->type == HS_JSON_ARRAY)
        next = hs_xasprintf ("%s[%zu]", path, top_pending ? c->len : c->len - 1);
      else
        {
          const char *k = top_pending ? st->pending_key : c->keys[c->len - 1];
          if (k == NULL)
            break;
          next = hs_xasprintf ("%s%s%s", path, *path ? "." : "", k);
        }
      free (path);
      path = next;
    }
  if (*path == '\0')
    {
      free (path);
      return hs_xstrdup ("(top level)");
    }
  return path;
}

static int
fail (parse_state_t *st, char *msg)
{
  if (st->error == NULL)
    st->error = msg;
  else
    free (msg);
  return 0;
}

/* A syntax error at `at`: line, column and byte offset, what was expected
 * and what was found there. */
static int
fail_syntax (parse_state_t *st, const char *at, const char *expected)
{
  size_t line = 1;
  const char *bol = st->buf;
  char found[32];

  for (const char *q = st->buf; q < at; q++)
    if (*q == '\n')
      line++, bol = q + 1;
  if (at >= st->end)
    snprintf (found, sizeof (found), "the end of the input");
  else if (*at > ' ' && *at < 0x7f && *at != '`')
    snprintf (found, sizeof (found), "`%c`", *at);
  else
    snprintf (found, sizeof (found), "byte 0x%02x", (unsigned char) *at);
  return fail (st, hs_xasprintf ("invalid JSON on line %zu, column %zu (byte offset %zu): "
                                 "expected %s, found %s%s",
                                 line, (size_t) (at - bol) + 1, (size_t) (at - st->buf), expected,
                                 found, at >= st->end ? " (truncated?)" : ""));
}

static int
add_value (parse_state_t *st, hs_json_t *v)
{
  if (st->depth == 0)
    st->root = v;
  else
    {
      hs_json_t *top = st->stack[st->depth - 1];

      if (top->type == HS_JSON_ARRAY)
        hs_json_append (top, v);
      else
        {
          size_t cap = top->cap;
          top->items = hs_xgrow (top->items, &cap, top->len + 1, sizeof (*top->items));
          cap = top->cap;
          top->keys = hs_xgrow (top->keys, &cap, top->len + 1, sizeof (*top->keys));
          top->cap = cap;
          top->keys[top->len] = st->pending_key;
          top->items[top->len++] = v;
          st->pending_key = NULL;
        }
    }
  if (v->type == HS_JSON_ARRAY || v->type == HS_JSON_OBJECT)
    {
      if (st->depth >= st->max_depth)
        {
          char *path = state_path (st, false);
          fail (st, hs_xasprintf ("nesting deeper than %u levels at `%s`", st->max_depth, path));
          free (path);
          return 0;
        }
      st->stack = hs_xgrow (st->stack, &st->cap, st->depth + 1, sizeof (*st->stack));
      st->stack[st->depth++] = v;
    }
  return 1;
}

static int
fold_qsort_cmp (const void *a, const void *b)
{
  return hs_json_key_fold_cmp (*(char *const *) a, *(char *const *) b);
}

/* Refuse duplicates and case twins of one object: pairwise for small
 * objects, sort-based for large ones (annotations can be big). */
static int
check_object_keys (parse_state_t *st, const hs_json_t *obj)
{
  cleanup_free char **sorted = NULL;
  const char *a = NULL, *b = NULL;
  char *path;

  if (obj->len <= 16)
    {
      for (size_t i = 0; i < obj->len && a == NULL; i++)
        for (size_t j = i + 1; j < obj->len && a == NULL; j++)
          if (hs_json_key_fold_cmp (obj->keys[i], obj->keys[j]) == 0)
            a = obj->keys[i], b = obj->keys[j];
    }
  else
    {
      sorted = hs_xmalloc (obj->len * sizeof (char *));
      memcpy (sorted, obj->keys, obj->len * sizeof (char *));
      qsort (sorted, obj->len, sizeof (char *), fold_qsort_cmp);
      for (size_t i = 1; i < obj->len && a == NULL; i++)
        if (hs_json_key_fold_cmp (sorted[i - 1], sorted[i]) == 0)
          a = sorted[i - 1], b = sorted[i];
    }
  if (a == NULL)
    return 1;

  /* The object's own path is where its parent frame stands. */
  st->depth--;
  path = state_path (st, false);
  st->depth++;
  fail (st,
        strcmp (a, b) == 0
            ? hs_xasprintf ("duplicate key `%s` in object `%s`", a, path)
            : hs_xasprintf ("keys `%s` and `%s` in object `%s` differ only in case", a, b, path));
  free (path);
  return 0;
}

static int
end_container (parse_state_t *st)
{
  hs_json_t *top = st->stack[st->depth - 1];

  if (top->type == HS_JSON_OBJECT && !check_object_keys (st, top))
    return 0;
  st->depth--;
  return 1;
}

/* yajl's whitespace, which has \v and \f too. */
static bool
is_space (char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

/* Moves st->p to the next token. 1: there is one; 0: the input ends (an
 * unterminated comment too, which yajl took as the end); -1: refused. */
static int
skip_space_slow (parse_state_t *st)
{
  const char *p = st->p, *end = st->end;

  for (;;)
    {
      const char *q;

      while (p < end && is_space (*p))
        p++;
      st->p = p;
      if (p == end)
        return 0;
      if (*p != '/')
        return 1;
      if (!st->comments)
        return fail_syntax (st, p, "a token (comments are not allowed here)"), -1;
      if (p + 1 < end && p[1] == '/')
        q = memchr (p + 2, '\n', end - p - 2);
      else if (p + 1 < end && p[1] == '*')
        q = memmem (p + 2, end - p - 2, "*/", 2), q = q ? q + 1 : NULL;
      else
        return fail_syntax (st, p + 1, "`/` or `*` after `/` (a comment)"), -1;
      if (q == NULL)
        {
          st->p = end;
          return 0;
        }
      p = q + 1;
    }
}

/* Most tokens follow the last one directly or after one space. */
static inline int
skip_space (parse_state_t *st)
{
  if (st->p < st->end && *st->p != '/' && !is_space (*st->p))
    return 1;
  return skip_space_slow (st);
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The code unit of `\uXXXX` at p (p[0] is the `\\`), or -1. */
static long
read_u16_escape (const char *p, const char *end)
{
  long v = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int i = 2; i < 6; i++)
    {
      int h = hexval (p[i]);
      if (h < 0)
        return -1;
      v = v * 16 + h;
    }
  return v;
}

static int
fail_text (parse_state_t *st, const char *what, const char *problem, const char *at)
{
  char *path = state_path (st, true);
  size_t line = 1;

  for (const char *q = st->buf; q < at; q++)
    line += *q == '\n';
  fail (st, hs_xasprintf ("%s %s at `%s` (line %zu, byte offset %zu)", what, problem, path, line,
                          (size_t) (at - st->buf)));
  free (path);
  return 0;
}

/* The string whose opening quote is at st->p: its raw text, and whether it
 * has escapes (all checked: known, four hex digits, surrogates paired, no
 * \u0000). st->p ends past the closing quote. 1: a string; 0: refused.
 *
 * `trailing`: a string after the top-level value, which yajl took for the
 * end of the input when it was still open there (its lexer waits for more)
 * unless the input ends inside an escape; 2 then. Its \u0000 was never
 * decoded, but lone surrogates were refused before yajl ran. */
static int
scan_string (parse_state_t *st, const char *what, bool trailing, const char **ret_s,
             size_t *ret_len, bool *ret_escapes)
{
  const char *s = st->p + 1, *p = s, *end = st->end;
  bool escapes = false;

  for (;;)
    {
      uint64_t w;

      while (end - p >= 8 && (memcpy (&w, p, 8), plain8 (w)))
        p += 8;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      if (end - p >= 8)
        p += first_special8 (w); /* the word the loop stopped at */
      else
#endif
        while (p < end && *p != '"' && *p != '\\' && (unsigned char) *p >= 0x20)
          p++;
      if (p == end && trailing)
        return 2;
      if (p == end)
        return fail_syntax (st, p, "`\"` (the end of the string)");
      if (*p == '"' && trailing)
        return fail_syntax (st, s - 1, "the end of the input after the top-level value");
      if (*p == '"')
        break;
      if (*p != '\\')
        return fail_syntax (st, p, "a character in a string (control characters must be escaped)");
      escapes = true;
      if (p + 1 == end)
        return fail_syntax (st, p + 1, "an escaped character");
      if (p[1] != 'u')
        {
          if (strchr ("\"\\/bfnrt", p[1]) == NULL || p[1] == '\0')
            return fail_syntax (st, p + 1, "an escape (one of `\"\\/bfnrtu`) after `\\`");
          p += 2;
          continue;
        }
      {
        long u = read_u16_escape (p, end);

        if (u < 0)
          {
            const char *bad = p + 2;
            while (bad < end && bad < p + 6 && hexval (*bad) >= 0)
              bad++;
            return fail_syntax (st, bad, "four hex digits after `\\u`");
          }
        if (u == 0 && !trailing)
          return fail_text (st, what, "with an embedded NUL (\\u0000)", p);
        if (u >= 0xDC00 && u <= 0xDFFF)
          return fail_text (st, what, "with a lone UTF-16 surrogate escape", p);
        if (u >= 0xD800 && u <= 0xDBFF)
          {
            long lo = read_u16_escape (p + 6, end);
            if (lo < 0xDC00 || lo > 0xDFFF)
              return fail_text (st, what, "with a lone UTF-16 surrogate escape", p);
            p += 6;
          }
        p += 6;
      }
    }
  *ret_s = s;
  *ret_len = (size_t) (p - s);
  *ret_escapes = escapes;
  st->p = p + 1;
  return 1;
}

/* Decodes the escapes of checked raw text into out (never longer than the
 * raw text); returns the decoded length. */
static size_t
unescape (const char *s, size_t len, char *out)
{
  const char *p = s, *end = s + len;
  char *o = out;

  while (p < end)
    {
      const char *bs = memchr (p, '\\', end - p);
      size_t run = bs ? (size_t) (bs - p) : (size_t) (end - p);
      uint32_t cp;

      memmove (o, p, run);
      o += run;
      if (bs == NULL)
        break;
      p = bs + 2;
      switch (bs[1])
        {
        case 'b':
          *o++ = '\b';
          continue;
        case 'f':
          *o++ = '\f';
          continue;
        case 'n':
          *o++ = '\n';
          continue;
        case 'r':
          *o++ = '\r';
          continue;
        case 't':
          *o++ = '\t';
          continue;
        case 'u':
          break;
        default: /* `"`, `\\`, `/` */
          *o++ = bs[1];
          continue;
        }
      cp = (uint32_t) read_u16_escape (bs, end);
      p = bs + 6;
      if (cp >= 0xD800 && cp <= 0xDBFF)
        {
          cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t) read_u16_escape (p, end) - 0xDC00);
          p += 6;
        }
      if (cp < 0x80)
        *o++ = (char) cp;
      else if (cp < 0x800)
        *o++ = (char) (0xC0 | cp >> 6), *o++ = (char) (0x80 | (cp & 0x3F));
      else if (cp < 0x10000)
        *o++ = (char) (0xE0 | cp >> 12), *o++ = (char) (0x80 | ((cp >> 6) & 0x3F)),
        *o++ = (char) (0x80 | (cp & 0x3F));
      else
        *o++ = (char) (0xF0 | cp >> 18), *o++ = (char) (0x80 | ((cp >> 12) & 0x3F)),
        *o++ = (char) (0x80 | ((cp >> 6) & 0x3F)), *o++ = (char) (0x80 | (cp & 0x3F));
    }
  return (size_t) (o - out);
}

static hs_json_t *
parse_string (parse_state_t *st)
{
  const char *s;
  size_t len;
  bool escapes;
  hs_json_t *v;

  if (!scan_string (st, "string", false, &s, &len, &escapes))
    return NULL;
  if (!escapes)
    return new_scalar (HS_JSON_STRING, s, len);
  /* decoded in place into the node's own buffer, sized for the raw text */
  v = new_scalar (HS_JSON_STRING, s, len);
  v->len = unescape (v->str, len, v->str);
  v->str[v->len] = '\0';
  return v;
}

static int
parse_key (parse_state_t *st)
{
  const char *s;
  size_t len;
  bool escapes;
  char *k;

  if (!scan_string (st, "key", false, &s, &len, &escapes))
    return 0;
  k = hs_xmalloc (len + 1);
  len = escapes ? unescape (s, len, k) : (memcpy (k, s, len), len);
  k[len] = '\0';
  free (st->pending_key);
  st->pending_key = k;
  return 1;
}

/* yajl's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?,
 * kept as written. */
static hs_json_t *
parse_number (parse_state_t *st)
{
  const char *s = st->p, *p = s, *end = st->end;

#define DIGIT(q) ((q) < end && *(q) >= '0' && *(q) <= '9')
  if (*p == '-')
    p++;
  if (p < end && *p == '0')
    p++;
  else if (DIGIT (p))
    while (DIGIT (p))
      p++;
  else
    return fail_syntax (st, p, "a digit after the minus sign"), NULL;
  if (p < end && *p == '.')
    {
      p++;
      if (!DIGIT (p))
        return fail_syntax (st, p, "a digit after the decimal point"), NULL;
      while (DIGIT (p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (!DIGIT (p))
        return fail_syntax (st, p, "a digit in the exponent"), NULL;
      while (DIGIT (p))
        p++;
    }
#undef DIGIT
  st->p = p;
  return new_scalar (HS_JSON_NUMBER, s, (size_t) (p - s));
}

static hs_json_t *
parse_literal (parse_state_t *st)
{
  static const struct
  {
    const char *text;
    size_t len;
    hs_json_type_t type;
    bool b;
  } lits[] = { { "true", 4, HS_JSON_BOOL, true },
               { "false", 5, HS_JSON_BOOL, false },
               { "null", 4, HS_JSON_NULL, false } };

  for (size_t i = 0; i < sizeof (lits) / sizeof (lits[0]); i++)
    if (*st->p == lits[i].text[0])
      {
        size_t n = 1;
        hs_json_t *v;

        while (n < lits[i].len && st->p + n < st->end && st->p[n] == lits[i].text[n])
          n++;
        if (n < lits[i].len)
          {
            char want[16];
            snprintf (want, sizeof (want), "`%s`", lits[i].text);
            return fail_syntax (st, st->p + n, want), NULL;
          }
        st->p += n;
        v = hs_json_new (lits[i].type);
        v->boolean = lits[i].b;
        return v;
      }
  return fail_syntax (st, st->p, "a value"), NULL;
}

static int
parse_document (parse_state_t *st)
{
  int r;

  for (;;)
    {
      hs_json_t *v;

      /* a value */
      if ((r = skip_space (st)) <= 0)
        return r == 0 ? fail_syntax (st, st->p, "a value") : 0;
      switch (*st->p)
        {
        case '{':
        case '[':
          v = hs_json_new (*st->p == '{' ? HS_JSON_OBJECT : HS_JSON_ARRAY);
          st->p++;
          if (!add_value (st, v))
            return 0;
          if ((r = skip_space (st)) <= 0)
            return r == 0 ? fail_syntax (st, st->p, "a value") : 0;
          if (*st->p == (v->type == HS_JSON_OBJECT ? '}' : ']'))
            {
              st->p++;
              if (!end_container (st))
                return 0;
              break;
            }
          if (v->type == HS_JSON_ARRAY)
            continue;
          goto key;
        case '"':
          if ((v = parse_string (st)) == NULL || !add_value (st, v))
            return 0;
          break;
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
          if ((v = parse_number (st)) == NULL || !add_value (st, v))
            return 0;
          break;
        default:
          if ((v = parse_literal (st)) == NULL || !add_value (st, v))
            return 0;
          break;
        }

      /* after a value: close containers, or the next member */
      for (;;)
        {
          const hs_json_t *top;

          if (st->depth == 0)
            {
              if ((r = skip_space (st)) < 0)
                return 0;
              if (r > 0 && *st->p == '"')
                {
                  const char *ts;
                  size_t tlen;
                  bool tesc;

                  return scan_string (st, "trailing string", true, &ts, &tlen, &tesc) == 2;
                }
              if (r > 0)
                return fail_syntax (st, st->p, "the end of the input after the top-level value");
              return 1;
            }
          top = st->stack[st->depth - 1];
          if ((r = skip_space (st)) <= 0)
            return r == 0 ? fail_syntax (st, st->p,
                                         top->type == HS_JSON_ARRAY ? "`,` or `]`" : "`,` or `}`")
                          : 0;
          if (*st->p == (top->type == HS_JSON_ARRAY ? ']' : '}'))
            {
              st->p++;
              if (!end_container (st))
                return 0;
              continue;
            }
          if (*st->p != ',')
            return fail_syntax (st, st->p,
                                top->type == HS_JSON_ARRAY ? "`,` or `]` after an array element"
                                                           : "`,` or `}` after an object member");
          st->p++;
          if (top->type == HS_JSON_ARRAY)
            break;
          if ((r = skip_space (st)) <= 0)
            return r == 0 ? fail_syntax (st, st->p, "a key (a string)") : 0;
        key:
          if (*st->p != '"')
            return fail_syntax (st, st->p, "a key (a string)");
          if (!parse_key (st))
            return 0;
          if ((r = skip_space (st)) <= 0)
            return r == 0 ? fail_syntax (st, st->p, "`:` after the key") : 0;
          if (*st->p != ':')
            return fail_syntax (st, st->p, "`:` after the key");
          st->p++;
          break;
        }
    }
}

int
hs_json_parse (const char *buf, size_t len, const hs_json_limits_t *limits, hs_json_t **ret,
               hs_error_t *err)
{
  parse_state_t st = { .max_depth = limits->max_depth,
                       .buf = buf,
                       .p = buf,
                       .end = buf + len,
                       .comments = limits->allow_comments };
  const char *nul;
  size_t bad;

  if (len > limits->max_bytes)
    return hs_error_make (err, 0, "larger than the limit of %zu bytes", limits->max_bytes);
  if (len == 0)
    return hs_error_make (err, 0, "empty file");
  /* Anywhere, comments too: raw NUL bytes and text that is not strict UTF-8. */
  if ((nul = memchr (buf, '\0', len)) != NULL)
    return hs_error_make (err, 0, "embedded NUL byte at offset %zu", (size_t) (nul - buf));
  if ((bad = utf8_valid_len (buf, len)) < len)
    return hs_error_make (err, 0, "not valid UTF-8 at byte offset %zu", bad);

  if (!parse_document (&st))
    {
      int r = hs_error_make (err, 0, "%s", st.error ? st.error : "invalid JSON");

      free (st.error);
      free (st.pending_key);
      free (st.stack);
      hs_json_free (st.root);
      return r;
    }
  free (st.stack);
  free (st.pending_key);
  *ret = st.root;
  return 0;
}

/* ---- emitting --------------------------------------------------------- */

/* hardshim's own writer, byte for byte what yajl_gen 2.1 wrote with
 * yajl_gen_validate_utf8 (and, pretty, yajl_gen_beautify with indent "  "):
 * spec.c and the seccomp caches digest this text, so the layout is frozen.
 * tests/check_json.c compares it with a yajl_gen reference. */

/* yajl_gen refuses the 128th nested container (YAJL_MAX_DEPTH). */
#define EMIT_MAX_DEPTH 127

typedef struct
{
  char *buf;
  size_t len, cap;
  bool pretty;
  const char *what; /* on failure: what was wrong */
  char *where;      /* on failure: path of the offending value, built on unwind */
} emitter_t;

static inline char *
emit_reserve (emitter_t *e, size_t n)
{
  if (n > e->cap - e->len)
    {
      if (n > SIZE_MAX - e->len)
        abort ();
      e->buf = hs_xgrow (e->buf, &e->cap, e->len + n, 1);
    }
  return e->buf + e->len;
}

static inline void
emit_bytes (emitter_t *e, const char *s, size_t n)
{
  memcpy (emit_reserve (e, n), s, n);
  e->len += n;
}

static inline void
emit_byte (emitter_t *e, char c)
{
  *emit_reserve (e, 1) = c;
  e->len++;
}

/* Pretty: two spaces per level. */
static inline void
emit_indent (emitter_t *e, unsigned depth)
{
  memset (emit_reserve (e, 2 * (size_t) depth), ' ', 2 * (size_t) depth);
  e->len += 2 * (size_t) depth;
}

/* A quoted string, escaped as yajl_string_encode does: \" \\ \b \f \n \r \t,
 * other bytes below 0x20 as \u00XX (upper-case hex), everything else as it
 * is. Plain runs are scanned 8 bytes at a time and copied with one memcpy.
 * Not valid UTF-8: < 0. */
static int
emit_string (emitter_t *e, const char *str, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *s = (const unsigned char *) str, *end = s + len, *run;
  uint64_t high = 0; /* any byte >= 0x80 sets a top bit */
  char *p;

  emit_reserve (e, len + 2);
  e->buf[e->len++] = '"';
  for (;;)
    {
      run = s;
      while (s < end)
        {
          uint64_t w;

          if (end - s >= 8)
            {
              memcpy (&w, s, 8);
              if (plain8 (w))
                {
                  high |= w;
                  s += 8;
                  continue;
                }
            }
          else
            {
              /* the tail, padded with plain bytes */
              w = 0x6161616161616161ULL;
              memcpy (&w, s, (size_t) (end - s));
              if (plain8 (w))
                {
                  high |= w;
                  s = end;
                  break;
                }
            }
          if (*s < 0x20 || *s == '"' || *s == '\\')
            break;
          high |= *s++;
        }
      if (s > run)
        emit_bytes (e, (const char *) run, (size_t) (s - run));
      if (s == end)
        break;
      p = emit_reserve (e, 6);
      p[0] = '\\';
      switch (*s)
        {
        case '"':
        case '\\':
          p[1] = (char) *s;
          break;
        case '\b':
          p[1] = 'b';
          break;
        case '\f':
          p[1] = 'f';
          break;
        case '\n':
          p[1] = 'n';
          break;
        case '\r':
          p[1] = 'r';
          break;
        case '\t':
          p[1] = 't';
          break;
        default:
          memcpy (p + 1, "u00", 3);
          p[4] = hex[*s >> 4];
          p[5] = hex[*s & 0xf];
          e->len += 4;
          break;
        }
      e->len += 2;
      s++;
    }
  emit_byte (e, '"');
  /* all ASCII (the usual case) needs no UTF-8 check; the caller drops the
   * buffer on failure, so checking after copying is fine */
  return (high & 0x8080808080808080ULL) && !hs_utf8_valid (str, len) ? -1 : 0;
}

/* On failure of a member, prefix its place to the path found below it. */
static int
emit_fail_at (emitter_t *e, const char *key, size_t index)
{
  char *inner = e->where;

  if (key != NULL)
    e->where
        = hs_xasprintf ("%s%s%s", key, inner && inner[0] != '[' ? "." : "", inner ? inner : "");
  else
    e->where = hs_xasprintf ("[%zu]%s%s", index, inner && inner[0] != '[' ? "." : "",
                             inner ? inner : "");
  free (inner);
  return -1;
}

static int
emit_value (emitter_t *e, const hs_json_t *v, unsigned depth)
{
  switch (v->type)
    {
    case HS_JSON_NULL:
      emit_bytes (e, "null", 4);
      return 0;
    case HS_JSON_BOOL:
      if (v->boolean)
        emit_bytes (e, "true", 4);
      else
        emit_bytes (e, "false", 5);
      return 0;
    case HS_JSON_NUMBER:
      emit_bytes (e, v->str, v->len);
      return 0;
    case HS_JSON_STRING:
      if (emit_string (e, v->str, v->len) < 0)
        {
          e->what = "string is not valid UTF-8";
          return -1;
        }
      return 0;
    case HS_JSON_ARRAY:
    case HS_JSON_OBJECT:
      break;
    default:
      e->what = "unknown value type";
      return -1;
    }

  if (depth >= EMIT_MAX_DEPTH)
    {
      e->what = "nested deeper than 127 arrays and objects";
      return -1;
    }
  emit_byte (e, v->type == HS_JSON_OBJECT ? '{' : '[');
  /* yajl_gen_beautify writes a newline after every opening bracket, so an
   * empty container is "{", newline, newline + indent, "}". */
  if (e->pretty)
    emit_byte (e, '\n');
  for (size_t i = 0; i < v->len; i++)
    {
      if (i > 0)
        {
          emit_byte (e, ',');
          if (e->pretty)
            emit_byte (e, '\n');
        }
      if (e->pretty)
        emit_indent (e, depth + 1);
      if (v->type == HS_JSON_OBJECT)
        {
          if (emit_string (e, v->keys[i], strlen (v->keys[i])) < 0)
            {
              e->what = "a key is not valid UTF-8";
              return -1;
            }
          if (e->pretty)
            emit_bytes (e, ": ", 2);
          else
            emit_byte (e, ':');
        }
      if (emit_value (e, v->items[i], depth + 1) < 0)
        return emit_fail_at (e, v->type == HS_JSON_OBJECT ? v->keys[i] : NULL, i);
    }
  if (e->pretty)
    {
      emit_byte (e, '\n');
      emit_indent (e, depth);
    }
  emit_byte (e, v->type == HS_JSON_OBJECT ? '}' : ']');
  return 0;
}

int
hs_json_emit (const hs_json_t *v, bool pretty, char **ret, size_t *ret_len, hs_error_t *err)
{
  emitter_t e = { .pretty = pretty };

  /* most emits are short (audit values, cache keys); a config grows ~6 times */
  e.buf = hs_xgrow (NULL, &e.cap, 256, 1);
  if (emit_value (&e, v, 0) < 0)
    {
      int r = hs_error_make (err, 0, "cannot emit JSON: %s%s%s%s", e.what, e.where ? " (at `" : "",
                             e.where ? e.where : "", e.where ? "`)" : "");
      free (e.where);
      free (e.buf);
      return r;
    }
  /* yajl_gen_beautify ends a complete document with a newline */
  if (pretty)
    emit_byte (&e, '\n');
  emit_byte (&e, '\0');
  *ret = e.buf;
  if (ret_len)
    *ret_len = e.len - 1;
  return 0;
}
