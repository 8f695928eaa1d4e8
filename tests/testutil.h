/* Helpers shared by the Check unit tests. */
#ifndef HS_TESTUTIL_H
#define HS_TESTUTIL_H

#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "xalloc.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined by the build"
#endif

/* Whole file, NUL-terminated; aborts the test if missing. */
static inline char *
test_read_file (const char *path, size_t *ret_len)
{
  FILE *f = fopen (path, "rb");
  char *buf;
  long n;

  ck_assert_msg (f != NULL, "cannot open %s", path);
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  rewind (f);
  buf = hs_xmalloc ((size_t) n + 1);
  ck_assert_int_eq (fread (buf, 1, (size_t) n, f), (size_t) n);
  buf[n] = '\0';
  fclose (f);
  if (ret_len)
    *ret_len = (size_t) n;
  return buf;
}

/* Whole file under tests/data, NUL-terminated; aborts the test if missing. */
static inline char *
test_read_data (const char *rel, size_t *ret_len)
{
  char *path = hs_xasprintf ("%s/%s", TEST_DATA_DIR, rel);
  char *buf = test_read_file (path, ret_len);

  free (path);
  return buf;
}

/* An engine's captured config, to harden as if on the host it came from:
 * Docker's libnetwork-setkey prestart hook names dockerd as
 * /proc/<dockerd pid>/exe, a pid that is gone (or another program) here, so
 * it becomes the program it resolved to there. */
static inline char *
test_read_capture (const char *rel)
{
  char *text = test_read_data (rel, NULL);
  char *at = strstr (text, "\"/proc/25233/exe\"");

  if (at != NULL)
    {
      char *out = hs_xasprintf ("%.*s\"/usr/sbin/dockerd\"%s", (int) (at - text), text,
                                at + strlen ("\"/proc/25233/exe\""));
      free (text);
      text = out;
    }
  return text;
}

static const hs_json_limits_t test_limits = { HS_JSON_MAX_BYTES, HS_JSON_MAX_DEPTH, false };

/* Parse or fail the test with the parser's message. */
static inline hs_json_t *
test_parse (const char *text)
{
  hs_error_t err = NULL;
  hs_json_t *v = NULL;

  if (hs_json_parse (text, strlen (text), &test_limits, &v, &err) < 0)
    ck_abort_msg ("parse failed: %s\n%s", err->msg, text);
  return v;
}

/* Parse expecting failure; returns the message (caller frees). */
static inline char *
test_parse_error (const char *text, size_t len)
{
  hs_error_t err = NULL;
  hs_json_t *v = NULL;
  char *msg;

  if (hs_json_parse (text, len, &test_limits, &v, &err) == 0)
    ck_abort_msg ("parse unexpectedly succeeded: %.200s", text);
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

static inline char *
test_emit (const hs_json_t *v)
{
  char *out = NULL;

  ck_assert_int_eq (hs_json_emit (v, false, &out, NULL, NULL), 0);
  return out;
}

/* Unit tests run in a private mount namespace when they can (as root): a
 * control under test may mount (userns idmap) and the host must not see it. */
static inline void
test_private_mounts (void)
{
  if (unshare (CLONE_NEWNS) == 0)
    mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

#define TEST_MAIN(...)                                                                             \
  int main (void)                                                                                  \
  {                                                                                                \
    Suite *suites[] = { __VA_ARGS__, NULL };                                                       \
    SRunner *sr;                                                                                   \
    int failed;                                                                                    \
    test_private_mounts ();                                                                        \
    sr = srunner_create (suites[0]);                                                               \
    for (int i = 1; suites[i]; i++)                                                                \
      srunner_add_suite (sr, suites[i]);                                                           \
    srunner_run_all (sr, CK_NORMAL);                                                               \
    failed = srunner_ntests_failed (sr);                                                           \
    srunner_free (sr);                                                                             \
    return failed == 0 ? 0 : 1;                                                                    \
  }

#endif
