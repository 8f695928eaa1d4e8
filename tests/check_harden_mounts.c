/* mounts: golden table (tests/data/harden/mounts.json), the engines'
 * configs (also under all of controls-b's controls together), symlinked
 * and relative bind sources, and sources judged by what they are (real
 * mounts in the test's private mount namespace: a volume bound from / or
 * /etc, a mount below an rbind, a proc mount, a socket, a device node,
 * hardshim's own binary). */
#include "harden_golden_b.h"
#include "testfs.h"

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const all_b[] = {
  "readonly_rootfs", "mounts",  "masked_paths", "namespaces", "devices",
  "sysctls",         "rlimits", "hooks",        NULL,
};

/* Refusal (or NULL) for one bind mount of `source` with `opts` under the
 * default policy; *ret_opts (when not NULL) gets the options after. */
static char *
bind_verdict_opts (const char *source, const char *bundle, const char *opts, char **ret_opts)
{
  cleanup_free char *ptext = golden_policy_text ("mounts", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = test_parse ("{\"root\":{\"path\":\"r\"},\"mounts\":[{"
                                               "\"destination\":\"/m\",\"type\":\"bind\"}]}");
  hs_audit_t audit;
  char *refusal;

  hs_json_set_exact (config->items[1]->items[0], "source", hs_json_new_string (source));
  if (opts != NULL)
    hs_json_set_exact (config->items[1]->items[0], "options", test_parse (opts));
  hs_audit_init (&audit, "create", "t", bundle, p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  if (ret_opts != NULL)
    *ret_opts = test_emit (hs_json_get (config->items[1]->items[0], "options"));
  return refusal;
}

static char *
bind_verdict (const char *source, const char *bundle)
{
  return bind_verdict_opts (source, bundle, NULL, NULL);
}

#define REFUSED_WITH(r, text)                                                                      \
  ck_assert_msg ((r) != NULL && strstr ((r), (text)) != NULL, "%s: want `%s`",                     \
                 (r) ? (r) : "admitted", (text))

START_TEST (test_identity_of_sources)
{
  cleanup_free char *dir = test_tmpdir ();
  cleanup_free char *etc = hs_xasprintf ("%s/etc-vol", dir),
                    *root = hs_xasprintf ("%s/root-vol", dir);
  cleanup_free char *outer = hs_xasprintf ("%s/outer", dir),
                    *inner = hs_xasprintf ("%s/outer/in", dir);
  cleanup_free char *proc = hs_xasprintf ("%s/proc-vol", dir),
                    *sockdir = hs_xasprintf ("%s/api", dir);
  cleanup_free char *file = test_write (dir, "passwd", "", 0644);
  cleanup_free char *shadow = test_write (dir, "shadow", "", 0600);
  cleanup_free char *node = hs_xasprintf ("%s/null", dir), *hlink = hs_xasprintf ("%s/hs", dir);
  cleanup_free char *self = realpath ("/proc/self/exe", NULL);
  cleanup_free char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL, *r5 = NULL, *r6 = NULL;
  cleanup_free char *r7 = NULL, *r8 = NULL, *r9 = NULL, *r10 = NULL, *r11 = NULL, *o9 = NULL;
  cleanup_free char *r12 = NULL;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;

  ck_assert_int_eq (mkdir (etc, 0755), 0);
  ck_assert_int_eq (mkdir (root, 0755), 0);
  ck_assert_int_eq (mkdir (outer, 0755), 0);
  ck_assert_int_eq (mkdir (inner, 0755), 0);
  ck_assert_int_eq (mkdir (proc, 0755), 0);
  ck_assert_int_eq (mkdir (sockdir, 0755), 0);
  /* Docker/podman local volumes with o=bind,device=/etc and device=/ */
  ck_assert_int_eq (mount ("/etc", etc, NULL, MS_BIND, NULL), 0);
  ck_assert_int_eq (mount ("/", root, NULL, MS_BIND, NULL), 0);
  ck_assert_int_eq (mount ("/etc", inner, NULL, MS_BIND, NULL), 0);
  ck_assert_int_eq (mount ("proc", proc, "proc", 0, NULL), 0);
  ck_assert_int_eq (mount ("/etc/passwd", file, NULL, MS_BIND, NULL), 0);
  ck_assert_int_eq (mount ("/etc/shadow", shadow, NULL, MS_BIND, NULL), 0);
  snprintf (sa.sun_path, sizeof (sa.sun_path), "%s/docker.sock", sockdir);
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_eq (bind (fd, (struct sockaddr *) &sa, sizeof (sa)), 0);
  ck_assert_int_eq (mknod (node, S_IFCHR | 0666, makedev (1, 3)), 0);
  ck_assert_int_eq (link (self, hlink) == 0 || errno == EXDEV, 1);

  r1 = bind_verdict (etc, ".");
  r2 = bind_verdict (root, ".");
  r3 = bind_verdict_opts (outer, ".", "[\"rbind\"]", NULL);
  r4 = bind_verdict_opts (outer, ".", "[\"bind\"]", NULL);
  r5 = bind_verdict (proc, ".");
  r6 = bind_verdict (sockdir, ".");
  r7 = bind_verdict (node, ".");
  r8 = bind_verdict (self, ".");
  r9 = bind_verdict_opts (file, ".", "[\"bind\",\"rw\"]", &o9);
  r10 = bind_verdict (shadow, ".");
  r11 = access (hlink, F_OK) == 0 ? bind_verdict (hlink, ".")
                                  : hs_xstrdup ("hardshim's own binary");
  r12 = bind_verdict (sa.sun_path, ".");
  close (fd);
  umount2 (etc, MNT_DETACH);
  umount2 (root, MNT_DETACH);
  umount2 (inner, MNT_DETACH);
  umount2 (proc, MNT_DETACH);
  umount2 (file, MNT_DETACH);
  umount2 (shadow, MNT_DETACH);
  test_rm_rf (dir);

  REFUSED_WITH (r1, "it is the host path /etc underneath");
  REFUSED_WITH (r1, "it is the sensitive host path /etc");
  REFUSED_WITH (r2, "it is the host path / underneath");
  REFUSED_WITH (r3, "it is the host path /etc underneath"); /* the mount below comes along */
  ck_assert_msg (r4 == NULL, "%s", r4);                     /* a plain bind leaves it */
  REFUSED_WITH (r5, "it is on a proc filesystem, a kernel interface");
  REFUSED_WITH (r6, "it holds the container engine socket");
  REFUSED_WITH (r7, "it is a device node");
  REFUSED_WITH (r8, "it is hardshim's own binary");
  ck_assert_msg (r9 == NULL, "%s", r9); /* /etc/passwd underneath: read-only */
  ck_assert_msg (strstr (o9, "\"ro\"") != NULL && strstr (o9, "\"rw\"") == NULL, "%s", o9);
  REFUSED_WITH (r10, "the sensitive host path /etc/shadow");
  REFUSED_WITH (r11, "hardshim's own binary"); /* a hard link of it */
  REFUSED_WITH (r12, "it is a container engine socket (docker.sock)");
}
END_TEST

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
      cleanup_free char *text = test_read_capture (captures[i]);
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
          cleanup_free char *text = test_read_capture (captures[i]);
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
              tcase_add_test (tc, test_identity_of_sources);
              tcase_add_test (tc, test_captures_all_controls_b);
              tcase_add_test (tc, test_presets_admit_captures))

TEST_MAIN (golden_suite ())
