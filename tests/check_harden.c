/* The control engine's modes over the real no_new_privileges control, the
 * hardened annotation, and the decision trail (audit lines, --log lines). */
#include "testfs.h"

#include "audit.h"
#include "config.h"
#include "harden.h"
#include "harden/controls.h"

#include <regex.h>

static const hs_host_t host = { false, false };

static hs_policy_t *
policy (const char *text)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  if (hs_policy_from_text (text, "test", &p, &err) < 0 || hs_policy_validate_controls (p, &err) < 0)
    ck_abort_msg ("policy `%s`: %s", text, err->msg);
  return p;
}

/* Golden table: (config, policy) -> (config, verdict, audit actions). */
static const struct
{
  const char *name;
  const char *policy;
  const char *in;
  const char *out;    /* after hardening, annotation removed; NULL: same as in */
  const char *refuse; /* substring of the refusal, or NULL */
  const char *actions;
} golden[] = {
  { "enforce edits false", "{}", "{\"process\":{\"noNewPrivileges\":false,\"args\":[\"sh\"]}}",
    "{\"process\":{\"noNewPrivileges\":true,\"args\":[\"sh\"]}}", NULL, "changed" },
  { "enforce adds a missing field", "{\"no_new_privileges\":{\"mode\":\"enforce\"}}",
    "{\"process\":{\"args\":[\"sh\"]}}",
    "{\"process\":{\"args\":[\"sh\"],\"noNewPrivileges\":true}}", NULL, "changed" },
  { "enforce replaces null", "{}", "{\"process\":{\"noNewPrivileges\":null}}",
    "{\"process\":{\"noNewPrivileges\":true}}", NULL, "changed" },
  { "enforce edits the spelling runc reads", "{}", "{\"Process\":{\"NoNewPrivileges\":false}}",
    "{\"Process\":{\"NoNewPrivileges\":true}}", NULL, "changed" },
  { "enforce: already true, nothing to do", "{}", "{\"process\":{\"noNewPrivileges\":true}}", NULL,
    NULL, "" },
  { "enforce: no process, nothing to do", "{}", "{\"ociVersion\":\"1.0.2\"}", NULL, NULL, "" },
  { "reject refuses", "{\"no_new_privileges\":{\"mode\":\"reject\"}}",
    "{\"process\":{\"noNewPrivileges\":false}}", NULL,
    "`process.noNewPrivileges`: no_new_privileges is required by host policy (control "
    "`no_new_privileges` is in reject mode)",
    "refused" },
  { "reject admits what needs no change", "{\"no_new_privileges\":{\"mode\":\"reject\"}}",
    "{\"process\":{\"noNewPrivileges\":true}}", NULL, NULL, "" },
  { "control audit records, changes nothing", "{\"no_new_privileges\":{\"mode\":\"audit\"}}",
    "{\"process\":{\"noNewPrivileges\":false}}", NULL, NULL, "would-change" },
  { "policy audit overrides enforce", "{\"mode\":\"audit\"}",
    "{\"process\":{\"noNewPrivileges\":false}}", NULL, NULL, "would-change" },
  { "policy audit overrides reject",
    "{\"mode\":\"audit\",\"no_new_privileges\":{\"mode\":\"reject\"}}", "{\"process\":{}}", NULL,
    NULL, "would-change" },
  { "off skips", "{\"no_new_privileges\":{\"mode\":\"off\"}}",
    "{\"process\":{\"noNewPrivileges\":false}}", NULL, NULL, "" },
  { "off stays off in policy audit",
    "{\"mode\":\"audit\",\"no_new_privileges\":{\"mode\":\"off\"}}",
    "{\"process\":{\"noNewPrivileges\":false}}", NULL, NULL, "" },
  { "control refusal names control and path", "{}", "{\"process\":{\"noNewPrivileges\":\"yes\"}}",
    NULL, "expected a boolean, got string (control `no_new_privileges`, `process.noNewPrivileges`)",
    "refused" },
  { "control refusal in audit is recorded only", "{\"mode\":\"audit\"}",
    "{\"process\":{\"noNewPrivileges\":\"yes\"}}", NULL, NULL, "would-refuse" },
  { "process not an object", "{}", "{\"process\":[]}", NULL,
    "`process` must be an object (control `no_new_privileges`, `process`)", "refused" },
};

static char *
actions_of (const hs_audit_t *a)
{
  char *s = hs_xstrdup ("");

  /* Only the control under test: the others record their own decisions. */
  for (size_t i = 0; i < a->len; i++)
    {
      char *n;

      if (strcmp (a->items[i].control, "no_new_privileges") != 0)
        continue;
      n = hs_xasprintf ("%s%s%s", s, *s ? "," : "", a->items[i].action);
      free (s);
      s = n;
    }
  return s;
}

/* hs_harden_run straight (no spec validation), like exec does. */
START_TEST (test_engine_golden)
{
  hs_policy_t *p = policy (golden[_i].policy);
  hs_json_t *spec = test_parse (golden[_i].in);
  hs_json_t *want = test_parse (golden[_i].out ? golden[_i].out : golden[_i].in);
  hs_audit_t audit;
  hs_error_t err = NULL;
  /* the engine with one control, so only its decisions are recorded */
  static const hs_control_t *const only_nnp[] = { &hs_control_no_new_privileges, NULL };
  hs_harden_t h
      = { .spec = spec, .policy = p, .host = &host, .audit = &audit, .controls = only_nnp };
  char *acts, *got;
  int r;

  hs_audit_init (&audit, "create", "id", "/b", p->digest);
  r = hs_harden_run (&h, &err);
  if (golden[_i].refuse)
    {
      ck_assert_msg (r < 0, "%s: admitted", golden[_i].name);
      ck_assert (hs_error_is_refusal (&err));
      ck_assert_msg (strstr (err->msg, golden[_i].refuse), "%s: got `%s`", golden[_i].name,
                     err->msg);
      hs_error_release (&err);
    }
  else
    ck_assert_msg (r == 0, "%s: %s", golden[_i].name, err ? err->msg : "");
  got = test_emit (spec);
  ck_assert_msg (hs_json_equal (spec, want), "%s: got %s", golden[_i].name, got);
  acts = actions_of (&audit);
  ck_assert_msg (strcmp (acts, golden[_i].actions) == 0, "%s: actions `%s`, want `%s`",
                 golden[_i].name, acts, golden[_i].actions);
  for (size_t i = 0; i < audit.len; i++)
    ck_assert_str_eq (audit.items[i].control, "no_new_privileges");
  free (acts);
  free (got);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_json_free (want);
  hs_policy_free (p);
}
END_TEST

/* The exec target: the same control over {"process": <process file>}. */
START_TEST (test_engine_process_target)
{
  hs_policy_t *p = policy ("{}");
  hs_json_t *spec = test_parse ("{\"process\":{\"args\":[\"ls\"],\"noNewPrivileges\":false}}");
  hs_audit_t audit;
  hs_error_t err = NULL;
  static const hs_control_t *const only_nnp[] = { &hs_control_no_new_privileges, NULL };
  hs_harden_t h = { .spec = spec,
                    .policy = p,
                    .host = &host,
                    .audit = &audit,
                    .target = HS_TARGET_PROCESS,
                    .controls = only_nnp };

  hs_audit_init (&audit, "exec", "id", NULL, p->digest);
  ck_assert_int_eq (hs_harden_run (&h, &err), 0);
  ck_assert (hs_json_is_true (hs_json_path (spec, "process", "noNewPrivileges", NULL)));
  ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_CHANGED), 1);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
}
END_TEST

START_TEST (test_audit_record_before_after)
{
  hs_policy_t *p = policy ("{}");
  hs_json_t *spec = test_parse ("{\"process\":{\"noNewPrivileges\":false}}");
  hs_audit_t audit;
  hs_error_t err = NULL;
  /* the engine with one control, so only its decisions are recorded */
  static const hs_control_t *const only_nnp[] = { &hs_control_no_new_privileges, NULL };
  hs_harden_t h
      = { .spec = spec, .policy = p, .host = &host, .audit = &audit, .controls = only_nnp };
  const hs_decision_t *d;

  hs_audit_init (&audit, "create", "c1", "/b", p->digest);
  ck_assert_int_eq (hs_harden_run (&h, &err), 0);
  ck_assert_int_eq (audit.len, 1);
  d = &audit.items[0];
  ck_assert_str_eq (d->control, "no_new_privileges");
  ck_assert_str_eq (d->action, "changed");
  ck_assert_str_eq (d->path, "process.noNewPrivileges");
  ck_assert (d->before->type == HS_JSON_BOOL && !d->before->boolean);
  ck_assert (hs_json_is_true (d->after));
  ck_assert_str_eq (d->message, "no_new_privileges is required by host policy");
  hs_audit_release (&audit);
  hs_json_free (spec);

  /* absent before: NULL */
  spec = test_parse ("{\"process\":{}}");
  h.spec = spec;
  hs_audit_init (&audit, "create", "c1", "/b", p->digest);
  ck_assert_int_eq (hs_harden_run (&h, &err), 0);
  ck_assert_ptr_null (audit.items[0].before);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
}
END_TEST

static bool
matches (const char *re, const char *s)
{
  regex_t rx;
  bool ok;

  ck_assert_int_eq (regcomp (&rx, re, REG_EXTENDED | REG_NOSUB), 0);
  ok = regexec (&rx, s, 0, NULL, 0) == 0;
  regfree (&rx);
  return ok;
}

/* One audit line: a JSON object with a fixed set of keys. */
START_TEST (test_audit_line_shape)
{
  hs_audit_t audit;
  hs_json_t *before = test_parse ("[false]");
  char *line;
  hs_json_t *v;
  static const char *const keys[] = { "time",   "container", "bundle", "verb",    "control", "path",
                                      "before", "after",     "action", "message", "policy" };

  hs_audit_init (&audit, "create", "c\"1", "/b", "sha256:00");
  hs_audit_add (&audit, "ctl", HS_ACT_CHANGED, "process.x", before->items[0], NULL, "why \"q\"\n");
  line = hs_audit_line (&audit, 0);
  ck_assert (strchr (line, '\n') == NULL);
  v = test_parse (line);
  ck_assert_int_eq (v->len, sizeof (keys) / sizeof (keys[0]));
  for (size_t i = 0; i < v->len; i++)
    ck_assert_str_eq (v->keys[i], keys[i]);
  ck_assert_msg (matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$",
                          hs_json_get_exact (v, "time")->str),
                 "time `%s`", hs_json_get_exact (v, "time")->str);
  ck_assert_str_eq (hs_json_get_exact (v, "container")->str, "c\"1");
  ck_assert_str_eq (hs_json_get_exact (v, "bundle")->str, "/b");
  ck_assert_str_eq (hs_json_get_exact (v, "verb")->str, "create");
  ck_assert_str_eq (hs_json_get_exact (v, "control")->str, "ctl");
  ck_assert_str_eq (hs_json_get_exact (v, "path")->str, "process.x");
  ck_assert (hs_json_get_exact (v, "before")->type == HS_JSON_BOOL);
  ck_assert (hs_json_get_exact (v, "after")->type == HS_JSON_NULL);
  ck_assert_str_eq (hs_json_get_exact (v, "action")->str, "changed");
  ck_assert_str_eq (hs_json_get_exact (v, "message")->str, "why \"q\"\n");
  ck_assert_str_eq (hs_json_get_exact (v, "policy")->str, "sha256:00");
  hs_json_free (v);
  free (line);
  /* no bundle (exec): every record has every field, null when unknown */
  audit.bundle = NULL;
  line = hs_audit_line (&audit, 0);
  v = test_parse (line);
  ck_assert (hs_json_get_exact (v, "bundle")->type == HS_JSON_NULL);
  hs_json_free (v);
  free (line);
  hs_audit_release (&audit);
  hs_json_free (before);
}
END_TEST

START_TEST (test_audit_write_appends)
{
  char *dir = test_tmpdir ();
  char *path = hs_xasprintf ("%s/sub/audit.jsonl", dir);
  hs_audit_t audit;
  hs_error_t err = NULL;
  struct stat st;
  char *text;
  FILE *f;
  char line[4096];
  int n = 0;

  hs_audit_init (&audit, "create", "c1", "/b", "sha256:00");
  ck_assert_int_eq (hs_audit_write (&audit, path, &err), 0); /* nothing to write */
  ck_assert_int_lt (stat (path, &st), 0);
  hs_audit_add (&audit, "a", HS_ACT_CHANGED, "p", NULL, NULL, "m1");
  hs_audit_add (&audit, "b", HS_ACT_WOULD_CHANGE, "q", NULL, NULL, "m2");
  ck_assert_int_eq (hs_audit_write (&audit, path, &err), 0);
  ck_assert_int_eq (hs_audit_write (&audit, path, &err), 0);
  ck_assert_int_eq (stat (path, &st), 0);
  ck_assert_int_eq (st.st_mode & 07777, 0600);
  f = fopen (path, "r");
  while (fgets (line, sizeof (line), f) != NULL)
    {
      hs_json_t *v = test_parse (line);
      ck_assert_str_eq (hs_json_get_exact (v, "control")->str, n % 2 ? "b" : "a");
      hs_json_free (v);
      n++;
    }
  fclose (f);
  ck_assert_int_eq (n, 4);
  ck_assert_int_eq (hs_audit_count (&audit, NULL), 2);
  ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_WOULD_CHANGE), 1);
  /* a symlinked audit log is not followed */
  text = hs_xasprintf ("%s/link.jsonl", dir);
  ck_assert_int_eq (symlink (path, text), 0);
  ck_assert_int_lt (hs_audit_write (&audit, text, &err), 0);
  hs_error_release (&err);
  free (text);
  hs_audit_release (&audit);
  test_rm_rf (dir);
  free (path);
  free (dir);
}
END_TEST

/* The runtime's --log: runc JSON lines, or logrus text. */
START_TEST (test_runtime_log_formats)
{
  char *dir = test_tmpdir ();
  char *path = hs_xasprintf ("%s/log.json", dir);
  char line[4096];
  FILE *f;
  hs_json_t *v;

  hs_runtime_log (path, "json", "error", "hardshim: create `x`: bad \"thing\"");
  hs_runtime_log (path, "text", "error", "hardshim: a\tb \"q\" \\ \x01");
  hs_runtime_log (path, NULL, "warning", "plain");
  hs_runtime_log (NULL, "json", "error", "ignored");
  f = fopen (path, "r");
  ck_assert_ptr_nonnull (fgets (line, sizeof (line), f));
  v = test_parse (line);
  ck_assert_int_eq (v->len, 3);
  ck_assert_str_eq (v->keys[0], "level");
  ck_assert_str_eq (v->keys[1], "msg");
  ck_assert_str_eq (v->keys[2], "time");
  ck_assert_str_eq (hs_json_get_exact (v, "level")->str, "error");
  ck_assert_str_eq (hs_json_get_exact (v, "msg")->str, "hardshim: create `x`: bad \"thing\"");
  ck_assert (matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                      hs_json_get_exact (v, "time")->str));
  hs_json_free (v);
  ck_assert_ptr_nonnull (fgets (line, sizeof (line), f));
  ck_assert_msg (matches ("^time=\"[0-9T:-]+Z\" level=error msg=\"hardshim: a\\\\tb \\\\\"q\\\\\" "
                          "\\\\\\\\ \\\\x01\"\n$",
                          line),
                 "text line `%s`", line);
  ck_assert_ptr_nonnull (fgets (line, sizeof (line), f));
  ck_assert (matches ("^time=\"[^\"]+\" level=warning msg=\"plain\"\n$", line));
  ck_assert_ptr_null (fgets (line, sizeof (line), f));
  fclose (f);
  test_rm_rf (dir);
  free (path);
  free (dir);
}
END_TEST

START_TEST (test_mark)
{
  hs_policy_t *p = policy ("{}");
  hs_policy_t *pa = policy ("{\"mode\":\"audit\"}");
  hs_json_t *spec = test_parse ("{\"annotations\":{\"a\":\"1\"}}");
  hs_json_t *ann;
  char *want;

  hs_harden_mark (spec, p);
  ann = hs_json_get (spec, "annotations");
  ck_assert_int_eq (ann->len, 2);
  ck_assert_str_eq (hs_json_get_exact (ann, "a")->str, "1");
  want = hs_xasprintf ("version=%s policy=%s mode=enforce", PACKAGE_VERSION, p->digest);
  ck_assert_str_eq (hs_json_get_exact (ann, HS_ANNOTATION_HARDENED)->str, want);
  free (want);
  /* marking again replaces, never duplicates */
  hs_harden_mark (spec, pa);
  ck_assert_int_eq (ann->len, 2);
  want = hs_xasprintf ("version=%s policy=%s mode=audit", PACKAGE_VERSION, pa->digest);
  ck_assert_str_eq (hs_json_get_exact (ann, HS_ANNOTATION_HARDENED)->str, want);
  free (want);
  hs_json_free (spec);
  /* null or absent annotations: created */
  spec = test_parse ("{\"annotations\":null}");
  hs_harden_mark (spec, p);
  ck_assert_ptr_nonnull (
      hs_json_get_exact (hs_json_get (spec, "annotations"), HS_ANNOTATION_HARDENED));
  hs_json_free (spec);
  spec = test_parse ("{}");
  hs_harden_mark (spec, p);
  ck_assert_ptr_nonnull (
      hs_json_get_exact (hs_json_get (spec, "annotations"), HS_ANNOTATION_HARDENED));
  hs_json_free (spec);
  hs_policy_free (p);
  hs_policy_free (pa);
}
END_TEST

/* A policy with every control but no_new_privileges off: the engine and
 * the mark are under test, not the other controls. */
static char *
only_nnp_policy (const char *mode)
{
  char *text = hs_xasprintf ("{\"mode\":\"%s\"", mode);

  for (size_t i = 0; hs_controls[i] != NULL; i++)
    {
      char *next;

      if (strcmp (hs_controls[i]->name, "no_new_privileges") == 0)
        continue;
      next = hs_xasprintf ("%s,\"%s\":{\"mode\":\"off\"}", text, hs_controls[i]->name);
      free (text);
      text = next;
    }
  {
    char *closed = hs_xasprintf ("%s}", text);
    free (text);
    return closed;
  }
}

/* hs_harden_spec: validate, harden, mark. Audit mode changes nothing at all. */
START_TEST (test_harden_spec_modes)
{
  static const char *const modes[] = { "enforce", "audit" };
  size_t len;
  char *text = test_read_data ("captures/docker-20.10-config.json", &len);

  for (size_t i = 0; i < 2; i++)
    {
      char *ptext = only_nnp_policy (modes[i]);
      hs_policy_t *p = policy (ptext);
      hs_json_t *orig = test_parse (text);
      hs_json_t *spec = test_parse (text);
      hs_audit_t audit;
      hs_error_t err = NULL;

      hs_json_set (hs_json_get (spec, "process"), "noNewPrivileges", hs_json_new_bool (false));
      hs_json_set (hs_json_get (orig, "process"), "noNewPrivileges", hs_json_new_bool (false));
      hs_audit_init (&audit, "create", "id", "/b", p->digest);
      ck_assert_int_eq (hs_harden_spec (spec, p, &host, &audit, &err), 0);
      if (i == 1)
        {
          /* audit mode: byte for byte what the engine wrote, decisions recorded */
          ck_assert (hs_json_equal (spec, orig));
          ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_WOULD_CHANGE), 1);
        }
      else
        {
          ck_assert_ptr_nonnull (
              hs_json_get_exact (hs_json_get (spec, "annotations"), HS_ANNOTATION_HARDENED));
          hs_json_remove_exact (hs_json_get (spec, "annotations"), HS_ANNOTATION_HARDENED);
          /* the Docker capture has no annotations: the mark added the object */
          ck_assert_int_eq (hs_json_get (spec, "annotations")->len, 0);
          hs_json_remove (spec, "annotations");
          ck_assert (!hs_json_equal (spec, orig));
          hs_json_set (hs_json_get (orig, "process"), "noNewPrivileges", hs_json_new_bool (true));
          ck_assert (hs_json_equal (spec, orig));
          ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_CHANGED), 1);
        }
      hs_audit_release (&audit);
      hs_json_free (spec);
      hs_json_free (orig);
      hs_policy_free (p);
      free (ptext);
    }
  free (text);
}
END_TEST

/* A spec that fails validation is refused before any control runs. */
START_TEST (test_harden_spec_invalid)
{
  hs_policy_t *p = policy ("{}");
  hs_json_t *spec = test_parse ("{\"process\":{\"noNewPrivileges\":false,\"user\":{\"uid\":-1}}}");
  hs_audit_t audit;
  hs_error_t err = NULL;

  hs_audit_init (&audit, "create", "id", "/b", p->digest);
  ck_assert_int_lt (hs_harden_spec (spec, p, &host, &audit, &err), 0);
  ck_assert_msg (strstr (err->msg, "process.user.uid"), "got `%s`", err->msg);
  ck_assert_int_eq (audit.len, 0);
  ck_assert_ptr_null (hs_json_get (spec, "annotations"));
  hs_error_release (&err);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
}
END_TEST

START_TEST (test_control_mode_and_settings)
{
  hs_error_t err = NULL;
  hs_ctl_mode_t m;
  hs_json_t *s = test_parse ("{\"mode\":\"reject\",\"list\":[\"a\",1],\"flag\":\"no\"}");
  const hs_json_t *arr;
  bool b;

  ck_assert_int_eq (hs_control_mode (NULL, "x", &m, &err), 0);
  ck_assert_int_eq (m, HS_CTL_OFF);
  ck_assert_int_eq (hs_control_mode (s, "x", &m, &err), 0);
  ck_assert_int_eq (m, HS_CTL_REJECT);
  ck_assert_ptr_nonnull (hs_control_find ("no_new_privileges"));
  ck_assert_ptr_null (hs_control_find ("nope"));
  ck_assert_int_lt (hs_settings_string_array (s, "x", "list", &arr, &err), 0);
  ck_assert_msg (strstr (err->msg, "policy key `x.list[1]`: expected a string"), "%s", err->msg);
  ck_assert_int_lt (hs_settings_bool (s, "x", "flag", true, &b, &err), 0);
  ck_assert_msg (strstr (err->msg, "policy key `x.flag`: expected true or false"), "%s", err->msg);
  ck_assert_int_eq (hs_settings_bool (s, "x", "absent", true, &b, &err), 0);
  ck_assert (b);
  {
    static const char *const known[] = { "list", NULL };
    ck_assert_int_lt (hs_settings_check_keys (s, "x", known, &err), 0);
    ck_assert_msg (strstr (err->msg, "policy key `x.flag`: unknown setting"), "%s", err->msg);
  }
  hs_error_release (&err);
  hs_json_free (s);
}
END_TEST

/* A control that says it never edits (read_only: the engine then runs it
 * on the real tree in audit and reject modes) must leave every config as it
 * was, also in enforce mode and when it refuses. */
START_TEST (test_read_only_controls_do_not_edit)
{
  static const char *const configs[] = {
    "captures/docker-20.10-config.json",       "captures/podman-4.3-config.json",
    "captures/containerd-1.6-ctr-config.json", "controls-a/docker-privileged.json",
    "controls-a/podman-privileged.json",
  };
  size_t checked = 0;

  for (size_t c = 0; hs_controls[c] != NULL; c++)
    {
      const hs_control_t *only[] = { hs_controls[c], NULL };
      char *ptext;
      hs_policy_t *p;

      if (!hs_controls[c]->read_only)
        continue;
      ptext = hs_xasprintf ("{\"%s\":{\"mode\":\"enforce\"}}", hs_controls[c]->name);
      p = policy (ptext);
      for (size_t i = 0; i < sizeof (configs) / sizeof (configs[0]); i++)
        for (int target = 0; target < 2; target++)
          {
            char *text = test_read_data (configs[i], NULL);
            hs_json_t *spec = test_parse (text);
            hs_json_t *orig;
            hs_host_t host = { 0 };
            hs_audit_t audit;
            hs_error_t err = NULL;
            hs_harden_t h = { .policy = p, .host = &host, .audit = &audit, .controls = only };

            if (target == 1)
              {
                /* exec: the spec is {"process": <process>} */
                hs_json_t *w = hs_json_new (HS_JSON_OBJECT);
                hs_json_set_exact (w, "process", hs_json_dup (hs_json_get (spec, "process")));
                hs_json_free (spec);
                spec = w;
                h.target = HS_TARGET_PROCESS;
              }
            orig = hs_json_dup (spec);
            h.spec = spec;
            hs_audit_init (&audit, "create", "id", "/b", p->digest);
            (void) hs_harden_run (&h, &err);
            hs_error_release (&err);
            ck_assert_msg (hs_json_equal (spec, orig), "control `%s` (read_only) edited %s",
                           hs_controls[c]->name, configs[i]);
            hs_audit_release (&audit);
            hs_json_free (spec);
            hs_json_free (orig);
            free (text);
            checked++;
          }
      hs_policy_free (p);
      free (ptext);
    }
  ck_assert_uint_gt (checked, 0);
}
END_TEST

static Suite *
harden_suite (void)
{
  Suite *s = suite_create ("harden");
  TCase *tc = tcase_create ("harden");

  tcase_add_loop_test (tc, test_engine_golden, 0, sizeof (golden) / sizeof (golden[0]));
  tcase_add_test (tc, test_engine_process_target);
  tcase_add_test (tc, test_audit_record_before_after);
  tcase_add_test (tc, test_audit_line_shape);
  tcase_add_test (tc, test_audit_write_appends);
  tcase_add_test (tc, test_runtime_log_formats);
  tcase_add_test (tc, test_mark);
  tcase_add_test (tc, test_harden_spec_modes);
  tcase_add_test (tc, test_read_only_controls_do_not_edit);
  tcase_add_test (tc, test_harden_spec_invalid);
  tcase_add_test (tc, test_control_mode_and_settings);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (harden_suite ())
