#include "json.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* ---- strict UTF-8 ---------------------------------------------------- */

bool
hs_utf8_valid (const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *) s, *end = p + len;

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
        return false;
      if ((size_t) (end - p) <= n)
        return false;
      for (size_t i = 1; i <= n; i++)
        {
          if ((p[i] & 0xC0) != 0x80)
            return false;
          cp = (cp << 6) | (p[i] & 0x3F);
        }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
      p += n + 1;
    }
  return true;
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

/* ---- parsing ---------------------------------------------------------- */

typedef struct
{
  hs_json_t **stack;
  size_t depth, cap;
  hs_json_t *root;
  char *pending_key;
  unsigned max_depth;
  char *error; /* set by a callback that cancels the parse */
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
cb_null (void *ctx)
{
  return add_value (ctx, hs_json_new (HS_JSON_NULL));
}

static int
cb_boolean (void *ctx, int b)
{
  return add_value (ctx, hs_json_new_bool (b != 0));
}

static int
cb_number (void *ctx, const char *s, size_t len)
{
  return add_value (ctx, new_scalar (HS_JSON_NUMBER, s, len));
}

static int
check_text (parse_state_t *st, const unsigned char *s, size_t len, const char *what)
{
  if (memchr (s, '\0', len) != NULL)
    {
      char *path = state_path (st, true);
      fail (st, hs_xasprintf ("%s with an embedded NUL (\\u0000) at `%s`", what, path));
      free (path);
      return 0;
    }
  if (!hs_utf8_valid ((const char *) s, len))
    {
      char *path = state_path (st, true);
      fail (st, hs_xasprintf ("%s that is not valid UTF-8 at `%s`", what, path));
      free (path);
      return 0;
    }
  return 1;
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  if (!check_text (ctx, s, len, "string"))
    return 0;
  return add_value (ctx, new_scalar (HS_JSON_STRING, (const char *) s, len));
}

static int
cb_start_map (void *ctx)
{
  return add_value (ctx, hs_json_new (HS_JSON_OBJECT));
}

static int
cb_map_key (void *ctx, const unsigned char *s, size_t len)
{
  parse_state_t *st = ctx;

  if (!check_text (st, s, len, "key"))
    return 0;
  free (st->pending_key);
  st->pending_key = hs_xstrndup ((const char *) s, len);
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
cb_end_container (void *ctx)
{
  parse_state_t *st = ctx;
  hs_json_t *top = st->stack[st->depth - 1];

  if (top->type == HS_JSON_OBJECT && !check_object_keys (st, top))
    return 0;
  st->depth--;
  return 1;
}

static int
cb_start_array (void *ctx)
{
  return add_value (ctx, hs_json_new (HS_JSON_ARRAY));
}

static const yajl_callbacks callbacks = {
  .yajl_null = cb_null,
  .yajl_boolean = cb_boolean,
  .yajl_number = cb_number,
  .yajl_string = cb_string,
  .yajl_start_map = cb_start_map,
  .yajl_map_key = cb_map_key,
  .yajl_end_map = cb_end_container,
  .yajl_start_array = cb_start_array,
  .yajl_end_array = cb_end_container,
};

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

static size_t
line_of (const char *buf, size_t off)
{
  size_t line = 1;

  for (size_t i = 0; i < off; i++)
    if (buf[i] == '\n')
      line++;
  return line;
}

/* Checks the raw text before yajl sees it: NUL bytes, strict UTF-8 and
 * lone UTF-16 surrogate escapes (yajl and Go decode those differently). */
static int
prescan (const char *buf, size_t len, bool comments, hs_error_t *err)
{
  const char *p = buf, *end = buf + len;
  bool in_string = false;

  if (memchr (buf, '\0', len) != NULL)
    return hs_error_make (err, 0, "embedded NUL byte at offset %zu",
                          (size_t) ((const char *) memchr (buf, '\0', len) - buf));
  if (!hs_utf8_valid (buf, len))
    return hs_error_make (err, 0, "not valid UTF-8");
  while (p < end)
    {
      if (!in_string)
        {
          if (*p == '"')
            in_string = true;
          else if (comments && *p == '/' && p + 1 < end && p[1] == '/')
            {
              while (p < end && *p != '\n')
                p++;
              continue;
            }
          else if (comments && *p == '/' && p + 1 < end && p[1] == '*')
            {
              const char *close = memmem (p + 2, end - p - 2, "*/", 2);
              p = close ? close + 2 : end;
              continue;
            }
          p++;
          continue;
        }
      if (*p == '"')
        in_string = false;
      else if (*p == '\\' && p + 1 < end)
        {
          long u = read_u16_escape (p, end);

          if (u >= 0xD800 && u <= 0xDBFF)
            {
              long lo = read_u16_escape (p + 6, end);
              if (lo < 0xDC00 || lo > 0xDFFF)
                return hs_error_make (err, 0, "lone UTF-16 surrogate escape on line %zu",
                                      line_of (buf, p - buf));
              p += 12;
              continue;
            }
          if (u >= 0xDC00 && u <= 0xDFFF)
            return hs_error_make (err, 0, "lone UTF-16 surrogate escape on line %zu",
                                  line_of (buf, p - buf));
          p += 2;
          continue;
        }
      p++;
    }
  return 0;
}

int
hs_json_parse (const char *buf, size_t len, const hs_json_limits_t *limits, hs_json_t **ret,
               hs_error_t *err)
{
  parse_state_t st = { .max_depth = limits->max_depth };
  yajl_handle h;
  yajl_status s;
  int r;

  if (len > limits->max_bytes)
    return hs_error_make (err, 0, "larger than the limit of %zu bytes", limits->max_bytes);
  if (len == 0)
    return hs_error_make (err, 0, "empty file");
  r = prescan (buf, len, limits->allow_comments, err);
  if (r < 0)
    return r;

  h = yajl_alloc (&callbacks, NULL, &st);
  if (h == NULL)
    return hs_error_make (err, ENOMEM, "yajl_alloc");
  yajl_config (h, yajl_allow_comments, limits->allow_comments ? 1 : 0);
  s = yajl_parse (h, (const unsigned char *) buf, len);
  if (s == yajl_status_ok)
    s = yajl_complete_parse (h);

  if (s != yajl_status_ok || st.root == NULL || st.depth != 0)
    {
      if (st.error != NULL)
        r = hs_error_make (err, 0, "%s", st.error);
      else
        {
          size_t off = yajl_get_bytes_consumed (h);
          unsigned char *msg = yajl_get_error (h, 0, (const unsigned char *) buf, len);
          const char *m = (const char *) msg;

          if (strncmp (m, "parse error: ", 13) == 0)
            m += 13;
          /* yajl ends its message with a newline */
          for (size_t n = strlen (m); n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '); n--)
            msg[(m - (const char *) msg) + n - 1] = '\0';
          r = hs_error_make (err, 0, "invalid JSON on line %zu: %s%s", line_of (buf, off), m,
                             st.root == NULL || st.depth != 0 ? " (truncated?)" : "");
          yajl_free_error (h, msg);
        }
      free (st.error);
      free (st.pending_key);
      free (st.stack);
      hs_json_free (st.root);
      yajl_free (h);
      return r;
    }
  yajl_free (h);
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

/* None of the 8 bytes in w needs escaping (< 0x20, '"', '\\'): the SWAR
 * "has a byte less than n" test; a false alarm only drops to the byte loop. */
static inline bool
plain8 (uint64_t w)
{
  const uint64_t ones = 0x0101010101010101ULL;
  uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

  return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & (ones << 7)) == 0;
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
