/* JSON tree: lossless round trip of real engine configs, hostile input. */
#include "testutil.h"

static const char *const captures[] = {
  "captures/docker-20.10-config.json",
  "captures/podman-4.3-config.json",
  "captures/containerd-1.6-ctr-config.json",
};

/* emit(parse(x)) parses back to an equal tree, and emitting is stable. */
START_TEST (test_roundtrip_captures)
{
  size_t len;
  char *text = test_read_data (captures[_i], &len);
  hs_json_t *a = test_parse (text);
  char *out1 = test_emit (a);
  hs_json_t *b = test_parse (out1);
  char *out2 = test_emit (b);

  ck_assert (hs_json_equal (a, b));
  ck_assert_str_eq (out1, out2);
  hs_json_free (a);
  hs_json_free (b);
  free (text);
  free (out1);
  free (out2);
}
END_TEST

START_TEST (test_numbers_exact)
{
  const char *in = "{\"a\":18446744073709551615,\"b\":-9223372036854775808,\"c\":1.5e300,"
                   "\"d\":0.10000000000000000001,\"e\":4294967295,\"f\":-0}";
  hs_json_t *v = test_parse (in);
  char *out = test_emit (v);

  ck_assert_str_eq (out, in);
  hs_json_free (v);
  free (out);
}
END_TEST

START_TEST (test_key_order_and_unknown_fields_kept)
{
  const char *in
      = "{\"zeta\":{\"x-vendor\":[1,{\"q\":null}]},\"alpha\":true,\"ociVersion\":\"1.1.0\"}";
  hs_json_t *v = test_parse (in);
  char *out = test_emit (v);

  ck_assert_str_eq (out, in);
  hs_json_free (v);
  free (out);
}
END_TEST

START_TEST (test_strings_escapes_roundtrip)
{
  const char *in = "{\"s\":\"tab\\tquote\\\"back\\\\slash\\u00e9\\ud83d\\ude00/\"}";
  hs_json_t *v = test_parse (in);
  char *out = test_emit (v);
  hs_json_t *w = test_parse (out);

  ck_assert (hs_json_equal (v, w));
  ck_assert_str_eq (hs_json_get (v, "s")->str, "tab\tquote\"back\\slash\xc3\xa9\xf0\x9f\x98\x80/");
  hs_json_free (v);
  hs_json_free (w);
  free (out);
}
END_TEST

/* Each hostile input must be refused with a message naming the problem. */
static const struct
{
  const char *name;
  const char *text;
  const char *expect; /* substring of the error */
} hostile[] = {
  { "duplicate key", "{\"process\":{\"noNewPrivileges\":true,\"noNewPrivileges\":false}}",
    "duplicate key `noNewPrivileges` in object `process`" },
  { "duplicate top-level", "{\"a\":1,\"a\":1}", "duplicate key `a` in object `(top level)`" },
  { "case twin", "{\"process\":{},\"Process\":{}}", "differ only in case" },
  { "kelvin twin", "{\"linux\":{\"mas\\u212aedPaths\":[],\"maskedPaths\":[]}}",
    "differ only in case" },
  { "long s twin", "{\"\\u017feccomp\":1,\"seccomp\":2}", "differ only in case" },
  { "twin in array element", "{\"mounts\":[{},{\"type\":\"a\",\"TYPE\":\"b\"}]}", "`mounts[1]`" },
  { "escaped NUL in string", "{\"a\":\"x\\u0000y\"}", "embedded NUL" },
  { "escaped NUL in key", "{\"a\\u0000\":1}", "embedded NUL" },
  { "lone surrogate", "{\"a\":\"\\ud800\"}", "surrogate" },
  { "lone low surrogate", "{\"a\":\"\\udc00x\"}", "surrogate" },
  { "truncated", "{\"process\":{\"args\":[\"sh\"", "truncated" },
  { "trailing garbage", "{} {}", "invalid JSON" },
  { "comment", "{/* c */}", "invalid JSON" },
  { "bare word", "{\"a\":tru}", "invalid JSON" },
  { "empty", "", "empty" },
};

START_TEST (test_hostile)
{
  char *msg = test_parse_error (hostile[_i].text, strlen (hostile[_i].text));

  ck_assert_msg (strstr (msg, hostile[_i].expect) != NULL, "%s: got `%s`, want `%s`",
                 hostile[_i].name, msg, hostile[_i].expect);
  free (msg);
}
END_TEST

START_TEST (test_raw_nul_byte)
{
  const char text[] = "{\"a\":\"x\"}\0{}";
  char *msg = test_parse_error (text, sizeof (text) - 1);

  ck_assert (strstr (msg, "NUL") != NULL);
  free (msg);
}
END_TEST

static const char *const bad_utf8[] = {
  "{\"a\":\"\xff\"}",             /* invalid byte */
  "{\"a\":\"\xc0\xaf\"}",         /* overlong '/' */
  "{\"a\":\"\xed\xa0\x80\"}",     /* encoded surrogate */
  "{\"a\":\"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
  "{\"a\":\"\xe2\x82\"}",         /* truncated sequence */
};

START_TEST (test_bad_utf8)
{
  char *msg = test_parse_error (bad_utf8[_i], strlen (bad_utf8[_i]));

  ck_assert_msg (strstr (msg, "UTF-8") != NULL, "got `%s`", msg);
  free (msg);
}
END_TEST

START_TEST (test_too_deep)
{
  size_t n = HS_JSON_MAX_DEPTH + 1;
  char *text = hs_xmalloc (2 * n + 1);
  char *msg;

  memset (text, '[', n);
  memset (text + n, ']', n);
  text[2 * n] = '\0';
  msg = test_parse_error (text, 2 * n);
  ck_assert_msg (strstr (msg, "nesting deeper than") != NULL, "got `%s`", msg);
  free (msg);
  /* exactly the limit is fine */
  text[n - 1] = ' ';
  text[n] = ' ';
  hs_json_free (test_parse (text));
  free (text);
}
END_TEST

START_TEST (test_too_large)
{
  hs_json_limits_t small = { 16, 8, false };
  hs_error_t err = NULL;
  hs_json_t *v = NULL;
  const char *text = "{\"a\":\"0123456789abcdef\"}";

  ck_assert_int_lt (hs_json_parse (text, strlen (text), &small, &v, &err), 0);
  ck_assert (strstr (err->msg, "larger than the limit") != NULL);
  hs_error_release (&err);
}
END_TEST

START_TEST (test_many_keys_duplicate_found)
{
  /* Large objects take the sort-based path; a twin at the end is found. */
  size_t cap = 0, len = 0;
  char *text = NULL;

  text = hs_xgrow (text, &cap, 16, 1);
  len = (size_t) sprintf (text, "{");
  for (int i = 0; i < 5000; i++)
    {
      text = hs_xgrow (text, &cap, len + 64, 1);
      len += (size_t) sprintf (text + len, "\"key%d\":%d,", i, i);
    }
  text = hs_xgrow (text, &cap, len + 64, 1);
  len += (size_t) sprintf (text + len, "\"KEY17\":0}");
  {
    char *msg = test_parse_error (text, len);
    ck_assert_msg (strstr (msg, "`key17` and `KEY17`") != NULL, "got `%s`", msg);
    free (msg);
  }
  free (text);
}
END_TEST

START_TEST (test_comments_when_allowed)
{
  hs_json_limits_t l = { 1024, 8, true };
  const char *text = "// policy\n{ /* a \"quoted\" note */ \"mode\": \"audit\" // trailing\n}";
  hs_error_t err = NULL;
  hs_json_t *v = NULL;

  ck_assert_int_eq (hs_json_parse (text, strlen (text), &l, &v, &err), 0);
  ck_assert_str_eq (hs_json_get_exact (v, "mode")->str, "audit");
  hs_json_free (v);
}
END_TEST

START_TEST (test_fold_lookup_like_go)
{
  hs_json_t *v
      = test_parse ("{\"Process\":{\"NoNewPrivileges\":true},\"annotations\":{\"A\":\"1\"}}");

  ck_assert_ptr_nonnull (hs_json_get (v, "process"));
  ck_assert (hs_json_is_true (hs_json_path (v, "process", "noNewPrivileges", NULL)));
  /* maps are exact */
  ck_assert_ptr_null (hs_json_get_exact (hs_json_get (v, "annotations"), "a"));
  /* set through the fold edits the spelling the runtime reads */
  hs_json_set (hs_json_get (v, "process"), "noNewPrivileges", hs_json_new_bool (false));
  ck_assert_int_eq (hs_json_get (v, "process")->len, 1);
  ck_assert_str_eq (hs_json_get (v, "process")->keys[0], "NoNewPrivileges");
  hs_json_free (v);
}
END_TEST

START_TEST (test_mutation)
{
  hs_json_t *v = test_parse ("{\"a\":[\"x\",\"y\",\"z\"],\"b\":null}");
  hs_json_t *a = hs_json_get (v, "a");
  char *out;

  ck_assert_int_eq (hs_json_array_find_string (a, "y"), 1);
  hs_json_remove_at (a, 1);
  hs_json_append (a, hs_json_new_string ("w"));
  ck_assert_ptr_nonnull (hs_json_ensure_object (v, "b"));
  ck_assert_ptr_null (hs_json_ensure_object (v, "a")); /* wrong type */
  ck_assert (hs_json_remove (v, "A"));
  out = test_emit (v);
  ck_assert_str_eq (out, "{\"b\":{}}");
  free (out);
  hs_json_free (v);
}
END_TEST

static Suite *
json_suite (void)
{
  Suite *s = suite_create ("json");
  TCase *tc = tcase_create ("json");

  tcase_add_loop_test (tc, test_roundtrip_captures, 0, 3);
  tcase_add_test (tc, test_numbers_exact);
  tcase_add_test (tc, test_key_order_and_unknown_fields_kept);
  tcase_add_test (tc, test_strings_escapes_roundtrip);
  tcase_add_loop_test (tc, test_hostile, 0, sizeof (hostile) / sizeof (hostile[0]));
  tcase_add_test (tc, test_raw_nul_byte);
  tcase_add_loop_test (tc, test_bad_utf8, 0, sizeof (bad_utf8) / sizeof (bad_utf8[0]));
  tcase_add_test (tc, test_too_deep);
  tcase_add_test (tc, test_too_large);
  tcase_add_test (tc, test_many_keys_duplicate_found);
  tcase_add_test (tc, test_comments_when_allowed);
  tcase_add_test (tc, test_fold_lookup_like_go);
  tcase_add_test (tc, test_mutation);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (json_suite ())
