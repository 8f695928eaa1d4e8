#include "harden/judged_paths.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct
{
  char *name;
  dev_t dev;
  ino_t ino;
  uint64_t mnt_id;
  bool conflict; /* judged twice, as two different objects */
} judged_path_t;

struct hs_judged_s
{
  judged_path_t *v;
  size_t n, cap;
};

static judged_path_t *
find (const struct hs_judged_s *j, const char *name)
{
  for (size_t i = 0; j != NULL && i < j->n; i++)
    if (strcmp (j->v[i].name, name) == 0)
      return &j->v[i];
  return NULL;
}

static bool
same (const judged_path_t *r, const hs_hostpath_t *p)
{
  return r->dev == p->st.st_dev && r->ino == p->st.st_ino && r->mnt_id == p->mnt_id;
}

void
hs_judged_add (hs_harden_t *h, const hs_hostpath_t *p)
{
  struct hs_judged_s *j;
  judged_path_t *r;

  if (p->missing[0] != '\0')
    return; /* nothing there yet: nothing to pin */
  if (h->judged == NULL)
    h->judged = hs_xcalloc (1, sizeof (*h->judged));
  j = h->judged;
  if ((r = find (j, p->path)) != NULL)
    {
      r->conflict = r->conflict || !same (r, p);
      return;
    }
  j->v = hs_xgrow (j->v, &j->cap, j->n + 1, sizeof (*j->v));
  j->v[j->n++] = (judged_path_t){
    .name = hs_xstrdup (p->path),
    .dev = p->st.st_dev,
    .ino = p->st.st_ino,
    .mnt_id = p->mnt_id,
  };
}

hs_judged_t
hs_judged_check (const hs_harden_t *h, const char *name, const hs_hostpath_t *p)
{
  const judged_path_t *r = find (h->judged, name);

  if (r == NULL)
    return HS_JUDGED_NONE;
  /* a symlink now on the way (the judged path had none) or another object */
  return !r->conflict && strcmp (p->path, name) == 0 && p->missing[0] == '\0' && same (r, p)
             ? HS_JUDGED_SAME
             : HS_JUDGED_OTHER;
}

void
hs_judged_free (hs_harden_t *h)
{
  struct hs_judged_s *j = h->judged;

  for (size_t i = 0; j != NULL && i < j->n; i++)
    free (j->v[i].name);
  if (j != NULL)
    free (j->v);
  free (j);
  h->judged = NULL;
}
