/* privileged control: what `docker run --privileged` and `podman run
 * --privileged` produce is refused; near misses are admitted. */
#include "harden_golden.h"

#define MSG "privileged containers are not allowed by host policy"
#define LINUX(l) "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]},\"linux\":" l "}"
#define ALLOW_ALL "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}"

static const golden_t cases[] = {
  { "docker run --privileged", "privileged", NULL, "@controls-a/docker-privileged.json", NULL,
    MSG " (control `privileged`, `process.capabilities.bounding`)", "\"action\":\"refused\"", false,
    NULL },
  { "podman run --privileged", "privileged", NULL, "@controls-a/podman-privileged.json", NULL,
    MSG " (control `privileged`, `process.capabilities.bounding`)", NULL, false, NULL },
  { "podman run --privileged --cap-drop all: no masking, no seccomp, all devices", "privileged",
    NULL, "@controls-a/podman-privileged-cap-drop-all.json", NULL,
    MSG " (control `privileged`, `linux.resources.devices[1]`)", NULL, false, NULL },
  { "every capability but one: not privileged", "privileged", NULL,
    "@controls-a/docker-privileged-minus-sys-admin.json", NULL, NULL, NULL, false, NULL },
  { "docker default config admitted", "privileged", NULL, "@captures/docker-20.10-config.json",
    NULL, NULL, NULL, false, NULL },
  { "podman default config admitted", "privileged", NULL, "@captures/podman-4.3-config.json", NULL,
    NULL, NULL, false, NULL },
  { "containerd default config admitted", "privileged", NULL,
    "@captures/containerd-1.6-ctr-config.json", NULL, NULL, NULL, false, NULL },
  { "no masking, no seccomp, allow-all device rule", "privileged", NULL, LINUX ("{" ALLOW_ALL "}"),
    NULL, MSG " (control `privileged`, `linux.resources.devices[0]`)", NULL, false, NULL },
  { "allow-all rule spelled with type a and majors -1", "privileged", NULL,
    LINUX ("{\"maskedPaths\":[],\"seccomp\":null,\"resources\":{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"a\",\"major\":-1,\"minor\":null,\"access\":\"rwm\"}]}}"),
    NULL, "`linux.resources.devices[1]`", NULL, false, NULL },
  { "masked paths present: admitted", "privileged", NULL,
    LINUX ("{\"maskedPaths\":[\"/proc/kcore\"]," ALLOW_ALL "}"), NULL, NULL, NULL, false, NULL },
  { "seccomp present: admitted", "privileged", NULL,
    LINUX ("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}," ALLOW_ALL "}"), NULL, NULL, NULL,
    false, NULL },
  { "a rule for one device type only: admitted", "privileged", NULL,
    LINUX ("{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"c\",\"access\":\"rwm\"}]}}"),
    NULL, NULL, NULL, false, NULL },
  { "a rule for one major only: admitted", "privileged", NULL,
    LINUX ("{\"resources\":{\"devices\":[{\"allow\":true,\"major\":1,\"access\":\"rwm\"}]}}"), NULL,
    NULL, NULL, false, NULL },
  { "deny-all rule: admitted", "privileged", NULL,
    LINUX ("{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}}"), NULL, NULL,
    NULL, false, NULL },
  { "no linux section at all: admitted", "privileged", NULL,
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}", NULL, NULL, NULL, false, NULL },
  { "audit mode records and admits", "privileged", "{\"privileged\":{\"mode\":\"audit\"}}",
    "@controls-a/docker-privileged.json", NULL, NULL, "\"action\":\"would-refuse\"", false, NULL },
  { "reject mode refuses too", "privileged", "{\"privileged\":{\"mode\":\"reject\"}}",
    "@controls-a/podman-privileged-cap-drop-all.json", NULL, MSG, NULL, false, NULL },
  { "runs before capabilities: the engine's config is judged", "privileged,capabilities", NULL,
    "@controls-a/docker-privileged.json", NULL, MSG, NULL, false, NULL },
};

START_TEST (test_golden)
{
  golden_run (&cases[_i]);
}
END_TEST

START_TEST (test_pre_1_0_array_form)
{
  /* every capability in the old single-list form */
  char *text = test_read_data ("controls-a/docker-privileged.json", NULL);
  hs_json_t *cfg = test_parse (text);
  hs_json_t *caps = hs_json_path (cfg, "process", "capabilities", NULL);
  hs_json_t *all = hs_json_dup (hs_json_get (caps, "bounding"));
  char *out;
  golden_t g = { "array form", "privileged", NULL,
                 NULL,         NULL,         MSG " (control `privileged`, `process.capabilities`)",
                 NULL,         false,        NULL };

  hs_json_set (hs_json_get (cfg, "process"), "capabilities", all);
  out = test_emit (cfg);
  g.config = out;
  golden_run (&g);
  free (out);
  free (text);
  hs_json_free (cfg);
}
END_TEST

START_TEST (test_settings)
{
  char *msg = golden_policy_error ("{\"privileged\":{\"allow\":true}}");
  ck_assert_msg (msg && strstr (msg, "policy key `privileged.allow`: unknown setting"), "%s", msg);
  free (msg);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("harden_privileged");
  TCase *tc = tcase_create ("golden");

  tcase_add_loop_test (tc, test_golden, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_pre_1_0_array_form);
  tcase_add_test (tc, test_settings);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
