/* bundle_permissions: golden table (tests/data/harden/bundle_permissions.json)
 * of owners and modes of config.json, its directory and the directory above,
 * made for real under a private temp dir; the earlier string spelling of
 * the policy key. Needs root (chown). */
#include "harden_golden_b.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void
set_meta (const char *path, const hs_json_t *spec)
{
  const char *mode = hs_json_get_exact (spec, "mode")->str;
  long uid = strtol (hs_json_get_exact (spec, "uid")->str, NULL, 10);

  ck_assert_int_eq (chown (path, (uid_t) uid, 0), 0);
  ck_assert_int_eq (chmod (path, (mode_t) strtol (mode, NULL, 8)), 0);
}

static char *
run_row (const hs_json_t *row, const char *base, char **ret_bundle)
{
  const hs_json_t *settings = hs_json_get_exact (row, "settings");
  cleanup_free char *ptext = golden_policy_text ("bundle_permissions", settings, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_free char *parent = hs_xasprintf ("%s/p", base);
  char *bundle = hs_xasprintf ("%s/p/b", base);
  cleanup_free char *file = hs_xasprintf ("%s/config.json", bundle);
  cleanup_free char *display = hs_xasprintf ("%s/config.json", bundle);
  cleanup_json hs_json_t *config = test_parse ("{\"root\":{\"path\":\"r\"}}");
  cleanup_close int dfd = -1;
  struct stat st;
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_container_t ctr = { .id = "golden" };
  hs_harden_t h
      = { .spec = config, .policy = p, .host = &host, .audit = &audit, .target = HS_TARGET_CONFIG };
  hs_error_t err = NULL;
  char *msg = NULL;
  FILE *f;

  ck_assert_msg (p != NULL, "%s", perr);
  ck_assert_int_eq (mkdir (parent, 0755), 0);
  ck_assert_int_eq (mkdir (bundle, 0755), 0);
  f = fopen (file, "w");
  ck_assert (f != NULL);
  fputs ("{}", f);
  fclose (f);
  set_meta (file, hs_json_get_exact (row, "file"));
  set_meta (bundle, hs_json_get_exact (row, "dir"));
  set_meta (parent, hs_json_get_exact (row, "parent"));
  dfd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_ge (dfd, 0);
  ck_assert_int_eq (stat (file, &st), 0);
  ctr.config_dirfd = dfd;
  ctr.config_st = &st;
  ctr.config_display = display;
  h.ctr = &ctr;
  hs_audit_init (&audit, "create", "golden", bundle, p->digest);
  if (hs_harden_run (&h, &err) < 0)
    {
      ck_assert (hs_error_is_refusal (&err));
      msg = hs_xstrdup (err->msg);
      hs_error_release (&err);
    }
  if (hs_json_get_exact (row, "settings") != NULL)
    ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_WOULD_REFUSE), 1);
  hs_audit_release (&audit);
  unlink (file);
  rmdir (bundle);
  rmdir (parent);
  *ret_bundle = bundle;
  return msg;
}

/* BUNDLE in a reason stands for the row's bundle directory. */
static char *
expand (const char *reason, const char *bundle)
{
  char *out = hs_xstrdup ("");
  const char *at;

  while ((at = strstr (reason, "BUNDLE")) != NULL)
    {
      char *next = hs_xasprintf ("%s%.*s%s", out, (int) (at - reason), reason, bundle);
      free (out);
      out = next;
      reason = at + strlen ("BUNDLE");
    }
  {
    char *next = hs_xasprintf ("%s%s", out, reason);
    free (out);
    return next;
  }
}

START_TEST (test_golden_permissions)
{
  cleanup_free char *text = test_read_data ("harden/bundle_permissions.json", NULL);
  cleanup_json hs_json_t *rows = test_parse (text);
  char base[] = "/tmp/hs-bundle-perm-XXXXXX";

  if (geteuid () != 0)
    return; /* the rows need chown */
  ck_assert (mkdtemp (base) != NULL);
  ck_assert_int_eq (chmod (base, 0711), 0);
  for (size_t i = 0; i < rows->len; i++)
    {
      const hs_json_t *row = rows->items[i];
      const char *name = hs_json_get_exact (row, "name")->str;
      const char *verdict = hs_json_get_exact (row, "verdict")->str;
      const hs_json_t *reason = hs_json_get_exact (row, "reason");
      cleanup_free char *bundle = NULL;
      cleanup_free char *msg = run_row (row, base, &bundle);

      if (strcmp (verdict, "admitted") == 0)
        ck_assert_msg (msg == NULL, "%s: refused: %s", name, msg);
      else
        {
          cleanup_free char *want = expand (reason->str, bundle);
          ck_assert_msg (msg != NULL, "%s: admitted, expected a refusal", name);
          ck_assert_msg (strstr (msg, want) != NULL, "%s: `%s` lacks `%s`", name, msg, want);
        }
    }
  rmdir (base);
}
END_TEST

/* Without a file on disk (hardshimctl check, unit tests) nothing is judged. */
START_TEST (test_no_file)
{
  cleanup_free char *ptext = golden_policy_text ("bundle_permissions", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = test_parse ("{\"root\":{\"path\":\"r\"}}");
  cleanup_free char *refusal = NULL;
  hs_audit_t audit;

  ck_assert_msg (p != NULL, "%s", perr);
  hs_audit_init (&audit, "create", "golden", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  ck_assert_msg (refusal == NULL, "%s", refusal);
  ck_assert_int_eq (audit.len, 0);
  hs_audit_release (&audit);
}
END_TEST

/* The earlier string spelling: "refuse" is enforce, "warn" audit. */
START_TEST (test_string_spelling)
{
  static const struct
  {
    const char *value, *mode;
  } cases[] = { { "refuse", "enforce" }, { "warn", "audit" } };
  cleanup_free char *perr = NULL;
  hs_policy_t *p;

  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *text = hs_xasprintf ("{\"bundle_permissions\": \"%s\"}", cases[i].value);

      p = golden_policy (text, &perr);
      ck_assert_msg (p != NULL, "%s", perr);
      ck_assert_str_eq (hs_settings_mode_name (hs_policy_control (p, "bundle_permissions")),
                        cases[i].mode);
      hs_policy_free (p);
    }
  p = golden_policy ("{\"bundle_permissions\": \"ignore\"}", &perr);
  ck_assert_ptr_null (p);
  ck_assert_msg (strstr (perr, "`ignore` is not one of refuse, warn"), "%s", perr);
  free (perr);
  perr = NULL;
  p = golden_policy ("{\"preset\": \"restricted\"}", &perr);
  ck_assert_str_eq (hs_settings_mode_name (hs_policy_control (p, "bundle_permissions")), "enforce");
  hs_policy_free (p);
}
END_TEST

static Suite *
bundle_suite (void)
{
  Suite *s = suite_create ("bundle_permissions");
  TCase *tc = tcase_create ("golden");

  tcase_add_test (tc, test_golden_permissions);
  tcase_add_test (tc, test_no_file);
  tcase_add_test (tc, test_string_spelling);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (bundle_suite ())
