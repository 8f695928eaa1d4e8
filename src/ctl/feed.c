/* hardshimctl feed import FILE|DIR, hardshimctl feed show */
#include "ctl/gate_args.h"
#include "cleanup.h"
#include "feed.h"
#include "feed_import.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define IMPORT_USAGE                                                                               \
  "feed import [--feed-dir DIR] [--policy FILE] [--settings GATE.json] FILE.json|all.zip|DIR"
#define SHOW_USAGE "feed show [--feed-dir DIR] [--policy FILE] [--settings GATE.json] [--json]"

static int
feed_import (int argc, char **argv)
{
  cleanup_error hs_error_t err = NULL;
  hs_ctl_gate_args_t a;
  hs_osv_feed_t osv = { 0 };
  char digest[HS_DIGEST_LEN];
  int r = hs_ctl_gate_args (argc, argv, 2, IMPORT_USAGE, &a);

  if (r != 0)
    return r;
  if (a.operand == NULL)
    {
      hs_ctl_gate_args_clear (&a);
      fprintf (stderr, "hardshimctl: what to import?\nusage: hardshimctl " IMPORT_USAGE "\n");
      return 2;
    }
  if (hs_feed_import_path (a.operand, &osv, &err) < 0
      || hs_feed_install (a.feed_dir, &osv, a.operand, digest, &err) < 0)
    {
      hs_osv_feed_clear (&osv);
      hs_ctl_gate_args_clear (&a);
      hs_error_wrap (&err, "feed import");
      return hs_ctl_fail (&err, 2);
    }
  printf ("imported %zu records (%zu withdrawn) into %s: %zu entries for %zu releases, data as "
          "of %s\n",
          osv.records, osv.withdrawn, a.feed_dir, osv.entries, osv.n,
          osv.newest_modified[0] ? osv.newest_modified : "(unknown)");
  if (osv.skipped_bad_version)
    printf ("skipped %zu entries whose versions do not parse\n", osv.skipped_bad_version);
  printf ("feed %s\n", digest);
  hs_osv_feed_clear (&osv);
  hs_ctl_gate_args_clear (&a);
  return 0;
}

static int
feed_show (int argc, char **argv)
{
  cleanup_error hs_error_t err = NULL;
  hs_ctl_gate_args_t a;
  hs_feed_t f;
  const hs_json_t *ecos, *imported;
  int r = hs_ctl_gate_args (argc, argv, 2, SHOW_USAGE, &a);

  if (r != 0)
    return r;
  r = hs_feed_open (a.feed_dir, &f, &err);
  if (r != 0)
    {
      hs_ctl_gate_args_clear (&a);
      if (r > 0)
        {
          fprintf (stderr,
                   "hardshimctl: no feed installed in %s (hardshimctl feed import all.zip)\n",
                   a.feed_dir);
          return 1;
        }
      return hs_ctl_fail (&err, 2);
    }
  if (a.json)
    {
      cleanup_free char *text = NULL;

      if (hs_json_emit (f.manifest, true, &text, NULL, &err) < 0)
        return hs_ctl_fail (&err, 2);
      printf ("%s\n", text);
    }
  else
    {
      long long age = f.data_as_of_time ? (long long) (time (NULL) - f.data_as_of_time) : -1;

      imported = hs_json_get_type (f.manifest, "imported", HS_JSON_STRING);
      printf ("feed:       %s\ndirectory:  %s\n", f.digest, a.feed_dir);
      printf ("imported:   %s\n", imported ? imported->str : "(unknown)");
      if (age >= 0)
        printf ("data as of: %s (%lld days old; max_feed_age %lld days%s)\n", f.data_as_of,
                age / 86400, a.gate.max_feed_age / 86400,
                a.gate.max_feed_age && age > a.gate.max_feed_age ? ": STALE" : "");
      else
        printf ("data as of: unknown\n");
      ecos = hs_json_get_type (f.manifest, "ecosystems", HS_JSON_OBJECT);
      for (size_t i = 0; ecos && i < ecos->len; i++)
        {
          const hs_json_t *n = hs_json_get_type (ecos->items[i], "entries", HS_JSON_NUMBER);

          printf ("  %-14s %s advisory entries\n", ecos->keys[i], n ? n->str : "?");
        }
    }
  hs_feed_close (&f);
  hs_ctl_gate_args_clear (&a);
  return 0;
}

int
hs_ctl_feed (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "import") == 0)
    return feed_import (argc, argv);
  if (argc >= 2 && strcmp (argv[1], "show") == 0)
    return feed_show (argc, argv);
  fprintf (stderr, "usage: hardshimctl " IMPORT_USAGE "\n       hardshimctl " SHOW_USAGE "\n");
  return 2;
}
