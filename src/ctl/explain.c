/* hardshimctl explain [CONTROL] */
#include "ctl/ctl.h"
#include "exceptions.h"
#include "harden.h"

#include <stdio.h>

int
hs_ctl_explain (int argc, char **argv)
{
  const hs_control_t *c;

  if (argc < 2)
    {
      printf ("Controls, in the order they run (see hardshim-policy(5)):\n");
      for (size_t i = 0; hs_controls[i] != NULL; i++)
        printf ("  %-20s %s\n", hs_controls[i]->name, hs_controls[i]->summary);
      return 0;
    }
  c = hs_control_find (argv[1]);
  if (c == NULL)
    {
      fprintf (stderr, "hardshimctl: no control `%s` (`hardshimctl explain` lists them)\n",
               argv[1]);
      return 2;
    }
  printf ("%s: %s\n\n%s", c->name, c->summary, c->doc);
  printf ("\nModes (`%s.mode`): enforce (rewrite the config), reject (refuse a config\n"
          "that needs a change), audit (only record), off.\n",
          c->name);
  /* Every control gets the per-container opt-out from the engine. */
  printf ("\nExceptions, when `%s.overridable` is true and a policy exception allows\n"
          "them for the container (see hardshim-policy(5), EXCEPTIONS):\n"
          "  annotation %s%s = \"off\"   (allow: {\"%s\": {\"off\": true}})\n",
          c->name, HS_EXCEPTION_PREFIX, c->name, c->name);
  for (size_t i = 0; c->exceptions != NULL && c->exceptions[i] != NULL; i++)
    printf ("  annotation %s%s.%s = VALUE   (allow: {\"%s\": {\"%s\": [PATTERN...]}})\n",
            HS_EXCEPTION_PREFIX, c->name, c->exceptions[i], c->name, c->exceptions[i]);
  return 0;
}
