/* libFuzzer: JSON parse/validate/emit round trip.
 * Invariants: parse never crashes; it accepts exactly what the yajl parser
 * it replaced accepted (tests/json_yajl_parse_ref.h), with and without
 * comments, and builds an equal tree; what parses emits, compact and pretty,
 * byte for byte as the yajl_gen emitter it replaced did; the emitted text
 * parses back to an equal tree and emits identically. */
#include "json.h"
#include "spec.h"
#include "../json_yajl_parse_ref.h"
#include "../json_yajl_ref.h"

#include <stdint.h>
#include <stdlib.h>

/* hs_json_emit and the yajl_gen reference write the same bytes. */
static void
same_as_yajl (const hs_json_t *v, bool pretty, const char *out, size_t len)
{
  char *ref = NULL;
  size_t ref_len;

  if (ref_json_emit (v, pretty, &ref, &ref_len) != 0 || ref_len != len
      || memcmp (ref, out, len) != 0)
    abort ();
  free (ref);
}

/* hs_json_parse and the yajl reference agree: both refuse, or both accept
 * equal trees. */
static void
same_parse_as_yajl (const uint8_t *data, size_t size, const hs_json_limits_t *l)
{
  hs_json_t *a = NULL, *b = NULL;
  hs_error_t err = NULL;
  int ra = hs_json_parse ((const char *) data, size, l, &a, &err);

  if (ra < 0 && (err == NULL || err->msg[0] == '\0'))
    abort ();
  hs_error_release (&err);
  if ((ref_json_parse ((const char *) data, size, l, &b, &err) == 0) != (ra == 0))
    abort ();
  hs_error_release (&err);
  if (!hs_json_equal (a, b))
    abort ();
  hs_json_free (a);
  hs_json_free (b);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hs_json_t *a = NULL, *b = NULL;
  hs_error_t err = NULL;
  char *out1 = NULL, *out2 = NULL;
  size_t len1, len2;

  same_parse_as_yajl (data, size, &hs_spec_limits);
  same_parse_as_yajl (data, size, &(hs_json_limits_t){ 1 << 20, 16, true });
  if (hs_json_parse ((const char *) data, size, &hs_spec_limits, &a, &err) < 0)
    {
      hs_error_release (&err);
      return 0;
    }
  (void) hs_spec_validate (a, &err);
  hs_error_release (&err);
  if (hs_json_emit (a, true, &out1, &len1, NULL) < 0)
    abort ();
  same_as_yajl (a, true, out1, len1);
  free (out1);
  if (hs_json_emit (a, false, &out1, &len1, NULL) < 0)
    abort ();
  same_as_yajl (a, false, out1, len1);
  if (hs_json_parse (out1, len1, &hs_spec_limits, &b, &err) < 0)
    abort ();
  if (!hs_json_equal (a, b))
    abort ();
  if (hs_json_emit (b, false, &out2, &len2, NULL) < 0 || len1 != len2)
    abort ();
  hs_json_free (a);
  hs_json_free (b);
  free (out1);
  free (out2);
  return 0;
}
