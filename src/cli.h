/* hardshim: the runc/crun command-line grammar, parsed but never rewritten.
 *
 * runc parses with Go's flag package through urfave/cli v1: `-x` and `--x`
 * are the same, values as `--x v` or `--x=v`, booleans take `=false`, and
 * create/run/restore flags may follow the container id (urfave reorders).
 * crun uses argp: long options may be abbreviated, short options cluster
 * and take attached values (`-bDIR`; so `-b=DIR` names the bundle "=DIR").
 * The dialect follows the real runtime, so hardshim reads argv exactly as
 * the runtime will. */
#ifndef HS_CLI_H
#define HS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define HS_CLI_MAX_ARGS 65536

typedef enum
{
  HS_DIALECT_GO,   /* runc */
  HS_DIALECT_ARGP, /* crun */
} hs_dialect_t;

typedef enum
{
  HS_VERB_NONE, /* no verb: runtime prints usage */
  HS_VERB_CREATE,
  HS_VERB_RUN,
  HS_VERB_RESTORE,
  HS_VERB_EXEC,
  HS_VERB_DELETE,
  HS_VERB_UPDATE, /* resources of a running container: judged, never rewritten */
  HS_VERB_OTHER,  /* passes through */
} hs_verb_t;

/* Where an option's value sits in argv, so it can be replaced in place. */
typedef struct
{
  int index;     /* -1: absent */
  size_t offset; /* value starts at argv[index] + offset */
} hs_argref_t;

typedef struct
{
  int argc;
  char *const *argv;
  hs_dialect_t dialect;

  /* global options (last occurrence wins, as in both runtimes) */
  const char *log_path;
  const char *log_format;
  const char *root;
  bool version;
  bool help;
  const char *unknown_global; /* an option hardshim does not know before the verb */

  hs_verb_t verb;
  int verb_index; /* -1 when there is none */
  const char *verb_name;
  bool verb_help; /* `create --help`: the runtime prints help, runs nothing */

  const char *id;
  const char *bundle; /* NULL: the current directory */
  const char *config; /* crun's --config/-f (relative: to the cwd, see spec.h) */
  const char *pid_file;

  /* exec */
  hs_argref_t process;
  hs_argref_t *caps;
  size_t n_caps;
  bool no_new_privs;
  /* Where --no-new-privs sits: index of the flag, offset of an `=value` (0: none). */
  hs_argref_t no_new_privs_ref;
  hs_argref_t apparmor;
  hs_argref_t process_label;
  hs_argref_t user;
  hs_argref_t cwd;
  const char **exec_cgroups; /* every --cgroup [CTRL[,CTRL]:]PATH */
  size_t n_exec_cgroups;
  int command_index; /* first argv index of the exec'd command, -1 if none */

  /* update */
  hs_argref_t resources;  /* -r FILE|- */
  hs_argref_t pids_limit; /* --pids-limit N */

  /* restore: what decides what CRIU brings back (NULL, false: absent) */
  const char *manage_cgroups_mode;
  bool ext_unix_sk;
  const char *lsm_mount_context;
  const char *image_path;
} hs_invocation_t;

/* argv[0] is hardshim itself and is not parsed. Errors are usage errors that
 * make an intercepted verb unsafe to hand over (unknown option, missing value);
 * *ret is filled even then, with what could be read (for the --log path). */
int hs_cli_parse (int argc, char *const *argv, hs_dialect_t dialect, hs_invocation_t *ret,
                  hs_error_t *err);
void hs_cli_release (hs_invocation_t *inv);

bool hs_verb_is_intercepted (hs_verb_t v);
hs_verb_t hs_verb_from_name (const char *name);
const char *hs_cli_value (const hs_invocation_t *inv, hs_argref_t ref);
/* A copy of argv (NULL-terminated) with the value at `ref` replaced. */
char **hs_cli_replace_value (const hs_invocation_t *inv, hs_argref_t ref, const char *value);
/* For an unknown global option: does an intercepted verb appear later? */
bool hs_cli_mentions_intercepted_verb (const hs_invocation_t *inv);
/* --root, or the runtime's default (/run/runc, /run/crun). */
const char *hs_cli_runtime_root (const hs_invocation_t *inv);

#endif
