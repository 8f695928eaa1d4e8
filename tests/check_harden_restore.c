/* restore control: a checkpoint is refused unless host policy trusts it
 * for the container's scope; a trusted one is still refused with the flags
 * that reach past its config. Table: (policy, config, restore flags) ->
 * verdict. */
#include "harden_golden.h"

#define CFG(ann, linux_)                                                                           \
  "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]},\"annotations\":{" ann                \
  "},\"linux\":{" linux_ "}}"
#define TRUSTED_ANN "\"org.hardshim.exception.restore.checkpoint\":\"trusted\""
#define TEAM "\"example.com/team\":\"blue\""
#define TRUST_BLUE                                                                                 \
  "{\"restore\":{\"mode\":\"enforce\",\"overridable\":true},\"exceptions\":{\"ckpt\":{\"scope\":"  \
  "{\"annotations\":{\"example.com/team\":[\"blue\"]}},\"allow\":{\"restore\":{\"checkpoint\":"    \
  "[\"trusted\"]}}}}}"
#define LABEL "system_u:object_r:container_file_t:s0:c1,c2"
#define UNTRUSTED "hardshim cannot see inside a CRIU checkpoint"

typedef struct
{
  const char *name;
  const char *policy; /* NULL: restricted */
  const char *config;
  bool restore;
  const char *cgroups_mode;
  bool ext_unix_sk;
  const char *mount_context;
  const char *verdict;    /* NULL: admitted */
  const char *image_path; /* NULL: /usr, root's */
} restore_case_t;

static const restore_case_t cases[] = {
  { "create: the control does nothing", NULL, CFG ("", ""), false, "full", true, "x", NULL },
  { "restore: refused by default", NULL, CFG ("", ""), true, NULL, false, NULL, UNTRUSTED },
  { "restore: the annotation alone is not trust", NULL, CFG (TRUSTED_ANN "," TEAM, ""), true, NULL,
    false, NULL, UNTRUSTED },
  { "restore: trusted in scope", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true, NULL, false,
    NULL, NULL },
  { "restore: out of scope", TRUST_BLUE, CFG (TRUSTED_ANN ",\"example.com/team\":\"red\"", ""),
    true, NULL, false, NULL, UNTRUSTED },
  { "restore: in scope without the annotation", TRUST_BLUE, CFG (TEAM, ""), true, NULL, false, NULL,
    UNTRUSTED },
  { "restore: another value than trusted", TRUST_BLUE,
    CFG ("\"org.hardshim.exception.restore.checkpoint\":\"yes\"," TEAM, ""), true, NULL, false,
    NULL, UNTRUSTED },
  { "restore: the control off", "{\"restore\":{\"mode\":\"off\"}}", CFG ("", ""), true, "full",
    true, "x", NULL },
  { "restore: audit mode records only", "{\"restore\":{\"mode\":\"audit\"}}", CFG ("", ""), true,
    "full", true, NULL, NULL },
  { "trusted: --manage-cgroups-mode soft", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true, "soft",
    false, NULL, NULL },
  { "trusted: --manage-cgroups-mode ignore", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true,
    "ignore", false, NULL, NULL },
  { "trusted: --manage-cgroups-mode full refused", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true,
    "full", false, NULL, "`--manage-cgroups-mode full` has CRIU restore the checkpoint's cgroup" },
  { "trusted: --manage-cgroups-mode strict refused", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""),
    true, "strict", false, NULL, "`--manage-cgroups-mode strict`" },
  { "trusted: unknown --manage-cgroups-mode refused", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""),
    true, "Soft", false, NULL, "is not one hardshim knows" },
  { "trusted: --ext-unix-sk refused", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true, NULL, true,
    NULL, "`--ext-unix-sk` has CRIU reconnect" },
  { "trusted: --lsm-mount-context the config's own", TRUST_BLUE,
    CFG (TRUSTED_ANN "," TEAM, "\"mountLabel\":\"" LABEL "\""), true, NULL, false, LABEL, NULL },
  { "trusted: --lsm-mount-context another container's", TRUST_BLUE,
    CFG (TRUSTED_ANN "," TEAM, "\"mountLabel\":\"" LABEL "\""), true, NULL, false,
    "system_u:object_r:container_file_t:s0:c3,c4", "is not the container's linux.mountLabel" },
  { "trusted: --lsm-mount-context without a mountLabel", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""),
    true, NULL, false, LABEL, "(none set)" },
  { "trusted: --lsm-mount-context unconfined", TRUST_BLUE,
    CFG (TRUSTED_ANN "," TEAM, "\"mountLabel\":\"" LABEL "\""), true, NULL, false,
    "system_u:object_r:spc_t:s0", "has an unconfined type" },
  { "trusted: --lsm-mount-context unconfined_t", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true,
    NULL, false, "unconfined_u:unconfined_r:unconfined_t:s0", "has an unconfined type" },
  { "trusted: --lsm-mount-context not a label", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true,
    NULL, false, "container_file_t", "is not a valid SELinux context" },
  { "trusted: a checkpoint directory others may write", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""),
    true, NULL, false, NULL, "checkpoint directory `/tmp` is writable by group or others", "/tmp" },
  { "trusted: a missing checkpoint directory (others could make it)", TRUST_BLUE,
    CFG (TRUSTED_ANN "," TEAM, ""), true, NULL, false, NULL, "does not exist",
    "/tmp/hardshim-no-such-checkpoint" },
  { "trusted: root's checkpoint directory", TRUST_BLUE, CFG (TRUSTED_ANN "," TEAM, ""), true, NULL,
    false, NULL, NULL, "/usr" },
};

START_TEST (test_golden)
{
  const restore_case_t *c = &cases[_i];
  hs_policy_t *policy = golden_policy (c->policy);
  hs_json_t *spec = test_parse (c->config);
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_error_t err = NULL;
  const char *only[] = { "restore", NULL };
  hs_container_t ctr = {
    .id = "c1",
    .restore = c->restore,
    .restore_cgroups_mode = c->cgroups_mode,
    .restore_ext_unix_sk = c->ext_unix_sk,
    .restore_mount_context = c->mount_context,
    .restore_image_path = c->image_path ? c->image_path : "/usr",
  };
  int r;

  hs_audit_init (&audit, c->restore ? "restore" : "create", "c1", "/bundle", policy->digest);
  {
    hs_harden_t h = {
      .spec = spec,
      .policy = policy,
      .host = &host,
      .audit = &audit,
      .target = HS_TARGET_CONFIG,
      .ctr = &ctr,
    };
    r = hs_harden_run_only (&h, only, &err);
  }
  if (c->verdict != NULL)
    {
      ck_assert_msg (r < 0, "%s: admitted", c->name);
      ck_assert_msg (hs_error_is_refusal (&err), "%s: not a refusal: %s", c->name, err->msg);
      ck_assert_msg (strstr (err->msg, c->verdict) && strstr (err->msg, "control `restore`"),
                     "%s: `%s` lacks `%s`", c->name, err->msg, c->verdict);
    }
  else
    ck_assert_msg (r == 0, "%s: refused: %s", c->name, err ? err->msg : "");
  hs_error_release (&err);
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (policy);
}
END_TEST

START_TEST (test_settings)
{
  char *msg = golden_policy_error ("{\"restore\":{\"images\":\"trust\"}}");

  ck_assert_msg (msg && strstr (msg, "restore.images"), "%s", msg ? msg : "(valid)");
  free (msg);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("harden_restore");
  TCase *tc = tcase_create ("golden");

  tcase_add_loop_test (tc, test_golden, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_settings);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
