/* The emitter hs_json_emit replaced (yajl_gen, as of issue #8): its output is
 * the reference the new one must match byte for byte. Shared by
 * tests/check_json.c and tests/fuzz/fuzz_json.c; needs no test framework. */
#ifndef HS_JSON_YAJL_REF_H
#define HS_JSON_YAJL_REF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "json.h"
#include "xalloc.h"

static yajl_gen_status
ref_emit_value (yajl_gen g, const hs_json_t *v)
{
  yajl_gen_status s = yajl_gen_status_ok;

  switch (v->type)
    {
    case HS_JSON_NULL:
      return yajl_gen_null (g);
    case HS_JSON_BOOL:
      return yajl_gen_bool (g, v->boolean);
    case HS_JSON_NUMBER:
      return yajl_gen_number (g, v->str, v->len);
    case HS_JSON_STRING:
      return yajl_gen_string (g, (const unsigned char *) v->str, v->len);
    case HS_JSON_ARRAY:
      s = yajl_gen_array_open (g);
      for (size_t i = 0; i < v->len && s == yajl_gen_status_ok; i++)
        s = ref_emit_value (g, v->items[i]);
      return s == yajl_gen_status_ok ? yajl_gen_array_close (g) : s;
    case HS_JSON_OBJECT:
      s = yajl_gen_map_open (g);
      for (size_t i = 0; i < v->len && s == yajl_gen_status_ok; i++)
        {
          s = yajl_gen_string (g, (const unsigned char *) v->keys[i], strlen (v->keys[i]));
          if (s == yajl_gen_status_ok)
            s = ref_emit_value (g, v->items[i]);
        }
      return s == yajl_gen_status_ok ? yajl_gen_map_close (g) : s;
    }
  return yajl_gen_invalid_string;
}

/* 0 and a NUL-terminated copy, or the yajl status (> 0) on failure. */
static inline int
ref_json_emit (const hs_json_t *v, bool pretty, char **ret, size_t *ret_len)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *out;
  size_t len;
  yajl_gen_status s;

  if (g == NULL)
    abort ();
  yajl_gen_config (g, yajl_gen_validate_utf8, 1);
  if (pretty)
    {
      yajl_gen_config (g, yajl_gen_beautify, 1);
      yajl_gen_config (g, yajl_gen_indent_string, "  ");
    }
  s = ref_emit_value (g, v);
  if (s != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return (int) s;
    }
  yajl_gen_get_buf (g, &out, &len);
  *ret = hs_xstrndup ((const char *) out, len);
  *ret_len = len;
  yajl_gen_free (g);
  return 0;
}

#endif
