#include "exec_inline.h"
#include "cleanup.h"
#include "exec_user.h"
#include "harden/caps.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The process the runtime would build from the flags, as far as the
 * controls that run on it care. */
static hs_json_t *
flags_process (const hs_invocation_t *inv, const hs_json_t *container, bool *ret_user_known)
{
  hs_json_t *p = hs_json_new (HS_JSON_OBJECT);
  const char *user = hs_cli_value (inv, inv->user);
  hs_exec_user_t parsed;

  if (inv->n_caps > 0)
    {
      hs_json_t *caps = hs_json_new (HS_JSON_OBJECT);
      hs_json_t *set = hs_json_new (HS_JSON_ARRAY);

      for (size_t i = 0; i < inv->n_caps; i++)
        hs_json_append (set, hs_json_new_string (hs_cli_value (inv, inv->caps[i])));
      hs_json_set_exact (caps, "bounding", hs_json_dup (set));
      hs_json_set_exact (caps, "effective", hs_json_dup (set));
      hs_json_set_exact (caps, "permitted", set);
      hs_json_set_exact (p, "capabilities", caps);
    }
  /* crun: unset is false, whatever the config says; runc: unset keeps the
   * container's value (true when hardshim hardened its create). */
  if (inv->no_new_privs_ref.index >= 0 || inv->dialect == HS_DIALECT_ARGP)
    hs_json_set_exact (p, "noNewPrivileges", hs_json_new_bool (inv->no_new_privs));
  else
    {
      const hs_json_t *c = hs_json_path (container, "process", "noNewPrivileges", NULL);
      hs_json_set_exact (p, "noNewPrivileges",
                         hs_json_new_bool (container == NULL || hs_json_is_true (c)));
    }

  /* --cwd, and the command: judged by cwd_clean and exec_path */
  if (inv->cwd.index >= 0)
    hs_json_set_exact (p, "cwd", hs_json_new_string (hs_cli_value (inv, inv->cwd)));
  if (inv->command_index >= 0)
    {
      hs_json_t *args = hs_json_new (HS_JSON_ARRAY);

      for (int i = inv->command_index; i < inv->argc; i++)
        hs_json_append (args, hs_json_new_string (inv->argv[i]));
      hs_json_set_exact (p, "args", args);
    }

  /* --user UID[:GID] in the one spelling runc and crun read alike;
   * any other is left to non_root_user to refuse (exec_user.h) */
  *ret_user_known = false;
  if (user != NULL && hs_exec_user_parse (user, &parsed))
    {
      hs_json_t *u = hs_json_new (HS_JSON_OBJECT);

      hs_json_set_exact (u, "uid", hs_json_new_uint (parsed.uid));
      if (parsed.has_gid)
        hs_json_set_exact (u, "gid", hs_json_new_uint (parsed.gid));
      hs_json_set_exact (p, "user", u);
      *ret_user_known = true;
    }
  return p;
}

/* Remove the --cap occurrence whose value is at ref from the copy `out`
 * (elements set to NULL are dropped later). Forms: `--cap X`, `--cap=X`,
 * `-c X`, `-cX` and argp clusters such as `-dcX` / `-dc X`. */
static void
drop_cap (const hs_invocation_t *inv, hs_argref_t ref, char **out)
{
  const char *el = inv->argv[ref.index];

  if (ref.offset == 0)
    {
      const char *flag = inv->argv[ref.index - 1];
      size_t n = strlen (flag);

      out[ref.index] = NULL;
      if (inv->dialect == HS_DIALECT_ARGP && flag[1] != '-' && n > 2)
        out[ref.index - 1] = hs_xstrndup (flag, n - 1); /* "-dc" -> "-d" */
      else
        out[ref.index - 1] = NULL;
      return;
    }
  if (inv->dialect == HS_DIALECT_ARGP && el[1] != '-' && ref.offset > 2)
    out[ref.index] = hs_xstrndup (el, ref.offset - 1); /* "-dcX" -> "-d" */
  else
    out[ref.index] = NULL;
}

/* The strings hardshim allocates (shortened clusters, `--no-new-privs=true`)
 * follow the terminating NULL, up to a second NULL, so that
 * hs_exec_inline_argv_free finds them; the rest are inv's own. */
char **
hs_exec_inline_argv (const hs_invocation_t *inv, const bool *drop, bool force_nnp, const char *cwd)
{
  char **copy = hs_xcalloc ((size_t) inv->argc + 1, sizeof (char *));
  char **out = hs_xcalloc (2 * (size_t) inv->argc + 3, sizeof (char *));
  size_t n = 0, owned;

  for (int i = 0; i < inv->argc; i++)
    copy[i] = inv->argv[i];
  for (size_t i = 0; i < inv->n_caps; i++)
    if (drop[i])
      drop_cap (inv, inv->caps[i], copy);
  if (force_nnp && inv->no_new_privs_ref.index >= 0 && inv->no_new_privs_ref.offset > 0)
    copy[inv->no_new_privs_ref.index] = hs_xasprintf (
        "%.*strue", (int) inv->no_new_privs_ref.offset, inv->argv[inv->no_new_privs_ref.index]);
  if (cwd != NULL && inv->cwd.index >= 0)
    copy[inv->cwd.index]
        = hs_xasprintf ("%.*s%s", (int) inv->cwd.offset, inv->argv[inv->cwd.index], cwd);
  for (int i = 0; i < inv->argc; i++)
    {
      if (copy[i] != NULL)
        out[n++] = copy[i];
      /* right after the verb: both parsers read options there */
      if (i == inv->verb_index && force_nnp && inv->no_new_privs_ref.index < 0)
        out[n++] = (char *) "--no-new-privs";
    }
  out[n] = NULL;
  owned = n + 1;
  for (int i = 0; i < inv->argc; i++)
    if (copy[i] != NULL && copy[i] != inv->argv[i])
      out[owned++] = copy[i];
  out[owned] = NULL;
  free (copy);
  return out;
}

void
hs_exec_inline_argv_free (char **argv)
{
  size_t i = 0;

  if (argv == NULL)
    return;
  while (argv[i] != NULL)
    i++;
  for (i++; argv[i] != NULL; i++)
    free (argv[i]);
  free (argv);
}

int
hs_exec_inline_harden (const hs_invocation_t *inv, const hs_policy_t *policy, const hs_host_t *host,
                       hs_audit_t *audit, const hs_json_t *container, char ***ret_argv,
                       hs_error_t *err)
{
  static const char *const with_user[]
      = { "capabilities", "no_new_privileges", "non_root_user", "cwd_clean", "exec_path", NULL };
  cleanup_json hs_json_t *wrapper = hs_json_new (HS_JSON_OBJECT);
  cleanup_free bool *drop = NULL;
  const hs_json_t *process, *bounding, *nnp, *cwd;
  bool user_known, any = false, force_nnp, nnp_before;
  uint64_t kept;
  int r;

  *ret_argv = NULL;
  hs_json_set_exact (wrapper, "process", flags_process (inv, container, &user_known));
  nnp_before = hs_json_is_true (hs_json_path (wrapper, "process", "noNewPrivileges", NULL));
  {
    hs_harden_t h = {
      .spec = wrapper,
      .policy = policy,
      .host = host,
      .audit = audit,
      .target = HS_TARGET_PROCESS,
      .container = container,
    };
    const char *user = hs_cli_value (inv, inv->user);

    /* a spelling hardshim cannot read as the runtime does */
    if (user != NULL && !user_known)
      h.exec_user_flag = user;
    /* Without --user the exec runs as the container's user, checked at create. */
    if (!user_known && user == NULL)
      {
        static const char *const without_user[]
            = { "capabilities", "no_new_privileges", "cwd_clean", "exec_path", NULL };
        r = hs_harden_run_only (&h, without_user, err);
      }
    else
      r = hs_harden_run_only (&h, with_user, err);
  }
  if (r < 0)
    return r;
  if (policy->mode == HS_POLICY_AUDIT)
    return 0;

  process = hs_json_get_exact (wrapper, "process");
  bounding = hs_json_path (process, "capabilities", "bounding", NULL);
  kept = hs_cap_mask (bounding, NULL, NULL);
  drop = hs_xcalloc (inv->n_caps + 1, sizeof (bool));
  for (size_t i = 0; i < inv->n_caps; i++)
    {
      int v = hs_cap_from_name (hs_cli_value (inv, inv->caps[i]));
      drop[i] = v >= 0 && !(kept & (UINT64_C (1) << v));
      any = any || drop[i];
    }
  nnp = hs_json_get_exact (process, "noNewPrivileges");
  force_nnp = hs_json_is_true (nnp) && !nnp_before;
  cwd = hs_json_get_exact (process, "cwd");
  if (cwd != NULL
      && (cwd->type != HS_JSON_STRING || inv->cwd.index < 0
          || strcmp (cwd->str, hs_cli_value (inv, inv->cwd)) == 0))
    cwd = NULL; /* as given */
  if (any || force_nnp || cwd != NULL)
    *ret_argv = hs_exec_inline_argv (inv, drop, force_nnp, cwd ? cwd->str : NULL);
  return 0;
}
