/* libFuzzer: the runc/crun argv grammar. The input is argv[1..] separated
 * by NUL bytes; both dialects are parsed. Invariants: no crash; value
 * references point inside argv; replacing a value keeps argc. */
#include "cli.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_ref (const hs_invocation_t *inv, hs_argref_t ref)
{
  if (ref.index < 0)
    return;
  if (ref.index >= inv->argc || ref.offset > strlen (inv->argv[ref.index]))
    abort ();
  {
    char **v = hs_cli_replace_value (inv, ref, "/x");
    if (v[inv->argc] != NULL)
      abort ();
    free (v[ref.index]);
    free (v);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *buf = hs_xmalloc (size + 1);
  char **argv;
  int argc = 1;

  if (size > 4096)
    {
      free (buf);
      return 0;
    }
  memcpy (buf, data, size);
  buf[size] = '\0';
  for (size_t i = 0; i < size; i++)
    argc += buf[i] == '\0';
  argc++;
  argv = hs_xcalloc ((size_t) argc + 1, sizeof (char *));
  argv[0] = (char *) "hardshim";
  {
    int n = 1;
    char *p = buf;
    while (n < argc)
      {
        argv[n++] = p;
        p += strlen (p) + 1;
      }
  }
  for (int d = 0; d < 2; d++)
    {
      hs_invocation_t inv;
      hs_error_t err = NULL;

      if (hs_cli_parse (argc, argv, (hs_dialect_t) d, &inv, &err) == 0)
        {
          check_ref (&inv, inv.process);
          check_ref (&inv, inv.apparmor);
          check_ref (&inv, inv.process_label);
          check_ref (&inv, inv.user);
          for (size_t i = 0; i < inv.n_caps; i++)
            check_ref (&inv, inv.caps[i]);
          (void) hs_cli_runtime_root (&inv);
        }
      hs_error_release (&err);
      hs_cli_release (&inv);
    }
  free (argv);
  free (buf);
  return 0;
}
