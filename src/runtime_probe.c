#include "runtime_probe.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *
hs_runtime_capture (const char *runtime, const char *arg)
{
  char *const argv[] = { (char *) runtime, (char *) arg, NULL };
  posix_spawn_file_actions_t fa;
  cleanup_free char *buf = hs_xmalloc (65536);
  int p[2], status;
  size_t len = 0;
  ssize_t n;
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return NULL;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, p[1], 1);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawn (&pid, runtime, &fa, NULL, argv, environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy (&fa);
  close (p[1]);
  while (pid > 0 && len < 65535
         && ((n = read (p[0], buf + len, 65535 - len)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      len += (size_t) n;
  close (p[0]);
  if (pid < 0)
    return NULL;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return NULL;
  buf[len] = '\0';
  return TAKE_PTR (buf);
}

bool
hs_runtime_joins_userns_first (const char *runtime)
{
  cleanup_free char *out = hs_runtime_capture (runtime, "--version");
  unsigned major = 0, minor = 0, patch = 0;

  if (out == NULL || sscanf (out, "runc version %u.%u.%u", &major, &minor, &patch) < 2)
    return false;
  return major < 1 || (major == 1 && (minor < 2 || (minor == 2 && patch < 1)));
}
