/* hardshimctl explain [CONTROL] */
#include "ctl/ctl.h"
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
  if (c->modes != NULL)
    {
      printf ("\nModes:");
      for (size_t i = 0; c->modes[i].name != NULL; i++)
        printf ("%s %s", i ? "," : "", c->modes[i].name);
      printf (".\n");
      return 0;
    }
  printf ("\nModes: enforce (rewrite the config), reject (refuse a config that needs a\n"
          "change), audit (only record), off.\n");
  return 0;
}
