#include "exec_process.h"
#include "cleanup.h"
#include "container_state.h"
#include "fileio.h"
#include "handover.h"
#include "harden/lsm.h"
#include "spec.h"
#include "state_dir.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Hardened process files of earlier versions, kept under state_dir/exec;
 * removed when the directory is there. */
#define LEGACY_STALE_SECONDS 60

static void
prune_legacy (const hs_policy_t *policy)
{
  cleanup_free char *dir = hs_xasprintf ("%s/exec", policy->state_dir);
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  time_t now = time (NULL);
  struct stat st;

  if (dfd < 0 || fstat (dfd, &st) < 0 || st.st_uid != geteuid ())
    return;
  d = fdopendir (fcntl (dfd, F_DUPFD_CLOEXEC, 3));
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    if (strncmp (de->d_name, "process-", 8) == 0
        && fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode)
        && now - st.st_mtime > LEGACY_STALE_SECONDS)
      unlinkat (dfd, de->d_name, 0);
}

int
hs_exec_harden (const hs_invocation_t *inv, const hs_policy_t *policy, const hs_host_t *host,
                hs_audit_t *audit, char **ret_path, hs_error_t *err)
{
  const char *path = hs_cli_value (inv, inv->process);
  hs_spec_file_t f = { .dirfd = -1 };
  cleanup_json hs_json_t *wrapper = NULL;
  cleanup_json hs_json_t *container = NULL;
  cleanup_free char *container_source = NULL;
  hs_json_t *process;
  int r;

  *ret_path = NULL;
  /* The container's config: its own profile and label, and its exceptions
   * (annotations), apply to the flags and the process file alike. */
  hs_container_config_load (inv, &container, &container_source);
  r = hs_lsm_harden_flags (inv, container, policy, host, audit, err);
  if (r < 0)
    return r;
  if (path == NULL)
    return 0; /* inline flags: hs_exec_inline_harden */
  r = hs_process_load (path, &f, err);
  if (r < 0)
    return r;
  r = hs_process_validate (f.tree, "", err);
  if (r < 0)
    {
      hs_error_wrap (err, "process file `%s`", path);
      hs_spec_release (&f);
      return r;
    }
  audit->bundle = NULL;
  if (container == NULL)
    hs_audit_add (audit, "exec", HS_ACT_NOTE, "", NULL, NULL,
                  "the container's config was not found through the runtime's state: the "
                  "process is held to the host policy alone");
  wrapper = hs_json_new (HS_JSON_OBJECT);
  hs_json_set_exact (wrapper, "process", TAKE_PTR (f.tree));
  {
    hs_harden_t h = {
      .spec = wrapper,
      .policy = policy,
      .host = host,
      .audit = audit,
      .target = HS_TARGET_PROCESS,
      .container = container,
    };
    r = hs_harden_run (&h, err);
  }
  hs_spec_release (&f);
  if (r < 0)
    return r;
  if (policy->mode == HS_POLICY_AUDIT)
    return 0;
  process = hs_json_get_exact (wrapper, "process");
  prune_legacy (policy);
  return hs_handover_json (process, "hardshim-process.json", ret_path, err);
}
