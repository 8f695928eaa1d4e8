#include "handover.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int
hs_handover_json (const hs_json_t *doc, const char *name, char **ret_path, hs_error_t *err)
{
  cleanup_free char *out = NULL;
  cleanup_close int fd = -1;
  size_t len;
  int r, high;

  r = hs_json_emit (doc, false, &out, &len, err);
  if (r < 0)
    return r;
  fd = memfd_create (name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return hs_error_make (err, errno, "memfd_create");
  for (size_t off = 0; off < len;)
    {
      ssize_t w = write (fd, out + off, len - off);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return hs_error_make (err, errno, "write %s", name);
      off += (size_t) w;
    }
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return hs_error_make (err, errno, "seal %s", name);
  high = fcntl (fd, F_DUPFD, HS_HANDOVER_FD_MIN); /* without FD_CLOEXEC: the runtime reads it */
  if (high < 0)
    {
      if (errno != EINVAL && errno != EMFILE)
        return hs_error_make (err, errno, "dup %s", name);
      /* a low fd limit: any free fd, inherited all the same */
      if (fcntl (fd, F_SETFD, 0) < 0)
        return hs_error_make (err, errno, "hand over %s", name);
      high = TAKE_FD (fd);
    }
  *ret_path = hs_xasprintf ("/proc/self/fd/%d", high);
  return 0;
}
