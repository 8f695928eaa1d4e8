/* Scope-bound release of memory, fds and streams (systemd/crun style).
 * Type-specific cleanups live beside their type (json.h, policy.h, ...). */
#ifndef HS_CLEANUP_H
#define HS_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
hs_freep (void *p)
{
  free (*(void **) p);
}

static inline void
hs_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
  *fd = -1;
}

static inline void
hs_fclosep (FILE **f)
{
  if (*f != NULL)
    fclose (*f);
  *f = NULL;
}

static inline void
hs_closedirp (DIR **d)
{
  if (*d != NULL)
    closedir (*d);
  *d = NULL;
}

#define cleanup_free __attribute__ ((cleanup (hs_freep)))
#define cleanup_close __attribute__ ((cleanup (hs_closep)))
#define cleanup_file __attribute__ ((cleanup (hs_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (hs_closedirp)))

/* Hand ownership out of a cleanup-scoped variable. */
#define TAKE_PTR(p)                                                                                \
  ({                                                                                               \
    __typeof__ (p) _tp = (p);                                                                      \
    (p) = NULL;                                                                                    \
    _tp;                                                                                           \
  })
#define TAKE_FD(fd)                                                                                \
  ({                                                                                               \
    int _tf = (fd);                                                                                \
    (fd) = -1;                                                                                     \
    _tf;                                                                                           \
  })

#endif
