/* Runs inside a container under hardshim's seccomp profile: tries each
 * call the profile refuses and each kind of ordinary work, and prints one
 * line per call, "NAME ok" or "NAME ERRNAME", for tests/e2e/seccomp.sh.
 * Built with `gcc -static` so it needs nothing from the rootfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static const char *
ename (int e)
{
  switch (e)
    {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case ESRCH: return "ESRCH";
    case ENOENT: return "ENOENT";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOTDIR: return "ENOTDIR";
    case EEXIST: return "EEXIST";
    case EROFS: return "EROFS";
    default: return "EOTHER";
    }
}

/* A call "passes seccomp" unless it fails with the filter's errnos; for the
 * refused ones we print the errno itself. */
static void
report (const char *name, long r)
{
  if (r >= 0)
    printf ("%s ok\n", name);
  else
    printf ("%s %s\n", name, ename (errno));
  fflush (stdout);
}

static void *
thread_fn (void *arg)
{
  return arg;
}

static long
fork_exec (void)
{
  int st;
  pid_t p = fork ();
  if (p < 0)
    return -1;
  if (p == 0)
    {
      execl ("/bin/true", "true", (char *) NULL);
      _exit (127);
    }
  if (waitpid (p, &st, 0) < 0)
    return -1;
  return WIFEXITED (st) && WEXITSTATUS (st) == 0 ? 0 : (errno = EINVAL, -1);
}

static long
netlink_route (void)
{
  struct
  {
    struct nlmsghdr h;
    struct rtgenmsg g;
  } req = { { sizeof (req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0 }, { AF_UNSPEC } };
  char buf[8192];
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  long r;

  if (fd < 0)
    return -1;
  r = send (fd, &req, sizeof (req), 0);
  if (r >= 0)
    r = recv (fd, buf, sizeof (buf), 0);
  close (fd);
  return r > 0 ? 0 : -1;
}

static long
tcp_listen (int family)
{
  int fd = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
  struct sockaddr_in a4 = { .sin_family = AF_INET };
  long r;

  if (fd < 0)
    return -1;
  r = family == AF_INET6 ? bind (fd, (struct sockaddr *) &a6, sizeof (a6))
                         : bind (fd, (struct sockaddr *) &a4, sizeof (a4));
  if (r == 0)
    r = listen (fd, 1);
  close (fd);
  return r;
}

static long
sock (int family, int type, int proto)
{
  int fd = socket (family, type | SOCK_CLOEXEC, proto);
  if (fd >= 0)
    close (fd);
  return fd;
}

static long
closing (long fd)
{
  if (fd >= 0)
    close ((int) fd);
  return fd;
}

int
main (void)
{
  char line[256];
  FILE *f;

  /* ---- ordinary work ---- */
  report ("work-fork-exec", fork_exec ());
  {
    pthread_t t;
    int e = pthread_create (&t, NULL, thread_fn, NULL);
    if (e == 0)
      pthread_join (t, NULL);
    errno = e;
    report ("work-thread", e == 0 ? 0 : -1);
  }
  report ("work-epoll", closing (epoll_create1 (EPOLL_CLOEXEC)));
  report ("work-eventfd", closing (eventfd (0, EFD_CLOEXEC)));
  report ("work-timerfd", closing (timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC)));
  {
    sigset_t s;
    sigemptyset (&s);
    sigaddset (&s, SIGUSR1);
    report ("work-signalfd", closing (signalfd (-1, &s, SFD_CLOEXEC)));
  }
  report ("work-inotify", closing (inotify_init1 (IN_CLOEXEC)));
  report ("work-memfd", closing (memfd_create ("probe", MFD_CLOEXEC)));
  {
    int sv[2];
    long r = socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
    if (r == 0)
      close (sv[0]), close (sv[1]);
    report ("work-socketpair", r);
  }
  report ("work-tcp", tcp_listen (AF_INET));
  report ("work-tcp6", tcp_listen (AF_INET6));
  report ("work-udp", sock (AF_INET, SOCK_DGRAM, 0));
  report ("work-udp6", sock (AF_INET6, SOCK_DGRAM, 0));
  report ("work-netlink-route", netlink_route ());
  {
    char b[16];
    report ("work-getrandom", syscall (SYS_getrandom, b, sizeof (b), 0));
  }
  {
    struct statx sx;
    report ("work-statx", statx (AT_FDCWD, "/", 0, STATX_BASIC_STATS, &sx));
  }
  {
    int fd = open ("/tmp/probe.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    report ("work-flock", fd < 0 ? -1 : flock (fd, LOCK_EX));
    if (fd >= 0)
      close (fd);
  }
  unlink ("/tmp/probe.link");
  report ("work-symlink", symlink ("/", "/tmp/probe.link"));
  {
    struct rlimit rl;
    long r = getrlimit (RLIMIT_NOFILE, &rl);
    if (r == 0)
      {
        rl.rlim_cur = rl.rlim_cur > 64 ? 64 : rl.rlim_cur;
        r = setrlimit (RLIMIT_NOFILE, &rl);
      }
    report ("work-setrlimit-lower", r);
  }
  report ("work-personality-query", personality (0xffffffff));
  report ("work-ptrace-allowed", syscall (SYS_ptrace, 16 /* PTRACE_ATTACH */, 999999, 0, 0) < 0
                                         && errno == ESRCH
                                     ? 0
                                     : -1);

  /* ---- refused unless capabilities say otherwise ---- */
  report ("unshare-user", unshare (CLONE_NEWUSER));
  report ("unshare-mount", unshare (CLONE_NEWNS));
  report ("unshare-net", unshare (CLONE_NEWNET));
  {
    long r = syscall (SYS_clone, (unsigned long) (CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
    if (r == 0)
      _exit (0);
    if (r > 0)
      waitpid ((pid_t) r, NULL, 0);
    report ("clone-newuser", r);
  }
  {
    long r = syscall (SYS_clone, (unsigned long) (CLONE_NEWNET | SIGCHLD), 0, 0, 0, 0);
    if (r == 0)
      _exit (0);
    if (r > 0)
      waitpid ((pid_t) r, NULL, 0);
    report ("clone-newnet", r);
  }
  {
    uint64_t args[11] = { 0 };
    long r;
    args[4] = SIGCHLD; /* exit_signal */
    r = syscall (SYS_clone3, args, sizeof (args));
    if (r == 0)
      _exit (0);
    if (r > 0)
      waitpid ((pid_t) r, NULL, 0);
    report ("clone3", r);
  }
  report ("mount", mount ("none", "/tmp", "tmpfs", 0, ""));
  report ("umount2", umount2 ("/nonexistent", 0));
  report ("pivot_root", syscall (SYS_pivot_root, "/nonexistent", "/nonexistent"));
  report ("setns", setns (-1, 0));
  report ("fsopen", syscall (SYS_fsopen, "tmpfs", 0));
  report ("open_tree", syscall (SYS_open_tree, -1, "/nonexistent", 0));
  report ("keyctl", syscall (SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
  report ("add_key", syscall (SYS_add_key, "user", "probe", "x", 1, -3));
  report ("request_key", syscall (SYS_request_key, "user", "probe", NULL, 0));
  report ("bpf", syscall (SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0));
  report ("perf_event_open", syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0));
  report ("userfaultfd", syscall (SYS_userfaultfd, O_CLOEXEC));
  report ("io_uring_setup", syscall (SYS_io_uring_setup, 1, NULL));
  report ("init_module", syscall (SYS_init_module, NULL, 0, ""));
  report ("finit_module", syscall (SYS_finit_module, -1, "", 0));
  report ("delete_module", syscall (SYS_delete_module, "probe", 0));
  report ("kexec_load", syscall (SYS_kexec_load, 0, 0, NULL, 0));
  report ("kexec_file_load", syscall (SYS_kexec_file_load, -1, -1, 0, "", 0));
  report ("open_by_handle_at", syscall (SYS_open_by_handle_at, -1, NULL, 0));
  report ("syslog", syscall (SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0));
  {
    struct timeval tv;
    gettimeofday (&tv, NULL);
    report ("settimeofday", settimeofday (&tv, NULL));
  }
  {
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    report ("clock_settime", syscall (SYS_clock_settime, CLOCK_REALTIME, &ts));
  }
  report ("personality-read-implies-exec", personality (0x0400000));
  report ("socket-alg", sock (AF_ALG, SOCK_SEQPACKET, 0));
  report ("socket-vsock", sock (AF_VSOCK, SOCK_STREAM, 0));
  report ("socket-packet", sock (AF_PACKET, SOCK_DGRAM, 0));
  report ("socket-raw", sock (AF_INET, SOCK_RAW, IPPROTO_ICMP));
  report ("newer-syscall-mseal", syscall (462 /* mseal, not in the profile */, 0, 0, 0));

  f = fopen ("/proc/self/status", "re");
  while (f != NULL && fgets (line, sizeof (line), f) != NULL)
    if (strncmp (line, "Seccomp:", 8) == 0)
      {
        char *v = line + 8;
        while (*v == ' ' || *v == '\t')
          v++;
        printf ("status-seccomp %s", v);
      }
  if (f)
    fclose (f);
  printf ("probe-done\n");
  return 0;
}
