/* libFuzzer: policy text layered over the presets, then every control's
 * settings validated. Invariant: no crash, errors are reported. */
#include "harden.h"
#include "policy.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = hs_xstrndup ((const char *) data, size);
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  if (memchr (data, 0, size) == NULL && hs_policy_from_text (text, "fuzz", &p, &err) == 0)
    {
      (void) hs_policy_validate_controls (p, &err);
      hs_policy_free (p);
    }
  hs_error_release (&err);
  free (text);
  return 0;
}
