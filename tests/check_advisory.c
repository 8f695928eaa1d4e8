/* The runtime advisory table: version ordering (tests/data/advisories/
 * versions.txt), the shipped tables judged for runtimes old and new
 * (golden.txt), every bad table input, `--version` parsing and the
 * per-binary cache of runtime facts. */
#include "testutil.h"

#include "advisory.h"
#include "advisory_cache.h"
#include "advisory_check.h"
#include "runtime_probe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define TABLE_DIR TEST_DATA_DIR "/../../profiles/advisories"

START_TEST (test_version_vectors)
{
  char *text = test_read_data ("advisories/versions.txt", NULL);
  char *save = NULL;
  int n = 0;

  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char a[64], op[4], b[64];
      int c;

      if (line[0] == '#')
        continue;
      ck_assert_int_eq (sscanf (line, "%63s %3s %63s", a, op, b), 3);
      ck_assert_int_eq (hs_runtime_version_cmp (a, b, &c), 0);
      ck_assert_msg ((op[0] == '<' && c < 0) || (op[0] == '>' && c > 0) || (op[0] == '=' && c == 0),
                     "%s %s %s: got %d", a, op, b, c);
      n++;
    }
  ck_assert_int_gt (n, 10);
  free (text);
}
END_TEST

START_TEST (test_version_bad)
{
  static const char *const bad[] = { "", "v1.1.5", "1.1 5", "1.1/5", "-1", "1.1.5\n", NULL };
  int c;

  for (size_t i = 0; bad[i]; i++)
    ck_assert_msg (hs_runtime_version_cmp (bad[i], "1.0", &c) < 0, "`%s` accepted", bad[i]);
}
END_TEST

static char **
split (char *s, size_t *n)
{
  char **v = calloc (64, sizeof (char *));
  char *save = NULL;

  *n = 0;
  if (strcmp (s, "-") == 0)
    return v;
  for (char *t = strtok_r (s, ",", &save); t && *n < 64; t = strtok_r (NULL, ",", &save))
    v[(*n)++] = t;
  return v;
}

typedef struct
{
  char **rules;
  size_t n;
} active_t;

static bool
active (const char *rule, void *ctx)
{
  const active_t *a = ctx;

  for (size_t i = 0; i < a->n; i++)
    if (strcmp (a->rules[i], rule) == 0)
      return true;
  return false;
}

START_TEST (test_golden)
{
  char *text = test_read_data ("advisories/golden.txt", NULL);
  char *save = NULL;
  int n = 0;

  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char name[16], version[64], debian[64], features[256], rules[256], *arrow;
      hs_probe_t facts = { 0 };
      hs_advisory_report_t rep = { 0 };
      hs_error_t err = NULL;
      active_t act;
      char got[1024] = "";
      size_t nf;
      char **fv;

      if (line[0] == '#')
        continue;
      arrow = strstr (line, " -> ");
      ck_assert_ptr_nonnull (arrow);
      *arrow = '\0';
      ck_assert_int_eq (
          sscanf (line, "%15s %63s %63s %255s %255s", name, version, debian, features, rules), 5);
      facts.name = name;
      facts.version = strcmp (version, "-") ? version : NULL;
      facts.debian_version = strcmp (debian, "-") ? debian : NULL;
      fv = split (features, &nf);
      facts.features = strcmp (features, "-") ? fv : NULL;
      facts.n_features = nf;
      act.rules = split (rules, &act.n);
      ck_assert_msg (hs_advisory_judge (TABLE_DIR, &facts, active, &act, &rep, &err) == 0, "%s",
                     err ? err->msg : "");
      for (size_t i = 0; i < rep.n; i++)
        if (rep.v[i].status == HS_ADV_OPEN)
          snprintf (got + strlen (got), sizeof (got) - strlen (got), "%s%s=%s", *got ? " " : "",
                    rep.v[i].a->id, hs_cover_name (rep.v[i].cover));
      if (*got == '\0')
        strcpy (got, "-");
      ck_assert_msg (strcmp (got, arrow + 4) == 0, "%s:\n  want %s\n  got  %s", line, arrow + 4,
                     got);
      hs_advisory_report_clear (&rep);
      free (fv);
      free (act.rules);
      n++;
    }
  ck_assert_int_gt (n, 20);
  free (text);
}
END_TEST

/* Every table shipped parses, and lists only rules hardshim has or the
 * admission rules of doc/advisories.md. */
START_TEST (test_shipped_tables)
{
  static const char *const names[] = { "runc", "crun", NULL };

  for (size_t i = 0; names[i]; i++)
    {
      hs_advisory_table_t t;
      hs_error_t err = NULL;
      char *path = NULL;

      ck_assert_msg (hs_advisory_table_load (TABLE_DIR, names[i], &t, &path, &err) == 0, "%s",
                     err ? err->msg : "");
      ck_assert_int_gt (t.n, 5);
      for (size_t j = 0; j < t.n; j++)
        ck_assert_int_gt (t.v[j].n_sources, 0);
      hs_advisory_table_clear (&t);
      free (path);
    }
}
END_TEST

static const char *const good_entry
    = "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{\"fixed\":\"1.0\"}],"
      "\"covered_by\":[],\"sources\":[\"s\"]}";

static void
expect_bad (const char *text, const char *needle)
{
  hs_advisory_table_t t;
  hs_error_t err = NULL;

  ck_assert_msg (hs_advisory_table_parse (text, strlen (text), "t.json", &t, &err) < 0,
                 "accepted: %s", text);
  ck_assert_msg (strstr (err->msg, needle) != NULL, "`%s`: message `%s` lacks `%s`", text, err->msg,
                 needle);
  hs_error_release (&err);
}

static char *
table_with (const char *entry)
{
  return hs_xasprintf ("{\"schema\":1,\"runtime\":\"runc\",\"advisories\":[%s]}", entry);
}

START_TEST (test_bad_tables)
{
  static const struct
  {
    const char *entry, *needle;
  } bad_entries[] = {
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{\"fixed\":\"1.0\"}],"
      "\"covered_by\":[],\"sources\":[\"s\"],\"extra\":1}",
      "`advisories[0].extra`: unknown key" },
    { "{\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],\"covered_by\":[],\"sources\":["
      "\"s\"]}",
      "`advisories[0].id`: missing" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"urgent\",\"affected\":[{}],"
      "\"covered_by\":[],\"sources\":[\"s\"]}",
      "is not one of low, moderate, high, critical" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[],\"covered_by\":[],"
      "\"sources\":[\"s\"]}",
      "`advisories[0].affected`: missing or empty" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{\"fixed\":\"v1\"}],"
      "\"covered_by\":[],\"sources\":[\"s\"]}",
      "`advisories[0].affected[0].fixed`: `v1` is not a runtime version" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{\"introduced\":\"2."
      "0\","
      "\"fixed\":\"1.0\"}],\"covered_by\":[],\"sources\":[\"s\"]}",
      "is not above `introduced`" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{\"since\":\"1\"}],"
      "\"covered_by\":[],\"sources\":[\"s\"]}",
      "`advisories[0].affected[0].since`: unknown key" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],\"sources\":[\"s\"]"
      "}",
      "`advisories[0].covered_by`: missing" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],"
      "\"covered_by\":[{\"partial\":true}],\"sources\":[\"s\"]}",
      "`advisories[0].covered_by[0].rule`: missing" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],"
      "\"covered_by\":[{\"rule\":\"userns\",\"partial\":\"yes\"}],\"sources\":[\"s\"]}",
      "expected true or false" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],"
      "\"covered_by\":[],\"sources\":[]}",
      "`advisories[0].sources`: missing or empty" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],"
      "\"debian_fixed\":[{\"version\":\"1.1.5\",\"source\":\"x\"}],\"covered_by\":[],"
      "\"sources\":[\"s\"]}",
      "is not a Debian version with a revision" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],"
      "\"debian_fixed\":[{\"version\":\"1.1.5-1\"}],\"covered_by\":[],\"sources\":[\"s\"]}",
      "`advisories[0].debian_fixed[0].source`: missing" },
    { "{\"id\":\"\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],\"covered_by\":[],"
      "\"sources\":[\"s\"]}",
      "`advisories[0].id`: empty" },
    { "{\"id\":1,\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],\"covered_by\":[],"
      "\"sources\":[\"s\"]}",
      "expected a string, got number" },
    { "{\"id\":\"CVE-1\",\"title\":\"t\",\"severity\":\"low\",\"affected\":[{}],\"covered_by\":[],"
      "\"sources\":[1]}",
      "items must be strings" },
    { "[]", "`advisories[0]`: expected an object" },
  };
  char *t;

  for (size_t i = 0; i < sizeof (bad_entries) / sizeof (bad_entries[0]); i++)
    {
      t = table_with (bad_entries[i].entry);
      expect_bad (t, bad_entries[i].needle);
      free (t);
    }
  /* the same id twice */
  t = hs_xasprintf ("{\"schema\":1,\"runtime\":\"runc\",\"advisories\":[%s,%s]}", good_entry,
                    good_entry);
  expect_bad (t, "`CVE-1` is listed twice");
  free (t);
  expect_bad ("{\"runtime\":\"runc\",\"advisories\":[]}", "`schema`: must be 1");
  expect_bad ("{\"schema\":2,\"runtime\":\"runc\",\"advisories\":[]}", "`schema`: must be 1");
  expect_bad ("{\"schema\":1,\"advisories\":[]}", "`runtime`: missing");
  expect_bad ("{\"schema\":1,\"runtime\":\"runc\"}", "`advisories`: expected an array");
  expect_bad ("{\"schema\":1,\"runtime\":\"runc\",\"advisories\":[],\"x\":1}", "`x`: unknown key");
  expect_bad ("{\"schema\":1,\"runtime\":\"runc\",\"runtime\":\"crun\",\"advisories\":[]}",
              "duplicate key");
  expect_bad ("[1]", "expected an object");
  expect_bad ("{\"schema\":1,", "advisory table `t.json`");
  /* and the good one parses */
  {
    hs_advisory_table_t tab;
    hs_error_t err = NULL;

    t = table_with (good_entry);
    ck_assert_int_eq (hs_advisory_table_parse (t, strlen (t), "t.json", &tab, &err), 0);
    ck_assert_int_eq (tab.n, 1);
    hs_advisory_table_clear (&tab);
    free (t);
  }
}
END_TEST

/* A table others can write, or for another runtime, is refused. */
START_TEST (test_table_load_checks)
{
  char dir[] = "/tmp/hs-adv-XXXXXX";
  hs_advisory_table_t t;
  hs_error_t err = NULL;
  char *path = NULL, *file, *text = table_with (good_entry);
  int fd;

  ck_assert_ptr_nonnull (mkdtemp (dir));
  file = hs_xasprintf ("%s/crun.json", dir);
  fd = open (file, O_WRONLY | O_CREAT | O_EXCL, 0644);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, text, strlen (text)), (ssize_t) strlen (text));
  close (fd);
  ck_assert_int_lt (hs_advisory_table_load (dir, "crun", &t, &path, &err), 0);
  ck_assert_msg (strstr (err->msg, "is for runtime `runc`, not `crun`") != NULL, "%s", err->msg);
  hs_error_release (&err);
  ck_assert_int_lt (hs_advisory_table_load (dir, "runc", &t, &path, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "no advisory table for runtime `runc`"));
  hs_error_release (&err);
  ck_assert_int_lt (hs_advisory_table_load (dir, "../crun", &t, &path, &err), 0);
  hs_error_release (&err);
  free (file);
  file = hs_xasprintf ("%s/runc.json", dir);
  fd = open (file, O_WRONLY | O_CREAT | O_EXCL, 0666);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, text, strlen (text)), (ssize_t) strlen (text));
  fchmod (fd, 0666);
  close (fd);
  ck_assert_int_lt (hs_advisory_table_load (dir, "runc", &t, &path, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "writable by users other than root"));
  hs_error_release (&err);
  chmod (file, 0644);
  ck_assert_int_eq (hs_advisory_table_load (dir, "runc", &t, &path, &err), 0);
  hs_advisory_table_clear (&t);
  free (path);
  unlink (file);
  free (file);
  file = hs_xasprintf ("%s/crun.json", dir);
  unlink (file);
  free (file);
  rmdir (dir);
  free (text);
}
END_TEST

START_TEST (test_probe_parse)
{
  static const char runc_out[] = "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n"
                                 "spec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n";
  static const char crun_out[] = "crun version 1.8.1\ncommit: f8a096be\nrundir: /run/crun\n"
                                 "spec: 1.0.0\n+SYSTEMD +SELINUX -LIBKRUN +SECCOMP +YAJL\n";
  static const char *const bad[]
      = { "", "runc 1.1.5\n", "version 1.1\n", "runc version\x01 1\n", NULL };
  hs_probe_t p;
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_probe_parse_version (runc_out, sizeof (runc_out) - 1, &p, &err), 0);
  ck_assert_str_eq (p.name, "runc");
  ck_assert_str_eq (p.version, "1.1.5+ds1");
  ck_assert_ptr_null (p.features);
  hs_probe_clear (&p);
  ck_assert_int_eq (hs_probe_parse_version (crun_out, sizeof (crun_out) - 1, &p, &err), 0);
  ck_assert_str_eq (p.name, "crun");
  ck_assert_str_eq (p.version, "1.8.1");
  ck_assert_uint_eq (p.n_features, 4);
  ck_assert_str_eq (p.features[0], "+SYSTEMD");
  ck_assert_str_eq (p.features[3], "+YAJL");
  hs_probe_clear (&p);
  for (size_t i = 0; bad[i]; i++)
    {
      ck_assert_msg (hs_probe_parse_version (bad[i], strlen (bad[i]), &p, &err) < 0, "`%s`",
                     bad[i]);
      hs_error_release (&err);
    }
  /* "NAME version" alone: the version is unknown */
  ck_assert_int_eq (hs_probe_parse_version ("youki version\n", 14, &p, &err), 0);
  ck_assert_ptr_null (p.version);
  hs_probe_clear (&p);
}
END_TEST

static void
write_script (const char *path, const char *body)
{
  FILE *f = fopen (path, "w");

  ck_assert_ptr_nonnull (f);
  fprintf (f, "#!/bin/sh\n%s\n", body);
  fclose (f);
  chmod (path, 0755);
}

/* A stand-in runtime counts its runs: the second lookup is the cache's,
 * a rewritten binary is probed again. */
START_TEST (test_facts_cache)
{
  char dir[] = "/tmp/hs-adv-XXXXXX";
  char *rt, *state, *count, *body;
  hs_probe_t p;
  bool cached;
  hs_error_t err = NULL;
  char *buf = NULL;

  ck_assert_ptr_nonnull (mkdtemp (dir));
  chmod (dir, 0755);
  rt = hs_xasprintf ("%s/runc", dir);
  state = hs_xasprintf ("%s/state", dir);
  count = hs_xasprintf ("%s/count", dir);
  body = hs_xasprintf ("echo x >> %s; echo 'runc version 1.1.4'", count);
  write_script (rt, body);
  ck_assert_int_eq (hs_advisory_facts (state, rt, dir, &p, &cached, &err), 0);
  ck_assert (!cached);
  ck_assert_str_eq (p.version, "1.1.4");
  ck_assert_ptr_null (p.debian_version); /* no dpkg database under `dir` */
  hs_probe_clear (&p);
  ck_assert_int_eq (hs_advisory_facts (state, rt, dir, &p, &cached, &err), 0);
  ck_assert (cached);
  ck_assert_str_eq (p.version, "1.1.4");
  hs_probe_clear (&p);
  buf = test_read_file (count, NULL);
  ck_assert_str_eq (buf, "x\n");
  free (buf);
  /* a judgement kept with the facts comes back with them, still cached */
  ck_assert_int_eq (hs_advisory_facts (state, rt, dir, &p, &cached, &err), 0);
  {
    hs_json_t *j = hs_json_new (HS_JSON_OBJECT);

    hs_json_set_exact (j, "table", hs_json_new_string ("/t/runc.json"));
    hs_json_set_exact (j, "table_identity", hs_json_new_string ("1:2:3"));
    hs_json_set_exact (j, "open", hs_json_new (HS_JSON_ARRAY));
    hs_json_append (hs_json_get_exact (j, "open"),
                    test_parse ("{\"id\":\"CVE-1\",\"covered_by\":[{\"rule\":\"userns\","
                                "\"partial\":true}]}"));
    hs_advisory_facts_keep_judged (state, rt, &p, j);
  }
  hs_probe_clear (&p);
  ck_assert_int_eq (hs_advisory_facts (state, rt, dir, &p, &cached, &err), 0);
  ck_assert (cached);
  ck_assert_ptr_nonnull (p.judged);
  {
    hs_advisory_report_t rep;
    active_t act = { NULL, 0 };

    /* from another table, or the table changed: not used */
    ck_assert_int_lt (
        hs_advisory_report_from_judged (p.judged, "/t/crun.json", "1:2:3", active, &act, &rep), 0);
    ck_assert_int_lt (
        hs_advisory_report_from_judged (p.judged, "/t/runc.json", "1:2:4", active, &act, &rep), 0);
    ck_assert_int_eq (
        hs_advisory_report_from_judged (p.judged, "/t/runc.json", "1:2:3", active, &act, &rep), 0);
    ck_assert_uint_eq (rep.open, 1);
    ck_assert_uint_eq (rep.uncovered, 1);
    ck_assert_str_eq (rep.v[0].a->id, "CVE-1");
    ck_assert (rep.v[0].a->covered_by[0].partial);
    hs_advisory_report_clear (&rep);
  }
  hs_probe_clear (&p);
  buf = test_read_file (count, NULL);
  ck_assert_str_eq (buf, "x\n");
  free (buf);
  /* replaced: probed again */
  free (body);
  body = hs_xasprintf ("echo y >> %s; echo 'runc version 1.3.6'", count);
  unlink (rt);
  write_script (rt, body);
  ck_assert_int_eq (hs_advisory_facts (state, rt, dir, &p, &cached, &err), 0);
  ck_assert (!cached);
  ck_assert_str_eq (p.version, "1.3.6");
  hs_probe_clear (&p);
  /* a runtime that fails or hangs is an error, not a version */
  write_script (rt, "exit 3");
  ck_assert_int_lt (hs_advisory_facts (NULL, rt, dir, &p, &cached, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "failed (status 3)"));
  hs_error_release (&err);
  write_script (rt, "exec sleep 10");
  ck_assert_int_lt (hs_advisory_facts (NULL, rt, dir, &p, &cached, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "did not finish"));
  hs_error_release (&err);
  free (rt);
  free (state);
  free (count);
  free (body);
  {
    char *cmd = hs_xasprintf ("rm -rf %s", dir);
    ck_assert_int_eq (system (cmd), 0);
    free (cmd);
  }
}
END_TEST

/* A dpkg database names the package only for the file it installed, and
 * only when the upstream versions agree. */
START_TEST (test_probe_debian)
{
  char dir[] = "/tmp/hs-adv-XXXXXX";
  char *cmd, *rt;
  hs_probe_t p = { 0 };
  hs_error_t err = NULL;

  ck_assert_ptr_nonnull (mkdtemp (dir));
  rt = hs_xasprintf ("%s/bin/runc", dir);
  cmd = hs_xasprintf ("mkdir -p %s/bin %s/info && touch %s && echo %s > %s/info/runc.list && "
                      "printf 'Package: runc\\nStatus: install ok installed\\nVersion: "
                      "1.1.5+ds1-1+deb12u1\\nArchitecture: amd64\\n\\n' > %s/status",
                      dir, dir, rt, rt, dir, dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  p.name = strdup ("runc");
  p.version = strdup ("1.1.5+ds1");
  ck_assert_int_eq (hs_probe_debian (dir, rt, &p, &err), 0);
  ck_assert_str_eq (p.debian_version, "1.1.5+ds1-1+deb12u1");
  hs_probe_clear (&p);
  /* another upstream than the binary says */
  p.name = strdup ("runc");
  p.version = strdup ("1.1.12");
  ck_assert_int_eq (hs_probe_debian (dir, rt, &p, &err), 0);
  ck_assert_ptr_null (p.debian_version);
  hs_probe_clear (&p);
  /* a file the package does not list */
  cmd = hs_xasprintf ("touch %s/bin/other", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  p.name = strdup ("runc");
  p.version = strdup ("1.1.5+ds1");
  cmd = hs_xasprintf ("%s/bin/other", dir);
  ck_assert_int_eq (hs_probe_debian (dir, cmd, &p, &err), 0);
  ck_assert_ptr_null (p.debian_version);
  /* ... unless a diversion of a listed file moved it there */
  {
    char *d = hs_xasprintf ("printf '%%s\\n%%s\\nhardshim\\n' %s %s > %s/diversions", rt, cmd, dir);
    ck_assert_int_eq (system (d), 0);
    free (d);
  }
  ck_assert_int_eq (hs_probe_debian (dir, cmd, &p, &err), 0);
  ck_assert_str_eq (p.debian_version, "1.1.5+ds1-1+deb12u1");
  hs_probe_clear (&p);
  free (cmd);
  free (rt);
  cmd = hs_xasprintf ("rm -rf %s", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("advisory");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_version_vectors);
  tcase_add_test (tc, test_version_bad);
  tcase_add_test (tc, test_golden);
  tcase_add_test (tc, test_shipped_tables);
  tcase_add_test (tc, test_bad_tables);
  tcase_add_test (tc, test_table_load_checks);
  tcase_add_test (tc, test_probe_parse);
  tcase_add_test (tc, test_facts_cache);
  tcase_add_test (tc, test_probe_debian);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
