/* exec --user: the golden table tests/data/exec_user/spellings.json lists
 * spellings with what real runc and crun make of them (tests/e2e/exec-user.sh
 * checks those columns against the real runtimes); here each is read by
 * hs_exec_user_parse (canonical or not) and put through exec with
 * non_root_user enforced, in both dialects: only a canonical non-root uid
 * is admitted, every other spelling is refused. */
#include "harden_golden.h"

#include "cli.h"
#include "exec_inline.h"
#include "exec_user.h"

static hs_json_t *
table (void)
{
  char *path = hs_xasprintf ("%s/exec_user/spellings.json", TEST_DATA_DIR);
  char *text = test_read_file (path, NULL);
  hs_json_t *t = test_parse (text);

  ck_assert (t->type == HS_JSON_ARRAY && t->len > 20);
  free (text);
  free (path);
  return t;
}

static const char *
str (const hs_json_t *row, const char *key)
{
  const hs_json_t *v = hs_json_get_exact (row, key);
  return v != NULL && v->type == HS_JSON_STRING ? v->str : NULL;
}

START_TEST (test_parse_table)
{
  hs_json_t *t = table ();

  for (size_t i = 0; i < t->len; i++)
    {
      const hs_json_t *row = t->items[i];
      const char *user = str (row, "user");
      bool canonical = hs_json_is_true (hs_json_get_exact (row, "canonical"));
      hs_exec_user_t u = { 7, true, 7 };
      bool ok = hs_exec_user_parse (user, &u);

      ck_assert_msg (ok == canonical, "`%s`: parse %d, table %d", user, ok, canonical);
      if (ok)
        {
          /* both runtimes read a canonical spelling as its value */
          char want[16];
          snprintf (want, sizeof (want), "%u", u.uid);
          ck_assert_msg (strncmp (user, want, strlen (want)) == 0, "`%s` read as %u", user, u.uid);
          ck_assert_int_eq (u.has_gid, strchr (user, ':') != NULL);
          if (str (row, "crun") != NULL)
            ck_assert_str_eq (str (row, "crun"), want);
        }
      else
        ck_assert_msg (u.uid == 7 && u.has_gid && u.gid == 7, "`%s`: output written on failure",
                       user);
    }
  hs_json_free (t);
}
END_TEST

static int
exec_with_user (hs_dialect_t dialect, const char *user, const char *policy_text, hs_error_t *err)
{
  char *argv[] = { "hardshim", "exec", "--user", (char *) user, "c1", "sh", NULL };
  hs_invocation_t inv;
  hs_policy_t *policy = golden_policy (policy_text);
  hs_host_t host = { 0 };
  hs_audit_t audit;
  char **out = NULL;
  int r;

  ck_assert_int_eq (hs_cli_parse (6, argv, dialect, &inv, err), 0);
  hs_audit_init (&audit, "exec", inv.id, NULL, policy->digest);
  r = hs_exec_inline_harden (&inv, policy, &host, &audit, NULL, &out, err);
  hs_exec_inline_argv_free (out);
  hs_audit_release (&audit);
  hs_cli_release (&inv);
  hs_policy_free (policy);
  return r;
}

START_TEST (test_exec_table)
{
  static const hs_dialect_t dialects[] = { HS_DIALECT_GO, HS_DIALECT_ARGP };
  hs_json_t *t = table ();

  for (size_t d = 0; d < 2; d++)
    for (size_t i = 0; i < t->len; i++)
      {
        const hs_json_t *row = t->items[i];
        const char *user = str (row, "user");
        hs_exec_user_t u;
        bool admit = hs_exec_user_parse (user, &u) && u.uid != 0;
        hs_error_t err = NULL;
        int r = exec_with_user (dialects[d], user, "{\"non_root_user\":{\"mode\":\"enforce\"}}",
                                &err);

        ck_assert_msg ((r == 0) == admit, "`%s` (dialect %zu): %s", user, d,
                       err ? err->msg : "admitted");
        if (r < 0 && u.uid != 0)
          ck_assert_msg (strstr (err->msg, "is not a plain decimal UID[:GID]")
                             && strstr (err->msg, "control `non_root_user`"),
                         "`%s`: %s", user, err->msg);
        hs_error_release (&err);
        /* audit mode records it and refuses nothing; off never looks */
        ck_assert_int_eq (exec_with_user (dialects[d], user, NULL, &err), 0);
        ck_assert_int_eq (
            exec_with_user (dialects[d], user, "{\"non_root_user\":{\"mode\":\"off\"}}", &err), 0);
      }
  hs_json_free (t);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("exec_user");
  TCase *tc = tcase_create ("exec_user");

  tcase_add_test (tc, test_parse_table);
  tcase_add_test (tc, test_exec_table);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
