/* hardshim: a mutable JSON tree that round-trips losslessly.
 *
 * Parsed by hardshim's own single-pass parser (it accepts exactly what the
 * yajl 2.1 event parser it replaced did) with every check: size, depth,
 * embedded NUL, strict UTF-8, duplicate keys and case twins (runc reads JSON
 * the Go way: last duplicate wins and struct fields match case-insensitively,
 * so any such pair could make hardshim check one value while the runtime uses
 * another). Numbers keep their raw text; key order is kept. */
#ifndef HS_JSON_H
#define HS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum
{
  HS_JSON_NULL,
  HS_JSON_BOOL,
  HS_JSON_NUMBER,
  HS_JSON_STRING,
  HS_JSON_ARRAY,
  HS_JSON_OBJECT,
} hs_json_type_t;

typedef struct hs_json_s hs_json_t;
struct hs_json_s
{
  hs_json_type_t type;
  bool boolean;
  char *str;  /* NUMBER: raw text; STRING: UTF-8 text, no NUL inside */
  size_t len; /* items in ARRAY/OBJECT, bytes in STRING/NUMBER */
  size_t cap;
  char **keys; /* OBJECT */
  hs_json_t **items;
};

typedef struct
{
  size_t max_bytes;
  unsigned max_depth;
  bool allow_comments;
} hs_json_limits_t;

/* Limits for config.json and process files (documented in the README). */
#define HS_JSON_MAX_BYTES (16u * 1024 * 1024)
#define HS_JSON_MAX_DEPTH 64u

int hs_json_parse (const char *buf, size_t len, const hs_json_limits_t *limits, hs_json_t **ret,
                   hs_error_t *err);
/* Compact output; numbers from their raw text. Caller frees *ret. */
int hs_json_emit (const hs_json_t *v, bool pretty, char **ret, size_t *ret_len, hs_error_t *err);

hs_json_t *hs_json_free (hs_json_t *v);
static inline void
hs_json_freep (hs_json_t **v)
{
  *v = hs_json_free (*v);
}
#define cleanup_json __attribute__ ((cleanup (hs_json_freep)))

/* Constructors: never fail (OOM aborts). */
hs_json_t *hs_json_new (hs_json_type_t type);
hs_json_t *hs_json_new_string (const char *s);
hs_json_t *hs_json_new_bool (bool b);
hs_json_t *hs_json_new_number (const char *text);
hs_json_t *hs_json_new_uint (unsigned long long n);
hs_json_t *hs_json_dup (const hs_json_t *v);

const char *hs_json_type_name (hs_json_type_t t);
/* Equal in meaning: same types, same raw numbers, same key order. */
bool hs_json_equal (const hs_json_t *a, const hs_json_t *b);

/* Object fields, matched like Go's encoding/json matches struct fields
 * (ASCII case-insensitive, plus the Kelvin sign and long s that Go folds):
 * use for OCI struct fields. Maps (annotations, sysctl) use _exact. */
hs_json_t *hs_json_get (const hs_json_t *obj, const char *key);
hs_json_t *hs_json_get_exact (const hs_json_t *obj, const char *key);
/* Typed getters: NULL when absent or of another type. */
hs_json_t *hs_json_get_type (const hs_json_t *obj, const char *key, hs_json_type_t type);
/* Walk a NULL-terminated list of struct field names. */
hs_json_t *hs_json_path (const hs_json_t *root, ...) __attribute__ ((sentinel));

/* Replace the value of `key` (found as hs_json_get finds it, so the spelling
 * the runtime reads is the one edited) or append it; takes `value`. */
void hs_json_set (hs_json_t *obj, const char *key, hs_json_t *value);
void hs_json_set_exact (hs_json_t *obj, const char *key, hs_json_t *value);
/* Child object `key`, created empty when absent or null. NULL if another type. */
hs_json_t *hs_json_ensure_object (hs_json_t *obj, const char *key);
hs_json_t *hs_json_ensure_array (hs_json_t *obj, const char *key);
bool hs_json_remove (hs_json_t *obj, const char *key);
/* Removes `key` (exact) and returns its value, now the caller's; NULL if absent. */
hs_json_t *hs_json_take (hs_json_t *obj, const char *key);
bool hs_json_remove_exact (hs_json_t *obj, const char *key);

void hs_json_append (hs_json_t *arr, hs_json_t *value);
void hs_json_remove_at (hs_json_t *arr, size_t i);
/* For arrays of strings: index of s, or -1. */
long hs_json_array_find_string (const hs_json_t *arr, const char *s);

bool hs_json_is_true (const hs_json_t *v);
/* Fold compare used for duplicate detection and hs_json_get. */
int hs_json_key_fold_cmp (const char *a, const char *b);

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
bool hs_utf8_valid (const char *s, size_t len);

#endif
