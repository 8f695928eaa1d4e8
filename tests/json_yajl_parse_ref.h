/* The parser hs_json_parse replaced (yajl_parse with callbacks, plus the
 * prescan for NUL, strict UTF-8 and lone surrogate escapes, as of issue #8),
 * kept verbatim: what it accepts and the tree it builds are the reference
 * the new parser must match for every input. Shared by tests/check_json.c
 * and tests/fuzz/fuzz_json.c; needs no test framework. */
#ifndef HS_JSON_YAJL_PARSE_REF_H
#define HS_JSON_YAJL_PARSE_REF_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "cleanup.h"
#include "error.h"
#include "json.h"
#include "xalloc.h"

static hs_json_t *
ref_new_scalar (hs_json_type_t type, const char *s, size_t len)
{
  hs_json_t *v = hs_xmalloc (sizeof (*v) + len + 1);

  *v = (hs_json_t){ .type = type, .len = len, .str = (char *) (v + 1) };
  memcpy (v->str, s, len);
  v->str[len] = '\0';
  return v;
}

typedef struct
{
  hs_json_t **stack;
  size_t depth, cap;
  hs_json_t *root;
  char *pending_key;
  unsigned max_depth;
  char *error; /* set by a callback that cancels the parse */
} ref_parse_state_t;

/* "process.capabilities.bounding[3]": where the parse stands. With
 * `pending`, the innermost value is not yet in its container. */
static char *
ref_state_path (const ref_parse_state_t *st, bool pending)
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
ref_fail (ref_parse_state_t *st, char *msg)
{
  if (st->error == NULL)
    st->error = msg;
  else
    free (msg);
  return 0;
}

static int
ref_add_value (ref_parse_state_t *st, hs_json_t *v)
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
          char *path = ref_state_path (st, false);
          ref_fail (st,
                    hs_xasprintf ("nesting deeper than %u levels at `%s`", st->max_depth, path));
          free (path);
          return 0;
        }
      st->stack = hs_xgrow (st->stack, &st->cap, st->depth + 1, sizeof (*st->stack));
      st->stack[st->depth++] = v;
    }
  return 1;
}

static int
ref_cb_null (void *ctx)
{
  return ref_add_value (ctx, hs_json_new (HS_JSON_NULL));
}

static int
ref_cb_boolean (void *ctx, int b)
{
  return ref_add_value (ctx, hs_json_new_bool (b != 0));
}

static int
ref_cb_number (void *ctx, const char *s, size_t len)
{
  return ref_add_value (ctx, ref_new_scalar (HS_JSON_NUMBER, s, len));
}

static int
ref_check_text (ref_parse_state_t *st, const unsigned char *s, size_t len, const char *what)
{
  if (memchr (s, '\0', len) != NULL)
    {
      char *path = ref_state_path (st, true);
      ref_fail (st, hs_xasprintf ("%s with an embedded NUL (\\u0000) at `%s`", what, path));
      free (path);
      return 0;
    }
  if (!hs_utf8_valid ((const char *) s, len))
    {
      char *path = ref_state_path (st, true);
      ref_fail (st, hs_xasprintf ("%s that is not valid UTF-8 at `%s`", what, path));
      free (path);
      return 0;
    }
  return 1;
}

static int
ref_cb_string (void *ctx, const unsigned char *s, size_t len)
{
  if (!ref_check_text (ctx, s, len, "string"))
    return 0;
  return ref_add_value (ctx, ref_new_scalar (HS_JSON_STRING, (const char *) s, len));
}

static int
ref_cb_start_map (void *ctx)
{
  return ref_add_value (ctx, hs_json_new (HS_JSON_OBJECT));
}

static int
ref_cb_map_key (void *ctx, const unsigned char *s, size_t len)
{
  ref_parse_state_t *st = ctx;

  if (!ref_check_text (st, s, len, "key"))
    return 0;
  free (st->pending_key);
  st->pending_key = hs_xstrndup ((const char *) s, len);
  return 1;
}

static int
ref_fold_qsort_cmp (const void *a, const void *b)
{
  return hs_json_key_fold_cmp (*(char *const *) a, *(char *const *) b);
}

/* Refuse duplicates and case twins of one object: pairwise for small
 * objects, sort-based for large ones (annotations can be big). */
static int
ref_check_object_keys (ref_parse_state_t *st, const hs_json_t *obj)
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
      qsort (sorted, obj->len, sizeof (char *), ref_fold_qsort_cmp);
      for (size_t i = 1; i < obj->len && a == NULL; i++)
        if (hs_json_key_fold_cmp (sorted[i - 1], sorted[i]) == 0)
          a = sorted[i - 1], b = sorted[i];
    }
  if (a == NULL)
    return 1;

  /* The object's own path is where its parent frame stands. */
  st->depth--;
  path = ref_state_path (st, false);
  st->depth++;
  ref_fail (
      st, strcmp (a, b) == 0
              ? hs_xasprintf ("duplicate key `%s` in object `%s`", a, path)
              : hs_xasprintf ("keys `%s` and `%s` in object `%s` differ only in case", a, b, path));
  free (path);
  return 0;
}

static int
ref_cb_end_container (void *ctx)
{
  ref_parse_state_t *st = ctx;
  hs_json_t *top = st->stack[st->depth - 1];

  if (top->type == HS_JSON_OBJECT && !ref_check_object_keys (st, top))
    return 0;
  st->depth--;
  return 1;
}

static int
ref_cb_start_array (void *ctx)
{
  return ref_add_value (ctx, hs_json_new (HS_JSON_ARRAY));
}

static const yajl_callbacks ref_callbacks = {
  .yajl_null = ref_cb_null,
  .yajl_boolean = ref_cb_boolean,
  .yajl_number = ref_cb_number,
  .yajl_string = ref_cb_string,
  .yajl_start_map = ref_cb_start_map,
  .yajl_map_key = ref_cb_map_key,
  .yajl_end_map = ref_cb_end_container,
  .yajl_start_array = ref_cb_start_array,
  .yajl_end_array = ref_cb_end_container,
};

static int
ref_hexval (char c)
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
ref_read_u16_escape (const char *p, const char *end)
{
  long v = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int i = 2; i < 6; i++)
    {
      int h = ref_hexval (p[i]);
      if (h < 0)
        return -1;
      v = v * 16 + h;
    }
  return v;
}

static size_t
ref_line_of (const char *buf, size_t off)
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
ref_prescan (const char *buf, size_t len, bool comments, hs_error_t *err)
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
          long u = ref_read_u16_escape (p, end);

          if (u >= 0xD800 && u <= 0xDBFF)
            {
              long lo = ref_read_u16_escape (p + 6, end);
              if (lo < 0xDC00 || lo > 0xDFFF)
                return hs_error_make (err, 0, "lone UTF-16 surrogate escape on line %zu",
                                      ref_line_of (buf, p - buf));
              p += 12;
              continue;
            }
          if (u >= 0xDC00 && u <= 0xDFFF)
            return hs_error_make (err, 0, "lone UTF-16 surrogate escape on line %zu",
                                  ref_line_of (buf, p - buf));
          p += 2;
          continue;
        }
      p++;
    }
  return 0;
}

static inline int
ref_json_parse (const char *buf, size_t len, const hs_json_limits_t *limits, hs_json_t **ret,
                hs_error_t *err)
{
  ref_parse_state_t st = { .max_depth = limits->max_depth };
  yajl_handle h;
  yajl_status s;
  int r;

  if (len > limits->max_bytes)
    return hs_error_make (err, 0, "larger than the limit of %zu bytes", limits->max_bytes);
  if (len == 0)
    return hs_error_make (err, 0, "empty file");
  r = ref_prescan (buf, len, limits->allow_comments, err);
  if (r < 0)
    return r;

  h = yajl_alloc (&ref_callbacks, NULL, &st);
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
          r = hs_error_make (err, 0, "invalid JSON on line %zu: %s%s", ref_line_of (buf, off), m,
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

#endif
