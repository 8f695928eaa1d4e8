/* Exceptions, engine modes, presets and audit records.
 *
 * Golden tables: (config, policy) -> (verdict, resulting value, audit
 * trail). Two fake controls stand in for the real ones (the engine's
 * control table is a test seam), so every engine path is covered whatever
 * controls exist. */
#include "testutil.h"

#include "audit.h"
#include "cli.h"
#include "exceptions.h"
#include "harden.h"
#include "harden/controls.h"
#include "harden/lsm.h"
#include "policy.h"

#include <stdlib.h>
#include <unistd.h>

#include <sys/stat.h>

/* ---- fake controls ---- */

/* Refuses a config with "bad": true. */
static int
refuse_apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  (void) settings;
  if (hs_json_is_true (hs_json_get_exact (h->spec, "bad")))
    return hs_harden_refuse (h, err, "bad", "bad configs are not allowed");
  return 0;
}

/* Sets "fake" to "hardened", or to the value of its exception `value`
 * (not asked when "skip_ask" is true). On exec it edits process.fake. */
static int
change_edit (hs_harden_t *h, hs_json_t *obj, const char *path)
{
  const char *want = "hardened";
  const hs_json_t *cur;
  hs_json_t *after;

  if (!hs_json_is_true (hs_json_get_exact (h->spec, "skip_ask")))
    (void) hs_harden_exception (h, NULL, "value", &want);
  cur = hs_json_get_exact (obj, "fake");
  if (cur != NULL && cur->type == HS_JSON_STRING && strcmp (cur->str, want) == 0)
    return 0;
  after = hs_json_new_string (want);
  hs_harden_change (h, path, cur, after, "fake is %s", want);
  hs_json_set_exact (obj, "fake", after);
  return 0;
}

static int
change_apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  (void) settings, (void) err;
  return change_edit (h, h->spec, "fake");
}

static int
change_apply_process (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  (void) settings, (void) err;
  return change_edit (h, hs_json_get_exact (h->spec, "process"), "process.fake");
}

static const char *const change_exceptions[] = { "value", NULL };

static const hs_control_t fake_refuse = {
  .name = "fake_refuse",
  .summary = "test",
  .doc = "test",
  .apply = refuse_apply,
};

static const hs_control_t fake_change = {
  .name = "fake_change",
  .summary = "test",
  .doc = "test",
  .apply = change_apply,
  .apply_process = change_apply_process,
  .exceptions = change_exceptions,
};

static const hs_control_t *const fake_table[] = { &fake_refuse, &fake_change, NULL };

/* ---- helpers ---- */

static hs_policy_t *
policy_or_die (const char *text)
{
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;

  if (hs_policy_from_text (text, "test policy", &p, &err) < 0)
    ck_abort_msg ("policy: %s\n%s", err->msg, text);
  if (hs_exceptions_validate (p->tree, fake_table, &err) < 0)
    ck_abort_msg ("policy validation: %s\n%s", err->msg, text);
  return p;
}

/* "action control;action control" of the trail. */
static char *
trail (const hs_audit_t *a)
{
  char *s = hs_xstrdup ("");

  for (size_t i = 0; i < a->len; i++)
    {
      char *t
          = hs_xasprintf ("%s%s%s %s", s, i ? ";" : "", a->items[i].action, a->items[i].control);
      free (s);
      s = t;
    }
  return s;
}

static bool
trail_has_message (const hs_audit_t *a, const char *sub)
{
  for (size_t i = 0; i < a->len; i++)
    if (strstr (a->items[i].message, sub) != NULL)
      return true;
  return false;
}

/* ---- golden table ---- */

#define NS "\"io.kubernetes.pod.namespace\""
#define CRI_NS "\"io.kubernetes.cri.sandbox-namespace\""
#define EXC "\"org.hardshim.exception."

/* Policy: both fake controls enforce and overridable, exception `ci` lets
 * ci-* namespaces turn fake_change off and choose value build-* or tools;
 * exception `img` lets the image registry.example/dbg/... (container "debug") choose dbg-1. */
#define BASE_POLICY                                                                                \
  "{\"fake_refuse\":{\"overridable\":true},\"fake_change\":{\"overridable\":true},"                \
  "\"exceptions\":{"                                                                               \
  "\"ci\":{\"scope\":{\"namespace\":[\"ci-*\"]},"                                                  \
  "\"allow\":{\"fake_change\":{\"off\":true,\"value\":[\"build-*\",\"tools\"]}}},"                 \
  "\"img\":{\"scope\":{\"image\":[\"registry.example/dbg/*\"],\"container\":[\"debug\"]},"         \
  "\"allow\":{\"fake_change\":{\"value\":[\"dbg-1\"]},\"fake_refuse\":{\"off\":true}}},"           \
  "\"team\":{\"scope\":{\"annotations\":{\"example.com/team\":[\"blue\"]}},"                       \
  "\"allow\":{\"fake_change\":{\"value\":true}}}}}"

static const struct
{
  const char *name;
  const char *policy; /* NULL: BASE_POLICY */
  const char *annotations;
  const char *extra; /* more top-level config fields, or "" */
  int verdict;       /* 0 admitted, 1 refused */
  const char *fake;  /* resulting "fake" value; NULL: absent */
  const char *trail;
  const char *message; /* a substring of some record's message, or NULL */
} cases[] = {
  { "no annotations", NULL, "{}", "", 0, "hardened", "changed fake_change", NULL },
  { "off honoured in scope", NULL, "{" NS ":\"ci-7\"," EXC "fake_change\":\"off\"}", "", 0, NULL,
    "exception fake_change;would-change fake_change", "policy exception `ci` lets this container" },
  { "off honoured via the containerd namespace key", NULL,
    "{" CRI_NS ":\"ci-7\"," EXC "fake_change\":\"off\"}", "", 0, NULL,
    "exception fake_change;would-change fake_change", NULL },
  { "two namespace keys must both match", NULL,
    "{" CRI_NS ":\"prod\"," NS ":\"ci-7\"," EXC "fake_change\":\"off\"}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", "no policy exception whose scope matches" },
  { "out of scope", NULL, "{" NS ":\"prod\"," EXC "fake_change\":\"off\"}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", "no policy exception whose scope matches" },
  { "no scope annotation at all", NULL, "{" EXC "fake_change\":\"off\"}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", NULL },
  { "scope annotation not a string", NULL, "{" NS ":7," EXC "fake_change\":\"off\"}", "", 0,
    "hardened", "ignored fake_change;changed fake_change", NULL },
  { "not overridable", "{\"fake_change\":{}}", "{" NS ":\"ci-7\"," EXC "fake_change\":\"off\"}", "",
    0, "hardened", "ignored fake_change;changed fake_change", "is not overridable" },
  { "bare value other than off", NULL, "{" NS ":\"ci-7\"," EXC "fake_change\":\"audit\"}", "", 0,
    "hardened", "ignored fake_change;changed fake_change", "the only value" },
  { "unknown control", NULL, "{" NS ":\"ci-7\"," EXC "nosuch\":\"off\"}", "", 0, "hardened",
    "ignored exceptions;changed fake_change", "no control `nosuch`" },
  { "empty control name", NULL, "{" EXC "\":\"off\"}", "", 0, "hardened",
    "ignored exceptions;changed fake_change", "no control ``" },
  { "undeclared exception name", NULL, "{" NS ":\"ci-7\"," EXC "fake_change.colour\":\"red\"}", "",
    0, "hardened", "ignored fake_change;changed fake_change",
    "has no exception `colour` (it has: off, value)" },
  { "non-string value", NULL, "{" NS ":\"ci-7\"," EXC "fake_change\":true}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", "must be a string" },
  { "named value allowed by pattern", NULL,
    "{" NS ":\"ci-7\"," EXC "fake_change.value\":\"build-x\"}", "", 0, "build-x",
    "exception fake_change;changed fake_change", "allows `fake_change.value` = `build-x`" },
  { "named value not allowed", NULL, "{" NS ":\"ci-7\"," EXC "fake_change.value\":\"root\"}", "", 0,
    "hardened", "ignored fake_change;changed fake_change",
    "value `root` is not allowed for `fake_change.value` by policy exception `ci`" },
  { "list value, every item allowed", NULL,
    "{" NS ":\"ci-7\"," EXC "fake_change.value\":\"build-a, tools\"}", "", 0, "build-a, tools",
    "exception fake_change;changed fake_change", NULL },
  { "list value, one item not allowed", NULL,
    "{" NS ":\"ci-7\"," EXC "fake_change.value\":\"build-a,root\"}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", "not allowed" },
  { "list value with an empty item", NULL,
    "{" NS ":\"ci-7\"," EXC "fake_change.value\":\"tools,\"}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", NULL },
  { "image and container scope both match", NULL,
    "{\"io.kubernetes.cri.image-name\":\"registry.example/dbg/gdb:1\","
    "\"io.kubernetes.cri.container-name\":\"debug\"," EXC "fake_change.value\":\"dbg-1\"}",
    "", 0, "dbg-1", "exception fake_change;changed fake_change", "policy exception `img`" },
  { "image matches, container does not", NULL,
    "{\"io.kubernetes.cri.image-name\":\"registry.example/dbg/gdb:1\","
    "\"io.kubernetes.container.name\":\"app\"," EXC "fake_change.value\":\"dbg-1\"}",
    "", 0, "hardened", "ignored fake_change;changed fake_change", NULL },
  { "CRI-O image key", NULL,
    "{\"io.kubernetes.cri-o.ImageName\":\"registry.example/dbg/x\","
    "\"io.kubernetes.container.name\":\"debug\"," EXC "fake_change.value\":\"dbg-1\"}",
    "", 0, "dbg-1", "exception fake_change;changed fake_change", NULL },
  { "OCI image annotations are not an image scope", NULL,
    "{\"org.opencontainers.image.ref.name\":\"registry.example/dbg/x\","
    "\"io.kubernetes.container.name\":\"debug\"," EXC "fake_change.value\":\"dbg-1\"}",
    "", 0, "hardened", "ignored fake_change;changed fake_change", NULL },
  { "scope on a custom annotation, any value allowed", NULL,
    "{\"example.com/team\":\"blue\"," EXC "fake_change.value\":\"anything\"}", "", 0, "anything",
    "exception fake_change;changed fake_change", NULL },
  { "in scope of one entry, value allowed by another", NULL,
    "{" NS ":\"ci-7\",\"example.com/team\":\"blue\"," EXC "fake_change.value\":\"zz\"}", "", 0,
    "zz", "exception fake_change;changed fake_change", "policy exception `team`" },
  { "empty scope matches every container",
    "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"all\":{\"scope\":{},"
    "\"allow\":{\"fake_change\":{\"off\":true}}}}}",
    "{" EXC "fake_change\":\"off\"}", "", 0, NULL, "exception fake_change;would-change fake_change",
    NULL },
  { "allow off false grants nothing",
    "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"all\":{\"scope\":{},"
    "\"allow\":{\"fake_change\":{\"off\":false}}}}}",
    "{" EXC "fake_change\":\"off\"}", "", 0, "hardened", "ignored fake_change;changed fake_change",
    NULL },
  { "exception removed by a later file (null)",
    "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"ci\":null}}",
    "{" NS ":\"ci-7\"," EXC "fake_change\":\"off\"}", "", 0, "hardened",
    "ignored fake_change;changed fake_change", NULL },
  { "control off in policy",
    "{\"fake_change\":{\"mode\":\"off\",\"overridable\":true},"
    "\"exceptions\":{\"all\":{\"scope\":{},\"allow\":{\"fake_change\":{\"off\":true}}}}}",
    "{" EXC "fake_change\":\"off\"}", "", 0, NULL, "ignored fake_change",
    "is off in the host policy" },
  { "granted but not asked for", NULL, "{" NS ":\"ci-7\"," EXC "fake_change.value\":\"tools\"}",
    ",\"skip_ask\":true", 0, "hardened", "changed fake_change;ignored fake_change",
    "did not need it" },
  { "refusal without an exception", NULL, "{}", ",\"bad\":true", 1, NULL, "refused fake_refuse",
    "bad configs are not allowed" },
  { "refusal lifted by an exception", NULL,
    "{\"io.kubernetes.cri.image-name\":\"registry.example/dbg/a\","
    "\"io.kubernetes.cri.container-name\":\"debug\"," EXC "fake_refuse\":\"off\"}",
    ",\"bad\":true", 0, "hardened",
    "exception fake_refuse;would-refuse fake_refuse;changed fake_change", NULL },
  { "granted exception not reached after a refusal", NULL,
    "{" NS ":\"ci-7\"," EXC "fake_change\":\"off\"}", ",\"bad\":true", 1, NULL,
    "refused fake_refuse;ignored fake_change", "not reached" },
  { "reject mode lifted by off",
    "{\"fake_change\":{\"mode\":\"reject\",\"overridable\":true},\"exceptions\":{\"all\":"
    "{\"scope\":{},\"allow\":{\"fake_change\":{\"off\":true}}}}}",
    "{" EXC "fake_change\":\"off\"}", "", 0, NULL, "exception fake_change;would-change fake_change",
    NULL },
  { "policy audit mode still decides exceptions",
    "{\"mode\":\"audit\",\"fake_change\":{\"overridable\":true},\"exceptions\":{\"all\":"
    "{\"scope\":{},\"allow\":{\"fake_change\":{\"value\":[\"x\"]}}}}}",
    "{" EXC "fake_change.value\":\"x\"," EXC "fake_change\":\"off\"}", "", 0, NULL,
    "ignored fake_change;exception fake_change;would-change fake_change", NULL },
};

START_TEST (test_golden)
{
  hs_policy_t *p = policy_or_die (cases[_i].policy ? cases[_i].policy : BASE_POLICY);
  char *text = hs_xasprintf ("{\"ociVersion\":\"1.0.2\",\"annotations\":%s%s}",
                             cases[_i].annotations, cases[_i].extra);
  hs_json_t *spec = test_parse (text);
  hs_json_t *orig_ann = hs_json_dup (hs_json_get_exact (spec, "annotations"));
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_error_t err = NULL;
  hs_harden_t h = {
    .spec = spec,
    .policy = p,
    .host = &host,
    .audit = &audit,
    .controls = fake_table,
  };
  const hs_json_t *fake;
  char *got;
  int r;

  hs_audit_init (&audit, "create", "id", "/b", p->digest);
  r = hs_harden_run (&h, &err);
  ck_assert_msg ((r < 0) == (cases[_i].verdict == 1), "%s: verdict %d (%s)", cases[_i].name, r,
                 err ? err->msg : "");
  if (r < 0)
    ck_assert_msg (hs_error_is_refusal (&err), "%s: not a refusal: %s", cases[_i].name, err->msg);
  got = trail (&audit);
  ck_assert_msg (strcmp (got, cases[_i].trail) == 0, "%s: trail `%s`, want `%s`", cases[_i].name,
                 got, cases[_i].trail);
  if (cases[_i].message)
    ck_assert_msg (trail_has_message (&audit, cases[_i].message)
                       || (err && strstr (err->msg, cases[_i].message)),
                   "%s: no message with `%s`", cases[_i].name, cases[_i].message);
  fake = hs_json_get_exact (spec, "fake");
  if (r == 0 && cases[_i].fake == NULL)
    ck_assert_msg (fake == NULL, "%s: fake was set", cases[_i].name);
  else if (r == 0)
    ck_assert_msg (fake && fake->type == HS_JSON_STRING && strcmp (fake->str, cases[_i].fake) == 0,
                   "%s: fake `%s`, want `%s`", cases[_i].name, fake ? fake->str : "(absent)",
                   cases[_i].fake);
  /* Exceptions never edit the annotations. */
  ck_assert (hs_json_equal (orig_ann, hs_json_get_exact (spec, "annotations")));
  /* Every record about an exception names its annotation. */
  for (size_t i = 0; i < audit.len; i++)
    if (strcmp (audit.items[i].action, HS_ACT_EXCEPTION) == 0
        || strcmp (audit.items[i].action, HS_ACT_IGNORED) == 0)
      ck_assert_msg (strncmp (audit.items[i].path, "annotations[\"org.hardshim.exception.", 36)
                         == 0,
                     "%s: path %s", cases[_i].name, audit.items[i].path);
  free (got);
  free (text);
  hs_error_release (&err);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_json_free (orig_ann);
  hs_policy_free (p);
}
END_TEST

/* exec: the annotations come from the container's config, not the
 * process file; without the container config no exception applies. */
START_TEST (test_exec_uses_container_annotations)
{
  hs_policy_t *p = policy_or_die (BASE_POLICY);
  hs_json_t *container
      = test_parse ("{\"annotations\":{" NS ":\"ci-1\"," EXC "fake_change.value\":\"tools\"}}");
  hs_host_t host = { 0 };
  hs_error_t err = NULL;

  for (int with = 0; with < 2; with++)
    {
      hs_json_t *spec = test_parse ("{\"process\":{\"args\":[\"sh\"],\"annotations\":{" EXC
                                    "fake_change.value\":\"build-1\"}}}");
      hs_audit_t audit;
      hs_harden_t h = { .spec = spec,
                        .policy = p,
                        .host = &host,
                        .audit = &audit,
                        .target = HS_TARGET_PROCESS,
                        .controls = fake_table,
                        .container = with ? container : NULL };
      const hs_json_t *fake;

      hs_audit_init (&audit, "exec", "id", NULL, p->digest);
      ck_assert_int_eq (hs_harden_run (&h, &err), 0);
      fake = hs_json_path (spec, "process", "fake", NULL);
      ck_assert_str_eq (fake->str, with ? "tools" : "hardened");
      hs_audit_release (&audit);
      hs_json_free (spec);
    }
  hs_json_free (container);
  hs_policy_free (p);
}
END_TEST

/* A control may ask for an exception of another control, and asking twice
 * audits once. */
START_TEST (test_api_other_control_and_once)
{
  hs_policy_t *p = policy_or_die (BASE_POLICY);
  hs_json_t *spec
      = test_parse ("{\"annotations\":{" NS ":\"ci-1\"," EXC "fake_change.value\":\"tools\"}}");
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_harden_t h
      = { .spec = spec, .policy = p, .host = &host, .audit = &audit, .controls = fake_table };
  const char *v = "untouched";

  hs_audit_init (&audit, "create", "id", "/b", p->digest);
  hs_exceptions_begin (&h);
  h.control = "fake_refuse";
  ck_assert (!hs_harden_exception (&h, NULL, "value", &v));
  ck_assert_str_eq (v, "untouched");
  ck_assert (!hs_harden_exception (&h, "fake_change", "colour", &v));
  ck_assert (hs_harden_exception (&h, "fake_change", "value", &v));
  ck_assert_str_eq (v, "tools");
  ck_assert (hs_harden_exception (&h, "fake_change", "value", &v));
  ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_EXCEPTION), 1);
  hs_exceptions_end (&h, true);
  ck_assert_int_eq (audit.len, 1);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
}
END_TEST

/* ---- bad policies ---- */

static const struct
{
  const char *policy;
  const char *expect;
} bad[] = {
  { "{\"exceptions\":[]}", "policy key `exceptions`: expected an object of named exceptions" },
  { "{\"exceptions\":{\"a b\":{}}}", "`exceptions.a b`: names use letters" },
  { "{\"exceptions\":{\"x\":1}}", "`exceptions.x`: expected an object, got number" },
  { "{\"exceptions\":{\"x\":{\"scope\":{},\"allow\":{},\"why\":1}}}",
    "`exceptions.x.why`: unknown" },
  { "{\"exceptions\":{\"x\":{\"allow\":{\"fake_change\":{\"off\":true}}}}}",
    "`exceptions.x.scope`: missing" },
  { "{\"exceptions\":{\"x\":{\"scope\":[],\"allow\":{}}}}",
    "`exceptions.x.scope`: expected an object" },
  { "{\"exceptions\":{\"x\":{\"scope\":{\"pod\":[\"a\"]},\"allow\":{}}}}",
    "`exceptions.x.scope.pod`: unknown" },
  { "{\"exceptions\":{\"x\":{\"scope\":{\"namespace\":\"ci\"},\"allow\":{}}}}",
    "`exceptions.x.scope.namespace`: expected an array of patterns, got string" },
  { "{\"exceptions\":{\"x\":{\"scope\":{\"namespace\":[]},\"allow\":{}}}}",
    "`exceptions.x.scope.namespace`: an empty list matches nothing" },
  { "{\"exceptions\":{\"x\":{\"scope\":{\"image\":[\"\"]},\"allow\":{}}}}",
    "`exceptions.x.scope.image[0]`: expected a non-empty string" },
  { "{\"exceptions\":{\"x\":{\"scope\":{\"annotations\":{}},\"allow\":{}}}}",
    "`exceptions.x.scope.annotations`: expected a non-empty object" },
  { "{\"exceptions\":{\"x\":{\"scope\":{\"annotations\":{\"org.hardshim.exception.a\":[\"b\"]}},"
    "\"allow\":{}}}}",
    "a scope cannot match exception annotations" },
  { "{\"exceptions\":{\"x\":{\"scope\":{}}}}", "`exceptions.x.allow`: missing" },
  { "{\"exceptions\":{\"x\":{\"scope\":{},\"allow\":{}}}}",
    "`exceptions.x.allow`: expected a non-empty" },
  { "{\"exceptions\":{\"x\":{\"scope\":{},\"allow\":{\"nosuch\":{\"off\":true}}}}}",
    "`exceptions.x.allow.nosuch`: no such control" },
  { "{\"exceptions\":{\"x\":{\"scope\":{},\"allow\":{\"fake_refuse\":{\"off\":true}}}}}",
    "`exceptions.x.allow.fake_refuse`: conflicts with `fake_refuse.overridable` (false)" },
  { "{\"fake_change\":{\"overridable\":false},\"exceptions\":{\"x\":{\"scope\":{},\"allow\":"
    "{\"fake_change\":{\"off\":true}}}}}",
    "conflicts with `fake_change.overridable`" },
  { "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"x\":{\"scope\":{},\"allow\":"
    "{\"fake_change\":true}}}}",
    "`exceptions.x.allow.fake_change`: expected a non-empty object" },
  { "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"x\":{\"scope\":{},\"allow\":"
    "{\"fake_change\":{\"off\":\"yes\"}}}}}",
    "`exceptions.x.allow.fake_change.off`: expected true or false, got string" },
  { "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"x\":{\"scope\":{},\"allow\":"
    "{\"fake_change\":{\"colour\":true}}}}}",
    "control `fake_change` has no exception `colour` (it has: off, value)" },
  { "{\"fake_change\":{\"overridable\":true},\"exceptions\":{\"x\":{\"scope\":{},\"allow\":"
    "{\"fake_change\":{\"value\":[]}}}}}",
    "`exceptions.x.allow.fake_change.value`: an empty list matches nothing" },
  { "{\"fake_change\":{\"overridable\":\"yes\"},\"exceptions\":{\"x\":{\"scope\":{},\"allow\":"
    "{\"fake_change\":{\"off\":true}}}}}",
    "`fake_change.overridable`: expected true or false, got string" },
};

START_TEST (test_bad_policy)
{
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;

  ck_assert_int_eq (hs_policy_from_text (bad[_i].policy, "test", &p, &err), 0);
  ck_assert_msg (hs_exceptions_validate (p->tree, fake_table, &err) < 0, "accepted: %s",
                 bad[_i].policy);
  ck_assert_msg (strstr (err->msg, bad[_i].expect) != NULL, "`%s`: got `%s`, want `%s`",
                 bad[_i].policy, err->msg, bad[_i].expect);
  hs_error_release (&err);
  hs_policy_free (p);
}
END_TEST

/* Through the real control table and hs_policy_validate_controls. */
static const struct
{
  const char *policy;
  const char *expect; /* NULL: valid */
} real_policies[] = {
  { "{}", NULL },
  { "{\"no_new_privileges\":{\"mode\":\"reject\",\"overridable\":true},\"exceptions\":{\"ci\":"
    "{\"scope\":{\"namespace\":[\"ci-*\"]},\"allow\":{\"no_new_privileges\":{\"off\":true}}}}}",
    NULL },
  { "{\"exceptions\":null}", NULL },
  { "{\"nosuch\":{}}", "policy key `nosuch`: no such control" },
  { "{\"no_new_privileges\":[]}", "policy key `no_new_privileges`: expected an object, got array" },
  { "{\"no_new_privileges\":{\"mode\":\"strict\"}}",
    "`no_new_privileges.mode`: expected one of enforce, reject, audit, off" },
  { "{\"no_new_privileges\":{\"mode\":1}}", "`no_new_privileges.mode`: expected one of" },
  { "{\"no_new_privileges\":{\"force\":true}}", "`no_new_privileges.force`: unknown setting" },
  { "{\"no_new_privileges\":{\"overridable\":1}}",
    "`no_new_privileges.overridable`: expected true or false, got number" },
  { "{\"exceptions\":{\"ci\":{\"scope\":{},\"allow\":{\"no_new_privileges\":{\"off\":true}}}}}",
    "conflicts with `no_new_privileges.overridable` (false)" },
  { "{\"no_new_privileges\":{\"overridable\":true},\"exceptions\":{\"ci\":{\"scope\":{},"
    "\"allow\":{\"no_new_privileges\":{\"profile\":[\"a\"]}}}}}",
    "control `no_new_privileges` has no exception `profile` (it has: off)" },
};

START_TEST (test_real_table_policies)
{
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;
  int r;

  ck_assert_int_eq (hs_policy_from_text (real_policies[_i].policy, "test", &p, &err), 0);
  r = hs_policy_validate_controls (p, &err);
  if (real_policies[_i].expect == NULL)
    ck_assert_msg (r == 0, "`%s`: %s", real_policies[_i].policy, err ? err->msg : "");
  else
    {
      ck_assert_msg (r < 0, "accepted: %s", real_policies[_i].policy);
      ck_assert_msg (strstr (err->msg, real_policies[_i].expect) != NULL,
                     "`%s`: got `%s`, want `%s`", real_policies[_i].policy, err->msg,
                     real_policies[_i].expect);
    }
  hs_error_release (&err);
  hs_policy_free (p);
}
END_TEST

/* ---- engine modes: every control mode under policy enforce and audit ---- */

static const struct
{
  const char *top;     /* policy mode */
  const char *control; /* fake_change mode */
  int verdict;
  const char *fake; /* NULL: unchanged */
  const char *trail;
} modes[] = {
  { "enforce", "enforce", 0, "hardened", "changed fake_change" },
  { "enforce", "reject", 1, NULL, "refused fake_change" },
  { "enforce", "audit", 0, NULL, "would-change fake_change" },
  { "enforce", "off", 0, NULL, "" },
  { "audit", "enforce", 0, NULL, "would-change fake_change" },
  { "audit", "reject", 0, NULL, "would-change fake_change" },
  { "audit", "audit", 0, NULL, "would-change fake_change" },
  { "audit", "off", 0, NULL, "" },
};

START_TEST (test_modes)
{
  for (int refuse = 0; refuse < 2; refuse++)
    {
      char *text = hs_xasprintf ("{\"mode\":\"%s\",\"fake_change\":{\"mode\":\"%s\"},"
                                 "\"fake_refuse\":{\"mode\":\"%s\"}}",
                                 modes[_i].top, modes[_i].control, modes[_i].control);
      hs_policy_t *p = policy_or_die (text);
      hs_json_t *spec
          = test_parse (refuse ? "{\"bad\":true,\"fake\":\"hardened\"}" : "{\"fake\":\"orig\"}");
      hs_json_t *orig = hs_json_dup (spec);
      hs_host_t host = { 0 };
      hs_audit_t audit;
      hs_error_t err = NULL;
      hs_harden_t h
          = { .spec = spec, .policy = p, .host = &host, .audit = &audit, .controls = fake_table };
      char *got;
      int r;

      hs_audit_init (&audit, "create", "id", "/b", p->digest);
      r = hs_harden_run (&h, &err);
      got = trail (&audit);
      if (!refuse)
        {
          ck_assert_msg ((r < 0) == (modes[_i].verdict == 1), "%s/%s: r=%d", modes[_i].top,
                         modes[_i].control, r);
          ck_assert_msg (strcmp (got, modes[_i].trail) == 0, "%s/%s: trail `%s`", modes[_i].top,
                         modes[_i].control, got);
          if (r == 0 && modes[_i].fake == NULL)
            ck_assert (hs_json_equal (spec, orig));
          if (r == 0 && modes[_i].fake != NULL)
            ck_assert_str_eq (hs_json_get_exact (spec, "fake")->str, modes[_i].fake);
        }
      else
        {
          /* A control that refuses: refused in enforce and reject, recorded
           * only in audit, silent when off. */
          bool enforcing = strcmp (modes[_i].top, "enforce") == 0
                           && (strcmp (modes[_i].control, "enforce") == 0
                               || strcmp (modes[_i].control, "reject") == 0);
          bool off = strcmp (modes[_i].control, "off") == 0;

          ck_assert_msg ((r < 0) == enforcing, "%s/%s refusing: r=%d", modes[_i].top,
                         modes[_i].control, r);
          ck_assert_msg (strcmp (got, enforcing ? "refused fake_refuse"
                                      : off     ? ""
                                                : "would-refuse fake_refuse")
                             == 0,
                         "%s/%s refusing: trail `%s`", modes[_i].top, modes[_i].control, got);
          if (r == 0)
            ck_assert (hs_json_equal (spec, orig));
        }
      free (got);
      free (text);
      hs_error_release (&err);
      hs_audit_release (&audit);
      hs_json_free (spec);
      hs_json_free (orig);
      hs_policy_free (p);
    }
}
END_TEST

/* ---- presets ---- */

START_TEST (test_presets_valid_and_layered)
{
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;
  for (size_t i = 0; hs_policy_preset_names[i] != NULL; i++)
    {
      char *text = hs_xasprintf ("{\"preset\":\"%s\"}", hs_policy_preset_names[i]);
      ck_assert_int_eq (hs_policy_from_text (text, "test", &p, &err), 0);
      ck_assert_msg (hs_policy_validate_controls (p, &err) == 0, "preset %s: %s",
                     hs_policy_preset_names[i], err ? err->msg : "");
      ck_assert_str_eq (p->preset, hs_policy_preset_names[i]);
      ck_assert_int_eq (p->mode, strcmp (hs_policy_preset_names[i], "audit-only") == 0
                                     ? HS_POLICY_AUDIT
                                     : HS_POLICY_ENFORCE);
      p = hs_policy_free (p);
      free (text);
    }

  /* Default preset is restricted. */
  ck_assert_int_eq (hs_policy_from_text ("{}", "test", &p, &err), 0);
  ck_assert_str_eq (p->preset, "restricted");
  p = hs_policy_free (p);

  /* A file overrides a preset key by key: objects merge, the rest replaces. */
  ck_assert_int_eq (hs_policy_from_text ("{\"preset\":\"audit-only\",\"mode\":\"enforce\","
                                         "\"no_new_privileges\":{\"overridable\":true},"
                                         "\"audit_log\":{\"required\":true}}",
                                         "/etc/x.json", &p, &err),
                    0);
  ck_assert_int_eq (p->mode, HS_POLICY_ENFORCE);
  ck_assert (p->audit_log_required);
  ck_assert_str_eq (p->audit_log, "/var/log/hardshim/audit.jsonl"); /* kept from the preset */
  ck_assert_str_eq (
      hs_json_get_exact (hs_json_get_exact (p->origins, "no_new_privileges"), "mode")->str,
      "built-in preset `audit-only`");
  ck_assert_str_eq (
      hs_json_get_exact (hs_json_get_exact (p->origins, "no_new_privileges"), "overridable")->str,
      "/etc/x.json");
  ck_assert_str_eq (hs_json_get_exact (p->origins, "mode")->str, "/etc/x.json");
  p = hs_policy_free (p);

  ck_assert (hs_policy_from_text ("{\"preset\":\"lax\"}", "test", &p, &err) < 0);
  ck_assert (strstr (err->msg, "`lax` is not a built-in preset") != NULL);
  hs_error_release (&err);
}
END_TEST

static void
write_file (const char *dir, const char *name, const char *text, mode_t mode)
{
  char *path = hs_xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "w");

  ck_assert (f != NULL);
  fputs (text, f);
  fclose (f);
  ck_assert_int_eq (chmod (path, mode), 0);
  free (path);
}

/* policy.json, then policy.d/ in name order, over the preset the merged
 * files name; HARDSHIM_POLICY replaces the files under /etc. */
START_TEST (test_policy_files_layering)
{
  char tmpl[] = "/tmp/hs-policy-XXXXXX";
  char *dir = mkdtemp (tmpl);
  char *dropins, *file;
  hs_policy_paths_t paths;
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;
  const hs_json_t *nnp;

  ck_assert (dir != NULL);
  dropins = hs_xasprintf ("%s/policy.d", dir);
  file = hs_xasprintf ("%s/policy.json", dir);
  ck_assert_int_eq (mkdir (dropins, 0755), 0);
  write_file (dir, "policy.json",
              "// comments are allowed\n{\"preset\":\"baseline\",\"no_new_privileges\":"
              "{\"mode\":\"audit\"},\"state_dir\":\"/run/a\"}",
              0644);
  write_file (dropins, "20-b.json", "{\"state_dir\":\"/run/b\"}", 0644);
  write_file (dropins, "10-a.json",
              "{\"no_new_privileges\":{\"overridable\":true},\"state_dir\":\"/run/x\"}", 0644);
  write_file (dropins, "30-c.json.disabled", "{\"mode\":\"off\"}", 0644);
  paths = (hs_policy_paths_t){ .file = file, .dir = dropins };
  ck_assert_msg (hs_policy_load (&paths, &p, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_str_eq (p->preset, "baseline");
  ck_assert_str_eq (p->state_dir, "/run/b");
  ck_assert_int_eq (p->mode, HS_POLICY_ENFORCE);
  nnp = hs_json_get_exact (p->tree, "no_new_privileges");
  ck_assert_str_eq (hs_json_get_exact (nnp, "mode")->str, "audit");
  ck_assert (hs_json_is_true (hs_json_get_exact (nnp, "overridable")));
  ck_assert (strstr (p->sources, "built-in preset `baseline`") == p->sources);
  ck_assert (strstr (p->sources, "policy.json + ") != NULL);
  ck_assert (strstr (p->sources, "10-a.json + ") != NULL);
  ck_assert (strstr (hs_json_get_exact (p->origins, "state_dir")->str, "20-b.json") != NULL);
  p = hs_policy_free (p);

  /* HARDSHIM_POLICY: only that file over the presets. */
  write_file (dir, "only.json", "{\"mode\":\"audit\"}", 0644);
  paths.override = hs_xasprintf ("%s/only.json", dir);
  ck_assert_int_eq (hs_policy_load (&paths, &p, &err), 0);
  ck_assert_int_eq (p->mode, HS_POLICY_AUDIT);
  ck_assert_str_eq (p->preset, "restricted");
  ck_assert_str_eq (p->state_dir, "/run/hardshim");
  p = hs_policy_free (p);
  free ((char *) paths.override);
  paths.override = NULL;

  /* A drop-in anyone can write is an error, never skipped. */
  write_file (dropins, "40-d.json", "{}", 0666);
  ck_assert (hs_policy_load (&paths, &p, &err) < 0);
  ck_assert_msg (strstr (err->msg, "writable by group or others") != NULL, "%s", err->msg);
  hs_error_release (&err);
  /* A malformed drop-in is an error too. */
  write_file (dropins, "40-d.json", "{", 0644);
  ck_assert (hs_policy_load (&paths, &p, &err) < 0);
  ck_assert_msg (strstr (err->msg, "40-d.json") != NULL, "%s", err->msg);
  hs_error_release (&err);

  /* No files at all: the restricted preset. */
  paths = (hs_policy_paths_t){ .file = "/nonexistent/policy.json", .dir = "/nonexistent/policy.d" };
  ck_assert_int_eq (hs_policy_load (&paths, &p, &err), 0);
  ck_assert_str_eq (p->preset, "restricted");
  p = hs_policy_free (p);

  {
    char *cmd = hs_xasprintf ("rm -rf '%s'", dir);
    ck_assert_int_eq (system (cmd), 0);
    free (cmd);
  }
  free (dropins);
  free (file);
}
END_TEST

/* audit-only changes nothing, refuses nothing, and still records. */
START_TEST (test_audit_only_changes_nothing)
{
  const char *config
      = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":"
        "[\"sh\"],\"cwd\":\"/\",\"noNewPrivileges\":false},\"annotations\":{\"a\":\"b\"}}";
  hs_error_t err = NULL;
  hs_policy_t *p = NULL;
  hs_json_t *spec = test_parse (config);
  hs_json_t *orig = hs_json_dup (spec);
  hs_host_t host = { 0 };
  hs_audit_t audit;

  ck_assert_int_eq (hs_policy_from_text ("{\"preset\":\"audit-only\"}", "test", &p, &err), 0);
  hs_audit_init (&audit, "create", "id", "/b", p->digest);
  ck_assert_int_eq (hs_harden_spec (spec, p, &host, &audit, &err), 0);
  ck_assert (hs_json_equal (spec, orig)); /* not even the hardened mark */
  ck_assert_int_gt (hs_audit_count (&audit, HS_ACT_WOULD_CHANGE), 0);
  ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_CHANGED), 0);
  ck_assert_int_eq (hs_audit_count (&audit, HS_ACT_REFUSED), 0);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_json_free (orig);
  hs_policy_free (p);
}
END_TEST

/* ---- audit records ---- */

START_TEST (test_audit_line_complete)
{
  static const char *const fields[]
      = { "time",   "container", "bundle", "verb",    "control", "path",
          "before", "after",     "action", "message", "policy",  NULL };
  hs_audit_t audit;
  hs_json_t *before = hs_json_new_bool (false), *after = hs_json_new_bool (true);
  char *line;
  hs_json_t *rec;

  hs_audit_init (&audit, "create", "ctr-1", "/bundles/x", "sha256:abc");
  hs_audit_add (&audit, "no_new_privileges", HS_ACT_CHANGED, "process.noNewPrivileges", before,
                after, "why");
  hs_audit_add (&audit, "x", HS_ACT_NOTE, NULL, NULL, NULL, "note");
  line = hs_audit_line (&audit, 0);
  ck_assert (strchr (line, '\n') == NULL);
  rec = test_parse (line);
  for (size_t i = 0; fields[i]; i++)
    ck_assert_msg (hs_json_get_exact (rec, fields[i]) != NULL, "field %s missing: %s", fields[i],
                   line);
  ck_assert_str_eq (hs_json_get_exact (rec, "container")->str, "ctr-1");
  ck_assert_str_eq (hs_json_get_exact (rec, "bundle")->str, "/bundles/x");
  ck_assert_str_eq (hs_json_get_exact (rec, "policy")->str, "sha256:abc");
  ck_assert (hs_json_get_exact (rec, "before")->type == HS_JSON_BOOL);
  ck_assert (hs_json_is_true (hs_json_get_exact (rec, "after")));
  hs_json_free (rec);
  free (line);
  /* Absent values are JSON null, not missing. */
  line = hs_audit_line (&audit, 1);
  rec = test_parse (line);
  ck_assert (hs_json_get_exact (rec, "before")->type == HS_JSON_NULL);
  ck_assert (hs_json_get_exact (rec, "after")->type == HS_JSON_NULL);
  hs_json_free (rec);
  free (line);
  hs_audit_release (&audit);

  /* An exec has no bundle: the field is there, null. */
  hs_audit_init (&audit, "exec", "ctr-1", NULL, "sha256:abc");
  hs_audit_add (&audit, "x", HS_ACT_CHANGED, "process.x", before, after, "why");
  line = hs_audit_line (&audit, 0);
  rec = test_parse (line);
  ck_assert (hs_json_get_exact (rec, "bundle")->type == HS_JSON_NULL);
  ck_assert_str_eq (hs_json_get_exact (rec, "verb")->str, "exec");
  hs_json_free (rec);
  free (line);
  hs_audit_release (&audit);
  hs_json_free (before);
  hs_json_free (after);
}
END_TEST

/* ---- the real controls' named exceptions ---- */

/* ci-* namespaces may select the seccomp profile "default" or "other" and
 * use AppArmor `unconfined` and SELinux `spc_t`; containers of team blue
 * may select any seccomp profile name. The policy's own seccomp profile is
 * "nope" (it does not exist), so which profile was used shows in the
 * verdict: "default" only through the exception. */
#define REAL_POLICY                                                                                \
  "\"seccomp\":{\"profile\":\"nope\",\"allowed_profiles\":[\"default\"],\"overridable\":true},"    \
  "\"apparmor\":{\"overridable\":true},\"selinux\":{\"overridable\":true},"                        \
  "\"exceptions\":{\"ci\":{\"scope\":{\"namespace\":[\"ci-*\"]},\"allow\":{"                       \
  "\"seccomp\":{\"profile\":[\"default\",\"other\"]},\"apparmor\":{\"profile\":[\"unconfined\"]}," \
  "\"selinux\":{\"type\":[\"spc_t\"]}}},"                                                          \
  "\"blue\":{\"scope\":{\"annotations\":{\"example.com/team\":[\"blue\"]}},"                       \
  "\"allow\":{\"seccomp\":{\"profile\":true}}}}"
/* The same controls, none overridable. */
#define FIXED_POLICY                                                                               \
  "\"seccomp\":{\"profile\":\"nope\",\"allowed_profiles\":[\"default\"]},\"apparmor\":{},"         \
  "\"selinux\":{}"

#define SPC "system_u:system_r:spc_t:s0"

static const struct
{
  const char *name;
  const char *control; /* the one control run */
  const char *policy;  /* REAL_POLICY or FIXED_POLICY */
  bool lsm_enabled;    /* AppArmor / SELinux enabled on the host */
  const char *annotations;
  const char *process; /* extra members of "process" */
  const char *refusal; /* NULL: admitted */
  const char *trail;   /* the exception records: "action control", ';'-separated */
  const char *message; /* in some record or the refusal */
  const char *out;     /* in the resulting config (admitted) */
} real_cases[] = {
  /* seccomp: profile */
  { "seccomp: allowed profile selected", "seccomp", REAL_POLICY, false,
    "{" NS ":\"ci-1\"," EXC "seccomp.profile\":\"default\"}", "", NULL, "exception seccomp",
    "allows `seccomp.profile` = `default`", "\"defaultErrnoRet\":38" },
  { "seccomp: out of scope, ignored, the policy's profile", "seccomp", REAL_POLICY, false,
    "{" NS ":\"prod\"," EXC "seccomp.profile\":\"default\"}", "", "no built-in of that name",
    "ignored seccomp", "no policy exception whose scope matches", NULL },
  { "seccomp: value the exception does not allow", "seccomp", REAL_POLICY, false,
    "{" NS ":\"ci-1\"," EXC "seccomp.profile\":\"custom\"}", "", "no built-in of that name",
    "ignored seccomp",
    "value `custom` is not allowed for `seccomp.profile` by policy exception `ci`", NULL },
  { "seccomp: default (no exception) is the policy's", "seccomp", REAL_POLICY, false,
    "{" NS ":\"ci-1\"}", "", "no built-in of that name", "", NULL, NULL },
  { "seccomp: not overridable, ignored", "seccomp", FIXED_POLICY, false,
    "{" NS ":\"ci-1\"," EXC "seccomp.profile\":\"default\"}", "", "no built-in of that name",
    "ignored seccomp", "not overridable", NULL },
  { "seccomp: granted but not in allowed_profiles", "seccomp", REAL_POLICY, false,
    "{" NS ":\"ci-1\"," EXC "seccomp.profile\":\"other\"}", "",
    "seccomp profile `other` is granted by a policy exception but is not in policy "
    "`seccomp.allowed_profiles`",
    "exception seccomp", NULL, NULL },
  { "seccomp: a path is never a profile name", "seccomp", REAL_POLICY, false,
    "{\"example.com/team\":\"blue\"," EXC "seccomp.profile\":\"../../etc/x\"}", "",
    "expected one profile name", "exception seccomp", NULL, NULL },
  { "seccomp: a list is not one profile", "seccomp", REAL_POLICY, false,
    "{\"example.com/team\":\"blue\"," EXC "seccomp.profile\":\"default,x\"}", "",
    "expected one profile name", "exception seccomp", NULL, NULL },
  { "seccomp: the old annotation means nothing", "seccomp", REAL_POLICY, false,
    "{" NS ":\"ci-1\",\"org.hardshim.seccomp.profile\":\"default\"}", "",
    "no built-in of that name", "", NULL, NULL },
  /* apparmor: profile = unconfined */
  { "apparmor: unconfined excepted, kept", "apparmor", REAL_POLICY, true,
    "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}",
    ",\"apparmorProfile\":\"unconfined\"", NULL, "exception apparmor",
    "allows `apparmor.profile` = `unconfined`", "\"apparmorProfile\":\"unconfined\"" },
  { "apparmor: unconfined excepted, no AppArmor: removed", "apparmor", REAL_POLICY, false,
    "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}",
    ",\"apparmorProfile\":\"unconfined\"", NULL, "exception apparmor",
    "allows `apparmor.profile` = `unconfined`", "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}" },
  { "apparmor: unconfined out of scope", "apparmor", REAL_POLICY, true,
    "{" NS ":\"prod\"," EXC "apparmor.profile\":\"unconfined\"}",
    ",\"apparmorProfile\":\"unconfined\"", "`unconfined`", "ignored apparmor",
    "no policy exception whose scope matches", NULL },
  { "apparmor: unconfined by default refused", "apparmor", REAL_POLICY, true, "{" NS ":\"ci-1\"}",
    ",\"apparmorProfile\":\"unconfined\"", "`unconfined`", "", NULL, NULL },
  { "apparmor: not overridable", "apparmor", FIXED_POLICY, true,
    "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}",
    ",\"apparmorProfile\":\"unconfined\"", "`unconfined`", "ignored apparmor", "not overridable",
    NULL },
  { "apparmor: granted but not needed", "apparmor", REAL_POLICY, true,
    "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}", "", NULL, "ignored apparmor",
    "did not need it", "\"apparmorProfile\":\"hardshim-" },
  /* selinux: type = spc_t */
  { "selinux: spc_t excepted, kept", "selinux", REAL_POLICY, true,
    "{" NS ":\"ci-1\"," EXC "selinux.type\":\"spc_t\"}", ",\"selinuxLabel\":\"" SPC "\"", NULL,
    "exception selinux", "allows `selinux.type` = `spc_t`", "\"selinuxLabel\":\"" SPC "\"" },
  { "selinux: spc_t excepted, no SELinux: removed", "selinux", REAL_POLICY, false,
    "{" NS ":\"ci-1\"," EXC "selinux.type\":\"spc_t\"}", ",\"selinuxLabel\":\"" SPC "\"", NULL,
    "exception selinux", NULL, "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}" },
  { "selinux: excepted spc_t does not cover unconfined_t", "selinux", REAL_POLICY, true,
    "{" NS ":\"ci-1\"," EXC "selinux.type\":\"spc_t\"}",
    ",\"selinuxLabel\":\"unconfined_u:unconfined_r:unconfined_t:s0\"", "unconfined type",
    "ignored selinux", "not reached", NULL },
  { "selinux: out of scope", "selinux", REAL_POLICY, true,
    "{" NS ":\"prod\"," EXC "selinux.type\":\"spc_t\"}", ",\"selinuxLabel\":\"" SPC "\"",
    "unconfined type", "ignored selinux", "no policy exception whose scope matches", NULL },
  { "selinux: by default refused", "selinux", REAL_POLICY, true, "{}",
    ",\"selinuxLabel\":\"" SPC "\"", "unconfined type", "", NULL, NULL },
  { "selinux: not overridable", "selinux", FIXED_POLICY, true,
    "{" NS ":\"ci-1\"," EXC "selinux.type\":\"spc_t\"}", ",\"selinuxLabel\":\"" SPC "\"",
    "unconfined type", "ignored selinux", "not overridable", NULL },
};

/* The records about exception annotations, "action control;...". */
static char *
exception_trail (const hs_audit_t *a)
{
  char *s = hs_xstrdup ("");

  for (size_t i = 0; i < a->len; i++)
    if (strcmp (a->items[i].action, HS_ACT_EXCEPTION) == 0
        || strcmp (a->items[i].action, HS_ACT_IGNORED) == 0)
      {
        char *t
            = hs_xasprintf ("%s%s%s %s", s, *s ? ";" : "", a->items[i].action, a->items[i].control);
        free (s);
        s = t;
      }
  return s;
}

START_TEST (test_real_controls)
{
  const hs_control_t *one[2] = { hs_control_find (real_cases[_i].control), NULL };
  char dir[] = "/tmp/hardshim-exc-test.XXXXXX";
  char *policy_text, *text, *got, *out, *cmd;
  hs_policy_t *p = NULL;
  hs_json_t *spec;
  hs_host_t host = { .apparmor_enabled = real_cases[_i].lsm_enabled,
                     .selinux_enabled = real_cases[_i].lsm_enabled };
  hs_audit_t audit;
  hs_error_t err = NULL;
  hs_harden_t h = { .policy = NULL, .host = &host, .audit = &audit, .controls = one };
  int r;

  ck_assert_ptr_nonnull (one[0]);
  ck_assert_ptr_nonnull (mkdtemp (dir));
  policy_text = hs_xasprintf ("{\"state_dir\":\"%s\",%s}", dir, real_cases[_i].policy);
  if (hs_policy_from_text (policy_text, "test", &p, &err) < 0
      || hs_policy_validate_controls (p, &err) < 0)
    ck_abort_msg ("policy: %s", err->msg);
  text = hs_xasprintf ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":"
                       "%s,\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"%s}}",
                       real_cases[_i].annotations, real_cases[_i].process);
  spec = test_parse (text);
  h.spec = spec;
  h.policy = p;
  hs_audit_init (&audit, "create", NULL, "/b", p->digest);
  r = hs_harden_run (&h, &err);
  out = test_emit (spec);
  if (real_cases[_i].refusal)
    {
      ck_assert_msg (r < 0, "%s: admitted: %s", real_cases[_i].name, out);
      ck_assert_msg (strstr (err->msg, real_cases[_i].refusal) != NULL, "%s: %s",
                     real_cases[_i].name, err->msg);
    }
  else
    {
      ck_assert_msg (r == 0, "%s: refused: %s", real_cases[_i].name, err ? err->msg : "");
      ck_assert_msg (strstr (out, real_cases[_i].out) != NULL, "%s: no `%s`", real_cases[_i].name,
                     real_cases[_i].out);
    }
  got = exception_trail (&audit);
  ck_assert_msg (strcmp (got, real_cases[_i].trail) == 0, "%s: trail `%s`, want `%s`",
                 real_cases[_i].name, got, real_cases[_i].trail);
  if (real_cases[_i].message)
    ck_assert_msg (trail_has_message (&audit, real_cases[_i].message), "%s: no record with `%s`",
                   real_cases[_i].name, real_cases[_i].message);
  cmd = hs_xasprintf ("rm -rf '%s'", dir);
  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
  free (got);
  free (out);
  free (text);
  free (policy_text);
  hs_error_release (&err);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
}
END_TEST

/* exec --apparmor / --process-label and restore --lsm-profile: the
 * container's exceptions (its config's annotations) apply; only the use is
 * audited (the engine's run over the process audits the annotations). */
START_TEST (test_lsm_flags)
{
  static const struct
  {
    const char *argv[8];
    const char *annotations; /* the container's; NULL: no container config */
    const char *refusal;
    const char *trail;
  } flag_cases[] = {
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" },
      "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}",
      NULL,
      "exception apparmor" },
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" },
      "{" NS ":\"prod\"," EXC "apparmor.profile\":\"unconfined\"}",
      "`unconfined`",
      "" },
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" },
      "{" NS ":\"ci-1\"}",
      "`unconfined`",
      "" },
    { { "hardshim", "exec", "--apparmor", "unconfined", "c1", "sh" }, NULL, "`unconfined`", "" },
    { { "hardshim", "exec", "--process-label", SPC, "c1", "sh" },
      "{" NS ":\"ci-1\"," EXC "selinux.type\":\"spc_t\"}",
      NULL,
      "exception selinux" },
    { { "hardshim", "exec", "--process-label", SPC, "c1", "sh" },
      "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}",
      "unconfined type",
      "" },
    { { "hardshim", "restore", "--lsm-profile", "apparmor:unconfined", "c1" },
      "{" NS ":\"ci-1\"," EXC "apparmor.profile\":\"unconfined\"}",
      NULL,
      "exception apparmor" },
    { { "hardshim", "restore", "--lsm-profile", "selinux:" SPC, "c1" },
      "{" NS ":\"prod\"," EXC "selinux.type\":\"spc_t\"}",
      "unconfined type",
      "" },
  };
  hs_host_t host = { .apparmor_enabled = true, .selinux_enabled = true };
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  if (hs_policy_from_text ("{" REAL_POLICY "}", "test", &p, &err) < 0
      || hs_policy_validate_controls (p, &err) < 0)
    ck_abort_msg ("policy: %s", err->msg);
  for (size_t i = 0; i < sizeof (flag_cases) / sizeof (*flag_cases); i++)
    {
      hs_json_t *config = NULL;
      hs_invocation_t inv;
      hs_audit_t audit;
      char *got;
      int argc = 0, r;

      if (flag_cases[i].annotations)
        {
          char *text
              = hs_xasprintf ("{\"annotations\":%s,\"process\":{}}", flag_cases[i].annotations);
          config = test_parse (text);
          free (text);
        }
      while (flag_cases[i].argv[argc])
        argc++;
      ck_assert_int_eq (
          hs_cli_parse (argc, (char *const *) flag_cases[i].argv, HS_DIALECT_GO, &inv, &err), 0);
      hs_audit_init (&audit, inv.verb_name, "c1", NULL, p->digest);
      r = hs_lsm_harden_flags (&inv, config, p, &host, &audit, &err);
      if (flag_cases[i].refusal)
        {
          ck_assert_msg (r < 0, "case %zu admitted", i);
          ck_assert_msg (strstr (err->msg, flag_cases[i].refusal) != NULL, "case %zu: %s", i,
                         err->msg);
          hs_error_release (&err);
        }
      else
        ck_assert_msg (r == 0, "case %zu: %s", i, err ? err->msg : "");
      got = exception_trail (&audit);
      ck_assert_msg (strcmp (got, flag_cases[i].trail) == 0, "case %zu: trail `%s`, want `%s`", i,
                     got, flag_cases[i].trail);
      free (got);
      hs_audit_release (&audit);
      hs_cli_release (&inv);
      hs_json_free (config);
    }
  hs_policy_free (p);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("exceptions");
  TCase *tc = tcase_create ("exceptions");

  tcase_add_loop_test (tc, test_golden, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_exec_uses_container_annotations);
  tcase_add_test (tc, test_api_other_control_and_once);
  tcase_add_loop_test (tc, test_bad_policy, 0, sizeof (bad) / sizeof (bad[0]));
  tcase_add_loop_test (tc, test_real_table_policies, 0,
                       sizeof (real_policies) / sizeof (real_policies[0]));
  tcase_add_loop_test (tc, test_modes, 0, sizeof (modes) / sizeof (modes[0]));
  tcase_add_test (tc, test_presets_valid_and_layered);
  tcase_add_test (tc, test_audit_only_changes_nothing);
  tcase_add_test (tc, test_policy_files_layering);
  tcase_add_test (tc, test_audit_line_complete);
  tcase_add_loop_test (tc, test_real_controls, 0, sizeof (real_cases) / sizeof (real_cases[0]));
  tcase_add_test (tc, test_lsm_flags);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
