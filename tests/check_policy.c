/* Policy: presets, layering and merge, provenance, digest, and errors that
 * name the key or file (never a silent fallback). */
#include "testfs.h"

#include "harden.h"
#include "policy.h"

/* policy.json and policy.d/ under a temp dir, loaded like /etc/hardshim. */
typedef struct
{
  char *dir;
  char *file;
  char *dropins;
  hs_policy_paths_t paths;
} etc_t;

static void
etc_init (etc_t *e)
{
  e->dir = test_tmpdir ();
  e->file = hs_xasprintf ("%s/policy.json", e->dir);
  e->dropins = hs_xasprintf ("%s/policy.d", e->dir);
  e->paths = (hs_policy_paths_t){ .override = NULL, .file = e->file, .dir = e->dropins };
}

static void
etc_dropin (etc_t *e, const char *name, const char *text)
{
  mkdir (e->dropins, 0755);
  free (test_write (e->dropins, name, text, 0644));
}

static void
etc_free (etc_t *e)
{
  test_rm_rf (e->dir);
  free (e->dir);
  free (e->file);
  free (e->dropins);
}

static hs_policy_t *
load_ok (const hs_policy_paths_t *paths)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  if (hs_harden_load_policy (paths, &p, &err) < 0)
    ck_abort_msg ("policy load failed: %s", err->msg);
  return p;
}

static char *
load_error (const hs_policy_paths_t *paths)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;
  char *msg;

  if (hs_harden_load_policy (paths, &p, &err) == 0)
    ck_abort_msg ("policy load unexpectedly succeeded");
  ck_assert_ptr_null (p);
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

static const char *
origin (const hs_policy_t *p, const char *a, const char *b)
{
  const hs_json_t *o = hs_json_get_exact (p->origins, a);

  if (b != NULL)
    o = hs_json_get_exact (o, b);
  ck_assert_msg (o != NULL && o->type == HS_JSON_STRING, "no origin for %s.%s", a, b ? b : "");
  return o->str;
}

START_TEST (test_presets)
{
  for (size_t i = 0; hs_policy_preset_names[i] != NULL; i++)
    {
      const char *name = hs_policy_preset_names[i];
      const char *text = hs_policy_preset_text (name);
      char *doc = hs_xasprintf ("{\"preset\": \"%s\"}", name);
      hs_policy_t *p = NULL;
      hs_error_t err = NULL;

      ck_assert_ptr_nonnull (text);
      if (hs_policy_from_text (doc, "test", &p, &err) < 0)
        ck_abort_msg ("preset %s: %s", name, err->msg);
      if (hs_policy_validate_controls (p, &err) < 0)
        ck_abort_msg ("preset %s: %s", name, err->msg);
      ck_assert_str_eq (p->preset, name);
      ck_assert_int_eq (p->mode,
                        strcmp (name, "audit-only") == 0 ? HS_POLICY_AUDIT : HS_POLICY_ENFORCE);
      /* every control has defaults in every preset */
      for (size_t c = 0; hs_controls[c] != NULL; c++)
        ck_assert_msg (hs_policy_control (p, hs_controls[c]->name) != NULL,
                       "preset %s lacks control %s", name, hs_controls[c]->name);
      ck_assert (strstr (origin (p, "mode", NULL), name) != NULL);
      hs_policy_free (p);
      free (doc);
    }
  ck_assert_ptr_null (hs_policy_preset_text ("permissive"));
}
END_TEST

/* No file at all: the built-in default, enforcing. */
START_TEST (test_no_files_builtin)
{
  etc_t e;
  hs_policy_t *p;

  etc_init (&e);
  p = load_ok (&e.paths);
  ck_assert_int_eq (p->mode, HS_POLICY_ENFORCE);
  ck_assert_str_eq (p->preset, "restricted");
  ck_assert_str_eq (p->sources, "built-in preset `restricted`");
  ck_assert_str_eq (p->state_dir, HS_STATE_DIR);
  ck_assert_ptr_null (p->runtime);
  ck_assert_int_eq (strncmp (p->digest, "sha256:", 7), 0);
  ck_assert_int_eq (strlen (p->digest), 7 + 64);
  hs_policy_free (p);
  etc_free (&e);
}
END_TEST

/* hardshim's main loads lazily: no digest until a record needs one, then
 * the same digest an eager load computes. */
START_TEST (test_lazy_digest)
{
  etc_t e;
  hs_policy_t *eager = NULL, *lazy = NULL;
  hs_error_t err = NULL;

  etc_init (&e);
  free (test_write (e.dir, "policy.json", "{ \"mode\": \"audit\" }", 0644));
  ck_assert_int_eq (hs_policy_load (&e.paths, &eager, &err), 0);
  e.paths.lazy_digest = true;
  ck_assert_int_eq (hs_policy_load (&e.paths, &lazy, &err), 0);
  ck_assert_str_eq (lazy->digest, "");
  ck_assert_int_eq (hs_policy_ensure_digest (lazy, &err), 0);
  ck_assert_str_eq (lazy->digest, eager->digest);
  ck_assert_int_eq (strncmp (lazy->digest, "sha256:", 7), 0);
  hs_policy_free (eager);
  hs_policy_free (lazy);
  etc_free (&e);
}
END_TEST

/* Objects merge key by key, everything else (arrays too) replaces; later
 * layers win; policy.d in name order; dot files and non-.json ignored. */
START_TEST (test_layers_merge_and_origins)
{
  etc_t e;
  hs_policy_t *p;
  hs_error_t err = NULL;
  const hs_json_t *x;
  char *out;

  etc_init (&e);
  free (test_write (e.dir, "policy.json",
                    "// host policy\n{ \"audit_log\": { \"syslog\": false }, /* c */\n"
                    "  \"x\": { \"a\": [1, 2], \"o\": { \"k\": 1 }, \"s\": \"file\" } }",
                    0644));
  etc_dropin (&e, "20-b.json", "{ \"mode\": \"off\", \"x\": { \"o\": { \"j\": 2 } } }");
  etc_dropin (&e, "10-a.json", "{ \"mode\": \"audit\", \"x\": { \"a\": [3], \"s\": \"10\" } }");
  etc_dropin (&e, ".99-hidden.json", "{ \"mode\": \"enforce\" }");
  etc_dropin (&e, "30-c.json.bak", "{ \"mode\": \"enforce\" }");
  etc_dropin (&e, "README", "not json");
  etc_dropin (&e, "40-d.JSON", "{ \"mode\": \"enforce\" }");

  ck_assert_int_eq (hs_policy_load (&e.paths, &p, &err), 0);
  ck_assert_int_eq (p->mode, HS_POLICY_OFF);
  x = hs_json_get_exact (p->tree, "x");
  out = test_emit (x);
  ck_assert_str_eq (out, "{\"a\":[3],\"o\":{\"k\":1,\"j\":2},\"s\":\"10\"}");
  free (out);
  /* the preset's audit_log.path survives, syslog comes from the file */
  ck_assert_str_eq (p->audit_log, "/var/log/hardshim/audit.jsonl");
  ck_assert (!p->audit_syslog);

  ck_assert (strstr (origin (p, "audit_log", "path"), "built-in preset `restricted`") != NULL);
  ck_assert_str_eq (origin (p, "audit_log", "syslog"), e.file);
  ck_assert (strstr (origin (p, "mode", NULL), "/policy.d/20-b.json") != NULL);
  ck_assert (strstr (origin (p, "x", "a"), "/policy.d/10-a.json") != NULL);
  {
    const hs_json_t *ox = hs_json_get_exact (p->origins, "x");
    ck_assert (strstr (hs_json_get_exact (hs_json_get_exact (ox, "o"), "j")->str, "20-b.json"));
    ck_assert_str_eq (hs_json_get_exact (hs_json_get_exact (ox, "o"), "k")->str, e.file);
  }
  {
    char *want = hs_xasprintf ("built-in preset `restricted` + %s + %s/10-a.json + %s/20-b.json",
                               e.file, e.dropins, e.dropins);
    ck_assert_str_eq (p->sources, want);
    free (want);
  }
  hs_policy_free (p);
  etc_free (&e);
}
END_TEST

/* HARDSHIM_POLICY names the one file used: /etc files are not read. */
START_TEST (test_override_file)
{
  etc_t e;
  hs_policy_t *p;
  char *override;

  etc_init (&e);
  free (test_write (e.dir, "policy.json", "{ \"mode\": \"off\" }", 0644));
  etc_dropin (&e, "10.json", "{ \"mode\": \"off\" }");
  override = test_write (e.dir, "override.json", "{ \"mode\": \"audit\" }", 0600);
  e.paths.override = override;
  p = load_ok (&e.paths);
  ck_assert_int_eq (p->mode, HS_POLICY_AUDIT);
  ck_assert_str_eq (origin (p, "mode", NULL), override);
  hs_policy_free (p);

  /* even a broken /etc file does not matter then */
  free (test_write (e.dir, "policy.json", "{ broken", 0644));
  p = load_ok (&e.paths);
  hs_policy_free (p);
  /* but a missing override is an error, not a fallback */
  unlink (override);
  {
    char *msg = load_error (&e.paths);
    ck_assert_msg (strstr (msg, override) != NULL, "got `%s`", msg);
    free (msg);
  }
  free (override);
  etc_free (&e);
}
END_TEST

START_TEST (test_digest)
{
  hs_policy_t *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_policy_from_text ("{\"mode\":\"audit\"}", "a", &a, &err), 0);
  ck_assert_int_eq (
      hs_policy_from_text ("// same meaning\n{ \"mode\" : \"audit\" }", "b", &b, &err), 0);
  ck_assert_int_eq (hs_policy_from_text ("{\"mode\":\"enforce\"}", "c", &c, &err), 0);
  ck_assert_int_eq (hs_policy_from_text ("{}", "d", &d, &err), 0);
  ck_assert_str_eq (a->digest, b->digest);
  ck_assert_str_ne (a->digest, c->digest);
  /* a file that repeats a default does not change the effective policy */
  ck_assert_str_eq (c->digest, d->digest);
  hs_policy_free (a);
  hs_policy_free (b);
  hs_policy_free (c);
  hs_policy_free (d);
  ck_assert_int_eq (
      hs_policy_from_text ("{\"no_new_privileges\":{\"mode\":\"audit\"}}", "e", &a, &err), 0);
  ck_assert_int_eq (hs_policy_from_text ("{}", "f", &b, &err), 0);
  ck_assert_str_ne (a->digest, b->digest);
  hs_policy_free (a);
  hs_policy_free (b);
}
END_TEST

START_TEST (test_globals)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  ck_assert_int_eq (
      hs_policy_from_text ("{\"runtime\":\"/usr/bin/crun\",\"state_dir\":\"/tmp/s\","
                           "\"audit_log\":{\"path\":\"/tmp/a.jsonl\",\"required\":true}}",
                           "t", &p, &err),
      0);
  ck_assert_str_eq (p->runtime, "/usr/bin/crun");
  ck_assert_str_eq (p->state_dir, "/tmp/s");
  ck_assert_str_eq (p->audit_log, "/tmp/a.jsonl");
  ck_assert (p->audit_log_required);
  ck_assert (p->audit_syslog);
  hs_policy_free (p);
  /* a string audit_log is the path; "/" or null means none */
  ck_assert_int_eq (hs_policy_from_text ("{\"audit_log\":\"/tmp/b\"}", "t", &p, &err), 0);
  ck_assert_str_eq (p->audit_log, "/tmp/b");
  hs_policy_free (p);
  ck_assert_int_eq (hs_policy_from_text ("{\"audit_log\":null}", "t", &p, &err), 0);
  ck_assert_ptr_null (p->audit_log);
  hs_policy_free (p);
  ck_assert_int_eq (hs_policy_from_text ("{\"audit_log\":{\"path\":\"/\"}}", "t", &p, &err), 0);
  ck_assert_ptr_null (p->audit_log);
  hs_policy_free (p);
}
END_TEST

/* Bad policy text: the error names the key. */
static const struct
{
  const char *text;
  const char *expect;
} bad_text[] = {
  { "{ \"mode\": ", "invalid JSON" },
  { "[]", "the top level must be an object" },
  { "{\"mode\":1}", "policy key `mode`: expected a string, got number" },
  { "{\"mode\":\"permissive\"}",
    "policy key `mode`: `permissive` is not one of enforce, audit, off" },
  { "{\"runtime\":\"runc\"}", "policy key `runtime`: `runc` is not an absolute path" },
  { "{\"runtime\":true}", "policy key `runtime`: expected a string" },
  { "{\"state_dir\":\"run/x\"}", "policy key `state_dir`" },
  { "{\"preset\":\"permissive\"}", "policy key `preset`: `permissive` is not a built-in preset" },
  { "{\"preset\":[]}", "policy key `preset`: expected a string" },
  { "{\"audit_log\":{\"paht\":\"/x\"}}", "policy key `audit_log.paht`: unknown" },
  { "{\"audit_log\":{\"required\":\"yes\"}}",
    "policy key `audit_log.required`: expected true or false" },
  { "{\"audit_log\":{\"path\":\"rel.log\"}}", "policy key `audit_log.path`" },
  { "{\"audit_log\":5}", "policy key `audit_log`: expected an object" },
  { "{\"frobnicate\":{}}", "policy key `frobnicate`: no such control" },
  { "{\"no_new_privileges\":{\"mode\":\"maybe\"}}", "policy key `no_new_privileges.mode`" },
  { "{\"no_new_privileges\":{\"mode\":1}}", "policy key `no_new_privileges.mode`" },
  { "{\"no_new_privileges\":{\"strict\":true}}",
    "policy key `no_new_privileges.strict`: unknown setting" },
  { "{\"no_new_privileges\":true}",
    "policy key `no_new_privileges`: expected an object, got boolean" },
  { "{\"mode\":\"audit\",\"mode\":\"off\"}", "duplicate key `mode`" },
};

START_TEST (test_bad_text)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;
  int r = hs_policy_from_text (bad_text[_i].text, "/etc/hardshim/policy.json", &p, &err);

  if (r == 0)
    {
      r = hs_policy_validate_controls (p, &err);
      hs_policy_free (p);
    }
  ck_assert_msg (r < 0, "`%s` was accepted", bad_text[_i].text);
  ck_assert_msg (strstr (err->msg, bad_text[_i].expect) != NULL, "`%s`: got `%s`, want `%s`",
                 bad_text[_i].text, err->msg, bad_text[_i].expect);
  hs_error_release (&err);
}
END_TEST

/* The same through files: the message names the file that is wrong. */
START_TEST (test_bad_dropin_among_good)
{
  etc_t e;
  char *msg;

  etc_init (&e);
  free (test_write (e.dir, "policy.json", "{ \"mode\": \"enforce\" }", 0644));
  etc_dropin (&e, "10-good.json", "{ \"mode\": \"audit\" }");
  etc_dropin (&e, "20-bad.json", "{ \"mode\": \"audit\", }");
  etc_dropin (&e, "30-good.json", "{ \"mode\": \"off\" }");
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "policy.d/20-bad.json") != NULL, "got `%s`", msg);
  free (msg);
  etc_free (&e);
}
END_TEST

START_TEST (test_bad_files)
{
  etc_t e;
  char *msg, *path;

  etc_init (&e);
  /* malformed */
  free (test_write (e.dir, "policy.json", "{ \"mode\": \"audit\"", 0644));
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, e.file) && strstr (msg, "JSON"), "got `%s`", msg);
  free (msg);
  /* group-writable, world-writable */
  free (test_write (e.dir, "policy.json", "{}", 0664));
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "writable by group or others (mode 0664)"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chmod (e.file, 0646), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "writable by group or others"), "got `%s`", msg);
  free (msg);
  /* owned by someone else */
  ck_assert_int_eq (chmod (e.file, 0644), 0);
  ck_assert_int_eq (chown (e.file, 1234, 0), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "owned by uid 1234"), "got `%s`", msg);
  free (msg);
  unlink (e.file);
  /* a symlink, even to a good file */
  path = test_write (e.dir, "real.json", "{}", 0644);
  ck_assert_int_eq (symlink (path, e.file), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "symbolic link"), "got `%s`", msg);
  free (msg);
  unlink (e.file);
  /* unreadable: a directory, a FIFO (must not hang) */
  ck_assert_int_eq (mkdir (e.file, 0755), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "not a regular file"), "got `%s`", msg);
  free (msg);
  rmdir (e.file);
  ck_assert_int_eq (mkfifo (e.file, 0644), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "not a regular file"), "got `%s`", msg);
  free (msg);
  unlink (e.file);
  /* a symlinked drop-in */
  etc_dropin (&e, "10-good.json", "{}");
  {
    char *link = hs_xasprintf ("%s/20-link.json", e.dropins);
    ck_assert_int_eq (symlink (path, link), 0);
    free (link);
  }
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "20-link.json") && strstr (msg, "symbolic link"), "got `%s`", msg);
  free (msg);
  free (path);
  etc_free (&e);
}
END_TEST

/* The directories are held to the files' rules: whoever may write one could
 * rename a root-owned drop-in (or policy.json) away. */
START_TEST (test_policy_dirs_checked)
{
  etc_t e;
  hs_policy_t *p;
  char *msg, *sub, *file;

  etc_init (&e);
  etc_dropin (&e, "10-enforce.json", "{ \"mode\": \"enforce\" }");
  hs_policy_free (load_ok (&e.paths));
  /* policy.d writable by others, by the group, owned by someone else */
  ck_assert_int_eq (chmod (e.dropins, 0777), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "policy directory") && strstr (msg, e.dropins)
                     && strstr (msg, "writable by group or others (mode 0777)")
                     && strstr (msg, "chmod go-w"),
                 "got `%s`", msg);
  free (msg);
  /* sticky is not enough for the directory itself: others could add files */
  ck_assert_int_eq (chmod (e.dropins, 01777), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "writable by group or others (mode 1777)"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chmod (e.dropins, 0775), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "mode 0775"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chmod (e.dropins, 0755), 0);
  ck_assert_int_eq (chown (e.dropins, 1234, 0), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "belongs to uid 1234") && strstr (msg, "chown root"), "got `%s`",
                 msg);
  free (msg);
  ck_assert_int_eq (chown (e.dropins, 0, 0), 0);
  /* the directory of policy.json (/etc/hardshim) */
  free (test_write (e.dir, "policy.json", "{}", 0644));
  ck_assert_int_eq (chmod (e.dir, 0757), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "writable by group or others (mode 0757)"), "got `%s`", msg);
  free (msg);
  /* ... also when policy.json is absent: policy.d could be renamed away */
  unlink (e.file);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "mode 0757"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chmod (e.dir, 0700), 0);
  p = load_ok (&e.paths);
  ck_assert_int_eq (p->mode, HS_POLICY_ENFORCE);
  hs_policy_free (p);
  /* a directory above: world-writable only with the sticky bit */
  sub = hs_xasprintf ("%s/above", e.dir);
  ck_assert_int_eq (mkdir (sub, 0755), 0);
  file = test_write (sub, "p.json", "{ \"mode\": \"audit\" }", 0644);
  e.paths.override = file;
  hs_policy_free (load_ok (&e.paths));
  ck_assert_int_eq (chmod (e.dir, 0777), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "on the way to policy file") && strstr (msg, "mode 0777"), "got `%s`",
                 msg);
  free (msg);
  ck_assert_int_eq (chmod (e.dir, 01777), 0);
  hs_policy_free (load_ok (&e.paths));
  ck_assert_int_eq (chmod (e.dir, 0700), 0);
  /* the file's own directory, and one above owned by someone else */
  ck_assert_int_eq (chmod (sub, 0775), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, sub) && strstr (msg, "mode 0775"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chmod (sub, 0755), 0);
  ck_assert_int_eq (chown (e.dir, 1234, 0), 0);
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "belongs to uid 1234"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chown (e.dir, 0, 0), 0);
  free (file);
  free (sub);
  etc_free (&e);
}
END_TEST

START_TEST (test_override_symlink_and_mode)
{
  etc_t e;
  char *msg, *real, *link;

  etc_init (&e);
  real = test_write (e.dir, "real.json", "{}", 0644);
  link = hs_xasprintf ("%s/link.json", e.dir);
  ck_assert_int_eq (symlink (real, link), 0);
  e.paths.override = link;
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "symbolic link"), "got `%s`", msg);
  free (msg);
  ck_assert_int_eq (chmod (real, 0666), 0);
  e.paths.override = real;
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "writable by group or others"), "got `%s`", msg);
  free (msg);
  free (real);
  free (link);
  etc_free (&e);
}
END_TEST

START_TEST (test_dropin_dir_problems)
{
  etc_t e;
  char *msg;

  etc_init (&e);
  /* policy.d that is a file: an error, not "no drop-ins" */
  free (test_write (e.dir, "policy.d", "{}", 0644));
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "policy.d"), "got `%s`", msg);
  free (msg);
  unlink (e.dropins);
  /* more than 256 drop-ins */
  for (int i = 0; i <= HS_POLICY_MAX_DROPINS; i++)
    {
      char name[32];
      snprintf (name, sizeof (name), "%03d.json", i);
      etc_dropin (&e, name, "{}");
    }
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "more than 256 files"), "got `%s`", msg);
  free (msg);
  /* exactly 256 is fine */
  {
    char *last = hs_xasprintf ("%s/256.json", e.dropins);
    hs_policy_t *p;
    unlink (last);
    free (last);
    p = load_ok (&e.paths);
    hs_policy_free (p);
  }
  etc_free (&e);
}
END_TEST

START_TEST (test_size_depth_limits)
{
  etc_t e;
  char *msg, *big, *deep;
  size_t n = HS_POLICY_MAX_BYTES + 1;

  etc_init (&e);
  big = hs_xmalloc (n + 1);
  memset (big, ' ', n);
  big[0] = '{';
  big[n - 1] = '}';
  big[n] = '\0';
  free (test_write (e.dir, "policy.json", big, 0644));
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "over the limit of 1048576"), "got `%s`", msg);
  free (msg);
  /* exactly 1 MiB is fine */
  big[n - 2] = '}';
  big[n - 1] = '\0';
  free (test_write (e.dir, "policy.json", big, 0644));
  hs_policy_free (load_ok (&e.paths));
  free (big);

  /* nesting: 32 levels is the limit */
  deep = hs_xcalloc (1, 1024);
  strcat (deep, "{\"x\":");
  for (unsigned i = 1; i < HS_POLICY_MAX_DEPTH; i++)
    strcat (deep, "[");
  for (unsigned i = 1; i < HS_POLICY_MAX_DEPTH; i++)
    strcat (deep, "]");
  strcat (deep, "}");
  free (test_write (e.dir, "policy.json", deep, 0644));
  {
    hs_policy_t *p = NULL;
    hs_error_t err = NULL;
    if (hs_policy_load (&e.paths, &p, &err) < 0)
      ck_abort_msg ("32 levels: %s", err->msg);
    hs_policy_free (p);
  }
  memmove (deep + 6, deep + 5, strlen (deep + 5) + 1);
  deep[5] = '[';
  strcat (deep, "]");
  deep[strlen (deep) - 2] = ']';
  deep[strlen (deep) - 1] = '}';
  free (test_write (e.dir, "policy.json", deep, 0644));
  msg = load_error (&e.paths);
  ck_assert_msg (strstr (msg, "nesting deeper than 32"), "got `%s`", msg);
  free (msg);
  free (deep);
  etc_free (&e);
}
END_TEST

static Suite *
policy_suite (void)
{
  Suite *s = suite_create ("policy");
  TCase *tc = tcase_create ("policy");

  tcase_add_test (tc, test_presets);
  tcase_add_test (tc, test_no_files_builtin);
  tcase_add_test (tc, test_layers_merge_and_origins);
  tcase_add_test (tc, test_lazy_digest);
  tcase_add_test (tc, test_override_file);
  tcase_add_test (tc, test_digest);
  tcase_add_test (tc, test_globals);
  tcase_add_loop_test (tc, test_bad_text, 0, sizeof (bad_text) / sizeof (bad_text[0]));
  tcase_add_test (tc, test_bad_dropin_among_good);
  tcase_add_test (tc, test_bad_files);
  tcase_add_test (tc, test_override_symlink_and_mode);
  tcase_add_test (tc, test_policy_dirs_checked);
  tcase_add_test (tc, test_dropin_dir_problems);
  tcase_add_test (tc, test_size_depth_limits);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (policy_suite ())
