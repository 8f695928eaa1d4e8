/* Golden tables for controls that read the image: like harden_golden_b.h
 * (tests/data/harden/CONTROL.json), and a case may also carry
 *   "rootfs": [[path, "dir"|"file"|"fifo"|"link"|"chr"|"blk", arg], ...]
 * built in a fresh directory (links' arg is the target, devices' "MAJ:MIN",
 * a file's the content),
 * which becomes root.path of the config (and of "container"); strings
 * "ROOTFS/..." in them name paths in it;
 *   "target": "process" hardens {"process": config.process} as an exec of
 * the container "container". Runs as root (mknod). */
#ifndef HS_ROOTFS_GOLDEN_H
#define HS_ROOTFS_GOLDEN_H

#include "harden_golden_b.h"
#include "testfs.h"

#include <sys/sysmacros.h>

static inline void
rootfs_golden_build (const char *dir, const hs_json_t *entries)
{
  for (size_t i = 0; entries && i < entries->len; i++)
    {
      const hs_json_t *e = entries->items[i];
      const char *rel = e->items[0]->str, *kind = e->items[1]->str;
      const char *arg = e->len > 2 ? e->items[2]->str : NULL;
      cleanup_free char *path = hs_xasprintf ("%s/%s", dir, rel);
      unsigned maj = 0, min = 0;
      int r;

      if (strcmp (kind, "dir") == 0)
        r = mkdir (path, 0755);
      else if (strcmp (kind, "file") == 0)
        {
          int fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);

          ck_assert_int_ge (fd, 0);
          r = arg && write (fd, arg, strlen (arg)) != (ssize_t) strlen (arg) ? -1 : 0;
          close (fd);
        }
      else if (strcmp (kind, "fifo") == 0)
        r = mkfifo (path, 0644);
      else if (strcmp (kind, "link") == 0)
        r = symlink (arg, path);
      else
        {
          ck_assert_int_eq (sscanf (arg, "%u:%u", &maj, &min), 2);
          r = mknod (path, (strcmp (kind, "chr") == 0 ? S_IFCHR : S_IFBLK) | 0666,
                     makedev (maj, min));
        }
      ck_assert_msg (r == 0, "rootfs entry %s (%s): %m", rel, kind);
    }
}

/* Every string value starting with `from` gets `to` in its place (a
 * case names paths in its rootfs "ROOTFS/..."). */
static inline void
rootfs_golden_subst (hs_json_t *v, const char *from, const char *to)
{
  size_t n = strlen (from);

  if (v == NULL || (v->type != HS_JSON_ARRAY && v->type != HS_JSON_OBJECT))
    return;
  for (size_t i = 0; i < v->len; i++)
    {
      hs_json_t *c = v->items[i];

      if (c->type == HS_JSON_STRING && strncmp (c->str, from, n) == 0
          && (c->str[n] == '\0' || c->str[n] == '/'))
        {
          cleanup_free char *s = hs_xasprintf ("%s%s", to, c->str + n);
          v->items[i] = hs_json_new_string (s);
          hs_json_free (c);
        }
      else
        rootfs_golden_subst (c, from, to);
    }
}

static inline void
rootfs_golden_case (const char *control, const hs_json_t *c, hs_json_t *update)
{
  const char *name = hs_json_get (c, "name")->str;
  const hs_json_t *settings = hs_json_get_exact (c, "settings");
  const hs_json_t *entries = hs_json_get_exact (c, "rootfs");
  const hs_json_t *target = hs_json_get_exact (c, "target");
  const hs_json_t *want_verdict = hs_json_get_exact (c, "verdict");
  const hs_json_t *want_reason = hs_json_get_exact (c, "reason");
  const hs_json_t *want_config = hs_json_get_exact (c, "expect");
  bool process = target != NULL && strcmp (target->str, "process") == 0;
  cleanup_free char *ptext = golden_policy_text (control, settings, NULL);
  cleanup_free char *perr = NULL, *dir = NULL, *refusal = NULL;
  cleanup_policy hs_policy_t *p = golden_policy (ptext, &perr);
  cleanup_json hs_json_t *config = hs_json_dup (hs_json_get_exact (c, "config"));
  cleanup_json hs_json_t *container = NULL;
  cleanup_json hs_json_t *result = NULL;
  hs_host_t host = { false, false };
  hs_error_t err = NULL;
  hs_audit_t audit;

  if (hs_json_get_exact (c, "error") != NULL)
    {
      const char *want = hs_json_get_exact (c, "error")->str;
      ck_assert_msg (p == NULL, "%s: policy accepted, expected error `%s`", name, want);
      ck_assert_msg (strstr (perr, want) != NULL, "%s: error `%s` lacks `%s`", name, perr, want);
      return;
    }
  ck_assert_msg (p != NULL, "%s: policy refused: %s", name, perr);
  if (entries != NULL)
    {
      dir = test_tmpdir ();
      rootfs_golden_build (dir, entries);
      rootfs_golden_subst (config, "ROOTFS", dir);
      hs_json_set_exact (hs_json_ensure_object (config, "root"), "path", hs_json_new_string (dir));
    }
  if (process)
    {
      container = hs_json_dup (hs_json_get_exact (c, "container"));
      if (dir != NULL)
        rootfs_golden_subst (container, "ROOTFS", dir);
      if (dir != NULL)
        hs_json_set_exact (hs_json_ensure_object (container, "root"), "path",
                           hs_json_new_string (dir));
      result = hs_json_new (HS_JSON_OBJECT);
      hs_json_set_exact (result, "process", hs_json_dup (hs_json_get_exact (config, "process")));
    }
  else
    result = hs_json_dup (config);
  hs_audit_init (&audit, process ? "exec" : "create", "golden", TEST_DATA_DIR, p->digest);
  {
    hs_harden_t h = {
      .spec = result,
      .policy = p,
      .host = &host,
      .audit = &audit,
      .target = process ? HS_TARGET_PROCESS : HS_TARGET_CONFIG,
      .container = container,
    };
    if (hs_harden_run (&h, &err) < 0)
      {
        ck_assert_msg (hs_error_is_refusal (&err), "%s: not a refusal: %s", name, err->msg);
        refusal = hs_xstrdup (err->msg);
        hs_error_release (&err);
      }
  }
  hs_audit_release (&audit);
  if (dir != NULL)
    {
      /* the expected config names the rootfs as "ROOTFS" */
      rootfs_golden_subst (result, dir, "ROOTFS");
      test_rm_rf (dir);
    }
  if (update != NULL)
    {
      hs_json_set_exact (update, "verdict", hs_json_new_string (refusal ? "refused" : "admitted"));
      if (refusal)
        {
          hs_json_remove_exact (update, "expect");
          if (want_reason == NULL)
            hs_json_set_exact (update, "reason", hs_json_new_string (refusal));
        }
      else
        hs_json_set_exact (update, "expect", hs_json_dup (result));
      return;
    }
  ck_assert_msg (want_verdict != NULL, "%s: case has no verdict", name);
  if (strcmp (want_verdict->str, "refused") == 0)
    {
      ck_assert_msg (refusal != NULL, "%s: admitted, expected a refusal", name);
      ck_assert_msg (want_reason != NULL && strstr (refusal, want_reason->str) != NULL,
                     "%s: refusal `%s` lacks `%s`", name, refusal,
                     want_reason ? want_reason->str : "(no reason in case)");
      return;
    }
  ck_assert_msg (refusal == NULL, "%s: refused: %s", name, refusal);
  ck_assert_msg (want_config != NULL, "%s: case has no expect", name);
  if (!hs_json_equal (result, want_config))
    {
      cleanup_free char *got = test_emit (result);
      cleanup_free char *want = test_emit (want_config);
      ck_abort_msg ("%s:\n got  %s\n want %s", name, got, want);
    }
}

/* The golden table and the engines' captures, for one control. */
#define ROOTFS_GOLDEN_SUITE(CONTROL, EXTRA_TESTS)                                                  \
  START_TEST (test_golden)                                                                         \
  {                                                                                                \
    golden_load (CONTROL);                                                                         \
    for (size_t i = 0; i < golden_cases->len; i++)                                                 \
      rootfs_golden_case (CONTROL, golden_cases->items[i],                                         \
                          golden_update ? golden_update->items[i] : NULL);                         \
    golden_finish (CONTROL);                                                                       \
    hs_json_free (golden_cases);                                                                   \
    hs_json_free (golden_update);                                                                  \
  }                                                                                                \
  END_TEST                                                                                         \
  START_TEST (test_captures_admitted)                                                              \
  {                                                                                                \
    golden_captures_admitted (CONTROL);                                                            \
  }                                                                                                \
  END_TEST                                                                                         \
  static Suite *golden_suite (void)                                                                \
  {                                                                                                \
    Suite *s = suite_create (CONTROL);                                                             \
    TCase *tc = tcase_create ("golden");                                                           \
    tcase_add_test (tc, test_golden);                                                              \
    tcase_add_test (tc, test_captures_admitted);                                                   \
    EXTRA_TESTS;                                                                                   \
    suite_add_tcase (s, tc);                                                                       \
    return s;                                                                                      \
  }

#endif
