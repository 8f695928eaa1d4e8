/* hardshim: the OCI runtime engines call.
 * argv -> invocation -> intercept (create, run, restore, exec) or pass
 * through -> execv the real runtime. Only this file prints errors. */
#include "audit.h"
#include "caller.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "container_id.h"
#include "container_state.h"
#include "exec_cgroup.h"
#include "exec_inline.h"
#include "config_record.h"
#include "exec_process.h"
#include "joined_ns.h"
#include "runtime_probe.h"
#include "sha256.h"
#include "harden.h"
#include "harden/lsm.h"
#include "host.h"
#include "liveness.h"
#include "policy.h"
#include "release.h"
#include "runtime.h"
#include "spec.h"
#include "update.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  hs_invocation_t inv;
  hs_policy_t *policy;
  hs_runtime_t rt;
  char **argv;      /* what the runtime gets (argv[0] is replaced) */
  int replaced;     /* index of argv's one replaced element, or -1 */
  bool argv_inline; /* argv is hs_exec_inline_harden's */
  hs_json_t *spec;  /* the hardened config: freed only if no exec follows */
} hs_main_t;

static void
main_release (hs_main_t *m)
{
  m->policy = hs_policy_free (m->policy);
  m->spec = hs_json_free (m->spec);
  hs_runtime_release (&m->rt);
  if (m->argv_inline)
    hs_exec_inline_argv_free (m->argv);
  else
    {
      if (m->argv != NULL && m->replaced >= 0)
        free (m->argv[m->replaced]);
      free (m->argv);
    }
  hs_cli_release (&m->inv);
}

static int
report (const hs_invocation_t *inv, hs_error_t *err)
{
  cleanup_free char *msg = hs_xasprintf ("hardshim: %s", (*err)->msg);

  fprintf (stderr, "%s\n", msg);
  if (inv != NULL)
    hs_runtime_log (inv->log_path, inv->log_format, "error", msg);
  return 1;
}

static void
write_audit (const hs_policy_t *policy, const hs_audit_t *audit, const char *verdict,
             hs_error_t *err)
{
  if (policy->audit_log != NULL && audit->len > 0)
    hs_audit_write (audit, policy->audit_log, err);
  if (policy->audit_syslog)
    hs_audit_syslog (audit, verdict);
}

/* Audit-log trouble refuses the container only when the policy says so. */
static int
finish_audit (const hs_policy_t *policy, const hs_audit_t *audit, int verdict_r, hs_error_t *err)
{
  cleanup_error hs_error_t log_err = NULL;

  write_audit (policy, audit, verdict_r < 0 ? "refused" : "admitted", &log_err);
  if (log_err != NULL && verdict_r == 0)
    {
      if (policy->audit_log_required)
        {
          *err = TAKE_PTR (log_err);
          return hs_error_wrap (err, "the audit log is required by policy (audit_log.required)");
        }
      fprintf (stderr, "hardshim: warning: %s\n", log_err->msg);
    }
  return verdict_r;
}

/* Audit mode refuses nothing: what enforce mode would refuse before any
 * control runs (an unreadable or malformed config) is only recorded, and
 * the runtime gets the file as it is. */
static int
audit_mode_pass (const hs_policy_t *policy, hs_audit_t *audit, int r, hs_error_t *err)
{
  if (r == 0 || policy->mode != HS_POLICY_AUDIT)
    return r;
  hs_audit_add (audit, "spec", HS_ACT_WOULD_REFUSE, NULL, NULL, NULL, (*err)->msg);
  hs_error_release (err);
  return 0;
}

/* The digest of a config's `process` as hardshim emits it (canonical). */
static bool
process_digest (const hs_json_t *config, char ret[HS_DIGEST_LEN])
{
  const hs_json_t *process = config ? hs_json_get (config, "process") : NULL;
  cleanup_free char *text = NULL;
  size_t len;

  if (process == NULL || hs_json_emit (process, false, &text, &len, NULL) < 0)
    return false;
  hs_sha256_digest (text, len, ret);
  return true;
}

/* Where the runtime reads the checkpoint: --image-path, else `checkpoint`
 * in the directory runc is run from, or in the bundle crun changes into;
 * a relative path against the same directory. */
static char *
restore_image_path (const hs_invocation_t *inv)
{
  const char *base = inv->dialect == HS_DIALECT_ARGP && inv->bundle ? inv->bundle : ".";
  cleanup_free char *dir = realpath (base, NULL);
  const char *p = inv->image_path ? inv->image_path : "checkpoint";

  if (p[0] == '/')
    return hs_xstrdup (p);
  return dir ? hs_xasprintf ("%s/%s", dir, p) : NULL;
}

static int
harden_config (hs_main_t *m, hs_error_t *err)
{
  const hs_invocation_t *inv = &m->inv;
  hs_spec_file_t f = { .dirfd = -1 };
  /* the audit log names the bundle absolutely: "." says nothing later */
  cleanup_free char *bundle = realpath (inv->bundle ? inv->bundle : ".", NULL);
  /* records name the root absolutely: a later judgement must not depend
   * on anyone's cwd */
  cleanup_free char *root = hs_runtime_root_absolute (hs_cli_runtime_root (inv));
  cleanup_free char *image_path = inv->verb == HS_VERB_RESTORE ? restore_image_path (inv) : NULL;
  bool hardened = false;
  char digest[HS_DIGEST_LEN];
  hs_container_t ctr = {
    .id = inv->id,
    .root = root,
    .runtime = m->rt.path,
    .bundle = inv->bundle,
    .restore = inv->verb == HS_VERB_RESTORE,
    .restore_cgroups_mode = inv->manage_cgroups_mode,
    .restore_ext_unix_sk = inv->ext_unix_sk,
    .restore_mount_context = inv->lsm_mount_context,
    .restore_image_path = image_path,
  };
  hs_audit_t audit;
  hs_host_t host;
  int r;

  hs_audit_init (&audit, inv->verb_name, inv->id,
                 bundle ? bundle : (inv->bundle ? inv->bundle : "."), m->policy->digest);
  r = hs_spec_load (inv->bundle, inv->config, &f, err);
  if (r == 0 && hs_liveness_running (root, inv->id))
    r = hs_error_refuse (err,
                         "container `%s` already exists and its init process runs: its ids and "
                         "mounts are left alone (the runtime refuses such a create too)",
                         inv->id);
  if (r == 0)
    {
      hs_host_detect (&host);
      ctr.config_dirfd = f.dirfd;
      ctr.config_st = &f.st;
      ctr.config_display = f.display;
      r = hs_harden_spec_for (f.tree, m->policy, &host, &audit, &ctr, err);
      if (r == 0 && inv->verb == HS_VERB_RESTORE)
        r = hs_lsm_harden_flags (inv, f.tree, m->policy, &host, &audit, err);
      if (r < 0 && !hs_error_is_refusal (err))
        hs_error_wrap (err, "`%s`", f.display);
      hardened = r == 0;
    }
  r = audit_mode_pass (m->policy, &audit, r, err);
  r = finish_audit (m->policy, &audit, r, err);
  /* audit mode leaves config.json as the engine wrote it */
  if (r == 0 && hardened && m->policy->mode != HS_POLICY_AUDIT)
    r = hs_spec_store (&f, err);
  /* what runc's exec without --process will compare config.json's process
   * with (crun's exec reads its own copy: nothing to record) */
  if (r == 0 && hardened && m->policy->mode != HS_POLICY_AUDIT && root != NULL
      && inv->dialect == HS_DIALECT_GO && hs_container_id_valid (inv->id)
      && process_digest (f.tree, digest)
      && hs_config_record_put (m->policy->state_dir, root, inv->id, digest, err) < 0)
    r = hs_error_wrap (err, "record the hardened process of `%s` for its execs", inv->id);
  hs_audit_release (&audit);
  /* the exec that follows frees the tree at no cost */
  m->spec = TAKE_PTR (f.tree);
  hs_spec_release (&f);
  return r;
}

/* runc's exec without --process takes the process from the bundle's
 * config.json as it is now (crun's from its own copy): refuse when that is
 * not the process hardshim hardened at create. A container hardshim did
 * not create has no record: its exec is judged by the flags, as before. */
static int
check_process_unchanged (hs_main_t *m, const hs_json_t *container, const char *source,
                         hs_error_t *err)
{
  cleanup_free char *root = NULL;
  cleanup_error hs_error_t e = NULL;
  char want[HS_DIGEST_LEN], now[HS_DIGEST_LEN];
  int have;

  if (m->inv.dialect != HS_DIALECT_GO || !hs_container_id_valid (m->inv.id))
    return 0;
  root = hs_runtime_root_absolute (hs_cli_runtime_root (&m->inv));
  have = hs_config_record_get (m->policy->state_dir, root, m->inv.id, want, &e);
  if (have < 0)
    return hs_error_refuse (err, "cannot read the record of the config hardshim hardened: %s",
                            e->msg);
  if (have == 0)
    return 0;
  if (!process_digest (container, now))
    return hs_error_refuse (err, "cannot read the container's config.json, which runc takes this "
                                 "exec's process from");
  if (strcmp (want, now) != 0)
    return hs_error_refuse (err,
                            "the process in `%s` changed since hardshim hardened it at create: "
                            "runc would take this exec's capabilities, user, rlimits, labels "
                            "and noNewPrivileges from it; create the container again, or exec "
                            "with --process",
                            source ? source : "config.json");
  return 0;
}

static int
harden_exec (hs_main_t *m, hs_error_t *err)
{
  hs_audit_t audit;
  hs_host_t host;
  cleanup_free char *new_path = NULL, *source = NULL;
  cleanup_json hs_json_t *container = NULL;
  const char *ns_type = NULL, *ns_path = NULL;
  int r;

  hs_host_detect (&host);
  hs_audit_init (&audit, m->inv.verb_name, m->inv.id, NULL, m->policy->digest);
  hs_container_config_load (&m->inv, &container, &source);
  r = hs_exec_cgroup_check (&m->inv, err);
  if (r < 0)
    ; /* refused before the process is looked at */
  else if (container != NULL && hs_config_joins_beside_new_userns (container, &ns_type, &ns_path)
           && hs_probe_joins_userns_first (m->rt.path))
    r = hs_error_refuse (err,
                         "%s joins the container's user namespace before its %s namespace "
                         "`%s`, which that user namespace does not own (a Kubernetes pod on "
                         "containerd 1.6/1.7): it cannot exec into this "
                         "container (runc before 1.2.1, runc#4390); use crun or runc 1.2.1 or "
                         "later, or grant `userns` off for this scope in `exceptions`",
                         m->rt.path, ns_type, ns_path);
  else if (hs_cli_value (&m->inv, m->inv.process) == NULL
           && (r = check_process_unchanged (m, container, source, err)) < 0)
    ;
  else if (hs_cli_value (&m->inv, m->inv.process) == NULL)
    {
      /* no process file: the flags are what can raise privileges */
      r = hs_exec_inline_harden (&m->inv, m->policy, &host, &audit, container, &m->argv, err);
      m->argv_inline = m->argv != NULL;
      if (r == 0)
        r = hs_lsm_harden_flags (&m->inv, container, m->policy, &host, &audit, err);
    }
  else
    r = hs_exec_harden (&m->inv, m->policy, &host, &audit, &new_path, err);
  r = audit_mode_pass (m->policy, &audit, r, err);
  r = finish_audit (m->policy, &audit, r, err);
  hs_audit_release (&audit);
  if (r == 0 && new_path != NULL)
    {
      m->argv = hs_cli_replace_value (&m->inv, m->inv.process, new_path);
      m->replaced = m->inv.process.index;
    }
  return r;
}

static int
harden_update (hs_main_t *m, hs_error_t *err)
{
  hs_audit_t audit;
  hs_host_t host;
  cleanup_free char *new_path = NULL;
  int r;

  hs_host_detect (&host);
  hs_audit_init (&audit, m->inv.verb_name, m->inv.id, NULL, m->policy->digest);
  r = hs_update_harden (&m->inv, m->policy, &host, &audit, &new_path, err);
  r = audit_mode_pass (m->policy, &audit, r, err);
  r = finish_audit (m->policy, &audit, r, err);
  hs_audit_release (&audit);
  if (r == 0 && new_path != NULL)
    {
      m->argv = hs_cli_replace_value (&m->inv, m->inv.resources, new_path);
      m->replaced = m->inv.resources.index;
    }
  return r;
}

/* A command line hardshim cannot read is refused, except in audit mode,
 * which only records it, and off mode, which never looks: then the
 * runtime has it. */
static int
refuse_cli (hs_main_t *m, hs_error_t *err)
{
  hs_audit_t audit;

  if (m->policy->mode == HS_POLICY_OFF)
    {
      hs_error_release (err);
      return 0;
    }
  if (m->policy->mode != HS_POLICY_AUDIT)
    return -1;
  /* `err` holds the refusal; the digest of a valid policy always emits */
  (void) hs_policy_ensure_digest (m->policy, NULL);
  hs_audit_init (&audit, m->inv.verb_name, m->inv.id, NULL, m->policy->digest);
  hs_audit_add (&audit, "cli", HS_ACT_WOULD_REFUSE, NULL, NULL, NULL, (*err)->msg);
  write_audit (m->policy, &audit, "admitted", NULL);
  hs_audit_release (&audit);
  hs_error_release (err);
  return 0;
}

static int
intercept (hs_main_t *m, hs_error_t *err)
{
  const hs_invocation_t *inv = &m->inv;
  int r;

  if (inv->unknown_global != NULL)
    {
      if (hs_cli_mentions_intercepted_verb (inv))
        {
          hs_error_usage (err,
                          "unknown global option `%s`: hardshim cannot tell how the runtime "
                          "would read this command line, so it refuses it",
                          inv->unknown_global);
          return refuse_cli (m, err);
        }
      return 0;
    }
  if (inv->verb == HS_VERB_DELETE && !inv->verb_help)
    {
      hs_audit_t audit;

      if (hs_policy_ensure_digest (m->policy, err) < 0)
        return -1;
      hs_audit_init (&audit, inv->verb_name, inv->id, NULL, m->policy->digest);
      hs_release_container (m->policy, inv, &audit);
      if (audit.len > 0)
        write_audit (m->policy, &audit, "released", NULL);
      hs_audit_release (&audit);
      return 0;
    }
  if (!hs_verb_is_intercepted (inv->verb) || inv->verb_help)
    return 0;
  /* The id names records, mount directories and the runtime's state: one
   * the runtimes would refuse (or too long to be a file name) is refused
   * before anything is allocated or read for it. */
  if (hs_container_id_check (inv->id, err) < 0)
    {
      hs_error_wrap (err, "%s", inv->verb_name);
      return refuse_cli (m, err);
    }
  /* records and the hardened mark name the policy */
  if (hs_policy_ensure_digest (m->policy, err) < 0)
    return -1;
  if (inv->verb == HS_VERB_EXEC)
    r = harden_exec (m, err);
  else if (inv->verb == HS_VERB_UPDATE)
    r = harden_update (m, err);
  else
    r = harden_config (m, err);
  if (r < 0)
    return hs_error_wrap (err, "%s `%s`", inv->verb_name, inv->id ? inv->id : "");
  return 0;
}

int
main (int argc, char **argv)
{
  hs_policy_paths_t paths = {
    .override = secure_getenv ("HARDSHIM_POLICY"),
    .file = HS_POLICY_DIR "/policy.json",
    .dir = HS_POLICY_DIR "/policy.d",
    .lazy_digest = true, /* only records and the hardened mark need it */
  };
  hs_runtime_query_t rt_query = {
    .env = secure_getenv ("HARDSHIM_RUNTIME"),
    .argv0 = argc > 0 ? argv[0] : NULL,
    .real_dir = HS_REAL_RUNTIME_DIR,
  };
  cleanup_error hs_error_t err = NULL;
  cleanup_error hs_error_t policy_err = NULL;
  cleanup_error hs_error_t cli_err = NULL;
  cleanup_free char *caller_state_dir = NULL, *caller_audit_log = NULL;
  __attribute__ ((cleanup (main_release))) hs_main_t m = { .replaced = -1 };
  int r, r_cli;

  r = hs_harden_load_policy (&paths, &m.policy, &policy_err);
  if (r < 0)
    hs_error_wrap (&policy_err, "invalid host policy, no container is created or exec'd until it "
                                "is fixed (`hardshimctl policy validate FILE` checks a file)");

  /* The runtime decides how argv reads, so find it even without a policy
   * (whose `runtime` key is then not trusted). */
  rt_query.configured = m.policy && !policy_err ? m.policy->runtime : NULL;
  r = hs_runtime_resolve (&rt_query, &m.rt, &err);
  r_cli = hs_cli_parse (argc, argv, r == 0 ? m.rt.dialect : hs_runtime_invoked_dialect (&rt_query),
                        &m.inv, &cli_err);
  if (policy_err != NULL)
    {
      /* Fail closed for what starts a process in a container; let engines
       * still stop, inspect and delete what exists, so a bad policy pushed to
       * a node does not strand its containers. */
      if (r < 0 || r_cli < 0 || hs_verb_is_intercepted (m.inv.verb) || m.inv.unknown_global != NULL
          || hs_cli_mentions_intercepted_verb (&m.inv))
        return report (&m.inv, &policy_err);
      fprintf (stderr, "hardshim: warning: %s; `%s` passes through to %s\n", policy_err->msg,
               m.inv.verb_name ? m.inv.verb_name : "(no verb)", m.rt.path);
      if (m.inv.version)
        {
          r = hs_runtime_version (&m.rt, argc, argv, &err);
          return r < 0 ? report (&m.inv, &err) : r;
        }
      hs_runtime_exec (m.rt.path, argc, argv, &err);
      return report (&m.inv, &err);
    }
  if (r < 0)
    return report (&m.inv, &err);
  if (r_cli < 0)
    {
      /* Only a command line that could start a container matters; the
       * runtime reports its own usage errors for the rest. */
      if (hs_cli_mentions_intercepted_verb (&m.inv) && refuse_cli (&m, &cli_err) < 0)
        return report (&m.inv, &cli_err);
      m.inv.verb = HS_VERB_OTHER;
      m.inv.version = false;
    }

  if (m.inv.version)
    {
      r = hs_runtime_version (&m.rt, argc, argv, &err);
      return r < 0 ? report (&m.inv, &err) : r;
    }
  /* root's state directory is out of a rootless engine's reach; its
   * containers are only ever its own. Without one of its own, only what
   * starts a process fails. */
  if (m.policy->mode != HS_POLICY_OFF && hs_caller_unprivileged ())
    {
      r = hs_caller_state_dir (&caller_state_dir, &caller_audit_log, &err);
      if (r < 0 && hs_verb_is_intercepted (m.inv.verb))
        return report (&m.inv, &err);
      hs_error_release (&err);
      if (r == 0)
        {
          m.policy->state_dir = caller_state_dir;
          if (m.policy->audit_log != NULL)
            m.policy->audit_log = caller_audit_log;
        }
    }
  if (m.policy->mode != HS_POLICY_OFF && intercept (&m, &err) < 0)
    return report (&m.inv, &err);

  if (m.argv != NULL)
    {
      /* a rewritten argv may be shorter or longer (exec flags) */
      argc = 0;
      while (m.argv[argc] != NULL)
        argc++;
    }
  hs_runtime_exec (m.rt.path, argc, m.argv ? m.argv : argv, &err);
  return report (&m.inv, &err);
}
