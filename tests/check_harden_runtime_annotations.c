/* runtime_annotations control: annotations that make crun or runc weaken
 * isolation are removed (enforce) or refused (reject); others stay. */
#include "harden_golden.h"

#define ANN(a) "{\"ociVersion\":\"1.0.2\",\"annotations\":{" a "}}"

static const golden_t cases[] = {
  { "crun seccomp_bpf_data removed", "runtime_annotations", NULL,
    ANN ("\"run.oci.seccomp_bpf_data\":\"AAAA\",\"io.kubernetes.pod.name\":\"p\""),
    ANN ("\"io.kubernetes.pod.name\":\"p\""), NULL,
    "\"path\":\"annotations.run.oci.seccomp_bpf_data\",\"before\":\"AAAA\",\"after\":null,"
    "\"action\":\"changed\",\"message\":\"annotation weakens isolation (crun ignores "
    "linux.seccomp",
    false, NULL },
  { "every weakening crun and runc annotation removed", "runtime_annotations", NULL,
    ANN ("\"run.oci.seccomp.plugins\":\"/x.so\",\"run.oci.seccomp.receiver\":\"/s\","
         "\"run.oci.keep_original_groups\":\"1\",\"run.oci.hooks.stdout\":\"/etc/shadow\","
         "\"run.oci.hooks.stderr\":\"/f\",\"run.oci.systemd.force_cgroup_v1\":\"/sys/fs/cgroup\","
         "\"run.oci.systemd.subgroup\":\"\",\"run.oci.delegate-cgroup\":\"d\","
         "\"run.oci.handler\":\"wasm\",\"run.oci.pidfd_receiver\":\"/p\","
         "\"run.oci.something_new\":\"1\",\"org.systemd.property.DeviceAllow\":\"'char-* rwm'\","
         "\"org.systemd.property.Delegate\":\"true\",\"org.criu.config\":\"/x\","
         "\"org.opencontainers.image.title\":\"t\""),
    ANN ("\"org.opencontainers.image.title\":\"t\""), NULL, "org.systemd.property.DeviceAllow",
    false, NULL },
  { "preset allow list keeps harmless crun annotations", "runtime_annotations", NULL,
    ANN ("\"run.oci.seccomp_fail_unknown_syscall\":\"1\",\"run.oci.timens_offset\":\"monotonic 1 "
         "0\","
         "\"run.oci.mount_context_type\":\"context\""),
    NULL, NULL, NULL, false, NULL },
  { "policy allow: exact name and prefix", "runtime_annotations",
    "{\"runtime_annotations\":{\"allow\":[\"run.oci.handler\",\"org.systemd.property.*\"]}}",
    ANN ("\"run.oci.handler\":\"krun\",\"org.systemd.property.CPUWeight\":\"10\","
         "\"run.oci.keep_original_groups\":\"1\""),
    ANN ("\"run.oci.handler\":\"krun\",\"org.systemd.property.CPUWeight\":\"10\""), NULL, NULL,
    false, NULL },
  { "allow is exact: a longer name is not allowed", "runtime_annotations",
    "{\"runtime_annotations\":{\"allow\":[\"run.oci.handler\"]}}",
    ANN ("\"run.oci.handlerx\":\"1\""), ANN (""), NULL, NULL, false, NULL },
  { "names are matched exactly: case variants are other annotations", "runtime_annotations", NULL,
    ANN ("\"Run.OCI.seccomp_bpf_data\":\"AAAA\""), NULL, NULL, NULL, false, NULL },
  { "reject mode refuses", "runtime_annotations", "{\"runtime_annotations\":{\"mode\":\"reject\"}}",
    ANN ("\"run.oci.seccomp_bpf_data\":\"AAAA\""), NULL,
    "`annotations.run.oci.seccomp_bpf_data`: annotation weakens isolation",
    "\"action\":\"refused\"", false, NULL },
  { "audit mode records only", "runtime_annotations",
    "{\"runtime_annotations\":{\"mode\":\"audit\"}}", ANN ("\"run.oci.seccomp_bpf_data\":\"AAAA\""),
    NULL, NULL, "\"action\":\"would-change\"", false, NULL },
  { "no annotations", "runtime_annotations", NULL, "{\"ociVersion\":\"1.0.2\"}", NULL, NULL, NULL,
    false, NULL },
  { "engine captures unchanged", "runtime_annotations", NULL, "@captures/podman-4.3-config.json",
    NULL, NULL, NULL, false, NULL },
};

START_TEST (test_golden)
{
  golden_run (&cases[_i]);
}
END_TEST

static const struct
{
  const char *policy;
  const char *error;
} policy_errors[] = {
  { "{\"runtime_annotations\":{\"allow\":\"run.oci.handler\"}}",
    "policy key `runtime_annotations.allow`: expected an array of strings" },
  { "{\"runtime_annotations\":{\"allow\":[\"*\"]}}", "policy key `runtime_annotations.allow[0]`" },
  { "{\"runtime_annotations\":{\"allow\":[\"a\",\"\"]}}",
    "policy key `runtime_annotations.allow[1]`" },
  { "{\"runtime_annotations\":{\"allow\":[\"run.*.x\"]}}",
    "policy key `runtime_annotations.allow[0]`" },
  { "{\"runtime_annotations\":{\"deny\":[]}}",
    "policy key `runtime_annotations.deny`: unknown setting" },
};

START_TEST (test_policy_errors)
{
  char *msg = golden_policy_error (policy_errors[_i].policy);

  ck_assert_msg (msg != NULL, "accepted: %s", policy_errors[_i].policy);
  ck_assert_msg (strstr (msg, policy_errors[_i].error) != NULL, "`%s` lacks `%s`", msg,
                 policy_errors[_i].error);
  free (msg);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("harden_runtime_annotations");
  TCase *tc = tcase_create ("golden");

  tcase_add_loop_test (tc, test_golden, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_loop_test (tc, test_policy_errors, 0,
                       sizeof (policy_errors) / sizeof (policy_errors[0]));
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
