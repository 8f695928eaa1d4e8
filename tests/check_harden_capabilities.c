/* capabilities control: golden table and policy errors. */
#include "harden/caps.h"
#include "harden_golden.h"

#include <ctype.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>

#define CFG(caps) "{\"ociVersion\":\"1.0.2\",\"process\":{\"capabilities\":" caps "}}"
#define PROC(caps) "{\"args\":[\"sh\"],\"capabilities\":" caps "}"

static const golden_t cases[] = {
  { "over-privileged: all sets cut, inheritable and ambient emptied", "capabilities", NULL,
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_NET_RAW\",\"CAP_KILL\"],"
         "\"effective\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_NET_RAW\",\"CAP_KILL\"],"
         "\"permitted\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_NET_RAW\",\"CAP_KILL\"],"
         "\"inheritable\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],"
         "\"ambient\":[\"CAP_CHOWN\"]}"),
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
         "\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"inheritable\":[],\"ambient\":[]}"),
    NULL,
    "\"path\":\"process.capabilities.bounding\",\"before\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\","
    "\"CAP_NET_RAW\",\"CAP_KILL\"],\"after\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"action\":\"changed\","
    "\"message\":\"removed CAP_NET_RAW, CAP_SYS_ADMIN",
    false, NULL },
  { "effective and permitted cut to bounding", "capabilities", NULL,
    CFG ("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
         "\"permitted\":[\"CAP_KILL\"]}"),
    CFG ("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\"],\"permitted\":[]}"), NULL,
    "\"path\":\"process.capabilities.permitted\",\"before\":[\"CAP_KILL\"],\"after\":[]", false,
    NULL },
  { "absent bounding: the runtime drops every bounding capability", "capabilities", NULL,
    CFG ("{\"effective\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_CHOWN\"]}"),
    CFG ("{\"effective\":[],\"permitted\":[]}"), NULL, NULL, false, NULL },
  { "keep_inheritable and keep_ambient: ambient within permitted and inheritable", "capabilities",
    "{\"capabilities\":{\"keep_inheritable\":true,\"keep_ambient\":true}}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\"],"
         "\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
         "\"inheritable\":[\"CAP_CHOWN\",\"CAP_SETUID\",\"CAP_SYS_ADMIN\"],"
         "\"ambient\":[\"CAP_CHOWN\",\"CAP_SETUID\",\"CAP_KILL\"]}"),
    CFG (
        "{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\"],"
        "\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"inheritable\":[\"CAP_CHOWN\",\"CAP_SETUID\"],"
        "\"ambient\":[\"CAP_CHOWN\"]}"),
    NULL, NULL, false, NULL },
  { "compliant config unchanged", "capabilities", NULL,
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_AUDIT_WRITE\"],\"effective\":[\"CAP_CHOWN\"],"
         "\"permitted\":[\"CAP_CHOWN\"],\"inheritable\":[],\"ambient\":null}"),
    NULL, NULL, NULL, false, NULL },
  { "never adds: allowed but absent capabilities stay absent", "capabilities",
    "{\"capabilities\":{\"allow\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[]}"), NULL, NULL, NULL, false, NULL },
  { "custom allow list replaces the preset's", "capabilities",
    "{\"capabilities\":{\"allow\":[\"CAP_NET_RAW\"]}}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\"],\"effective\":[\"CAP_NET_RAW\"]}"),
    CFG ("{\"bounding\":[\"CAP_NET_RAW\"],\"effective\":[\"CAP_NET_RAW\"]}"), NULL, NULL, false,
    NULL },
  { "empty allow list drops everything", "capabilities", "{\"capabilities\":{\"allow\":[]}}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\"]}"),
    CFG ("{\"bounding\":[],\"effective\":[]}"), NULL, NULL, false, NULL },
  { "unknown name in the config refused, naming its index", "capabilities", NULL,
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_FOO\"]}"), NULL,
    "unknown capability `CAP_FOO` (control `capabilities`, `process.capabilities.bounding[2]`)",
    NULL, false, NULL },
  { "a number is not a capability name", "capabilities", NULL,
    CFG ("{\"bounding\":[],\"effective\":[\"21\"]}"), NULL, "`process.capabilities.effective[0]`",
    NULL, false, NULL },
  { "lower-case names are judged by what they name", "capabilities", NULL,
    CFG ("{\"bounding\":[\"cap_chown\",\"cap_sys_admin\"]}"),
    CFG ("{\"bounding\":[\"cap_chown\"]}"), NULL, "removed CAP_SYS_ADMIN", false, NULL },
  { "duplicates kept as written when allowed", "capabilities", NULL,
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}"),
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_CHOWN\"]}"), NULL, NULL, false, NULL },
  { "pre-1.0 array form cut to the allow list", "capabilities", NULL,
    CFG ("[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_SYS_MODULE\"]"), CFG ("[\"CAP_CHOWN\"]"), NULL,
    "\"path\":\"process.capabilities\",\"before\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_SYS_"
    "MODULE\"]",
    false, NULL },
  { "pre-1.0 array form with an unknown name refused", "capabilities", NULL,
    CFG ("[\"CAP_CHOWN\",\"CAP_NOPE\"]"), NULL, "`process.capabilities[1]`", NULL, false, NULL },
  { "no capabilities: nothing to do", "capabilities", NULL,
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}", NULL, NULL, NULL, false, NULL },
  { "no process: nothing to do", "capabilities", NULL, "{\"ociVersion\":\"1.0.2\"}", NULL, NULL,
    NULL, false, NULL },
  { "reject mode refuses instead of cutting", "capabilities",
    "{\"capabilities\":{\"mode\":\"reject\"}}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}"), NULL,
    "removed CAP_SYS_ADMIN: not in the host policy's capabilities.allow (control `capabilities` "
    "is in reject mode)",
    "\"action\":\"refused\"", false, NULL },
  { "audit mode records and changes nothing", "capabilities",
    "{\"capabilities\":{\"mode\":\"audit\"}}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}"), NULL, NULL,
    "\"action\":\"would-change\"", false, NULL },
  { "policy mode audit overrides enforce", "capabilities", "{\"mode\":\"audit\"}",
    CFG ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}"), NULL, NULL,
    "\"action\":\"would-change\"", false, NULL },
  { "off mode: untouched", "capabilities", "{\"capabilities\":{\"mode\":\"off\"}}",
    CFG ("{\"bounding\":[\"CAP_SYS_ADMIN\"]}"), NULL, NULL, NULL, false, NULL },
  { "Docker 20.10 default config: NET_RAW and MKNOD go", "capabilities", NULL,
    "@captures/docker-20.10-config.json", "@controls-a/docker-20.10-capabilities-hardened.json",
    NULL, "removed CAP_NET_RAW, CAP_MKNOD", false, NULL },
  { "baseline preset keeps Docker's defaults", "capabilities", "{\"preset\":\"baseline\"}",
    "@captures/docker-20.10-config.json", NULL, NULL, NULL, false, NULL },
  { "exec: process file cut to the policy without a container", "capabilities", NULL,
    PROC ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SYS_ADMIN\"],"
          "\"effective\":[\"CAP_SYS_ADMIN\",\"CAP_KILL\"]}"),
    PROC ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"]}"), NULL, NULL,
    true, NULL },
  { "exec: process file cut to the container's bounding set", "capabilities", NULL,
    PROC ("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SYS_ADMIN\"],"
          "\"effective\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SYS_ADMIN\"]}"),
    PROC ("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\"]}"), NULL,
    "the container's bounding set", true, CFG ("{\"bounding\":[\"CAP_CHOWN\"]}") },
  { "exec: a container without capabilities gives an exec none", "capabilities", NULL,
    PROC ("{\"bounding\":[\"CAP_CHOWN\"]}"), PROC ("{\"bounding\":[]}"), NULL, NULL, true,
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}" },
  { "exec: the container's config never loosens the policy", "capabilities", NULL,
    PROC ("{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}"),
    PROC ("{\"bounding\":[\"CAP_CHOWN\"]}"), NULL, NULL, true,
    CFG ("{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}") },
  { "exec: a non-string entry refused", "capabilities", NULL,
    PROC ("{\"bounding\":[\"CAP_CHOWN\",7]}"), NULL,
    "expected a string, got number (control `capabilities`, `process.capabilities.bounding[1]`)",
    NULL, true, NULL },
  { "exec: wrong type refused", "capabilities", NULL, PROC ("{\"bounding\":\"CAP_CHOWN\"}"), NULL,
    "`process.capabilities.bounding`", NULL, true, NULL },
  { "exec: process file without capabilities keeps the container's", "capabilities", NULL,
    "{\"args\":[\"sh\"]}", NULL, NULL, NULL, true, NULL },
};

/* The name table: every capability of the kernel header has its name and
 * round-trips, in any case; what runtimes refuse is refused; the kernel's
 * capabilities are what /proc says it has. */
START_TEST (test_cap_names)
{
  static const char *const refused[]
      = { "all",       "CAP_",           "cap_all",       "21", "CAP_21",
          "SYS_ADMIN", "CAP_SYS_ADMIN ", "CAP_NOT_A_CAP", "" };
  FILE *f;
  int last = -1;

  for (int v = 0; v <= CAP_LAST_CAP; v++)
    {
      char *n = hs_cap_name (v), *lower = hs_xstrdup (n);

      ck_assert_msg (strncmp (n, "CAP_", 4) == 0 && !isdigit ((unsigned char) n[4]),
                     "capability %d has no name: %s", v, n);
      ck_assert_int_eq (hs_cap_from_name (n), v);
      for (char *p = lower; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
      ck_assert_int_eq (hs_cap_from_name (lower), v);
      free (lower);
      free (n);
    }
  ck_assert_int_eq (hs_cap_from_name ("CAP_SYS_ADMIN"), 21);
  ck_assert_int_eq (hs_cap_from_name ("Cap_Chown"), 0);
  for (size_t i = 0; i < sizeof (refused) / sizeof (refused[0]); i++)
    ck_assert_msg (hs_cap_from_name (refused[i]) == -1, "`%s` accepted", refused[i]);
  ck_assert_int_eq (hs_cap_from_name (NULL), -1);
  {
    char *n = hs_cap_name (CAP_LAST_CAP + 1);
    char *want = hs_xasprintf ("CAP_%d", CAP_LAST_CAP + 1);

    ck_assert_str_eq (n, want);
    free (n);
    free (want);
  }
  f = fopen ("/proc/sys/kernel/cap_last_cap", "r");
  ck_assert_ptr_nonnull (f);
  ck_assert_int_eq (fscanf (f, "%d", &last), 1);
  fclose (f);
  if (last > CAP_LAST_CAP)
    last = CAP_LAST_CAP;
  ck_assert_uint_eq (hs_cap_all (), (UINT64_C (1) << (last + 1)) - 1);
}
END_TEST

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
  { "{\"capabilities\":{\"allow\":[\"CAP_CHOWN\",\"CAP_FOO\"]}}",
    "policy key `capabilities.allow[1]`: unknown capability `CAP_FOO`" },
  { "{\"capabilities\":{\"allow\":[\"all\"]}}", "policy key `capabilities.allow[0]`: unknown" },
  { "{\"capabilities\":{\"allow\":[\"12\"]}}", "policy key `capabilities.allow[0]`: unknown" },
  { "{\"capabilities\":{\"allow\":\"CAP_CHOWN\"}}",
    "policy key `capabilities.allow`: expected an array of strings, got string" },
  { "{\"capabilities\":{\"allow\":[1]}}", "policy key `capabilities.allow[0]`: expected a string" },
  { "{\"capabilities\":{\"keep_inheritable\":\"yes\"}}",
    "policy key `capabilities.keep_inheritable`: expected true or false" },
  { "{\"capabilities\":{\"keep_ambient\":true}}",
    "policy key `capabilities.keep_ambient`: conflicts with `capabilities.keep_inheritable`" },
  { "{\"capabilities\":{\"alow\":[]}}", "policy key `capabilities.alow`: unknown setting" },
  { "{\"capabilities\":{\"mode\":\"enforcing\"}}", "policy key `capabilities.mode`" },
  { "{\"capabilities\":[\"CAP_CHOWN\"]}", "policy key `capabilities`: expected an object" },
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

START_TEST (test_presets_valid)
{
  for (size_t i = 0; hs_policy_preset_names[i] != NULL; i++)
    {
      char *text = hs_xasprintf ("{\"preset\":\"%s\"}", hs_policy_preset_names[i]);
      char *msg = golden_policy_error (text);
      ck_assert_msg (msg == NULL, "preset %s: %s", hs_policy_preset_names[i], msg);
      free (text);
    }
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("harden_capabilities");
  TCase *tc = tcase_create ("golden");

  tcase_add_loop_test (tc, test_golden, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_loop_test (tc, test_policy_errors, 0,
                       sizeof (policy_errors) / sizeof (policy_errors[0]));
  tcase_add_test (tc, test_presets_valid);
  tcase_add_test (tc, test_cap_names);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (suite ())
