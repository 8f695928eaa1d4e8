/* hardshim: config.json and exec process files on disk.
 * Read through a directory fd (O_NOFOLLOW, regular files only, size and
 * depth limits), checked for the types hardshim relies on, and written back
 * atomically with the original's mode and owner. */
#ifndef HS_SPEC_H
#define HS_SPEC_H

#include <sys/stat.h>

#include "error.h"
#include "json.h"

typedef struct
{
  int dirfd;
  char *name;    /* file name within dirfd */
  char *display; /* for messages: "BUNDLE/config.json" */
  struct stat st;
  hs_json_t *tree;
  char *raw; /* the bytes read, to skip rewriting when nothing changed */
  size_t raw_len;
} hs_spec_file_t;

/* `config` is crun's --config, or NULL. Like crun, a relative --config is
 * relative to the current directory, except exactly "config.json", which is
 * the bundle's. */
int hs_spec_load (const char *bundle, const char *config, hs_spec_file_t *ret, hs_error_t *err);
/* An exec process file (a runtime-spec `process` object). */
int hs_process_load (const char *path, hs_spec_file_t *ret, hs_error_t *err);
void hs_spec_release (hs_spec_file_t *f);

/* Types of the fields hardshim reads must be what the runtime expects:
 * otherwise the runtime and hardshim could disagree about them. */
int hs_spec_validate (const hs_json_t *spec, hs_error_t *err);
int hs_process_validate (const hs_json_t *process, const char *prefix, hs_error_t *err);

/* Write f->tree back over the file atomically. */
int hs_spec_store (hs_spec_file_t *f, hs_error_t *err);

extern const hs_json_limits_t hs_spec_limits;

#endif
