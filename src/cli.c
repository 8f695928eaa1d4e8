#include "cli.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef enum
{
  K_BOOL,
  K_VALUE,
  K_OPTVALUE, /* argp optional argument: only attached (`--tty=x`, `-tx`) */
} opt_kind_t;

typedef enum
{
  ID_NONE,
  ID_LOG,
  ID_LOG_FORMAT,
  ID_ROOT,
  ID_VERSION,
  ID_HELP,
  ID_BUNDLE,
  ID_CONFIG,
  ID_PROCESS,
  ID_CAP,
  ID_NO_NEW_PRIVS,
  ID_APPARMOR,
  ID_PROCESS_LABEL,
  ID_USER,
  ID_PID_FILE,
  ID_CWD,
  ID_RESOURCES,
  ID_PIDS_LIMIT,
  ID_MANAGE_CGROUPS_MODE,
  ID_EXT_UNIX_SK,
  ID_LSM_MOUNT_CONTEXT,
  ID_EXEC_CGROUP,
  ID_IMAGE_PATH,
} opt_id_t;

#define GO (1u << HS_DIALECT_GO)
#define ARGP (1u << HS_DIALECT_ARGP)
#define BOTH (GO | ARGP)

typedef struct
{
  const char *name;
  char short_name;
  opt_kind_t kind;
  opt_id_t id;
  unsigned dialects;
} opt_t;

static const opt_t global_opts[] = {
  { "debug", 0, K_BOOL, ID_NONE, BOTH },
  { "log", 0, K_VALUE, ID_LOG, BOTH },
  { "log-format", 0, K_VALUE, ID_LOG_FORMAT, BOTH },
  { "root", 0, K_VALUE, ID_ROOT, BOTH },
  { "criu", 0, K_VALUE, ID_NONE, GO },
  { "systemd-cgroup", 0, K_BOOL, ID_NONE, BOTH },
  { "rootless", 0, K_VALUE, ID_NONE, BOTH },
  { "cgroup-manager", 0, K_VALUE, ID_NONE, ARGP },
  { "log-level", 0, K_VALUE, ID_NONE, ARGP },
  { "help", 'h', K_BOOL, ID_HELP, GO },
  { "help", '?', K_BOOL, ID_HELP, ARGP },
  { "usage", 0, K_BOOL, ID_HELP, ARGP },
  { "version", 'v', K_BOOL, ID_VERSION, BOTH },
  { NULL, 'V', K_BOOL, ID_VERSION, ARGP },
  { NULL, 0, 0, 0, 0 },
};

/* create and run share runc's and crun's flags; run adds a few. */
static const opt_t create_opts[] = {
  { "bundle", 'b', K_VALUE, ID_BUNDLE, BOTH },
  { "config", 'f', K_VALUE, ID_CONFIG, ARGP },
  { "console-socket", 0, K_VALUE, ID_NONE, BOTH },
  { "pid-file", 0, K_VALUE, ID_PID_FILE, BOTH },
  { "no-pivot", 0, K_BOOL, ID_NONE, BOTH },
  { "no-new-keyring", 0, K_BOOL, ID_NONE, BOTH },
  { "no-subreaper", 0, K_BOOL, ID_NONE, BOTH },
  { "preserve-fds", 0, K_VALUE, ID_NONE, BOTH },
  { "help", 'h', K_BOOL, ID_HELP, GO },
  { "help", '?', K_BOOL, ID_HELP, ARGP },
  { "usage", 0, K_BOOL, ID_HELP, ARGP },
  { NULL, 0, 0, 0, 0 },
};

static const opt_t run_opts[] = {
  { "detach", 'd', K_BOOL, ID_NONE, BOTH },
  { "keep", 0, K_BOOL, ID_NONE, BOTH },
  { NULL, 0, 0, 0, 0 },
};

static const opt_t restore_opts[] = {
  { "image-path", 0, K_VALUE, ID_IMAGE_PATH, BOTH },
  { "work-path", 0, K_VALUE, ID_NONE, BOTH },
  { "tcp-established", 0, K_BOOL, ID_NONE, BOTH },
  { "ext-unix-sk", 0, K_BOOL, ID_EXT_UNIX_SK, BOTH },
  { "shell-job", 0, K_BOOL, ID_NONE, BOTH },
  { "file-locks", 0, K_BOOL, ID_NONE, BOTH },
  { "manage-cgroups-mode", 0, K_VALUE, ID_MANAGE_CGROUPS_MODE, BOTH },
  { "detach", 'd', K_BOOL, ID_NONE, BOTH },
  { "empty-ns", 0, K_VALUE, ID_NONE, BOTH },
  { "auto-dedup", 0, K_BOOL, ID_NONE, BOTH },
  { "lazy-pages", 0, K_BOOL, ID_NONE, BOTH },
  { "lsm-profile", 0, K_VALUE, ID_APPARMOR, BOTH },
  { "lsm-mount-context", 0, K_VALUE, ID_LSM_MOUNT_CONTEXT, BOTH },
  { NULL, 0, 0, 0, 0 },
};

static const opt_t exec_opts[] = {
  { "console-socket", 0, K_VALUE, ID_NONE, BOTH },
  { "cwd", 0, K_VALUE, ID_CWD, BOTH },
  { "env", 'e', K_VALUE, ID_NONE, BOTH },
  { "tty", 't', K_BOOL, ID_NONE, GO },
  { "tty", 't', K_OPTVALUE, ID_NONE, ARGP },
  { "user", 'u', K_VALUE, ID_USER, BOTH },
  { "additional-gids", 'g', K_VALUE, ID_NONE, GO },
  { "process", 'p', K_VALUE, ID_PROCESS, BOTH },
  { "detach", 'd', K_BOOL, ID_NONE, BOTH },
  { "pid-file", 0, K_VALUE, ID_PID_FILE, BOTH },
  { "process-label", 0, K_VALUE, ID_PROCESS_LABEL, BOTH },
  { "apparmor", 0, K_VALUE, ID_APPARMOR, BOTH },
  { "no-new-privs", 0, K_BOOL, ID_NO_NEW_PRIVS, BOTH },
  { "cap", 'c', K_VALUE, ID_CAP, BOTH },
  { "preserve-fds", 0, K_VALUE, ID_NONE, BOTH },
  { "cgroup", 0, K_VALUE, ID_EXEC_CGROUP, BOTH },
  { "ignore-paused", 0, K_BOOL, ID_NONE, GO },
  { "help", 'h', K_BOOL, ID_HELP, GO },
  { "help", '?', K_BOOL, ID_HELP, ARGP },
  { "usage", 0, K_BOOL, ID_HELP, ARGP },
  { NULL, 0, 0, 0, 0 },
};

/* runc 1.1-1.3 and crun 1.8-1.2x: every other flag sets a plain limit
 * (cpu, memory, blkio, RDT schema) that host policy does not bound. */
static const opt_t update_opts[] = {
  { "resources", 'r', K_VALUE, ID_RESOURCES, BOTH },
  { "pids-limit", 0, K_VALUE, ID_PIDS_LIMIT, BOTH },
  { "blkio-weight", 0, K_VALUE, ID_NONE, BOTH },
  { "cpu-period", 0, K_VALUE, ID_NONE, BOTH },
  { "cpu-quota", 0, K_VALUE, ID_NONE, BOTH },
  { "cpu-share", 0, K_VALUE, ID_NONE, BOTH },
  { "cpu-rt-period", 0, K_VALUE, ID_NONE, BOTH },
  { "cpu-rt-runtime", 0, K_VALUE, ID_NONE, BOTH },
  { "cpuset-cpus", 0, K_VALUE, ID_NONE, BOTH },
  { "cpuset-mems", 0, K_VALUE, ID_NONE, BOTH },
  { "cpu-idle", 0, K_VALUE, ID_NONE, GO },
  { "cpu-burst", 0, K_VALUE, ID_NONE, GO },
  { "kernel-memory", 0, K_VALUE, ID_NONE, BOTH },
  { "kernel-memory-tcp", 0, K_VALUE, ID_NONE, BOTH },
  { "memory", 0, K_VALUE, ID_NONE, BOTH },
  { "memory-reservation", 0, K_VALUE, ID_NONE, BOTH },
  { "memory-swap", 0, K_VALUE, ID_NONE, BOTH },
  { "l3-cache-schema", 0, K_VALUE, ID_NONE, GO },
  { "mem-bw-schema", 0, K_VALUE, ID_NONE, GO },
  { "help", 'h', K_BOOL, ID_HELP, GO },
  { "help", '?', K_BOOL, ID_HELP, ARGP },
  { "usage", 0, K_BOOL, ID_HELP, ARGP },
  { NULL, 0, 0, 0, 0 },
};

static const opt_t delete_opts[] = {
  { "force", 'f', K_BOOL, ID_NONE, BOTH },
  { "help", 'h', K_BOOL, ID_HELP, GO },
  { "help", '?', K_BOOL, ID_HELP, ARGP },
  { NULL, 0, 0, 0, 0 },
};

static const struct
{
  const char *name;
  hs_verb_t verb;
} verbs[] = {
  { "create", HS_VERB_CREATE }, { "run", HS_VERB_RUN },       { "restore", HS_VERB_RESTORE },
  { "exec", HS_VERB_EXEC },     { "delete", HS_VERB_DELETE }, { "update", HS_VERB_UPDATE },
};

hs_verb_t
hs_verb_from_name (const char *name)
{
  for (size_t i = 0; i < sizeof (verbs) / sizeof (verbs[0]); i++)
    if (strcmp (name, verbs[i].name) == 0)
      return verbs[i].verb;
  return HS_VERB_OTHER;
}

bool
hs_verb_is_intercepted (hs_verb_t v)
{
  return v == HS_VERB_CREATE || v == HS_VERB_RUN || v == HS_VERB_RESTORE || v == HS_VERB_EXEC
         || v == HS_VERB_UPDATE;
}

/* One parsed option occurrence. */
typedef struct
{
  const opt_t *opt;
  bool bool_value;
  const char *value; /* K_VALUE/K_OPTVALUE; NULL if an optional one is absent */
  hs_argref_t ref;
} occurrence_t;

static const opt_t *
lookup (const opt_t *const *tables, hs_dialect_t d, const char *name, size_t len, char short_name)
{
  for (size_t t = 0; tables[t] != NULL; t++)
    for (const opt_t *o = tables[t]; o->name != NULL || o->short_name != 0; o++)
      {
        if (!(o->dialects & (1u << d)))
          continue;
        if (short_name != 0
                ? o->short_name == short_name
                : (o->name != NULL && strlen (o->name) == len && strncmp (o->name, name, len) == 0))
          return o;
      }
  return NULL;
}

/* argp accepts an unambiguous prefix of a long option. */
static const opt_t *
lookup_prefix (const opt_t *const *tables, hs_dialect_t d, const char *name, size_t len,
               bool *ambiguous)
{
  const opt_t *found = NULL;

  *ambiguous = false;
  for (size_t t = 0; tables[t] != NULL; t++)
    for (const opt_t *o = tables[t]; o->name != NULL || o->short_name != 0; o++)
      {
        if (!(o->dialects & (1u << d)) || o->name == NULL || strncmp (o->name, name, len) != 0)
          continue;
        if (found != NULL && strcmp (found->name, o->name) != 0)
          *ambiguous = true;
        found = o;
      }
  return *ambiguous ? NULL : found;
}

static bool
parse_go_bool (const char *s, bool *ret)
{
  static const char *const t[] = { "1", "t", "T", "true", "TRUE", "True" };
  static const char *const f[] = { "0", "f", "F", "false", "FALSE", "False" };

  for (size_t i = 0; i < 6; i++)
    {
      if (strcmp (s, t[i]) == 0)
        return *ret = true, true;
      if (strcmp (s, f[i]) == 0)
        return *ret = false, true;
    }
  return false;
}

/* Parse the option at argv[*i]; advance *i past it and its value.
 * Returns 1 for an option, 0 for an unknown one (*i untouched), < 0 on error.
 * argp short clusters can hold several options: `cb` sees each. */
typedef int (*occurrence_cb) (hs_invocation_t *inv, const occurrence_t *occ, hs_error_t *err);

static int
parse_go_option (hs_invocation_t *inv, const opt_t *const *tables, int *i, occurrence_cb cb,
                 hs_error_t *err)
{
  const char *arg = inv->argv[*i];
  const char *name = arg + (arg[1] == '-' ? 2 : 1);
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t) (eq - name) : strlen (name);
  occurrence_t occ = { 0 };

  if (len == 0 || name[0] == '-' || name[0] == '=')
    return hs_error_usage (err, "bad flag syntax: `%s`", arg);
  occ.opt = lookup (tables, HS_DIALECT_GO, name, len, 0);
  if (occ.opt == NULL && len == 1)
    occ.opt = lookup (tables, HS_DIALECT_GO, NULL, 0, name[0]);
  if (occ.opt == NULL)
    return 0;
  occ.ref.index = -1;
  if (occ.opt->kind == K_BOOL)
    {
      occ.bool_value = true;
      if (eq && !parse_go_bool (eq + 1, &occ.bool_value))
        return hs_error_usage (err, "invalid boolean value `%s` for `%.*s`", eq + 1, (int) len,
                               name);
      occ.ref = (hs_argref_t){ *i, eq ? (size_t) (eq + 1 - arg) : 0 };
      (*i)++;
      return cb (inv, &occ, err) < 0 ? -1 : 1;
    }
  if (eq)
    {
      occ.ref = (hs_argref_t){ *i, (size_t) (eq + 1 - arg) };
      (*i)++;
    }
  else
    {
      if (*i + 1 >= inv->argc)
        return hs_error_usage (err, "flag needs an argument: `%s`", arg);
      occ.ref = (hs_argref_t){ *i + 1, 0 };
      *i += 2;
    }
  occ.value = inv->argv[occ.ref.index] + occ.ref.offset;
  return cb (inv, &occ, err) < 0 ? -1 : 1;
}

static int
parse_argp_option (hs_invocation_t *inv, const opt_t *const *tables, int *i, occurrence_cb cb,
                   hs_error_t *err)
{
  const char *arg = inv->argv[*i];
  occurrence_t occ = { .ref = { -1, 0 } };

  if (arg[1] == '-')
    {
      const char *name = arg + 2, *eq = strchr (name, '=');
      size_t len = eq ? (size_t) (eq - name) : strlen (name);
      bool ambiguous;

      occ.opt = lookup (tables, HS_DIALECT_ARGP, name, len, 0);
      if (occ.opt == NULL)
        occ.opt = lookup_prefix (tables, HS_DIALECT_ARGP, name, len, &ambiguous);
      if (occ.opt == NULL)
        {
          if (ambiguous)
            return hs_error_usage (err, "option `%s` is ambiguous", arg);
          return 0;
        }
      if (occ.opt->kind == K_BOOL)
        {
          if (eq)
            return hs_error_usage (err, "option `--%s` doesn't allow an argument", occ.opt->name);
          occ.bool_value = true;
          occ.ref = (hs_argref_t){ *i, 0 };
          (*i)++;
        }
      else if (eq)
        {
          occ.ref = (hs_argref_t){ *i, (size_t) (eq + 1 - arg) };
          (*i)++;
        }
      else if (occ.opt->kind == K_OPTVALUE)
        (*i)++;
      else
        {
          if (*i + 1 >= inv->argc)
            return hs_error_usage (err, "option `%s` requires an argument", arg);
          occ.ref = (hs_argref_t){ *i + 1, 0 };
          *i += 2;
        }
      if (occ.ref.index >= 0)
        occ.value = inv->argv[occ.ref.index] + occ.ref.offset;
      return cb (inv, &occ, err) < 0 ? -1 : 1;
    }

  /* A cluster of short options: -dt, -bDIR, -b DIR. Unknown letters are
   * only reported once the whole cluster is known to be unparseable. */
  for (size_t k = 1; arg[k] != '\0'; k++)
    {
      occ = (occurrence_t){ .ref = { -1, 0 } };
      occ.opt = lookup (tables, HS_DIALECT_ARGP, NULL, 0, arg[k]);
      if (occ.opt == NULL)
        return k == 1 ? 0 : hs_error_usage (err, "invalid option -- '%c' in `%s`", arg[k], arg);
      if (occ.opt->kind == K_BOOL || (occ.opt->kind == K_OPTVALUE && arg[k + 1] == '\0'))
        {
          occ.bool_value = true;
          if (cb (inv, &occ, err) < 0)
            return -1;
          continue;
        }
      if (arg[k + 1] != '\0')
        occ.ref = (hs_argref_t){ *i, k + 1 };
      else
        {
          if (*i + 1 >= inv->argc)
            return hs_error_usage (err, "option requires an argument -- '%c'", arg[k]);
          occ.ref = (hs_argref_t){ *i + 1, 0 };
          (*i)++;
        }
      occ.value = inv->argv[occ.ref.index] + occ.ref.offset;
      (*i)++;
      return cb (inv, &occ, err) < 0 ? -1 : 1;
    }
  (*i)++;
  return 1;
}

static int
parse_option (hs_invocation_t *inv, const opt_t *const *tables, int *i, occurrence_cb cb,
              hs_error_t *err)
{
  if (inv->dialect == HS_DIALECT_GO)
    return parse_go_option (inv, tables, i, cb, err);
  return parse_argp_option (inv, tables, i, cb, err);
}

static int
on_global (hs_invocation_t *inv, const occurrence_t *occ, hs_error_t *err)
{
  (void) err;
  switch (occ->opt->id)
    {
    case ID_LOG:
      inv->log_path = occ->value;
      break;
    case ID_LOG_FORMAT:
      inv->log_format = occ->value;
      break;
    case ID_ROOT:
      inv->root = occ->value;
      break;
    case ID_VERSION:
      inv->version = occ->bool_value;
      break;
    case ID_HELP:
      inv->help = occ->bool_value;
      break;
    default:
      break;
    }
  return 0;
}

static int
on_verb_option (hs_invocation_t *inv, const occurrence_t *occ, hs_error_t *err)
{
  (void) err;
  switch (occ->opt->id)
    {
    case ID_BUNDLE:
      inv->bundle = occ->value;
      break;
    case ID_CONFIG:
      inv->config = occ->value;
      break;
    case ID_PID_FILE:
      inv->pid_file = occ->value;
      break;
    case ID_PROCESS:
      inv->process = occ->ref;
      break;
    case ID_CAP:
      inv->caps = hs_xrealloc (inv->caps, (inv->n_caps + 1) * sizeof (*inv->caps));
      inv->caps[inv->n_caps++] = occ->ref;
      break;
    case ID_NO_NEW_PRIVS:
      inv->no_new_privs = occ->bool_value;
      inv->no_new_privs_ref = occ->ref;
      break;
    case ID_APPARMOR:
      inv->apparmor = occ->ref;
      break;
    case ID_PROCESS_LABEL:
      inv->process_label = occ->ref;
      break;
    case ID_USER:
      inv->user = occ->ref;
      break;
    case ID_CWD:
      inv->cwd = occ->ref;
      break;
    case ID_RESOURCES:
      inv->resources = occ->ref;
      break;
    case ID_EXEC_CGROUP:
      inv->exec_cgroups = hs_xrealloc (inv->exec_cgroups,
                                       (inv->n_exec_cgroups + 1) * sizeof (*inv->exec_cgroups));
      inv->exec_cgroups[inv->n_exec_cgroups++] = occ->value;
      break;
    case ID_PIDS_LIMIT:
      inv->pids_limit = occ->ref;
      break;
    case ID_MANAGE_CGROUPS_MODE:
      inv->manage_cgroups_mode = occ->value;
      break;
    case ID_EXT_UNIX_SK:
      inv->ext_unix_sk = occ->bool_value;
      break;
    case ID_LSM_MOUNT_CONTEXT:
      inv->lsm_mount_context = occ->value;
      break;
    case ID_IMAGE_PATH:
      inv->image_path = occ->value;
      break;
    case ID_HELP:
      inv->verb_help = occ->bool_value;
      break;
    default:
      break;
    }
  return 0;
}

/* `permute`: options may follow the container id (urfave/cli reorders for
 * runc; crun's argp stops at the id). `command`: what follows the id is the
 * exec'd command, else it is extra arguments the runtime refuses. */
static int
parse_verb_args (hs_invocation_t *inv, const opt_t *const *tables, bool permute, bool command,
                 hs_error_t *err)
{
  int positional[2];
  int n_positional = 0;
  bool only_positional = false;

  for (int i = inv->verb_index + 1; i < inv->argc;)
    {
      const char *arg = inv->argv[i];
      int r;

      if (!only_positional && strcmp (arg, "--") == 0)
        {
          only_positional = true;
          i++;
          continue;
        }
      if (only_positional || arg[0] != '-' || arg[1] == '\0')
        {
          if (n_positional < 2)
            positional[n_positional] = i;
          n_positional++;
          i++;
          if (command)
            {
              inv->command_index = i < inv->argc ? i : -1;
              break;
            }
          if (!permute)
            {
              n_positional += inv->argc - i;
              if (i < inv->argc)
                positional[1] = i;
              break;
            }
          continue;
        }
      r = parse_option (inv, tables, &i, on_verb_option, err);
      if (r < 0)
        return hs_error_wrap (err, "%s", inv->verb_name);
      if (r == 0)
        return hs_error_usage (err,
                               "%s: unknown option `%s`: hardshim cannot tell how the runtime "
                               "would read this command line, so it refuses it",
                               inv->verb_name, arg);
    }
  if (inv->verb_help)
    return 0;
  if (n_positional == 0)
    return hs_error_usage (err, "%s: missing the container id", inv->verb_name);
  if (!command && n_positional > 1)
    return hs_error_usage (err, "%s: expected one container id, got %d arguments (`%s`, `%s`...)",
                           inv->verb_name, n_positional, inv->argv[positional[0]],
                           inv->argv[positional[1]]);
  inv->id = inv->argv[positional[0]];
  return 0;
}

int
hs_cli_parse (int argc, char *const *argv, hs_dialect_t dialect, hs_invocation_t *ret,
              hs_error_t *err)
{
  hs_invocation_t inv = {
    .argc = argc,
    .argv = argv,
    .dialect = dialect,
    .verb_index = -1,
    .process = { -1, 0 },
    .apparmor = { -1, 0 },
    .process_label = { -1, 0 },
    .user = { -1, 0 },
    .cwd = { -1, 0 },
    .resources = { -1, 0 },
    .pids_limit = { -1, 0 },
    .no_new_privs_ref = { -1, 0 },
    .command_index = -1,
  };
  const opt_t *const global_tables[] = { global_opts, NULL };
  int i = 1, r = 0;

  if (argc > HS_CLI_MAX_ARGS)
    return hs_error_usage (err, "too many arguments (%d, limit %d)", argc, HS_CLI_MAX_ARGS);

  while (i < argc)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        break;
      r = parse_option (&inv, global_tables, &i, on_global, err);
      if (r < 0)
        {
          inv.unknown_global = arg;
          goto fail;
        }
      if (r == 0)
        {
          inv.unknown_global = arg;
          *ret = inv;
          return 0;
        }
    }
  if (i >= argc)
    {
      *ret = inv;
      return 0;
    }

  inv.verb_index = i;
  inv.verb_name = argv[i];
  inv.verb = hs_verb_from_name (argv[i]);
  if (inv.version || inv.help)
    {
      *ret = inv;
      return 0;
    }

  switch (inv.verb)
    {
    case HS_VERB_CREATE:
      {
        const opt_t *const t[] = { create_opts, NULL };
        r = parse_verb_args (&inv, t, dialect == HS_DIALECT_GO, false, err);
        break;
      }
    case HS_VERB_RUN:
      {
        const opt_t *const t[] = { create_opts, run_opts, NULL };
        r = parse_verb_args (&inv, t, dialect == HS_DIALECT_GO, false, err);
        break;
      }
    case HS_VERB_RESTORE:
      {
        const opt_t *const t[] = { create_opts, restore_opts, NULL };
        r = parse_verb_args (&inv, t, dialect == HS_DIALECT_GO, false, err);
        break;
      }
    case HS_VERB_EXEC:
      {
        const opt_t *const t[] = { exec_opts, NULL };
        r = parse_verb_args (&inv, t, false, true, err);
        break;
      }
    case HS_VERB_UPDATE:
      {
        const opt_t *const t[] = { update_opts, NULL };
        r = parse_verb_args (&inv, t, dialect == HS_DIALECT_GO, false, err);
        break;
      }
    case HS_VERB_DELETE:
      {
        /* Informational only: delete always passes through. */
        const opt_t *const t[] = { delete_opts, NULL };
        hs_error_t ignored = NULL;
        if (parse_verb_args (&inv, t, dialect == HS_DIALECT_GO, false, &ignored) < 0)
          inv.id = NULL;
        hs_error_release (&ignored);
        break;
      }
    default:
      break;
    }
  if (r < 0)
    goto fail;
  *ret = inv;
  return 0;

fail:
  /* What was parsed (the --log path above all) still serves the report. */
  free (inv.caps);
  inv.caps = NULL;
  inv.n_caps = 0;
  free (inv.exec_cgroups);
  inv.exec_cgroups = NULL;
  inv.n_exec_cgroups = 0;
  *ret = inv;
  return r;
}

void
hs_cli_release (hs_invocation_t *inv)
{
  free (inv->caps);
  inv->caps = NULL;
  inv->n_caps = 0;
  free (inv->exec_cgroups);
  inv->exec_cgroups = NULL;
  inv->n_exec_cgroups = 0;
}

const char *
hs_cli_value (const hs_invocation_t *inv, hs_argref_t ref)
{
  if (ref.index < 0 || ref.index >= inv->argc)
    return NULL;
  return inv->argv[ref.index] + ref.offset;
}

char **
hs_cli_replace_value (const hs_invocation_t *inv, hs_argref_t ref, const char *value)
{
  char **argv = hs_xcalloc ((size_t) inv->argc + 1, sizeof (char *));

  for (int i = 0; i < inv->argc; i++)
    argv[i] = inv->argv[i];
  if (ref.index >= 0 && ref.index < inv->argc)
    argv[ref.index] = hs_xasprintf ("%.*s%s", (int) ref.offset, inv->argv[ref.index], value);
  return argv;
}

bool
hs_cli_mentions_intercepted_verb (const hs_invocation_t *inv)
{
  for (int i = 1; i < inv->argc; i++)
    if (hs_verb_is_intercepted (hs_verb_from_name (inv->argv[i])))
      return true;
  return false;
}

const char *
hs_cli_runtime_root (const hs_invocation_t *inv)
{
  if (inv->root != NULL)
    return inv->root;
  return inv->dialect == HS_DIALECT_ARGP ? "/run/crun" : "/run/runc";
}
