/* joined_ns: namespaces checked by what the kernel says of them, network
 * sysctls written inside another network namespace (and read back), an
 * mqueue mount made for another IPC namespace, and which configs runc
 * before 1.2.1 cannot exec into. */
#include "testutil.h"

#include "cleanup.h"
#include "joined_ns.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

/* A child that sits in new namespaces `flags` until killed. */
static pid_t
holder (int flags)
{
  int p[2];
  pid_t pid;
  char c;

  ck_assert_int_eq (pipe (p), 0);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      close (p[0]);
      if (unshare (flags) < 0)
        _exit (1);
      if (write (p[1], "x", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (p[1]);
  ck_assert_int_eq (read (p[0], &c, 1), 1);
  close (p[0]);
  return pid;
}

static void
holder_end (pid_t pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

START_TEST (test_open_checks_type)
{
  hs_error_t err = NULL;
  int fd = -1;

  ck_assert_int_eq (hs_joined_ns_open ("/proc/self/ns/net", CLONE_NEWNET, &fd, &err), 0);
  ck_assert_int_ge (fd, 0);
  close (fd);
  fd = -1;
  ck_assert_int_lt (hs_joined_ns_open ("/proc/self/ns/ipc", CLONE_NEWNET, &fd, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "is not a net namespace"));
  ck_assert_int_eq (fd, -1);
  hs_error_release (&err);
  ck_assert_int_lt (hs_joined_ns_open ("/etc/hostname", CLONE_NEWNET, &fd, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "is not a namespace"));
  hs_error_release (&err);
  ck_assert_int_lt (hs_joined_ns_open ("/nonexistent/ns", CLONE_NEWNET, &fd, &err), 0);
  hs_error_release (&err);
  /* a FIFO is refused without blocking */
  {
    char fifo[] = "/tmp/hardshim-check-fifo.XXXXXX";
    int t = mkstemp (fifo);

    ck_assert_int_ge (t, 0);
    close (t);
    unlink (fifo);
    ck_assert_int_eq (mkfifo (fifo, 0600), 0);
    ck_assert_int_lt (hs_joined_ns_open (fifo, CLONE_NEWNET, &fd, &err), 0);
    ck_assert_ptr_nonnull (strstr (err->msg, "is not a namespace"));
    hs_error_release (&err);
    unlink (fifo);
  }
}
END_TEST

START_TEST (test_hosts_and_owner)
{
  pid_t pid = holder (CLONE_NEWNET);
  cleanup_free char *path = hs_xasprintf ("/proc/%d/ns/net", (int) pid);
  hs_error_t err = NULL;
  bool hosts = true, owned = false;
  int self = -1, other = -1;

  ck_assert_int_eq (hs_joined_ns_open ("/proc/self/ns/net", CLONE_NEWNET, &self, &err), 0);
  ck_assert_int_eq (hs_joined_ns_is_hosts (self, CLONE_NEWNET, &hosts, &err), 0);
  ck_assert (hosts);
  ck_assert_int_eq (hs_joined_ns_open (path, CLONE_NEWNET, &other, &err), 0);
  ck_assert_int_eq (hs_joined_ns_is_hosts (other, CLONE_NEWNET, &hosts, &err), 0);
  ck_assert (!hosts);
  /* made by root here: the host's user namespace owns it */
  ck_assert_int_eq (hs_joined_ns_owned_by_host (other, &owned, &err), 0);
  ck_assert (owned);
  close (self);
  close (other);
  holder_end (pid);
}
END_TEST

/* In another network namespace: written, read back; ours is untouched. */
START_TEST (test_netns_sysctls)
{
  static const char *const reads[]
      = { "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", NULL };
  const hs_sysctl_write_t writes[] = {
    { "net.ipv4.ip_unprivileged_port_start", "0" },
    { "net.ipv4.ping_group_range", "100000 165535" },
  };
  pid_t pid = holder (CLONE_NEWNET);
  cleanup_free char *path = hs_xasprintf ("/proc/%d/ns/net", (int) pid);
  char *before[2] = { NULL, NULL }, *after[2] = { NULL, NULL }, *mine[2] = { NULL, NULL };
  hs_error_t err = NULL;
  int fd = -1, self = -1;

  ck_assert_int_eq (hs_joined_ns_open (path, CLONE_NEWNET, &fd, &err), 0);
  ck_assert_int_eq (hs_joined_ns_open ("/proc/self/ns/net", CLONE_NEWNET, &self, &err), 0);
  ck_assert_int_eq (hs_netns_sysctls (self, reads, mine, NULL, 0, &err), 0);
  ck_assert_int_eq (hs_netns_sysctls (fd, reads, before, NULL, 0, &err), 0);
  ck_assert_str_eq (before[0], "1024");
  ck_assert_str_eq (before[1], "1 0");
  ck_assert_int_eq (hs_netns_sysctls (fd, reads, after, writes, 2, &err), 0);
  /* reads come before the writes */
  ck_assert_str_eq (after[0], "1024");
  free (after[0]);
  free (after[1]);
  ck_assert_int_eq (hs_netns_sysctls (fd, reads, after, NULL, 0, &err), 0);
  ck_assert_str_eq (after[0], "0");
  ck_assert_str_eq (after[1], "100000 165535");
  /* still in our own network namespace, unchanged */
  free (before[0]);
  free (before[1]);
  ck_assert_int_eq (hs_netns_sysctls (self, reads, before, NULL, 0, &err), 0);
  ck_assert_str_eq (before[0], mine[0]);
  ck_assert_str_eq (before[1], mine[1]);
  {
    char buf[64];
    cleanup_free char *own = hs_xasprintf ("/proc/%d/ns/net", (int) getpid ());
    ssize_t n = readlink ("/proc/thread-self/ns/net", buf, sizeof (buf) - 1);
    char buf2[64];
    ssize_t n2 = readlink (own, buf2, sizeof (buf2) - 1);

    ck_assert (n > 0 && n2 > 0 && n == n2 && memcmp (buf, buf2, (size_t) n) == 0);
  }
  /* a value the kernel refuses is an error naming the sysctl */
  {
    const hs_sysctl_write_t bad = { "net.ipv4.ping_group_range", "5 1" };
    ck_assert_int_lt (hs_netns_sysctls (fd, NULL, NULL, &bad, 1, &err), 0);
    ck_assert_ptr_nonnull (strstr (err->msg, "ping_group_range"));
    hs_error_release (&err);
  }
  for (int i = 0; i < 2; i++)
    {
      free (before[i]);
      free (after[i]);
      free (mine[i]);
    }
  close (fd);
  close (self);
  holder_end (pid);
}
END_TEST

START_TEST (test_mqueue_mount)
{
  pid_t pid = holder (CLONE_NEWIPC);
  cleanup_free char *path = hs_xasprintf ("/proc/%d/ns/ipc", (int) pid);
  char dir[] = "/tmp/hardshim-check-mq.XXXXXX";
  cleanup_free char *target = NULL;
  hs_error_t err = NULL;
  struct statfs sf;
  int fd = -1;

  /* our own mount namespace, so nothing reaches the host's */
  ck_assert_int_eq (unshare (CLONE_NEWNS), 0);
  ck_assert_int_eq (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
  ck_assert_ptr_nonnull (mkdtemp (dir));
  target = hs_xasprintf ("%s/mq", dir);
  ck_assert_int_eq (hs_joined_ns_open (path, CLONE_NEWIPC, &fd, &err), 0);
  ck_assert_msg (hs_mqueue_mount (fd, target, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_int_eq (statfs (target, &sf), 0);
  ck_assert_int_eq ((unsigned long) sf.f_type, MQUEUE_MAGIC);
  ck_assert (sf.f_flags & ST_NOSUID);
  ck_assert (sf.f_flags & ST_NODEV);
  ck_assert (sf.f_flags & ST_NOEXEC);
  ck_assert_int_eq (umount2 (target, MNT_DETACH), 0);
  rmdir (target);
  rmdir (dir);
  close (fd);
  holder_end (pid);
}
END_TEST

static const struct
{
  const char *config;
  const char *type; /* NULL: runc can exec */
} joins[] = {
  { "{}", NULL },
  { "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/p\"}]}}", NULL },
  { "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}]}}", NULL },
  { "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\",\"path\":\"/p\"}]}}",
    "network" },
  { "{\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"/i\"},{\"type\":\"user\"},"
    "{\"type\":\"network\",\"path\":\"/p\"}]}}",
    "ipc" },
  /* the engine's user namespace, joined first: its namespaces are its own */
  { "{\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/u\"},{\"type\":\"network\","
    "\"path\":\"/p\"}]}}",
    NULL },
  { "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\",\"path\":\"\"}]}}",
    NULL },
  { "{\"linux\":{\"namespaces\":{}}}", NULL },
};

START_TEST (test_config_joins)
{
  hs_json_t *c = test_parse (joins[_i].config);
  const char *type = NULL, *path = NULL;
  bool r = hs_config_joins_beside_new_userns (c, &type, &path);

  ck_assert_msg (r == (joins[_i].type != NULL), "%s", joins[_i].config);
  if (r)
    ck_assert_str_eq (type, joins[_i].type);
  else
    ck_assert_ptr_null (type);
  hs_json_free (c);
}
END_TEST

static Suite *
joined_ns_suite (void)
{
  Suite *s = suite_create ("joined_ns");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_open_checks_type);
  tcase_add_test (tc, test_hosts_and_owner);
  tcase_add_test (tc, test_netns_sysctls);
  tcase_add_test (tc, test_mqueue_mount);
  tcase_add_loop_test (tc, test_config_joins, 0, sizeof (joins) / sizeof (joins[0]));
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (joined_ns_suite ())
