/* exec_path: the program the runtime execs, process.args[0], as the
 * runtime finds it: a name with a '/' relative to the cwd, a bare name
 * through each PATH entry of process.env (runc's exec.LookPath, crun's
 * execvpe). Refused when that reaches /proc as written or through a link
 * in the image: procfs's magic links lead to what the runtime holds open
 * (runc's leaked host fds, CVE-2024-21626 attack 3; /proc/self/exe is the
 * runtime's own binary, CVE-2019-5736). Held for create and every exec. */
#include "harden/advisories.h"
#include "harden/controls.h"
#include "harden/process_paths.h"
#include "cleanup.h"
#include "xalloc.h"

#include <string.h>

#define CONTROL "exec_path"

#define ADVISORIES HS_ADV_LEAKED_FD ", " HS_ADV_PROC_EXE

/* A PATH entry ("" is the cwd) joined with the program name. */
static char *
candidate (const char *cwd, const char *dir, size_t n, const char *name)
{
  if (n == 0)
    return hs_xasprintf ("%s/%s", cwd, name);
  if (dir[0] == '/')
    return hs_xasprintf ("%.*s/%s", (int) n, dir, name);
  return hs_xasprintf ("%s/%.*s/%s", cwd, (int) n, dir, name);
}

static int
check_path_var (hs_harden_t *h, const hs_rootfs_t *root, const hs_json_t *env, const char *cwd,
                const char *name, hs_error_t *err)
{
  for (size_t i = 0; env && env->type == HS_JSON_ARRAY && i < env->len; i++)
    {
      const hs_json_t *e = env->items[i];
      cleanup_free char *jpath = NULL;
      const char *p;

      if (e->type != HS_JSON_STRING || strncmp (e->str, "PATH=", 5) != 0)
        continue;
      jpath = hs_xasprintf ("process.env[%zu]", i);
      /* every PATH= entry: which one a runtime reads is its own choice */
      for (p = e->str + 5;; p++)
        {
          size_t n = strcspn (p, ":");
          cleanup_free char *c = candidate (cwd, p, n, name);
          cleanup_free char *what
              = hs_xasprintf ("process.args[0] `%s` found through PATH as", name);
          int r = hs_process_path_check (h, root, jpath, what, c, ADVISORIES, err);

          if (r < 0)
            return r;
          p += n;
          if (*p == '\0')
            break;
        }
    }
  return 0;
}

static int
apply (hs_harden_t *h, const hs_json_t *settings, hs_error_t *err)
{
  hs_json_t *process = hs_process_object (h);
  const hs_json_t *args = process ? hs_json_get (process, "args") : NULL;
  const char *cwd = hs_process_cwd (h);
  hs_rootfs_t root = { .fd = -1 };
  const hs_json_t *a0;
  bool open = false;
  int r;

  (void) settings;
  if (args == NULL || args->type != HS_JSON_ARRAY || args->len == 0)
    return 0; /* nothing to exec: the runtime refuses */
  a0 = args->items[0];
  if (a0->type != HS_JSON_STRING)
    return hs_harden_refuse (h, err, "process.args[0]", "expected a string");
  if ((r = hs_process_rootfs (h, &root, &open, err)) < 0)
    return r;
  if (strchr (a0->str, '/') != NULL)
    {
      cleanup_free char *full
          = a0->str[0] == '/' ? hs_xstrdup (a0->str) : hs_xasprintf ("%s/%s", cwd, a0->str);
      r = hs_process_path_check (h, open ? &root : NULL, "process.args[0]", "process.args[0]", full,
                                 ADVISORIES, err);
    }
  else
    {
      const hs_json_t *env = hs_json_get (process, "env");

      /* an exec without env of its own runs with the container's */
      if (env == NULL && h->target == HS_TARGET_PROCESS && h->container != NULL)
        env = hs_json_path (h->container, "process", "env", NULL);
      r = check_path_var (h, open ? &root : NULL, env, cwd, a0->str, err);
    }
  hs_rootfs_close (&root);
  return r;
}

const hs_control_t hs_control_exec_path = {
  .name = CONTROL,
  .summary = "process.args[0] not reached through /proc (as written, through PATH, or "
             "through the image's links; create and exec)",
  .doc = "The program the runtime execs is found as the runtime finds it: args[0] with a\n"
         "`/` relative to process.cwd, a bare name through every entry of every PATH=\n"
         "in process.env. Refused when that path reaches /proc or below as written\n"
         "(`..` applied as it comes: /proc/self/fd/7/../../bin/sh reaches it), or a\n"
         "symbolic link in the image or in the bind volume it lies in leads it below\n"
         "/proc (for an exec the container's rootfs, as the runtime's state records\n"
         "it). procfs's magic links lead to what the\n"
         "runtime holds open: runc's leaked host fds (CVE-2024-21626) and its own\n"
         "binary (/proc/self/exe, CVE-2019-5736). Holds with and without a user\n"
         "namespace. No settings.\n",
  .apply = apply,
  .apply_process = apply,
  .read_only = true,
};
