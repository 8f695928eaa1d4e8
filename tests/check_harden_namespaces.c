/* namespaces: golden table (tests/data/harden/namespaces.json), the
 * engines' configs, and joining a namespace that is not the host's. */
#include "harden_golden_b.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child of this test in new namespaces, and a runtime root whose state
 * (runc's state.json) names it as the init of container `ctr-a`. */
typedef struct
{
  pid_t pid;
  char root[32];
} fake_ctr_t;

static void
fake_ctr_start (fake_ctr_t *f, int flags, bool registered)
{
  int ready[2];
  char c, buf[1024], *p;
  unsigned long long start = 0;
  cleanup_free char *stat_path = NULL, *dir = NULL, *state = NULL;
  FILE *sf;

  ck_assert_int_eq (pipe (ready), 0);
  f->pid = fork ();
  ck_assert_int_ge (f->pid, 0);
  if (f->pid == 0)
    {
      if (unshare (flags) == 0)
        (void) write (ready[1], "x", 1);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  ck_assert_int_eq (read (ready[0], &c, 1), 1);
  close (ready[0]);
  strcpy (f->root, "/tmp/hs-nsroot-XXXXXX");
  ck_assert (mkdtemp (f->root) != NULL);
  if (!registered)
    return;
  stat_path = hs_xasprintf ("/proc/%d/stat", (int) f->pid);
  sf = fopen (stat_path, "re");
  ck_assert (sf != NULL);
  buf[fread (buf, 1, sizeof (buf) - 1, sf)] = '\0';
  fclose (sf);
  p = strrchr (buf, ')') + 2;
  for (int field = 3; field < 22; field++)
    p = strchr (p, ' ') + 1;
  ck_assert_int_eq (sscanf (p, "%llu", &start), 1);
  dir = hs_xasprintf ("%s/ctr-a", f->root);
  ck_assert_int_eq (mkdir (dir, 0700), 0);
  state = hs_xasprintf ("%s/state.json", dir);
  sf = fopen (state, "we");
  ck_assert (sf != NULL);
  fprintf (sf, "{\"init_process_pid\":%d,\"init_process_start\":%llu}", (int) f->pid, start);
  fclose (sf);
}

static void
fake_ctr_stop (fake_ctr_t *f)
{
  cleanup_free char *state = hs_xasprintf ("%s/ctr-a/state.json", f->root);
  cleanup_free char *dir = hs_xasprintf ("%s/ctr-a", f->root);

  kill (f->pid, SIGKILL);
  waitpid (f->pid, NULL, 0);
  unlink (state);
  rmdir (dir);
  rmdir (f->root);
}

/* The verdict on a config that joins namespace `type` of the fake
 * container by its /proc path, created under the fake runtime root. */
static char *
join_child_verdict (const fake_ctr_t *f, const char *type, const char *pn, const char *annotations)
{
  cleanup_free char *ptext = golden_policy_text ("namespaces", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_free char *text
      = hs_xasprintf ("{\"root\":{\"path\":\"r\"},\"annotations\":%s,\"linux\":{\"namespaces\":["
                      "{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"mount\"},"
                      "{\"type\":\"network\"},{\"type\":\"uts\"},{\"type\":\"cgroup\"},"
                      "{\"type\":\"%s\",\"path\":\"/proc/%d/ns/%s\"}]}}",
                      annotations ? annotations : "{}", type, (int) f->pid, pn);
  cleanup_json hs_json_t *config = test_parse (text);
  hs_host_t host = { .caller_unprivileged = false };
  hs_container_t ctr = { .id = "ctr-b", .root = f->root, .config_dirfd = -1 };
  hs_audit_t audit;
  hs_harden_t h = {
    .spec = config,
    .policy = p,
    .host = &host,
    .audit = &audit,
    .target = HS_TARGET_CONFIG,
    .runtime_root = f->root,
    .id = "ctr-b",
    .ctr = &ctr,
  };
  hs_error_t err = NULL;
  char *msg = NULL;

  hs_json_t *nss = hs_json_path (config, "linux", "namespaces", NULL);

  /* the type joined is listed twice: drop its plain entry */
  for (size_t i = 0; i < nss->len; i++)
    if (strcmp (hs_json_get (nss->items[i], "type")->str, type) == 0
        && hs_json_get (nss->items[i], "path") == NULL)
      {
        hs_json_remove_at (nss, i);
        break;
      }
  hs_audit_init (&audit, "create", "ctr-b", ".", p->digest);
  if (hs_harden_run (&h, &err) < 0)
    {
      ck_assert_msg (hs_error_is_refusal (&err), "not a refusal: %s", err->msg);
      msg = hs_xstrdup (err->msg);
      hs_error_release (&err);
    }
  hs_audit_release (&audit);
  return msg;
}

/* Another process's namespace through /proc: only a container's of the
 * same runtime root; its user namespace only from its pod; never its mount
 * namespace. */
START_TEST (test_join_other_namespace)
{
  fake_ctr_t stray, ctr;
  cleanup_free char *r_stray = NULL, *r_uts = NULL, *r_user = NULL, *r_pod = NULL;
  cleanup_free char *r_mnt = NULL, *r_other_pod = NULL;
  const char *pod = "{\"io.kubernetes.cri.container-type\":\"container\","
                    "\"io.kubernetes.cri.sandbox-id\":\"ctr-a\"}";
  const char *other = "{\"io.kubernetes.cri.container-type\":\"container\","
                      "\"io.kubernetes.cri.sandbox-id\":\"ctr-z\"}";

  fake_ctr_start (&stray, CLONE_NEWUTS, false);
  r_stray = join_child_verdict (&stray, "uts", "uts", NULL);
  fake_ctr_stop (&stray);
  fake_ctr_start (&ctr, CLONE_NEWUTS | CLONE_NEWUSER | CLONE_NEWNS, true);
  r_uts = join_child_verdict (&ctr, "uts", "uts", NULL);
  r_user = join_child_verdict (&ctr, "user", "user", NULL);
  r_pod = join_child_verdict (&ctr, "user", "user", pod);
  r_other_pod = join_child_verdict (&ctr, "user", "user", other);
  r_mnt = join_child_verdict (&ctr, "mount", "mnt", pod);
  fake_ctr_stop (&ctr);
  ck_assert_msg (r_stray
                     && strstr (r_stray, "is not one of a running container of this runtime root"),
                 "%s", r_stray ? r_stray : "admitted");
  ck_assert_msg (r_uts == NULL, "refused: %s", r_uts);
  ck_assert_msg (
      r_user
          && strstr (
              r_user,
              "is container `ctr-a`'s: host policy allows only a container of its Kubernetes pod"),
      "%s", r_user ? r_user : "admitted");
  ck_assert_msg (r_pod == NULL, "refused: %s", r_pod);
  ck_assert_msg (r_other_pod && strstr (r_other_pod, "is container `ctr-a`'s"), "%s",
                 r_other_pod ? r_other_pod : "admitted");
  ck_assert_msg (r_mnt && strstr (r_mnt, "joining another mount namespace"), "%s",
                 r_mnt ? r_mnt : "admitted");
}
END_TEST

/* Namespace paths: a plain file is no namespace; a namespace file reached
 * through a directory others can write could be swapped after the check. */
static char *
join_verdict (const char *path)
{
  cleanup_free char *ptext = golden_policy_text ("namespaces", NULL, NULL);
  cleanup_free char *perr = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = test_parse ("{\"root\":{\"path\":\"r\"},\"linux\":{"
                                               "\"namespaces\":[{\"type\":\"uts\"}]}}");
  hs_audit_t audit;
  char *refusal;

  hs_json_set_exact (hs_json_path (config, "linux", "namespaces", NULL)->items[0], "path",
                     hs_json_new_string (path));
  hs_audit_init (&audit, "create", "t", ".", p->digest);
  refusal = golden_harden (config, p, &audit);
  hs_audit_release (&audit);
  return refusal;
}

START_TEST (test_namespace_path_checks)
{
  char dir[] = "/tmp/hs-ns-XXXXXX";
  cleanup_free char *file = NULL, *link = NULL, *r1 = NULL, *r2 = NULL, *r3 = NULL;
  int fd;

  ck_assert (mkdtemp (dir) != NULL);
  file = hs_xasprintf ("%s/plain", dir);
  link = hs_xasprintf ("%s/uts", dir);
  fd = open (file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ck_assert_int_ge (fd, 0);
  close (fd);
  /* a link to a namespace that is not the host's (a child's) */
  ck_assert_int_eq (symlink ("/proc/thread-self/ns/uts", link), 0);
  r1 = join_verdict (file);
  r2 = join_verdict (link);
  r3 = join_verdict ("relative/ns");
  unlink (file);
  unlink (link);
  rmdir (dir);
  ck_assert_msg (r1 && strstr (r1, "is not a namespace"), "%s", r1 ? r1 : "admitted");
  /* the link is reached through /tmp (world-writable): refused whatever it names */
  ck_assert_msg (r2 && strstr (r2, "lies in /tmp, which someone other than root could change"),
                 "%s", r2 ? r2 : "admitted");
  ck_assert_msg (r3 && strstr (r3, "must be absolute"), "%s", r3 ? r3 : "admitted");
}
END_TEST

GOLDEN_SUITE ("namespaces", tcase_add_test (tc, test_join_other_namespace);
              tcase_add_test (tc, test_namespace_path_checks))

TEST_MAIN (golden_suite ())
