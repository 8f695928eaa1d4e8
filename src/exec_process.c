#include "exec_process.h"
#include "cleanup.h"
#include "container_state.h"
#include "fileio.h"
#include "harden/lsm.h"
#include "spec.h"
#include "state_dir.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Hardened process files are read by the runtime right after we exec it;
 * ones older than this are left over and removed. */
#define STALE_SECONDS 3600

static void
prune_stale (int dfd)
{
  cleanup_dir DIR *d = fdopendir (dup (dfd));
  struct dirent *de;
  time_t now = time (NULL);

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;

      if (strncmp (de->d_name, "process-", 8) != 0)
        continue;
      if (fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode)
          && now - st.st_mtime > STALE_SECONDS)
        unlinkat (dfd, de->d_name, 0);
    }
}

static int
write_process_file (const hs_policy_t *policy, const hs_json_t *process, char **ret_path,
                    hs_error_t *err)
{
  cleanup_free char *dir = hs_xasprintf ("%s/exec", policy->state_dir);
  cleanup_free char *out = NULL;
  cleanup_close int dfd = -1;
  char name[64];
  uint64_t rnd;
  size_t len;
  int r;

  dfd = hs_state_subdir_open (policy->state_dir, "exec", 0700, err);
  if (dfd < 0)
    return dfd;
  prune_stale (dfd);
  r = hs_json_emit (process, false, &out, &len, err);
  if (r < 0)
    return r;
  if (getrandom (&rnd, sizeof (rnd), 0) != sizeof (rnd))
    return hs_error_make (err, errno, "getrandom");
  snprintf (name, sizeof (name), "process-%016llx.json", (unsigned long long) rnd);
  r = hs_write_new_file_at (dfd, name, out, len, 0600, err);
  if (r < 0)
    return r;
  *ret_path = hs_xasprintf ("%s/%s", dir, name);
  return 0;
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
  return write_process_file (policy, process, ret_path, err);
}
