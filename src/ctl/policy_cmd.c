/* hardshimctl policy show | validate */
#include "cleanup.h"
#include "ctl/ctl.h"
#include "harden.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

/* One line per leaf: `path = value    # source`. */
static void
print_leaves (const hs_json_t *v, const hs_json_t *origin, const char *prefix)
{
  for (size_t i = 0; i < v->len; i++)
    {
      cleanup_free char *path
          = *prefix ? hs_xasprintf ("%s.%s", prefix, v->keys[i]) : hs_xstrdup (v->keys[i]);
      const hs_json_t *o = origin ? hs_json_get_exact (origin, v->keys[i]) : NULL;

      if (v->items[i]->type == HS_JSON_OBJECT && v->items[i]->len > 0)
        {
          print_leaves (v->items[i], o, path);
          continue;
        }
      {
        cleanup_free char *text = NULL;
        hs_json_emit (v->items[i], false, &text, NULL, NULL);
        printf ("%s = %s    # %s\n", path, text ? text : "?",
                o && o->type == HS_JSON_STRING ? o->str : "hardshim default");
      }
    }
}

static int
show (int argc, char **argv)
{
  const char *file = NULL;
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_error hs_error_t err = NULL;
  bool json = false;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--policy") == 0 && i + 1 < argc)
        file = argv[++i];
      else if (strcmp (argv[i], "--json") == 0)
        json = true;
      else
        {
          fprintf (stderr, "Usage: hardshimctl policy show [--policy FILE] [--json]\n");
          return 2;
        }
    }
  if (hs_ctl_load_policy (file, &policy, &err) < 0)
    return hs_ctl_fail (&err, 2);
  if (json)
    {
      cleanup_json hs_json_t *o = hs_json_new (HS_JSON_OBJECT);
      cleanup_free char *out = NULL;

      hs_json_set_exact (o, "digest", hs_json_new_string (policy->digest));
      hs_json_set_exact (o, "sources", hs_json_new_string (policy->sources));
      hs_json_set_exact (o, "policy", hs_json_dup (policy->tree));
      hs_json_set_exact (o, "origins", hs_json_dup (policy->origins));
      if (hs_json_emit (o, true, &out, NULL, NULL) == 0)
        printf ("%s\n", out);
      return 0;
    }
  printf ("# effective hardshim policy %s\n# sources: %s\n", policy->digest, policy->sources);
  print_leaves (policy->tree, policy->origins, "");
  return 0;
}

static int
validate (int argc, char **argv)
{
  cleanup_policy hs_policy_t *policy = NULL;
  cleanup_error hs_error_t err = NULL;

  if (argc != 2)
    {
      fprintf (stderr, "Usage: hardshimctl policy validate FILE\n");
      return 2;
    }
  if (hs_ctl_load_policy (argv[1], &policy, &err) < 0)
    return hs_ctl_fail (&err, 1);
  printf ("%s: valid (%s)\n", argv[1], policy->digest);
  return 0;
}

int
hs_ctl_policy (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "show") == 0)
    return show (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "validate") == 0)
    return validate (argc - 1, argv + 1);
  fprintf (stderr, "Usage: hardshimctl policy show [--policy FILE] [--json]\n"
                   "       hardshimctl policy validate FILE\n");
  return 2;
}
