/* Files of a node, seen through an optional root directory, and running
 * the node's tools (dpkg-divert). */
#include "cleanup.h"
#include "fileio.h"
#include "ctl/node.h"
#include "node_runtimes.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const hs_node_path_dirs[]
    = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL };

char *
hs_node_file (const hs_node_t *n, const char *path)
{
  return hs_xasprintf ("%s%s", n->root, path);
}

char *
hs_node_resolve (const hs_node_t *n, const char *path)
{
  cleanup_free char *cur = hs_xstrdup (path);
  char buf[PATH_MAX];

  if (*n->root == '\0')
    return realpath (path, NULL);
  /* Symlinks of the last component are followed inside the root (a node
   * installed there points at its own /usr/local/bin/hardshim); those of
   * directories are the host's. */
  for (int hops = 0; hops < 16; hops++)
    {
      cleanup_free char *host = hs_node_file (n, cur);
      struct stat st;
      ssize_t len;

      if (lstat (host, &st) < 0)
        return NULL;
      if (!S_ISLNK (st.st_mode))
        return TAKE_PTR (host);
      len = readlink (host, buf, sizeof (buf) - 1);
      if (len < 0)
        return NULL;
      buf[len] = '\0';
      if (buf[0] == '/')
        {
          free (cur);
          cur = hs_xstrdup (buf);
        }
      else
        {
          char *next = hs_xasprintf ("%.*s/%s", (int) (hs_path_base (cur) - cur - 1), cur, buf);

          free (cur);
          cur = next;
        }
    }
  return NULL;
}

static bool
same_file (const char *a, const char *b)
{
  struct stat sa, sb;

  return a != NULL && b != NULL && stat (a, &sa) == 0 && stat (b, &sb) == 0
         && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool
hs_node_is_hardshim (const hs_node_t *n, const char *path)
{
  cleanup_free char *file = hs_node_resolve (n, path);
  cleanup_free char *self = hs_node_resolve (n, n->hardshim);
  cleanup_free char *prev = n->previous ? hs_node_resolve (n, n->previous) : NULL;

  return file != NULL && (same_file (file, self) || same_file (file, prev));
}

char *
hs_node_path_lookup (const hs_node_t *n, const char *name)
{
  for (size_t i = 0; hs_node_path_dirs[i] != NULL; i++)
    {
      char *path = hs_xasprintf ("%s/%s", hs_node_path_dirs[i], name);
      cleanup_free char *file = hs_node_resolve (n, path);
      struct stat st;

      if (file != NULL && stat (file, &st) == 0 && S_ISREG (st.st_mode) && access (file, X_OK) == 0)
        return path;
      free (path);
    }
  return NULL;
}

hs_json_t *
hs_node_read_record (const hs_node_t *n)
{
  cleanup_free char *host = hs_node_file (n, HS_NODE_RECORD), *name = NULL, *buf = NULL;
  cleanup_close int dfd = hs_open_parent (host, &name, NULL);
  hs_json_limits_t limits = { .max_bytes = 1 << 20, .max_depth = 8 };
  hs_json_t *record = NULL;
  size_t len;

  if (dfd < 0 || hs_read_file_at (dfd, name, limits.max_bytes, &buf, &len, NULL, NULL) < 0
      || hs_json_parse (buf, len, &limits, &record, NULL) < 0)
    return NULL;
  if (record->type != HS_JSON_OBJECT)
    return hs_json_free (record);
  return record;
}

int
hs_node_spawn (char *const argv[], char *const envp[], char **ret_out, int *ret_status,
               hs_error_t *err)
{
  cleanup_free char *out = hs_xcalloc (1, 65536);
  size_t len = 0;
  int fds[2], status;
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hs_error_make (err, errno, "pipe");
  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    {
      close (fds[0]), close (fds[1]);
      return hs_error_make (err, errno, "fork");
    }
  if (pid == 0)
    {
      if (dup2 (fds[1], STDOUT_FILENO) < 0)
        _exit (127);
      if (envp != NULL)
        execve (argv[0], argv, envp);
      else
        execv (argv[0], argv);
      _exit (127);
    }
  close (fds[1]);
  for (;;)
    {
      ssize_t r = read (fds[0], out + len, 65535 - len);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      len += (size_t) r;
      if (len == 65535)
        {
          char sink[4096];

          /* keep draining so the child never blocks on a full pipe */
          while (read (fds[0], sink, sizeof (sink)) > 0)
            ;
          break;
        }
    }
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hs_error_make (err, errno, "wait for `%s`", argv[0]);
  if (!WIFEXITED (status) || WEXITSTATUS (status) == 127)
    return hs_error_make (err, 0, "`%s` did not run (%s)", argv[0],
                          WIFEXITED (status) ? "exit status 127" : "killed by a signal");
  *ret_status = WEXITSTATUS (status);
  if (ret_out != NULL)
    *ret_out = TAKE_PTR (out);
  return 0;
}
