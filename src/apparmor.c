#include "apparmor.h"
#include "child.h"
#include "cleanup.h"
#include "fileio.h"
#include "registry.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PARSER "/sbin/apparmor_parser"
#define DEFAULT_PROFILES "/sys/kernel/security/apparmor/profiles"
/* Lines of parser output kept for the error message. */
#define PARSER_OUTPUT_MAX 2048
/* The parser compiles a profile hardshim generated from host policy: far
 * below this; the bound only keeps a wedged parser from spinning. */
#define PARSER_CPU_SECONDS 60

/* open_memstream and its writes fail only without memory: like hs_x*. */
static void __attribute__ ((noreturn)) oom (void)
{
  abort ();
}

void
hs_apparmor_profile_release (hs_apparmor_profile_t *p)
{
  free (p->text);
  p->text = NULL;
}

bool
hs_apparmor_valid_peer (const char *s)
{
  if (*s == '\0' || strlen (s) > 256)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || strchr ("_-.:/+", *s) != NULL))
      return false;
  return true;
}

bool
hs_apparmor_bounding_has_net_raw (const hs_json_t *bounding)
{
  if (bounding == NULL || bounding->type != HS_JSON_ARRAY)
    return false;
  for (size_t i = 0; i < bounding->len; i++)
    {
      const hs_json_t *c = bounding->items[i];

      if (c->type == HS_JSON_STRING
          && (strcasecmp (c->str, "CAP_NET_RAW") == 0 || strcasecmp (c->str, "NET_RAW") == 0))
        return true;
    }
  return false;
}

/* Replace every `{{key}}` in [line, line+len) with `value`. */
static void
put_substituted (FILE *out, const char *line, size_t len, const char *key, const char *value)
{
  size_t klen = strlen (key);

  while (len > 0)
    {
      const char *hit = memmem (line, len, key, klen);

      if (hit == NULL)
        {
          fwrite (line, 1, len, out);
          return;
        }
      fwrite (line, 1, hit - line, out);
      fputs (value, out);
      len -= hit - line + klen;
      line = hit + klen;
    }
}

static int
eval_condition (const char *name, size_t len, const hs_apparmor_params_t *params, bool *ret,
                hs_error_t *err)
{
  if (len == 10 && memcmp (name, "no_net_raw", 10) == 0)
    *ret = !params->net_raw;
  else
    return hs_error_make (err, 0, "AppArmor template: unknown condition `%.*s`", (int) len, name);
  return 0;
}

/* Only {{name}} and {{peer}} exist: anything else is a template mistake
 * that would otherwise reach the parser as text. */
static int
check_placeholders (const char *line, size_t len, size_t lineno, hs_error_t *err)
{
  const char *p = line, *end = line + len;

  while ((p = memmem (p, end - p, "{{", 2)) != NULL)
    {
      if ((size_t) (end - p) >= 8 && memcmp (p, "{{name}}", 8) == 0)
        p += 8;
      else if ((size_t) (end - p) >= 8 && memcmp (p, "{{peer}}", 8) == 0)
        p += 8;
      else
        return hs_error_make (err, 0, "AppArmor template line %zu: unknown placeholder", lineno);
    }
  return 0;
}

int
hs_apparmor_render (const char *tmpl, const hs_apparmor_params_t *params,
                    hs_apparmor_profile_t *ret, hs_error_t *err)
{
  cleanup_free char *body = NULL;
  size_t body_len = 0, lineno = 0;
  FILE *out;
  bool in_if = false, keep = true;
  const char *p;
  char *text = NULL;
  size_t text_len = 0;
  int r = 0;

  if (tmpl == NULL)
    tmpl = hs_apparmor_template;
  out = open_memstream (&body, &body_len);
  if (out == NULL)
    oom ();
  for (p = tmpl; *p && r == 0;)
    {
      const char *nl = strchr (p, '\n');
      size_t len = nl ? (size_t) (nl - p) : strlen (p);

      lineno++;
      if (len >= 2 && p[0] == '%' && p[1] == '#')
        ;
      else if (len > 4 && memcmp (p, "%if ", 4) == 0)
        {
          if (in_if)
            r = hs_error_make (err, 0, "AppArmor template line %zu: nested %%if", lineno);
          else
            r = eval_condition (p + 4, len - 4, params, &keep, err);
          in_if = true;
        }
      else if (len == 6 && memcmp (p, "%endif", 6) == 0)
        {
          if (!in_if)
            r = hs_error_make (err, 0, "AppArmor template line %zu: %%endif without %%if", lineno);
          in_if = false;
          keep = true;
        }
      else if (len > 0 && p[0] == '%')
        r = hs_error_make (err, 0, "AppArmor template line %zu: unknown directive", lineno);
      else if ((r = check_placeholders (p, len, lineno, err)) < 0)
        ;
      else if (keep && memmem (p, len, "{{peer}}", 8) != NULL)
        {
          for (size_t i = 0; params->peers != NULL && i < params->peers->len; i++)
            {
              const hs_json_t *peer = params->peers->items[i];

              if (peer->type != HS_JSON_STRING || !hs_apparmor_valid_peer (peer->str))
                {
                  r = hs_error_make (err, 0,
                                     "AppArmor signal peer #%zu is not a plain profile "
                                     "name",
                                     i);
                  break;
                }
              put_substituted (out, p, len, "{{peer}}", peer->str);
              fputc ('\n', out);
            }
        }
      else if (keep)
        {
          fwrite (p, 1, len, out);
          fputc ('\n', out);
        }
      p += len + (nl ? 1 : 0);
    }
  if (r == 0 && in_if)
    r = hs_error_make (err, 0, "AppArmor template: %%if without %%endif");
  if (fclose (out) != 0)
    oom ();
  if (r < 0)
    return r;

  /* The name comes from the digest of everything else. */
  hs_sha256_digest (body, body_len, ret->digest);
  snprintf (ret->name, sizeof (ret->name), HS_APPARMOR_PREFIX "%.16s", ret->digest + 7);
  out = open_memstream (&text, &text_len);
  if (out == NULL)
    oom ();
  put_substituted (out, body, body_len, "{{name}}", ret->name);
  if (fclose (out) != 0)
    oom ();
  ret->text = text;
  return 0;
}

/* Read a pseudo-file (st_size says 0) up to HS_APPARMOR_MAX_LIST bytes. */
static int
read_pseudo_file (const char *path, char **ret, hs_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd < 0)
    return hs_error_make (err, errno, "open `%s`", path);
  for (;;)
    {
      ssize_t n;

      if (len + 4096 + 1 > cap)
        {
          if (cap >= HS_APPARMOR_MAX_LIST)
            return hs_error_make (err, 0, "`%s` is over %u bytes", path, HS_APPARMOR_MAX_LIST);
          buf = hs_xgrow (buf, &cap, len + 4096 + 1, 1);
        }
      n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hs_error_make (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  *ret = TAKE_PTR (buf);
  return 0;
}

/* The kernel lists one profile a line: "NAME (MODE)". */
static bool
kernel_has_profile (const char *list, const char *name)
{
  size_t nlen = strlen (name);

  for (const char *p = list; *p;)
    {
      const char *nl = strchr (p, '\n');

      if (strncmp (p, name, nlen) == 0 && p[nlen] == ' ' && p[nlen + 1] == '(')
        return true;
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  return false;
}

static int
run_parser (const char *parser, const char *file, hs_error_t *err)
{
  char *const argv[] = { (char *) parser, (char *) "-Kr", (char *) file, NULL };
  char *const envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
  char output[PARSER_OUTPUT_MAX + 1];
  size_t used = 0;
  int pfd[2], status;
  pid_t pid, parent = getpid ();

  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return hs_error_make (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      int saved = errno;
      close (pfd[0]);
      close (pfd[1]);
      return hs_error_make (err, saved, "fork");
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);

      if (null < 0 || dup2 (null, 0) < 0 || dup2 (pfd[1], 1) < 0 || dup2 (pfd[1], 2) < 0)
        _exit (126);
      hs_child_init (parent, -1, PARSER_CPU_SECONDS);
      execve (parser, argv, envp);
      _exit (127);
    }
  close (pfd[1]);
  for (;;)
    {
      char junk[512];
      ssize_t n;

      if (used < PARSER_OUTPUT_MAX)
        n = read (pfd[0], output + used, PARSER_OUTPUT_MAX - used);
      else
        n = read (pfd[0], junk, sizeof (junk));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (used < PARSER_OUTPUT_MAX)
        used += (size_t) n;
    }
  close (pfd[0]);
  output[used] = '\0';
  while (used > 0 && (output[used - 1] == '\n' || output[used - 1] == ' '))
    output[--used] = '\0';
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hs_error_make (err, errno, "wait for `%s`", parser);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return hs_error_make (err, 0, "cannot run `%s` (is the apparmor package installed?)", parser);
  return hs_error_make (err, 0, "`%s -Kr %s` failed (%s %d)%s%s", parser, file,
                        WIFEXITED (status) ? "exit status" : "signal",
                        WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status),
                        used ? ": " : "", output);
}

static bool
record_matches (int dirfd, const char *record, const char *digest)
{
  cleanup_free char *buf = NULL;
  size_t len;

  if (hs_read_file_at (dirfd, record, 4096, &buf, &len, NULL, NULL) < 0)
    return false;
  return len == strlen (digest) + 1 && strncmp (buf, digest, len - 1) == 0 && buf[len - 1] == '\n';
}

int
hs_apparmor_ensure_loaded (const char *state_dir, const hs_host_t *host,
                           const hs_apparmor_profile_t *p, hs_error_t *err)
{
  const char *parser = host->apparmor_parser ? host->apparmor_parser : DEFAULT_PARSER;
  const char *profiles = host->apparmor_profiles ? host->apparmor_profiles : DEFAULT_PROFILES;
  hs_registry_t reg = { .dirfd = -1, .lockfd = -1 };
  cleanup_free char *list = NULL, *record = NULL, *file = NULL, *line = NULL;
  hs_error_t list_err = NULL;
  int r;

  /* The lock orders concurrent creates: the first loads, the rest see the
   * profile in the kernel list and the record it left. */
  r = hs_registry_lock (state_dir, "apparmor", &reg, err);
  if (r < 0)
    return r;
  record = hs_xasprintf ("%s.digest", p->name);
  if (read_pseudo_file (profiles, &list, &list_err) < 0)
    hs_error_release (&list_err); /* unreadable: load, and let the parser say why */
  else if (kernel_has_profile (list, p->name) && record_matches (reg.dirfd, record, p->digest))
    goto out;
  /* The profile file stays for inspection; the parser reads it by path. */
  r = hs_write_state_file_at (reg.dirfd, p->name, p->text, strlen (p->text), err);
  if (r < 0)
    goto out;
  file = hs_xasprintf ("%s/%s", reg.path, p->name);
  r = run_parser (parser, file, err);
  if (r < 0)
    {
      hs_error_wrap (err, "load AppArmor profile `%s`", p->name);
      goto out;
    }
  line = hs_xasprintf ("%s\n", p->digest);
  r = hs_write_state_file_at (reg.dirfd, record, line, strlen (line), err);
out:
  hs_registry_unlock (&reg);
  return r;
}
