/* config.json and process files: type checks that name the JSON path,
 * loading through the bundle (crun's --config relative and absolute), and
 * refusal of what is not a plain regular file. */
#include "testfs.h"

#include "spec.h"

static const struct
{
  const char *text;
  const char *expect; /* NULL: valid */
} validate_cases[] = {
  { "{}", NULL },
  { "[]", "the top level must be an object, got array" },
  { "{\"ociVersion\":1}", "`ociVersion`: expected string, got number" },
  { "{\"root\":\"/\"}", "`root`: expected object, got string" },
  { "{\"annotations\":[]}", "`annotations`: expected object, got array" },
  { "{\"annotations\":\"a=b\"}", "`annotations`: expected object, got string" },
  { "{\"annotations\":null}", NULL },
  { "{\"hooks\":[]}", "`hooks`: expected object, got array" },
  { "{\"process\":[]}", "`process`: expected object, got array" },
  { "{\"process\":null}", NULL },
  { "{\"process\":{\"noNewPrivileges\":\"true\"}}",
    "`process.noNewPrivileges`: expected boolean, got string" },
  { "{\"process\":{\"noNewPrivileges\":1}}",
    "`process.noNewPrivileges`: expected boolean, got number" },
  { "{\"process\":{\"args\":\"sh\"}}", "`process.args`: expected array, got string" },
  { "{\"process\":{\"args\":[\"sh\",1]}}", "`process.args[1]`: expected string, got number" },
  { "{\"process\":{\"env\":[null]}}", "`process.env[0]`: expected string, got null" },
  { "{\"process\":{\"apparmorProfile\":false}}", "`process.apparmorProfile`: expected string" },
  { "{\"process\":{\"selinuxLabel\":{}}}", "`process.selinuxLabel`: expected string" },
  { "{\"process\":{\"rlimits\":[\"RLIMIT_NOFILE\"]}}", "`process.rlimits[0]`: expected object" },
  { "{\"process\":{\"user\":0}}", "`process.user`: expected object, got number" },
  { "{\"process\":{\"user\":{\"uid\":0,\"gid\":4294967295}}}", NULL },
  { "{\"process\":{\"user\":{\"uid\":4294967296}}}",
    "`process.user.uid`: `4294967296` is not an integer from 0 to 4294967295" },
  { "{\"process\":{\"user\":{\"uid\":18446744073709551616}}}",
    "`process.user.uid`: `18446744073709551616` is not an integer" },
  { "{\"process\":{\"user\":{\"uid\":99999999999999999999999}}}", "`process.user.uid`" },
  { "{\"process\":{\"user\":{\"uid\":-1}}}", "`process.user.uid`: `-1` is not an integer" },
  { "{\"process\":{\"user\":{\"uid\":1.5}}}", "`process.user.uid`: `1.5` is not an integer" },
  { "{\"process\":{\"user\":{\"uid\":1e3}}}", "`process.user.uid`: `1e3` is not an integer" },
  { "{\"process\":{\"user\":{\"uid\":\"0\"}}}",
    "`process.user.uid`: expected a number, got string" },
  { "{\"process\":{\"user\":{\"uid\":true}}}",
    "`process.user.uid`: expected a number, got boolean" },
  { "{\"process\":{\"user\":{\"gid\":-0}}}", "`process.user.gid`: `-0` is not an integer" },
  { "{\"process\":{\"user\":{\"Uid\":-1}}}", "`process.user.uid`" }, /* Go folds case */
  { "{\"process\":{\"user\":{\"additionalGids\":[\"1\"]}}}",
    "`process.user.additionalGids[0]`: expected number, got string" },
  { "{\"process\":{\"user\":{\"additionalGids\":[10,-1]}}}",
    "`process.user.additionalGids[1]`: `-1` is not an integer" },
  { "{\"process\":{\"user\":{\"additionalGids\":[4294967296]}}}",
    "`process.user.additionalGids[0]`" },
  { "{\"process\":{\"capabilities\":\"CAP_CHOWN\"}}",
    "`process.capabilities`: expected object, got string" },
  { "{\"process\":{\"capabilities\":{\"bounding\":\"CAP_CHOWN\"}}}",
    "`process.capabilities.bounding`: expected array, got string" },
  { "{\"process\":{\"capabilities\":{\"effective\":[\"CAP_CHOWN\",7]}}}",
    "`process.capabilities.effective[1]`: expected string, got number" },
  { "{\"process\":{\"capabilities\":{\"inheritable\":[{}]}}}",
    "`process.capabilities.inheritable[0]`" },
  { "{\"process\":{\"capabilities\":{\"permitted\":{}}}}", "`process.capabilities.permitted`" },
  { "{\"process\":{\"capabilities\":{\"ambient\":[null]}}}", "`process.capabilities.ambient[0]`" },
  { "{\"process\":{\"capabilities\":{\"Bounding\":[1]}}}", "`process.capabilities.bounding[0]`" },
  { "{\"process\":{\"capabilities\":[\"CAP_CHOWN\"]}}", NULL },
  { "{\"process\":{\"capabilities\":[\"CAP_CHOWN\",2]}}",
    "`process.capabilities[1]`: expected string" },
  { "{\"mounts\":{}}", "`mounts`: expected array, got object" },
  { "{\"mounts\":[{\"destination\":\"/x\"},\"/y\"]}", "`mounts[1]`: expected object, got string" },
  { "{\"linux\":[]}", "`linux`: expected object, got array" },
  { "{\"linux\":{\"seccomp\":[]}}", "`linux.seccomp`: expected object" },
  { "{\"linux\":{\"namespaces\":[\"pid\"]}}", "`linux.namespaces[0]`: expected object" },
  { "{\"linux\":{\"maskedPaths\":[1]}}", "`linux.maskedPaths[0]`: expected string" },
  { "{\"linux\":{\"readonlyPaths\":\"/proc\"}}", "`linux.readonlyPaths`: expected array" },
  { "{\"linux\":{\"sysctl\":[]}}", "`linux.sysctl`: expected object" },
  { "{\"linux\":{\"resources\":1}}", "`linux.resources`: expected object" },
};

START_TEST (test_validate)
{
  hs_json_t *v = test_parse (validate_cases[_i].text);
  hs_error_t err = NULL;
  int r = hs_spec_validate (v, &err);

  if (validate_cases[_i].expect == NULL)
    ck_assert_msg (r == 0, "`%s`: %s", validate_cases[_i].text, err ? err->msg : "");
  else
    {
      ck_assert_msg (r < 0, "`%s` was accepted", validate_cases[_i].text);
      ck_assert_msg (strstr (err->msg, validate_cases[_i].expect), "`%s`: got `%s`, want `%s`",
                     validate_cases[_i].text, err->msg, validate_cases[_i].expect);
      hs_error_release (&err);
    }
  hs_json_free (v);
}
END_TEST

/* An exec process file: paths are relative to the process object. */
START_TEST (test_process_validate)
{
  hs_json_t *v = test_parse ("{\"user\":{\"uid\":4294967296}}");
  hs_error_t err = NULL;

  ck_assert_int_lt (hs_process_validate (v, "", &err), 0);
  ck_assert_msg (strstr (err->msg, "`user.uid`"), "got `%s`", err->msg);
  hs_json_free (v);
  v = test_parse ("[1]");
  ck_assert_int_lt (hs_process_validate (v, "", &err), 0);
  ck_assert_msg (strstr (err->msg, "`process`: expected object"), "got `%s`", err->msg);
  hs_json_free (v);
  hs_error_release (&err);
}
END_TEST

START_TEST (test_captures_valid)
{
  static const char *const files[]
      = { "captures/docker-20.10-config.json", "captures/podman-4.3-config.json",
          "captures/containerd-1.6-ctr-config.json" };

  for (size_t i = 0; i < 3; i++)
    {
      char *text = test_read_data (files[i], NULL);
      hs_json_t *v = test_parse (text);
      hs_error_t err = NULL;

      ck_assert_msg (hs_spec_validate (v, &err) == 0, "%s: %s", files[i], err ? err->msg : "");
      hs_json_free (v);
      free (text);
    }
}
END_TEST

/* A bundle with config.json, sub/other.json and an outside file. */
typedef struct
{
  char *dir, *bundle, *outside;
} bundle_t;

static void
bundle_init (bundle_t *b)
{
  char *sub;

  b->dir = test_tmpdir ();
  b->bundle = hs_xasprintf ("%s/bundle", b->dir);
  ck_assert_int_eq (mkdir (b->bundle, 0755), 0);
  sub = hs_xasprintf ("%s/sub", b->bundle);
  ck_assert_int_eq (mkdir (sub, 0755), 0);
  free (test_write (b->bundle, "config.json", "{\"hostname\":\"default\"}", 0644));
  free (test_write (sub, "other.json", "{\"hostname\":\"sub\"}", 0640));
  b->outside = test_write (b->dir, "outside.json", "{\"hostname\":\"outside\"}", 0600);
  free (sub);
}

static void
bundle_free (bundle_t *b)
{
  test_rm_rf (b->dir);
  free (b->dir);
  free (b->bundle);
  free (b->outside);
}

static char *
hostname_of (const char *path)
{
  hs_error_t err = NULL;
  hs_spec_file_t f = { .dirfd = -1 };
  char *h;

  if (hs_process_load (path, &f, &err) < 0)
    ck_abort_msg ("%s", err->msg);
  h = hs_xstrdup (hs_json_get (f.tree, "hostname")->str);
  hs_spec_release (&f);
  return h;
}

/* Load, edit, store: the file the runtime will use is the one written. */
static void
load_edit_store (const char *bundle, const char *config, const char *want_host,
                 const char *want_display, const char *written, mode_t want_mode)
{
  hs_spec_file_t f = { .dirfd = -1 };
  hs_error_t err = NULL;
  struct stat st;
  char *h;

  if (hs_spec_load (bundle, config, &f, &err) < 0)
    ck_abort_msg ("load %s: %s", config ? config : "(default)", err->msg);
  ck_assert_str_eq (hs_json_get (f.tree, "hostname")->str, want_host);
  ck_assert_str_eq (f.display, want_display);
  hs_json_set (f.tree, "hostname", hs_json_new_string ("hardened"));
  ck_assert_int_eq (hs_spec_store (&f, &err), 0);
  hs_spec_release (&f);
  ck_assert_int_eq (f.dirfd, -1);
  h = hostname_of (written);
  ck_assert_str_eq (h, "hardened");
  free (h);
  ck_assert_int_eq (stat (written, &st), 0);
  ck_assert_int_eq (st.st_mode & 07777, want_mode);
}

/* crun makes --config absolute against the CURRENT directory before it
 * changes into the bundle; only the exact name "config.json" is read in the
 * bundle (checked against crun 1.8.1). */
START_TEST (test_load_config_paths)
{
  bundle_t b;
  char *cfg, *decoy, *cwd_sub, *cwd_cfg, *h, *display;
  int cwd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  bundle_init (&b);
  cfg = hs_xasprintf ("%s/config.json", b.bundle);
  decoy = hs_xasprintf ("%s/sub/other.json", b.bundle);
  /* the current directory is b.dir: it has its own sub/other.json and config.json */
  ck_assert_int_eq (chdir (b.dir), 0);
  ck_assert_int_eq (mkdir ("sub", 0755), 0);
  cwd_sub = test_write (b.dir, "sub/other.json", "{\"hostname\":\"cwd-sub\"}", 0640);
  cwd_cfg = test_write (b.dir, "config.json", "{\"hostname\":\"cwd\"}", 0600);

  /* crun -f sub/other.json: the one under the current directory */
  load_edit_store (b.bundle, "sub/other.json", "cwd-sub", "sub/other.json", cwd_sub, 0640);
  h = hostname_of (decoy);
  ck_assert_str_eq (h, "sub");
  free (h);
  h = hostname_of (cfg);
  ck_assert_str_eq (h, "default");
  free (h);

  /* crun -f ./config.json: also the current directory */
  load_edit_store (b.bundle, "./config.json", "cwd", "./config.json", cwd_cfg, 0600);
  h = hostname_of (cfg);
  ck_assert_str_eq (h, "default");
  free (h);

  /* crun -f /abs/path: that file */
  load_edit_store (b.bundle, b.outside, "outside", b.outside, b.outside, 0600);
  h = hostname_of (cfg);
  ck_assert_str_eq (h, "default");
  free (h);

  /* crun -f config.json: exactly the default name stays in the bundle */
  display = hs_xasprintf ("%s/config.json", b.bundle);
  load_edit_store (b.bundle, "config.json", "default", display, cfg, 0644);
  free (test_write (b.bundle, "config.json", "{\"hostname\":\"default\"}", 0644));
  /* no -f: the bundle's config.json */
  load_edit_store (b.bundle, NULL, "default", display, cfg, 0644);
  free (display);
  h = hostname_of (cwd_cfg);
  ck_assert_str_eq (h, "hardened"); /* from the ./config.json step only */
  free (h);

  /* no bundle: the current directory */
  ck_assert_int_eq (chdir (b.bundle), 0);
  free (test_write (b.bundle, "config.json", "{\"hostname\":\"cwd\"}", 0644));
  load_edit_store (NULL, NULL, "cwd", "./config.json", cfg, 0644);
  ck_assert_int_eq (fchdir (cwd), 0);
  close (cwd);
  free (cfg);
  free (decoy);
  free (cwd_sub);
  free (cwd_cfg);
  bundle_free (&b);
}
END_TEST

static char *
load_error (const char *bundle, const char *config)
{
  hs_spec_file_t f = { .dirfd = -1 };
  hs_error_t err = NULL;
  char *msg;

  ck_assert_msg (hs_spec_load (bundle, config, &f, &err) < 0, "load of %s/%s succeeded", bundle,
                 config ? config : "config.json");
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

START_TEST (test_load_refusals)
{
  bundle_t b;
  char *cfg, *msg, *p;

  bundle_init (&b);
  cfg = hs_xasprintf ("%s/config.json", b.bundle);
  unlink (cfg);
  /* symlinked config.json, even to a good file */
  ck_assert_int_eq (symlink (b.outside, cfg), 0);
  msg = load_error (b.bundle, NULL);
  ck_assert_msg (strstr (msg, "config.json` is a symbolic link"), "got `%s`", msg);
  ck_assert_msg (strstr (msg, b.bundle), "message names the bundle: `%s`", msg);
  free (msg);
  /* a symlinked --config file */
  p = hs_xasprintf ("%s/sub/link.json", b.bundle);
  ck_assert_int_eq (symlink (b.outside, p), 0);
  msg = load_error (b.bundle, p);
  ck_assert_msg (strstr (msg, "symbolic link"), "got `%s`", msg);
  free (msg);
  free (p);
  unlink (cfg);
  /* a directory, a FIFO */
  ck_assert_int_eq (mkdir (cfg, 0755), 0);
  msg = load_error (b.bundle, NULL);
  ck_assert_msg (strstr (msg, "not a regular file"), "got `%s`", msg);
  free (msg);
  rmdir (cfg);
  ck_assert_int_eq (mkfifo (cfg, 0644), 0);
  msg = load_error (b.bundle, NULL);
  ck_assert_msg (strstr (msg, "not a regular file"), "got `%s`", msg);
  free (msg);
  unlink (cfg);
  /* missing file, missing bundle, missing --config directory */
  msg = load_error (b.bundle, NULL);
  ck_assert_msg (strstr (msg, "No such file"), "got `%s`", msg);
  free (msg);
  msg = load_error ("/nonexistent-bundle-x", NULL);
  ck_assert_msg (strstr (msg, "bundle") && strstr (msg, "/nonexistent-bundle-x"), "got `%s`", msg);
  free (msg);
  msg = load_error (b.bundle, "/nonexistent-dir-x/c.json");
  ck_assert_msg (strstr (msg, "/nonexistent-dir-x/c.json"), "got `%s`", msg);
  free (msg);
  /* bad JSON: the message names the file */
  free (test_write (b.bundle, "config.json", "{\"a\":1,\"a\":2}", 0644));
  msg = load_error (b.bundle, NULL);
  ck_assert_msg (strstr (msg, cfg) && strstr (msg, "duplicate key `a`"), "got `%s`", msg);
  free (msg);
  /* over 16 MiB */
  {
    size_t n = HS_JSON_MAX_BYTES + 1;
    char *big = hs_xmalloc (n + 1);
    memset (big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    free (test_write (b.bundle, "config.json", big, 0644));
    msg = load_error (b.bundle, NULL);
    ck_assert_msg (strstr (msg, "over the limit of 16777216"), "got `%s`", msg);
    free (msg);
    free (big);
  }
  free (cfg);
  bundle_free (&b);
}
END_TEST

static Suite *
spec_suite (void)
{
  Suite *s = suite_create ("spec");
  TCase *tc = tcase_create ("spec");

  tcase_add_loop_test (tc, test_validate, 0, sizeof (validate_cases) / sizeof (validate_cases[0]));
  tcase_add_test (tc, test_process_validate);
  tcase_add_test (tc, test_captures_valid);
  tcase_add_test (tc, test_load_config_paths);
  tcase_add_test (tc, test_load_refusals);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (spec_suite ())
