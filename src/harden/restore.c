/* restore: what a CRIU checkpoint brings back. On restore the runtime
 * starts nothing from config.json's process: CRIU recreates the processes
 * from the checkpoint images with the uids, capabilities, seccomp filters,
 * no_new_privs bit and LSM labels they had when dumped. hardshim cannot
 * read those images, so it cannot judge them: a restore is refused unless
 * host policy trusts the container's checkpoints (a named exception, or
 * the control off). A trusted checkpoint is still held to the flags that
 * would let it reach past its config: CRIU restoring the checkpoint's
 * cgroup properties (--manage-cgroups-mode full/strict), its unix sockets'
 * peers outside the container (--ext-unix-sk), a mount context other than
 * the config's (--lsm-mount-context), and to a checkpoint directory only
 * root can write (else anyone could have replaced what was trusted). --lsm-profile is judged by the
 * apparmor and selinux controls (harden/lsm.c). */
#include "harden/controls.h"
#include "harden/lsm.h"
#include "trusted_dir.h"

#include <string.h>
#include <unistd.h>

static const char *const exception_names[] = { "checkpoint", NULL };

static int
judge_cgroups_mode (hs_harden_t *h, const char *mode, hs_error_t *err)
{
  if (mode == NULL || strcmp (mode, "soft") == 0 || strcmp (mode, "ignore") == 0)
    return 0;
  if (strcmp (mode, "full") == 0 || strcmp (mode, "strict") == 0)
    return hs_harden_refuse (h, err, "restore --manage-cgroups-mode",
                             "`--manage-cgroups-mode %s` has CRIU restore the checkpoint's cgroup "
                             "properties (limits, device rules) over the ones the hardened "
                             "config sets; use `soft` (the default) or `ignore`",
                             mode);
  return hs_harden_refuse (h, err, "restore --manage-cgroups-mode",
                           "`--manage-cgroups-mode %.64s` is not one hardshim knows (soft, "
                           "ignore, full, strict)",
                           mode);
}

static int
judge_mount_context (hs_harden_t *h, const char *ctx, hs_error_t *err)
{
  const hs_json_t *own = hs_json_path (h->spec, "linux", "mountLabel", NULL);
  hs_selinux_label_t l;

  if (ctx == NULL)
    return 0;
  if (hs_selinux_label_parse (ctx, &l) < 0)
    return hs_harden_refuse (h, err, "restore --lsm-mount-context",
                             "`%.128s` is not a valid SELinux context (user:role:type:level)", ctx);
  if (hs_selinux_type_unconfined (l.type))
    {
      hs_selinux_label_release (&l);
      return hs_harden_refuse (h, err, "restore --lsm-mount-context",
                               "SELinux mount context `%.128s` has an unconfined type, which "
                               "host policy does not allow",
                               ctx);
    }
  hs_selinux_label_release (&l);
  if (own != NULL && own->type == HS_JSON_STRING && strcmp (own->str, ctx) == 0)
    return 0;
  return hs_harden_refuse (h, err, "restore --lsm-mount-context",
                           "SELinux mount context `%.128s` is not the container's "
                           "linux.mountLabel (%s): files would be labelled for another "
                           "container or none; leave the flag out",
                           ctx, own != NULL && own->type == HS_JSON_STRING ? own->str : "none set");
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  const hs_container_t *c = h->ctr;
  int r;

  (void) settings;
  if (c == NULL || !c->restore)
    return 0;
  if (!hs_harden_exception_allows (h, NULL, "checkpoint", "trusted"))
    {
      r = hs_harden_refuse (
          h, err, "restore",
          "hardshim cannot see inside a CRIU checkpoint: its processes come back with the uids, "
          "capabilities, seccomp filters, no_new_privs and LSM labels they were dumped with, "
          "whatever the hardened config says; host policy trusts no checkpoint of this container "
          "(grant the exception `restore.checkpoint` = `trusted` for a scope, see "
          "hardshim-policy(5))");
      if (r < 0)
        return r;
    }
  /* trusted as made: nobody else may have put another one in its place */
  r = 0;
  if (c->restore_image_path == NULL)
    r = hs_harden_refuse (h, err, "restore --image-path",
                          "cannot tell where the runtime reads the checkpoint from");
  else if (access (c->restore_image_path, F_OK) < 0)
    /* one made later, where others may create it, is not the trusted one */
    r = hs_harden_refuse (h, err, "restore --image-path",
                          "checkpoint directory `%s` does not exist", c->restore_image_path);
  else
    {
      cleanup_error hs_error_t dir_err = NULL;

      if (hs_trusted_dir_check (c->restore_image_path, "checkpoint directory", &dir_err) < 0)
        r = hs_harden_refuse (h, err, "restore --image-path",
                              "%s; a trusted checkpoint must be where only root can write",
                              dir_err->msg);
    }
  if (r < 0)
    return r;
  if ((r = judge_cgroups_mode (h, c->restore_cgroups_mode, err)) < 0)
    return r;
  if (c->restore_ext_unix_sk
      && (r = hs_harden_refuse (h, err, "restore --ext-unix-sk",
                                "`--ext-unix-sk` has CRIU reconnect the checkpoint's unix "
                                "sockets to peers outside the container, at the paths the "
                                "checkpoint names (a host socket such as the engine's)"))
             < 0)
    return r;
  return judge_mount_context (h, c->restore_mount_context, err);
}

const hs_control_t hs_control_restore = {
  .name = "restore",
  .summary = "restore only checkpoints host policy trusts, held to their config",
  .doc = "On restore, CRIU brings the processes back from the checkpoint images with the\n"
         "uids, capabilities, seccomp filters, no_new_privs and LSM labels they were\n"
         "dumped with; hardshim cannot read the images. Refuses every restore unless the\n"
         "container holds the exception `checkpoint` = `trusted` that host policy grants\n"
         "for its scope (org.hardshim.exception.restore.checkpoint=trusted). A trusted\n"
         "checkpoint is still refused with --manage-cgroups-mode full or strict (the\n"
         "checkpoint's cgroup properties), --ext-unix-sk (peers outside the container) or\n"
         "an --lsm-mount-context other than the config's linux.mountLabel (or unconfined),\n"
         "and when its --image-path is missing or others may write it or above it.\n"
         "Runs on restore only. Default mode: enforce. Settings: mode only.\n",
  .apply = apply,
  .exceptions = exception_names,
  .read_only = true,
};
