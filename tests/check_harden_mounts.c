/* mounts: golden table (tests/data/harden/mounts.json), the engines'
 * configs (also under all of controls-b's controls together), symlinked
 * and relative bind sources. */
#include "harden_golden_b.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *const all_b[] = {
  "readonly_rootfs", "mounts",  "masked_paths", "namespaces", "devices",
  "sysctls",         "rlimits", "hooks",        NULL,
};

/* Refusal (or NULL) for one bind mount of `source` under the default policy. */
static char *
bind_verdict (const char *source, const char *bundle)
{
  cleanup_free char *ptext = golden_policy_text ("mounts", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = test_parse ("{\"root\":{\"path\":\"r\"},\"mounts\":[{"
                                               "\"destination\":\"/m\",\"type\":\"bind\"}]}");
  hs_audit_t audit;
  char *refusal;

  hs_json_set_exact (config->items[1]->items[0], "source", hs_json_new_string (source));
  hs_audit_init (&audit, "create", "t", bundle, p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  return refusal;
}

START_TEST (test_symlinks_resolved)
{
  char dir[] = "/tmp/hs-mounts-XXXXXX";
  cleanup_free char *to_etc = NULL, *to_root = NULL, *sock = NULL, *plain = NULL;
  cleanup_free char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL, *r5 = NULL, *r6 = NULL;

  ck_assert (mkdtemp (dir) != NULL);
  to_etc = hs_xasprintf ("%s/innocent", dir);
  to_root = hs_xasprintf ("%s/up", dir);
  sock = hs_xasprintf ("%s/api", dir);
  plain = hs_xasprintf ("%s/data", dir);
  ck_assert_int_eq (symlink ("/etc", to_etc), 0);
  ck_assert_int_eq (symlink ("../../", to_root), 0);
  ck_assert_int_eq (symlink ("/run/docker.sock", sock), 0); /* dangling is fine */
  ck_assert_int_eq (mkdir (plain, 0700), 0);

  r1 = bind_verdict (to_etc, ".");
  r2 = bind_verdict (to_root, ".");
  r3 = bind_verdict (sock, ".");
  r4 = bind_verdict (plain, ".");
  r5 = bind_verdict ("innocent", dir); /* relative: against the bundle */
  r6 = bind_verdict ("data/../innocent/x", dir);
  unlink (to_etc);
  unlink (to_root);
  unlink (sock);
  rmdir (plain);
  rmdir (dir);
  ck_assert_msg (r1 && strstr (r1, "(resolved: /etc)"), "%s", r1 ? r1 : "admitted");
  ck_assert_msg (r2 && strstr (r2, "(resolved: /)"), "%s", r2 ? r2 : "admitted");
  ck_assert_msg (r3 && strstr (r3, "(resolved: /run/docker.sock)"), "%s", r3 ? r3 : "admitted");
  ck_assert_msg (r4 == NULL, "%s", r4);
  ck_assert_msg (r5 && strstr (r5, "(resolved: /etc)"), "%s", r5 ? r5 : "admitted");
  /* /etc/x: a file under /etc is allowed by default (exact list) */
  ck_assert_msg (r6 == NULL, "%s", r6);
}
END_TEST

START_TEST (test_captures_all_controls_b)
{
  static const char *const captures[] = {
    "captures/docker-20.10-config.json",
    "captures/podman-4.3-config.json",
    "captures/containerd-1.6-ctr-config.json",
  };
  cleanup_free char *ptext = golden_policy_text ("mounts", NULL, all_b);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);

  ck_assert_msg (p != NULL, "%s", perr);
  for (size_t i = 0; i < 3; i++)
    {
      cleanup_free char *text = test_read_data (captures[i], NULL);
      cleanup_json hs_json_t *config = test_parse (text);
      cleanup_free char *refusal = NULL;
      hs_audit_t audit;

      hs_audit_init (&audit, "create", "capture", "/nonexistent", p->digest);
      refusal = golden_harden (config, p, &audit);
      hs_audit_release (&audit);
      ck_assert_msg (refusal == NULL, "%s: %s", captures[i], refusal);
      ck_assert (hs_json_is_true (hs_json_path (config, "root", "readonly", NULL)));
      ck_assert (hs_json_array_find_string (hs_json_path (config, "linux", "maskedPaths", NULL),
                                            "/proc/kcore")
                 >= 0);
    }
}
END_TEST

/* Every preset validates, and under each the engines' configs pass all of
 * controls-b's controls (others off: they have their own tests). */
START_TEST (test_presets_admit_captures)
{
  static const char *const presets[] = { "restricted", "baseline", "audit-only" };
  static const char *const captures[] = {
    "captures/docker-20.10-config.json",
    "captures/podman-4.3-config.json",
    "captures/containerd-1.6-ctr-config.json",
  };

  for (size_t k = 0; k < 3; k++)
    {
      cleanup_free char *base = golden_policy_text ("mounts", NULL, all_b);
      cleanup_free char *ptext = hs_xasprintf ("{\"preset\":\"%s\",%s", presets[k], base + 1);
      cleanup_free char *perr = NULL;
      cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);

      ck_assert_msg (p != NULL, "%s: %s", presets[k], perr);
      ck_assert_str_eq (p->preset, presets[k]);
      for (size_t i = 0; i < 3; i++)
        {
          cleanup_free char *text = test_read_data (captures[i], NULL);
          cleanup_json hs_json_t *config = test_parse (text);
          cleanup_free char *refusal = NULL;
          hs_audit_t audit;

          hs_audit_init (&audit, "create", "capture", "/nonexistent", p->digest);
          refusal = golden_harden (config, p, &audit);
          hs_audit_release (&audit);
          ck_assert_msg (refusal == NULL, "%s, %s: %s", presets[k], captures[i], refusal);
        }
    }
}
END_TEST

GOLDEN_SUITE ("mounts", tcase_add_test (tc, test_symlinks_resolved);
              tcase_add_test (tc, test_captures_all_controls_b);
              tcase_add_test (tc, test_presets_admit_captures))

TEST_MAIN (golden_suite ())
