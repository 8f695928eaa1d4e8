/* spec_fields: golden table (tests/data/harden/spec_fields.json), the
 * inventory against the runtime-spec's field list and against
 * doc/spec-fields.md, policy `unknown_fields`, and exec process files. */
#include "harden_golden_b.h"

#include "spec_fields.h"

#include <stdio.h>

static bool
owner_ok (const char *owner)
{
  return strcmp (owner, HS_FIELD_HARMLESS) == 0 || strcmp (owner, HS_FIELD_REFUSED) == 0
         || hs_control_find (owner) != NULL;
}

/* Every field of the runtime-spec has an owner: a control, harmless or
 * refused. */
START_TEST (test_every_spec_field_owned)
{
  cleanup_free char *text = test_read_data ("spec-fields/runtime-spec.txt", NULL);
  size_t checked = 0;

  for (char *line = strtok (text, "\n"); line != NULL; line = strtok (NULL, "\n"))
    {
      const char *owner;

      if (line[0] == '#' || line[0] == '\0')
        continue;
      owner = hs_spec_field_owner (line);
      ck_assert_msg (owner != NULL, "runtime-spec field `%s` has no owner in src/spec_fields.c",
                     line);
      ck_assert_msg (owner_ok (owner), "`%s`: owner `%s` is no control", line, owner);
      checked++;
    }
  ck_assert_uint_gt (checked, 200);
}
END_TEST

/* Every entry names a real control (or harmless/refused), once, and has a
 * reason; its parent is listed too, so the walk reaches it. */
START_TEST (test_table_well_formed)
{
  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    {
      char parent[256];
      char *cut;

      ck_assert_msg (owner_ok (f->owner), "`%s`: owner `%s` is no control", f->path, f->owner);
      ck_assert_msg (f->why != NULL && f->why[0] != '\0', "`%s`: no reason", f->path);
      ck_assert_msg (hs_spec_field_find (f->path) == f, "`%s` listed twice", f->path);
      snprintf (parent, sizeof (parent), "%s", f->path);
      if (strlen (parent) > 2 && strcmp (parent + strlen (parent) - 2, "[]") == 0)
        parent[strlen (parent) - 2] = '\0';
      else if ((cut = strrchr (parent, '.')) != NULL)
        *cut = '\0';
      else
        continue;
      ck_assert_msg (hs_spec_field_find (parent) != NULL, "`%s`: parent `%s` not listed", f->path,
                     parent);
    }
  /* a subtree is contiguous right after its entry (the walk scans only
   * there) and the walk finds the same children as a full scan */
  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    {
      size_t n = strlen (f->path);
      bool inside = true;

      for (const hs_spec_field_t *g = f + 1; g->path != NULL; g++)
        {
          bool below
              = strncmp (g->path, f->path, n) == 0 && (g->path[n] == '.' || g->path[n] == '[');
          ck_assert_msg (!below || inside, "`%s` is listed apart from its parent `%s`", g->path,
                         f->path);
          inside = inside && below;
        }
      for (const hs_spec_field_t *g = hs_spec_fields; g < f; g++)
        ck_assert_msg (
            !(strncmp (g->path, f->path, n) == 0 && (g->path[n] == '.' || g->path[n] == '[')),
            "`%s` is listed before its parent `%s`", g->path, f->path);
    }
  /* every pattern's children fit the walk's fixed list */
  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    {
      hs_spec_field_children_t c;
      hs_spec_field_children (f->path, &c);
      ck_assert_msg (c.n < HS_SPEC_FIELD_MAX_CHILDREN, "`%s` has too many children", f->path);
    }
  /* a made-up field is not covered: the schema test can fail */
  ck_assert_ptr_null (hs_spec_field_owner ("linux.fooBar"));
  ck_assert_ptr_null (hs_spec_field_owner ("process.user.fooBar"));
  ck_assert_str_eq (hs_spec_field_owner ("linux.sysctl.*"), "sysctls");
  ck_assert_str_eq (hs_spec_field_owner ("linux.netDevices.*.name"), HS_FIELD_REFUSED);
}
END_TEST

static char *
doc_row (const hs_spec_field_t *f)
{
  return hs_xasprintf ("| `%s` | %s | %s |", f->path,
                       strcmp (f->owner, HS_FIELD_HARMLESS) == 0  ? "harmless"
                       : strcmp (f->owner, HS_FIELD_REFUSED) == 0 ? "**refused**"
                                                                  : f->owner,
                       f->why);
}

/* doc/spec-fields.md holds exactly the table's rows, in its order.
 * HS_DOC_UPDATE=1 prints the rows to paste. */
START_TEST (test_doc_matches_table)
{
  cleanup_free char *doc = test_read_data ("../../doc/spec-fields.md", NULL);
  const char *at = doc;

  for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
    {
      cleanup_free char *row = doc_row (f);
      const char *found;

      if (getenv ("HS_DOC_UPDATE") != NULL)
        {
          printf ("%s\n", row);
          continue;
        }
      found = strstr (at, row);
      ck_assert_msg (found != NULL, "doc/spec-fields.md lacks (in table order) the row\n%s", row);
      at = found + strlen (row);
    }
  {
    size_t rows = 0, want = 0;

    for (const char *p = strstr (doc, "\n| `"); p != NULL; p = strstr (p + 1, "\n| `"))
      rows++;
    for (const hs_spec_field_t *f = hs_spec_fields; f->path != NULL; f++)
      want++;
    if (getenv ("HS_DOC_UPDATE") == NULL)
      ck_assert_msg (rows == want, "doc/spec-fields.md has %zu field rows, the table %zu", rows,
                     want);
  }
}
END_TEST

static char *
harden_with (const char *policy_text, const char *config_text, hs_target_t target,
             hs_audit_t *audit)
{
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (policy_text, &perr);
  cleanup_json hs_json_t *config = test_parse (config_text);
  hs_host_t host = { 0 };
  hs_harden_t h = { .spec = config, .policy = p, .host = &host, .audit = audit, .target = target };
  hs_error_t err = NULL;
  char *msg = NULL;

  ck_assert_msg (p != NULL, "%s", perr);
  if (hs_harden_run (&h, &err) < 0)
    {
      msg = hs_xstrdup (err->msg);
      hs_error_release (&err);
    }
  return msg;
}

/* unknown_fields: audit records an unknown field and admits it; refused
 * fields stay refused. */
START_TEST (test_unknown_fields_policy)
{
  cleanup_free char *base = golden_policy_text ("spec_fields", NULL, NULL);
  cleanup_free char *audit_p = hs_xasprintf ("{\"unknown_fields\":\"audit\",%s", base + 1);
  cleanup_free char *bad_p = hs_xasprintf ("{\"unknown_fields\":\"warn\",%s", base + 1);
  cleanup_free char *perr = NULL;
  hs_audit_t audit;
  char *msg;

  hs_audit_init (&audit, "create", "t", ".", "d");
  msg = harden_with (base, "{\"linux\":{\"fooBar\":1}}", HS_TARGET_CONFIG, &audit);
  ck_assert_msg (msg && strstr (msg, "(control `spec_fields`, `linux.fooBar`)"), "%s", msg);
  free (msg);
  hs_audit_release (&audit);

  hs_audit_init (&audit, "create", "t", ".", "d");
  msg = harden_with (audit_p, "{\"linux\":{\"fooBar\":1}}", HS_TARGET_CONFIG, &audit);
  ck_assert_msg (msg == NULL, "%s", msg);
  ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_WOULD_REFUSE), 1);
  hs_audit_release (&audit);

  hs_audit_init (&audit, "create", "t", ".", "d");
  msg = harden_with (audit_p, "{\"linux\":{\"netDevices\":{\"eth0\":{}}}}", HS_TARGET_CONFIG,
                     &audit);
  ck_assert_msg (msg && strstr (msg, "`linux.netDevices` is refused"), "%s", msg);
  free (msg);
  hs_audit_release (&audit);

  ck_assert_ptr_null (golden_policy (bad_p, &perr));
  ck_assert_msg (strstr (perr, "policy key `unknown_fields`: `warn` is not one of refuse, audit"),
                 "%s", perr);
}
END_TEST

/* An exec process file is judged like config.json's process. */
START_TEST (test_exec_process)
{
  cleanup_free char *base = golden_policy_text ("spec_fields", NULL, NULL);
  hs_audit_t audit;
  char *msg;

  hs_audit_init (&audit, "exec", "t", NULL, "d");
  msg = harden_with (base, "{\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"newField\":1}}",
                     HS_TARGET_PROCESS, &audit);
  ck_assert_msg (msg && strstr (msg, "`process.newField` is not a field"), "%s", msg);
  free (msg);
  msg = harden_with (base, "{\"process\":{\"scheduler\":{\"policy\":\"SCHED_RR\"}}}",
                     HS_TARGET_PROCESS, &audit);
  ck_assert_msg (msg && strstr (msg, "`process.scheduler` is refused"), "%s", msg);
  free (msg);
  msg = harden_with (base, "{\"process\":{\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}}}",
                     HS_TARGET_PROCESS, &audit);
  ck_assert_msg (msg == NULL, "%s", msg);
  hs_audit_release (&audit);
}
END_TEST

GOLDEN_SUITE ("spec_fields", tcase_add_test (tc, test_every_spec_field_owned);
              tcase_add_test (tc, test_table_well_formed);
              tcase_add_test (tc, test_doc_matches_table);
              tcase_add_test (tc, test_unknown_fields_policy);
              tcase_add_test (tc, test_exec_process))

TEST_MAIN (golden_suite ())
