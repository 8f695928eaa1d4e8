/* hardshimctl policy show | validate */
#include "cleanup.h"
#include "config.h"
#include "ctl/ctl.h"
#include "ctl/node.h"
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

/* What hardshim uses for keys the policy does not set. */
static void
print_defaults (const hs_policy_t *policy)
{
  const hs_json_t *t = policy->tree;

  if (hs_json_get_exact (t, "mode") == NULL)
    printf ("mode = \"enforce\"    # hardshim default\n");
  if (hs_json_get_exact (t, "runtime") == NULL)
    printf ("runtime = null    # hardshim default: HARDSHIM_RUNTIME, else the first of "
            "/usr/sbin/runc, /usr/bin/runc, /usr/bin/crun\n");
  if (hs_json_get_exact (t, "state_dir") == NULL)
    printf ("state_dir = \"%s\"    # hardshim default\n", policy->state_dir);
  if (hs_json_get_exact (t, "audit_log") == NULL)
    printf ("audit_log = null    # hardshim default: no audit log file, syslog on\n");
  for (size_t i = 0; hs_controls[i] != NULL; i++)
    if (hs_json_get_exact (t, hs_controls[i]->name) == NULL)
      printf ("%s.mode = \"off\"    # hardshim default (not in the policy)\n",
              hs_controls[i]->name);
}

/* Which runtime paths are hardshim (as printed comments, or as JSON). */
static hs_json_t *
runtime_paths (FILE *out)
{
  hs_node_t n = { .root = "", .hardshim = HS_BINDIR "/hardshim", .real_dir = HS_REAL_RUNTIME_DIR };
  cleanup_json hs_json_t *record = hs_node_read_record (&n);
  const hs_json_t *recorded = record ? hs_json_get_type (record, "hardshim", HS_JSON_STRING) : NULL;
  hs_json_t *arr = out ? NULL : hs_json_new (HS_JSON_ARRAY);

  /* the hardshim a node-wide install linked the runtime paths to */
  if (recorded != NULL && recorded->str[0] == '/')
    n.previous = recorded->str;
  hs_node_report (&n, out, arr);
  return arr;
}

static int
show_preset (const char *name)
{
  const char *text = hs_policy_preset_text (name);

  if (text == NULL)
    {
      fprintf (stderr, "hardshimctl: `%s` is not a built-in preset (", name);
      for (size_t i = 0; hs_policy_preset_names[i]; i++)
        fprintf (stderr, "%s%s", i ? ", " : "", hs_policy_preset_names[i]);
      fprintf (stderr, ")\n");
      return 2;
    }
  fputs (text, stdout);
  return 0;
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
      else if (strncmp (argv[i], "--policy=", 9) == 0)
        file = argv[i] + 9;
      else if (strcmp (argv[i], "--json") == 0)
        json = true;
      else if (strcmp (argv[i], "--preset") == 0 && i + 1 < argc && argc == 3)
        return show_preset (argv[i + 1]);
      else
        {
          fprintf (stderr, "Usage: hardshimctl policy show [--policy FILE] [--json]\n"
                           "       hardshimctl policy show --preset NAME\n");
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
      hs_json_set_exact (o, "runtime_paths", runtime_paths (NULL));
      if (hs_json_emit (o, true, &out, NULL, NULL) == 0)
        printf ("%s\n", out);
      return 0;
    }
  printf ("# effective hardshim policy %s\n# sources: %s\n", policy->digest, policy->sources);
  print_leaves (policy->tree, policy->origins, "");
  print_defaults (policy);
  hs_json_free (runtime_paths (stdout));
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
  /* 1: the file is not a valid policy; 2: it cannot be read at all */
  if (hs_ctl_load_policy (argv[1], &policy, &err) < 0)
    return hs_ctl_fail (&err, err->status != 0 ? 2 : 1);
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
                   "       hardshimctl policy show --preset NAME\n"
                   "       hardshimctl policy validate FILE\n");
  return 2;
}
