/* hardshimctl explain [CONTROL] */
#include "ctl/ctl.h"
#include "exceptions.h"
#include "harden.h"
#include "spec_fields.h"

#include <stdio.h>
#include <string.h>

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
      printf ("\nModes (`%s.mode`):", c->name);
      for (size_t i = 0; c->modes[i].name != NULL; i++)
        printf ("%s %s", i ? "," : "", c->modes[i].name);
      printf (".\n");
    }
  else
    printf ("\nModes (`%s.mode`):\n"
            "  enforce  rewrite the config so it complies (default)\n"
            "  reject   refuse a config that would need a change\n"
            "  audit    only record what would change or be refused\n"
            "  off      do not run\n",
            c->name);
  {
    /* what the field inventory says this control judges */
    bool any = false;

    for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
      if (strcmp (f->owner, c->name) == 0)
        {
          if (!any)
            printf ("\nConfig fields it judges (the field inventory, doc/spec-fields.md):\n");
          printf ("  %s\n", f->path);
          any = true;
        }
  }
  /* Every control gets the per-container opt-out from the engine. */
  printf ("\nExceptions, when `%s.overridable` is true and a policy exception\n"
          "allows them for the container (hardshim-policy(5), EXCEPTIONS):\n"
          "  %s%s = \"off\"\n"
          "      policy: \"allow\": {\"%s\": {\"off\": true}}\n",
          c->name, HS_EXCEPTION_PREFIX, c->name, c->name);
  for (size_t i = 0; c->exceptions != NULL && c->exceptions[i] != NULL; i++)
    printf ("  %s%s.%s = VALUE\n"
            "      policy: \"allow\": {\"%s\": {\"%s\": [\"PATTERN\", ...]}}\n",
            HS_EXCEPTION_PREFIX, c->name, c->exceptions[i], c->name, c->exceptions[i]);
  return 0;
}
