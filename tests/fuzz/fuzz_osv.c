/* libFuzzer: OSV records into an advisory index and matching over it, and
 * the index reader over arbitrary bytes. First byte even: the input is an
 * OSV record (JSON); each index built is opened and matched. Odd: the
 * input is an index file. Invariants: no crash, no read out of bounds. */
#include "feed_index.h"
#include "osv.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
count (void *ctx, const hs_index_match_t *m)
{
  (*(size_t *) ctx)++;
  if (m->id == NULL)
    abort ();
  return 0;
}

static void
probe (const hs_index_t *ix)
{
  static const char *const dpkg[] = { "0", "1.0-1", "2:1.0", "1.0~rc1", "99:99" };
  static const char *const apk[] = { "0", "1.0-r1", "1.0_rc1", "3.1.4_p2-r0", "99" };
  const char *const *vs = ix->scheme == HS_PKGVER_DPKG ? dpkg : apk;

  for (uint32_t p = 0; p < ix->n_pkgs && p < 8; p++)
    {
      uint32_t off = ix->pkgs[3 * p];
      const char *name = off < ix->pool_len ? ix->pool + off : "x";

      for (int i = 0; i < 5; i++)
        {
          hs_pkgver_buf_t b;
          hs_pkgver_t v;
          size_t n = 0;

          if (hs_pkgver_parse (ix->scheme, vs[i], strlen (vs[i]), &b, &v, NULL) == 0)
            hs_index_match (ix, name, &v, count, &n, NULL);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0 || size > (1u << 20))
    return 0;
  if (data[0] % 2 == 0)
    {
      hs_osv_feed_t f = { 0 };

      hs_osv_add_record (&f, (const char *) data + 1, size - 1, "record", NULL);
      for (size_t i = 0; i < f.n; i++)
        {
          char *buf;
          size_t len;
          hs_index_t ix;

          hs_index_builder_finish (f.v[i].builder, &buf, &len);
          if (hs_index_open (buf, len, &ix, NULL) != 0)
            abort (); /* what the builder writes, the reader must accept */
          probe (&ix);
          free (buf);
        }
      hs_osv_feed_clear (&f);
    }
  else
    {
      /* aligned copy, as an mmap'd file is */
      uint32_t *copy = hs_xmalloc (size);
      hs_index_t ix;

      memcpy (copy, data + 1, size - 1);
      if (hs_index_open (copy, size - 1, &ix, NULL) == 0)
        probe (&ix);
      free (copy);
    }
  return 0;
}
