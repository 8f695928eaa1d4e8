/* JSON tree: lossless round trip of real engine configs, hostile input. */
#include "testutil.h"
#include "json_yajl_ref.h"
#include "json_yajl_parse_ref.h"

#include <dirent.h>
#include <stdint.h>

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
  /* where: line, column, byte offset, what was expected and found, or the path */
  { "syntax error place", "{\"a\":\n[1 2]}",
    "invalid JSON on line 2, column 4 (byte offset 9): expected `,` or `]` after an array element, "
    "found `2`" },
  { "truncated place", "[1,",
    "line 1, column 4 (byte offset 3): expected a value, found the end of "
    "the input (truncated?)" },
  { "trailing place", "{} x",
    "expected the end of the input after the top-level value, found `x`" },
  { "surrogate place", "{\"a\":[\"x\",\"\\ud800\"]}",
    "string with a lone UTF-16 surrogate escape at `a[1]`" },
  { "UTF-8 place", "{\"a\":\"\xff\"}", "not valid UTF-8 at byte offset 6" },
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

/* ---- emit: byte for byte what yajl_gen wrote (tests/json_yajl_ref.h) ---- */

/* Every string and key strictly valid UTF-8 (hs_utf8_valid), as yajl_gen's
 * looser check is not: hardshim refuses overlongs, surrogates and code points
 * above U+10FFFF that yajl would have written. */
static bool
tree_utf8_valid (const hs_json_t *v)
{
  if (v->type == HS_JSON_STRING)
    return hs_utf8_valid (v->str, v->len);
  for (size_t i = 0; (v->type == HS_JSON_ARRAY || v->type == HS_JSON_OBJECT) && i < v->len; i++)
    if ((v->type == HS_JSON_OBJECT && !hs_utf8_valid (v->keys[i], strlen (v->keys[i])))
        || !tree_utf8_valid (v->items[i]))
      return false;
  return true;
}

/* hs_json_emit against the yajl_gen reference, compact and pretty: the same
 * bytes, or both fail (hardshim also fails where only its check is stricter).
 * Returns how many of the two modes emitted. */
static int
check_emit_same (const hs_json_t *v, const char *what)
{
  int emitted = 0;

  for (int pretty = 0; pretty <= 1; pretty++)
    {
      char *want = NULL, *got = (char *) what;
      size_t want_len = 0, got_len = 0;
      hs_error_t err = NULL;
      int rs = ref_json_emit (v, pretty, &want, &want_len);
      int r = hs_json_emit (v, pretty, &got, &got_len, &err);

      if (rs != 0 || !tree_utf8_valid (v))
        {
          ck_assert_msg (r < 0, "%s (pretty %d): emitted `%s` where yajl_gen failed (%d)", what,
                         pretty, got, rs);
          ck_assert_ptr_eq (got, what); /* *ret untouched */
          ck_assert_ptr_nonnull (err);
          ck_assert (strstr (err->msg, "cannot emit JSON") != NULL);
          hs_error_release (&err);
          free (want);
          continue;
        }
      ck_assert_msg (r == 0, "%s (pretty %d): %s", what, pretty, err ? err->msg : "");
      if (got_len != want_len || memcmp (got, want, want_len) != 0 || got[got_len] != '\0')
        {
          size_t at = 0, from;

          while (at < got_len && at < want_len && got[at] == want[at])
            at++;
          from = at > 40 ? at - 40 : 0;
          ck_abort_msg ("%s (pretty %d): differs at byte %zu of %zu (yajl_gen: %zu):\n"
                        " got  `%.100s`\n want `%.100s`",
                        what, pretty, at, got_len, want_len, got + from, want + from);
        }
      free (want);
      free (got);
      emitted++;
    }
  return emitted;
}

static hs_json_t *
str_node (const char *s, size_t len)
{
  hs_json_t *v = hs_json_new (HS_JSON_STRING);

  v->str = hs_xstrndup (s, len);
  v->len = len;
  return v;
}

static const char *const emit_texts[] = {
  "{}",
  "[]",
  "{\"a\":{}}",
  "{\"a\":[]}",
  "[{}]",
  "[[]]",
  "[[],{},[[]],{\"x\":{}}]",
  "{\"a\":{\"b\":{\"c\":{}}},\"d\":[[[]]],\"e\":[{}, {\"f\":[]}]}",
  "{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":{\"e\":true,\"f\":false}}",
  "[1,\"two\",null,true,false,[],{},-0,1e400,1.50]",
  "{\"n\":[-0,1e400,1.50,0.10000000000000000001,18446744073709551615,-9223372036854775808,"
  "1E+2,2e-5,0]}",
  "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
  "[\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\"]",
  "[\"\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
  "\\u001c\\u001d\\u001e\\u001f\\u007f\"]",
  "{\"utf8\":[\"\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\xef\xbf\xbf\","
  "\"\xf4\x8f\xbf\xbf\","
  "\"a\xc3\xa9\\n\xe2\x82\xac\\\"\xf0\x9f\x98\x80\\u0001z\"]}",
  "{\"a\\\"b\":1,\"t\\tab\":2,\"\\u0001\":3,\"\xc3\xa9\":4,\"back\\\\slash\":5,\"/\":6,\"\":7}",
  "{\"\":\"\"}",
  "[\"\"]",
  "{\"args\":[\"sh\",\"-c\",\"echo 'hi' > /dev/null; exit 0\"],\"env\":[\"A=b c\"]}",
};

START_TEST (test_emit_like_yajl_texts)
{
  hs_json_limits_t l = { HS_JSON_MAX_BYTES, HS_JSON_MAX_DEPTH, false };
  hs_error_t err = NULL;
  hs_json_t *v = NULL;

  if (hs_json_parse (emit_texts[_i], strlen (emit_texts[_i]), &l, &v, &err) < 0)
    ck_abort_msg ("parse failed: %s\n%s", err->msg, emit_texts[_i]);
  ck_assert_int_eq (check_emit_same (v, emit_texts[_i]), 2);
  hs_json_free (v);
}
END_TEST

/* Scalars at the top level, and every byte below 0x20 and 0x7f (NUL
 * included: the tree can hold one the parser would refuse). */
START_TEST (test_emit_like_yajl_scalars_and_bytes)
{
  hs_json_t *top[] = { hs_json_new (HS_JSON_NULL),
                       hs_json_new_bool (true),
                       hs_json_new_bool (false),
                       hs_json_new_number ("-0"),
                       hs_json_new_number ("1e400"),
                       hs_json_new_string ("x"),
                       str_node ("", 0) };
  hs_json_t *arr = hs_json_new (HS_JSON_ARRAY), *obj = hs_json_new (HS_JSON_OBJECT);
  char all[34];
  size_t n = 0;

  for (size_t i = 0; i < sizeof (top) / sizeof (top[0]); i++)
    {
      ck_assert_int_eq (check_emit_same (top[i], "top-level scalar"), 2);
      hs_json_free (top[i]);
    }
  for (unsigned c = 0; c < 0x20; c++)
    all[n++] = (char) c;
  all[n++] = 0x7f;
  for (size_t i = 0; i < n; i++)
    {
      char one[4] = { 'a', all[i], 'b', '\0' }, key[3] = { all[i], 'k', '\0' };

      hs_json_append (arr, str_node (all + i, 1));
      hs_json_append (arr, str_node (one, 3));
      if (all[i] != '\0')
        hs_json_set_exact (obj, key, hs_json_new_uint (i));
    }
  hs_json_append (arr, str_node (all, n));
  hs_json_append (arr, obj);
  ck_assert_int_eq (check_emit_same (arr, "control bytes"), 2);
  hs_json_free (arr);
}
END_TEST

/* Each byte that matters at every offset of strings around the 8-byte steps
 * in which the emitter scans plain text, in a value and in a key. */
START_TEST (test_emit_like_yajl_offsets)
{
  static const char *const odd[] = { "\"",
                                     "\\",
                                     "/",
                                     " ",
                                     "~",
                                     "\x7f",
                                     "\xc3\xa9",
                                     "\xe2\x82\xac",
                                     "\xf0\x9f\x98\x80",
                                     "\xff",
                                     "\x80",
                                     "\xc0\xaf",
                                     "\xed\xa0\x80" };
  char buf[40], what[64];

  for (size_t len = 1; len <= 25; len++)
    for (size_t at = 0; at < len; at++)
      for (unsigned k = 0; k < 0x20 + sizeof (odd) / sizeof (odd[0]); k++)
        {
          const char *ins = k < 0x20 ? NULL : odd[k - 0x20];
          size_t n = ins ? strlen (ins) : 1;
          hs_json_t *arr = hs_json_new (HS_JSON_ARRAY), *obj = hs_json_new (HS_JSON_OBJECT);

          memset (buf, 'a', at);
          if (ins)
            memcpy (buf + at, ins, n);
          else
            buf[at] = (char) k;
          memset (buf + at + n, 'b', len - 1 - at);
          buf[len - 1 + n] = '\0';
          hs_json_append (arr, str_node (buf, len - 1 + n));
          snprintf (what, sizeof (what), "byte class %u at %zu of %zu", k, at, len);
          check_emit_same (arr, what);
          if (k != 0)
            {
              hs_json_set_exact (obj, buf, hs_json_new (HS_JSON_NULL));
              check_emit_same (obj, what);
            }
          hs_json_free (arr);
          hs_json_free (obj);
        }
}
END_TEST

/* yajl_gen refuses the 128th nested container; so does hardshim. */
START_TEST (test_emit_like_yajl_depth)
{
  for (unsigned depth = 126; depth <= 129; depth++)
    {
      hs_json_t *root = hs_json_new (_i ? HS_JSON_OBJECT : HS_JSON_ARRAY), *v = root;

      for (unsigned d = 1; d < depth; d++)
        {
          hs_json_t *c = hs_json_new ((d + _i) % 2 ? HS_JSON_OBJECT : HS_JSON_ARRAY);

          if (v->type == HS_JSON_OBJECT)
            hs_json_set_exact (v, "k", c);
          else
            hs_json_append (v, c);
          v = c;
        }
      ck_assert_int_eq (check_emit_same (root, "deep"), depth <= 127 ? 2 : 0);
      hs_json_free (root);
    }
}
END_TEST

static void
check_emit_file (const char *path, bool comments)
{
  hs_json_limits_t l = { HS_JSON_MAX_BYTES, HS_JSON_MAX_DEPTH, comments };
  hs_error_t err = NULL;
  hs_json_t *v = NULL;
  size_t n;
  char *buf = test_read_file (path, &n);

  if (hs_json_parse (buf, n, &l, &v, &err) < 0)
    ck_abort_msg ("%s: %s", path, err->msg);
  ck_assert_int_eq (check_emit_same (v, path), 2);
  hs_json_free (v);
  free (buf);
}

/* Every capture and every JSON file under profiles/ (presets may carry comments). */
START_TEST (test_emit_like_yajl_files)
{
  static const char *const dirs[]
      = { "captures", "../../profiles/presets", "../../profiles/seccomp" };
  int files = 0;

  for (size_t d = 0; d < sizeof (dirs) / sizeof (dirs[0]); d++)
    {
      char *dir = hs_xasprintf ("%s/%s", TEST_DATA_DIR, dirs[d]);
      DIR *dp = opendir (dir);
      struct dirent *de;

      ck_assert_msg (dp != NULL, "cannot open %s", dir);
      while ((de = readdir (dp)) != NULL)
        {
          size_t len = strlen (de->d_name);
          char *path;

          if (len < 5 || strcmp (de->d_name + len - 5, ".json") != 0)
            continue;
          path = hs_xasprintf ("%s/%s", dir, de->d_name);
          check_emit_file (path, d > 0);
          free (path);
          files++;
        }
      closedir (dp);
      free (dir);
    }
  ck_assert_int_ge (files, 7);
}
END_TEST

/* splitmix64 from a fixed seed: the same trees every run. */
static uint64_t
rng_next (uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static unsigned
rng_below (uint64_t *state, unsigned n)
{
  return (unsigned) (rng_next (state) % n);
}

static size_t
put_utf8 (char *p, uint32_t cp)
{
  if (cp < 0x80)
    return p[0] = (char) cp, 1;
  if (cp < 0x800)
    return p[0] = (char) (0xC0 | cp >> 6), p[1] = (char) (0x80 | (cp & 0x3F)), 2;
  if (cp < 0x10000)
    return p[0] = (char) (0xE0 | cp >> 12), p[1] = (char) (0x80 | ((cp >> 6) & 0x3F)),
           p[2] = (char) (0x80 | (cp & 0x3F)), 3;
  return p[0] = (char) (0xF0 | cp >> 18), p[1] = (char) (0x80 | ((cp >> 12) & 0x3F)),
         p[2] = (char) (0x80 | ((cp >> 6) & 0x3F)), p[3] = (char) (0x80 | (cp & 0x3F)), 4;
}

/* Random text: plain ASCII runs, characters JSON escapes, every control byte,
 * 2-4 byte UTF-8, and rarely a sequence that is not (strict) UTF-8. */
static size_t
rand_text (uint64_t *st, char *buf, bool key)
{
  static const char *const bad[]
      = { "\xff", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\xc3" };
  unsigned units = rng_below (st, 4) == 0 ? 0 : rng_below (st, 24);
  size_t n = 0;

  for (unsigned u = 0; u < units; u++)
    {
      unsigned kind = rng_below (st, 200);
      uint32_t cp;

      if (kind < 80)
        buf[n++] = (char) (0x20 + rng_below (st, 0x5f));
      else if (kind < 100)
        {
          unsigned run = 1 + rng_below (st, 40);
          for (unsigned i = 0; i < run; i++)
            buf[n++] = (char) ('a' + rng_below (st, 26));
        }
      else if (kind < 120)
        buf[n++] = "\"\\/\b\f\n\r\t"[rng_below (st, 8)];
      else if (kind < 140)
        {
          unsigned c = rng_below (st, 33);
          buf[n++] = (char) (c == 32 ? 0x7f : c == 0 && key ? 1 : c);
        }
      else if (kind < 155)
        n += put_utf8 (buf + n, 0x80 + rng_below (st, 0x800 - 0x80));
      else if (kind < 175)
        {
          do
            cp = 0x800 + rng_below (st, 0x10000 - 0x800);
          while (cp >= 0xD800 && cp <= 0xDFFF);
          n += put_utf8 (buf + n, cp);
        }
      else if (kind < 199)
        n += put_utf8 (buf + n, 0x10000 + rng_below (st, 0x110000 - 0x10000));
      else
        {
          const char *b = bad[rng_below (st, sizeof (bad) / sizeof (bad[0]))];
          memcpy (buf + n, b, strlen (b));
          n += strlen (b);
        }
    }
  buf[n] = '\0';
  return n;
}

static hs_json_t *
rand_tree (uint64_t *st, unsigned depth)
{
  static const char *const numbers[] = { "0",
                                         "-0",
                                         "1",
                                         "1.50",
                                         "1e400",
                                         "-1.5E-10",
                                         "1E+2",
                                         "0.1",
                                         "42",
                                         "-7",
                                         "3.14",
                                         "18446744073709551615",
                                         "-9223372036854775808" };
  char buf[24 * 41 + 1];
  unsigned kind = depth >= 7 ? rng_below (st, 5) : rng_below (st, 8);
  hs_json_t *v;

  switch (kind)
    {
    case 0:
      return hs_json_new (HS_JSON_NULL);
    case 1:
      return hs_json_new_bool (rng_below (st, 2));
    case 2:
      return hs_json_new_number (numbers[rng_below (st, sizeof (numbers) / sizeof (numbers[0]))]);
    case 3:
    case 4:
      {
        size_t n = rand_text (st, buf, false);
        return str_node (buf, n);
      }
    case 5:
    case 6:
      v = hs_json_new (HS_JSON_ARRAY);
      for (unsigned i = rng_below (st, 7); i > 0; i--)
        hs_json_append (v, rand_tree (st, depth + 1));
      return v;
    default:
      v = hs_json_new (HS_JSON_OBJECT);
      for (unsigned i = rng_below (st, 7); i > 0; i--)
        {
          rand_text (st, buf, true);
          hs_json_set_exact (v, buf, rand_tree (st, depth + 1));
        }
      return v;
    }
}

START_TEST (test_emit_like_yajl_random)
{
  uint64_t st = 0x68617264736869ULL; /* fixed: failures reproduce */
  int emitted = 0, refused = 0;

  for (int i = 0; i < 4000; i++)
    {
      hs_json_t *v = rand_tree (&st, 0);
      char what[32];

      snprintf (what, sizeof (what), "random tree %d", i);
      if (check_emit_same (v, what) == 2)
        emitted++;
      else
        refused++;
      hs_json_free (v);
    }
  /* the generator must exercise both outcomes */
  ck_assert_int_gt (emitted, 3000);
  ck_assert_int_gt (refused, 20);
}
END_TEST

/* ---- parse like the yajl parser it replaced (tests/json_yajl_parse_ref.h) ---- */

/* Both parsers on one input: both refuse, or both accept with equal trees
 * that emit the same text. 1 when accepted, 0 when refused. */
static int
check_parse_same (const char *buf, size_t len, const hs_json_limits_t *l, const char *what)
{
  hs_json_t *a = NULL, *b = NULL;
  hs_error_t ea = NULL, eb = NULL;
  int ra = hs_json_parse (buf, len, l, &a, &ea);
  int rb = ref_json_parse (buf, len, l, &b, &eb);
  int accepted = ra == 0;

  if ((ra == 0) != (rb == 0))
    ck_abort_msg ("%s (comments %d, depth %u, max %zu): hardshim %s, yajl %s: `%.*s`", what,
                  l->allow_comments, l->max_depth, l->max_bytes, ra == 0 ? "accepts" : ea->msg,
                  rb == 0 ? "accepts" : eb->msg, (int) (len < 300 ? len : 300), buf);
  if (ra < 0)
    {
      /* a refusal says something */
      ck_assert_msg (ea != NULL && ea->msg[0] != '\0', "%s: no message", what);
      hs_error_release (&ea);
      hs_error_release (&eb);
      return 0;
    }
  {
    char *oa = NULL, *ob = NULL;
    size_t la = 0, lb = 0;
    int sa = hs_json_emit (a, false, &oa, &la, NULL), sb = hs_json_emit (b, false, &ob, &lb, NULL);

    ck_assert_msg (hs_json_equal (a, b), "%s: trees differ: `%.*s`", what,
                   (int) (len < 300 ? len : 300), buf);
    ck_assert_int_eq (sa, sb);
    if (sa == 0)
      ck_assert_msg (la == lb && memcmp (oa, ob, la) == 0, "%s: emitted `%s`, yajl's tree `%s`",
                     what, oa, ob);
    free (oa);
    free (ob);
  }
  hs_json_free (a);
  hs_json_free (b);
  return accepted;
}

/* Hand-written edge cases; each runs with and without comments and at
 * several depth limits. */
static const struct
{
  const char *text;
  size_t len; /* 0: strlen */
} parse_texts[] = {
  /* top level */
  { "{}", 0 },
  { "[]", 0 },
  { "1", 0 },
  { "-1", 0 },
  { "\"s\"", 0 },
  { "true", 0 },
  { "false", 0 },
  { "null", 0 },
  { "", 0 },
  { " ", 0 },
  { "\n\t\r ", 0 },
  { "tru", 0 },
  { "nul", 0 },
  { "fals", 0 },
  { "truex", 0 },
  { "nullnull", 0 },
  { "True", 0 },
  { "NULL", 0 },
  { "{} {}", 0 },
  { "{}{}", 0 },
  { "[] x", 0 },
  { "1 2", 0 },
  { "\"a\" \"b\"", 0 },
  { "{},", 0 },
  { "}", 0 },
  { "]", 0 },
  { ":", 0 },
  { ",", 0 },
  { "{", 0 },
  { "[", 0 },
  { "\"", 0 },
  { "\"abc", 0 },
  /* numbers */
  { "0", 0 },
  { "-0", 0 },
  { "01", 0 },
  { "-01", 0 },
  { "00", 0 },
  { "1.", 0 },
  { ".5", 0 },
  { "-.5", 0 },
  { "1.5", 0 },
  { "1.e5", 0 },
  { "1e", 0 },
  { "1e+", 0 },
  { "1e-", 0 },
  { "1E+2", 0 },
  { "1e-2", 0 },
  { "1E2", 0 },
  { "1e999999", 0 },
  { "-", 0 },
  { "+1", 0 },
  { "--1", 0 },
  { "-a", 0 },
  { "0x10", 0 },
  { "1.2.3", 0 },
  { "1e2e3", 0 },
  { "0.0e-0", 0 },
  { "18446744073709551616", 0 },
  { "-9223372036854775809", 0 },
  { "1e-400", 0 },
  { "123456789012345678901234567890", 0 },
  { "[1,2.5,-3e4,0]", 0 },
  { "[1.]", 0 },
  { "[-]", 0 },
  { "[01]", 0 },
  { "[1e]", 0 },
  { "[.1]", 0 },
  { "[1true]", 0 },
  { "[1\"a\"]", 0 },
  { "[1/**/]", 0 },
  { "1//x", 0 },
  { "1/*x", 0 },
  { "1/", 0 },
  { "[Infinity]", 0 },
  { "[NaN]", 0 },
  { "[-Infinity]", 0 },
  { "{\"a\":1.0E+10}", 0 },
  { "{\"a\":-0.0}", 0 },
  { "[1 ,2 , 3 ]", 0 },
  /* structure */
  { "[1,]", 0 },
  { "[,1]", 0 },
  { "[,]", 0 },
  { "[1,,2]", 0 },
  { "{\"a\":1,}", 0 },
  { "{,}", 0 },
  { "{\"a\"}", 0 },
  { "{\"a\":}", 0 },
  { "{\"a\" 1}", 0 },
  { "{\"a\"::1}", 0 },
  { "{1:2}", 0 },
  { "{a:1}", 0 },
  { "{'a':1}", 0 },
  { "{\"a\":1 \"b\":2}", 0 },
  { "[1 2]", 0 },
  { "[}", 0 },
  { "{]", 0 },
  { "[[]]", 0 },
  { "[[],{}]", 0 },
  { "{\"a\":[],\"b\":{}}", 0 },
  { "{\"\":1}", 0 },
  { "{\"a\":{\"b\":{\"c\":[1,[2,[3]]]}}}", 0 },
  { "[\"a\",]", 0 },
  { "{\"a\":1}}", 0 },
  { "[1]]", 0 },
  { "[[1]", 0 },
  { "{\"a\":{}", 0 },
  /* after the top-level value: yajl took a string still open at the end
   * for the end of the input (its lexer waits for more), unless the input
   * ends inside an escape */
  { "{} \"abc", 0 },
  { "1\"", 0 },
  { "767\"", 0 },
  { "{}\"a\\n", 0 },
  { "{} \"\\u0000", 0 },
  { "{} \"\\ud800", 0 },
  { "{} \"\\ud83d\\ude00", 0 },
  { "{} \"\\ud83d\\ude0", 0 },
  { "{} \"\\", 0 },
  { "{} \"\\u12", 0 },
  { "{} \"\\u", 0 },
  { "{} \"abc\"", 0 },
  { "[] \"\x01", 0 },
  { "{} /*x*/ \"ab", 0 },
  { "{} // x\n\"ab", 0 },
  { "\"ab", 0 },
  { "{} \"\\q", 0 },
  { "{} \"\\udc00", 0 },
  { "{} \"ab\" \"", 0 },
  { "null \"", 0 },
  { "{} t", 0 },
  { "{} tru", 0 },
  { "{} 1", 0 },
  { "{} -", 0 },
  { "{} [", 0 },
  { "{} {", 0 },
  /* whitespace: JSON has four, yajl also \v and \f */
  { " {\"a\" : [ 1 , 2 ] } ", 0 },
  { "\v{}", 0 },
  { "{}\v", 0 },
  { "\f[1]", 0 },
  { "[1\f,\v2]", 0 },
  { "{\"a\"\v:\f1}", 0 },
  { "\xc2\xa0{}", 0 },
  { "{}\xc2\xa0", 0 },
  { "\x01{}", 0 },
  { "\x1f[]", 0 },
  { "{\r\n\"a\"\r\n:\r\n1\r\n}\r\n", 0 },
  { "\x7f{}", 0 },
  /* BOM */
  { "\xef\xbb\xbf{}", 0 },
  { "{}\xef\xbb\xbf", 0 },
  { "[\"\xef\xbb\xbf\"]", 0 },
  /* comments */
  { "{/* c */}", 0 },
  { "// c\n{}", 0 },
  { "{}// c", 0 },
  { "{}/* c", 0 },
  { "{}/* c *", 0 },
  { "{}/*", 0 },
  { "{}//", 0 },
  { "{}/", 0 },
  { "/", 0 },
  { "/{}", 0 },
  { "{/ /}", 0 },
  { "[1,/*x*/2]", 0 },
  { "[1,//x\n2]", 0 },
  { "[1,//x 2]", 0 },
  { "[1,/*x*/", 0 },
  { "[1/*", 0 },
  { "/**/1", 0 },
  { "/*/ */1", 0 },
  { "/*/1", 0 },
  { "/***/1", 0 },
  { "/* a */ /* b */ // c\n // d\n[/*e*/]/*f*/", 0 },
  { "{\"a\"/**/:/**/1/**/}", 0 },
  { "[\"/* not a comment */\"]", 0 },
  { "[\"//\"]", 0 },
  { "{\"//\":1}", 0 },
  { "/* \"quoted\" */{}", 0 },
  { "/* \"unterminated string */{}", 0 },
  { "// \"x\n{\"a\":\"\\ud800\"}", 0 },
  { "/*\\ud800*/{}", 0 },
  { "/*\xff*/{}", 0 },
  { "// \xc0\xaf\n{}", 0 },
  { "{}/*\xed\xa0\x80*/", 0 },
  { "{}\n//\xff", 0 },
  { "#c\n{}", 0 },
  { "{}#", 0 },
  /* strings: every escape */
  { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", 0 },
  { "[\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"]", 0 },
  { "[\"\\u00E9\\uFFFF\\uFFFE\\u0080\\u07ff\\u0800\"]", 0 },
  { "[\"\\uD800\\uDC00\\uDBFF\\uDFFF\"]", 0 },
  { "[\"\\a\"]", 0 },
  { "[\"\\x41\"]", 0 },
  { "[\"\\'\"]", 0 },
  { "[\"\\U0041\"]", 0 },
  { "[\"\\\"]", 0 },
  { "[\"\\u12\"]", 0 },
  { "[\"\\u12g4\"]", 0 },
  { "[\"\\u\"]", 0 },
  { "[\"\\u 123\"]", 0 },
  { "[\"\\", 0 },
  { "[\"\\u00", 0 },
  { "[\"\\u0000\"]", 0 },
  { "{\"\\u0000\":1}", 0 },
  { "[\"a\\u0000\"]", 0 },
  { "[\"\\ud800\"]", 0 },
  { "[\"\\udc00\"]", 0 },
  { "[\"\\udfff x\"]", 0 },
  { "[\"\\ud800\\ud800\"]", 0 },
  { "[\"\\ud800\\u0041\"]", 0 },
  { "[\"\\ud800\\\\udc00\"]", 0 },
  { "[\"\\ud800x\\udc00\"]", 0 },
  { "[\"\\udc00\\ud800\"]", 0 },
  { "[\"\\ud800\\udc00\\udc00\"]", 0 },
  { "{\"\\ud800\":1}", 0 },
  { "{\"\\ud83d\\ude00\":1}", 0 },
  { "[\"\\ud800\\u12\"]", 0 },
  { "[\"\\ud800\\", 0 },
  { "[\"\\uD834\\uDD1E\"]", 0 },
  { "[\"\\u002F\\u005c\\u0022\"]", 0 },
  { "[\"\\u0001\\u001f\\u007f\"]", 0 },
  { "[\"tab\there\"]", 0 },
  { "[\"nl\nhere\"]", 0 },
  { "[\"\x01\"]", 0 },
  { "[\"\x1f\"]", 0 },
  { "[\"\x7f\"]", 0 },
  { "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", 0 },
  { "[\"\xff\"]", 0 },
  { "[\"\xc0\xaf\"]", 0 },
  { "[\"\xed\xa0\x80\"]", 0 },
  { "[\"\xf4\x90\x80\x80\"]", 0 },
  { "[\"\xe2\x82\"]", 0 },
  { "[\"\xc3", 0 },
  { "[\"abcdefgh\\\"ijklmnop\\\\qrstuvwx\"]", 0 },
  { "[\"0123456\\n01234567\"]", 0 },
  { "[\"01234567\"]", 0 },
  { "[\"0123456\"]", 0 },
  { "[\"012345678\"]", 0 },
  { "[\"0123456789abcde\\t\"]", 0 },
  { "[\"\\\\\\\\\\\\\"]", 0 },
  { "[\"\\\\\\\\\\\\\\\\\"]", 0 },
  { "[\"\", \"\"]", 0 },
  { "[\"a\"\"b\"]", 0 },
  /* NUL */
  { "{\"a\":\"x\"}\0{}", 12 },
  { "\0", 1 },
  { "{\"a\":\"\0\"}", 9 },
  { "[1]\0", 4 },
  { "/*\0*/{}", 7 },
  /* duplicate and case-twin keys, Go's folding */
  { "{\"a\":1,\"a\":2}", 0 },
  { "{\"a\":1,\"A\":2}", 0 },
  { "{\"a\":{\"b\":1,\"B\":1}}", 0 },
  { "{\"k\":1,\"\\u212a\":2}", 0 },
  { "{\"s\":1,\"\\u017f\":2}", 0 },
  { "{\"\xe2\x84\xaa\":1,\"K\":2}", 0 },
  { "{\"\xc5\xbf\":1,\"S\":2}", 0 },
  { "{\"\xc3\xa9\":1,\"\xc3\x89\":2}", 0 },
  { "{\"a\":1,\"\\u0061\":2}", 0 },
  { "{\"ab\":1,\"a\":2,\"b\":3}", 0 },
  { "[{\"x\":1},{\"x\":1}]", 0 },
  { "{\"a\":{\"x\":1},\"b\":{\"x\":1}}", 0 },
  { "{\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,\"8\":8,\"9\":9,\"10\":10,\"11\":1,"
    "\"12\":1,\"13\":1,\"14\":1,\"15\":1,\"16\":1,\"17\":1,\"18\":1,\"1\":1}",
    0 },
  { "{\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,\"8\":8,\"9\":9,\"10\":10,\"11\":1,"
    "\"12\":1,\"13\":1,\"14\":1,\"15\":1,\"16\":1,\"17\":1,\"18\":1,\"Q\":1,\"q\":1}",
    0 },
  /* depth (run with limits 0 to 5 and 64) */
  { "[[[[]]]]", 0 },
  { "[[[[[]]]]]", 0 },
  { "{\"a\":{\"b\":{\"c\":{}}}}", 0 },
  { "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 0 },
  { "[[[[1]]]]", 0 },
  { "[[[[[1]]]]]", 0 },
  { "[[[[[", 0 },
  { "[{\"a\":[{\"b\":[]}]}]", 0 },
};

START_TEST (test_parse_like_yajl_texts)
{
  static const unsigned depths[] = { 0, 1, 3, 4, 5, 64 };
  const char *text = parse_texts[_i].text;
  size_t len = parse_texts[_i].len ? parse_texts[_i].len : strlen (text);

  for (int c = 0; c <= 1; c++)
    for (size_t d = 0; d < sizeof (depths) / sizeof (depths[0]); d++)
      {
        hs_json_limits_t l = { 1 << 20, depths[d], c };
        char what[64];

        snprintf (what, sizeof (what), "text %d", _i);
        check_parse_same (text, len, &l, what);
      }
}
END_TEST

/* The escapes the parser decodes: every escape alone and after runs of every
 * length around the 8-byte steps, in strings and keys. */
START_TEST (test_parse_like_yajl_escapes)
{
  static const char *const esc[] = { "\\\"",
                                     "\\\\",
                                     "\\/",
                                     "\\b",
                                     "\\f",
                                     "\\n",
                                     "\\r",
                                     "\\t",
                                     "\\u0041",
                                     "\\u00e9",
                                     "\\u07FF",
                                     "\\u0800",
                                     "\\uffff",
                                     "\\ud83d\\ude00",
                                     "\\udbff\\udfff",
                                     "\\ud800",
                                     "\\u0000",
                                     "\\q",
                                     "\\u12",
                                     "\"",
                                     "\x01",
                                     "\x7f",
                                     "\xc3\xa9" };
  hs_json_limits_t l = { 1 << 20, 8, false };
  char buf[128], what[64];
  int accepted = 0, n = 0;

  for (size_t e = 0; e < sizeof (esc) / sizeof (esc[0]); e++)
    for (int pre = 0; pre < 18; pre++)
      for (int key = 0; key <= 1; key++)
        {
          int len = snprintf (buf, sizeof (buf), key ? "{\"%.*s%s%.*s\":1}" : "[\"%.*s%s%.*s\"]",
                              pre, "abcdefghijklmnopqrstuvwxyz", esc[e], pre % 9, "ABCDEFGHIJ");
          snprintf (what, sizeof (what), "escape %zu after %d", e, pre);
          accepted += check_parse_same (buf, (size_t) len, &l, what);
          n++;
        }
  ck_assert_int_gt (accepted, n / 2);
  ck_assert_int_lt (accepted, n);
}
END_TEST

/* Depth limits at the boundary, arrays and objects mixed; size limit at the
 * boundary. */
START_TEST (test_parse_like_yajl_limits)
{
  char buf[512];

  for (unsigned max = 0; max <= 66; max++)
    for (unsigned depth = max > 2 ? max - 2 : 0; depth <= max + 2; depth++)
      for (int kind = 0; kind < 3; kind++)
        {
          hs_json_limits_t l = { 1 << 20, max, kind == 2 };
          size_t n = 0;

          for (unsigned i = 0; i < depth; i++)
            n += (size_t) sprintf (buf + n, "%s", kind == 0 || i % 2 ? "[" : "{\"k\":");
          buf[n++] = '1';
          for (unsigned i = depth; i > 0; i--)
            buf[n++] = kind == 0 || (i - 1) % 2 ? ']' : '}';
          ck_assert_int_eq (check_parse_same (buf, n, &l, "depth"), depth <= max);
        }
  for (size_t max = 0; max < 40; max++)
    {
      hs_json_limits_t l = { max, 8, false };
      const char *text = "{\"a\":[\"0123456789\",1]}";

      for (size_t n = 0; n <= strlen (text); n++)
        check_parse_same (text, n, &l, "size");
      ck_assert_int_eq (check_parse_same (text, strlen (text), &l, "size"), max >= strlen (text));
    }
}
END_TEST

/* Every capture and profile, and pseudo-random mutations of each (byte
 * changes, truncations, insertions) from a fixed seed. */
static const char *const parse_files[][2] = {
  { "captures/docker-20.10-config.json", "" },
  { "captures/podman-4.3-config.json", "" },
  { "captures/containerd-1.6-ctr-config.json", "" },
  { "../../profiles/presets/restricted.json", "c" },
  { "../../profiles/presets/baseline.json", "c" },
  { "../../profiles/presets/audit-only.json", "c" },
  { "../../profiles/seccomp/default.json", "c" },
};

static const char *const mutation_snippets[]
    = { "\"",      "\\",       "\\u",         "\\ud800", "\\udc00",  "\\ud83d\\ude00",
        "\\u0000", "/*",       "*/",          "//",      "\n",       ",",
        ":",       "[",        "]",           "{",       "}",        "1e",
        "-",       ".",        "0",           "01",      "e+",       "\v",
        "\f",      "\x01",     "\xff",        "\xc3",    "\xc3\xa9", "true",
        "nul",     "\"a\":1,", "\"A\":2,",    "[[[[",    "]]]]",     " ",
        "\t",      "\0",       "\xef\xbb\xbf" };

static size_t
mutate (uint64_t *st, const char *in, size_t len, char *out)
{
  size_t n = len, at;
  unsigned times = 1 + rng_below (st, 3);

  memcpy (out, in, len);
  for (unsigned t = 0; t < times; t++)
    {
      at = n ? rng_below (st, (unsigned) n + 1) : 0;
      switch (rng_below (st, 6))
        {
        case 0: /* change one byte to anything */
          if (at < n)
            out[at] = (char) rng_below (st, 256);
          break;
        case 1: /* change one byte to a character JSON cares about */
          if (at < n)
            out[at] = "\"\\{}[],:/*-.0123456789eE+tfnu \n\v\f\x01\x80\xff"[rng_below (st, 34)];
          break;
        case 2: /* truncate */
          n = at;
          break;
        case 3: /* delete a run */
          {
            size_t k = rng_below (st, 16);
            if (at + k > n)
              k = n - at;
            memmove (out + at, out + at + k, n - at - k);
            n -= k;
          }
          break;
        default: /* insert a snippet */
          {
            unsigned s = rng_below (st, sizeof (mutation_snippets) / sizeof (mutation_snippets[0]));
            const char *snip = mutation_snippets[s];
            size_t k = snip[0] == '\0' ? 1 : strlen (snip);

            memmove (out + at + k, out + at, n - at);
            memcpy (out + at, snip, k);
            n += k;
          }
          break;
        }
    }
  return n;
}

START_TEST (test_parse_like_yajl_files)
{
  uint64_t st = 0x70617273654a534fULL; /* fixed: failures reproduce */
  int accepted = 0, refused = 0;

  for (size_t f = 0; f < sizeof (parse_files) / sizeof (parse_files[0]); f++)
    {
      char *path = hs_xasprintf ("%s/%s", TEST_DATA_DIR, parse_files[f][0]);
      size_t len;
      char *text = test_read_file (path, &len);
      char *buf = hs_xmalloc (len + 64 * 3 + 1);
      bool comments = parse_files[f][1][0] == 'c';
      hs_json_limits_t l = { HS_JSON_MAX_BYTES, HS_JSON_MAX_DEPTH, comments };
      char what[128];

      ck_assert_int_eq (check_parse_same (text, len, &l, path), 1);
      l.allow_comments = !comments;
      check_parse_same (text, len, &l, path);
      /* small inputs mutate fast; the captures get fewer but still thousands overall */
      for (int i = 0; i < 1500; i++)
        {
          size_t n = mutate (&st, text, len, buf);

          l.allow_comments = rng_below (&st, 2);
          l.max_depth = rng_below (&st, 8) == 0 ? rng_below (&st, 6) : HS_JSON_MAX_DEPTH;
          snprintf (what, sizeof (what), "%s mutation %d", parse_files[f][0], i);
          if (check_parse_same (buf, n, &l, what))
            accepted++;
          else
            refused++;
        }
      free (buf);
      free (text);
      free (path);
    }
  /* the table texts mutated */
  for (int i = 0; i < 40000; i++)
    {
      size_t t = rng_below (&st, sizeof (parse_texts) / sizeof (parse_texts[0]));
      const char *text = parse_texts[t].text;
      size_t len = parse_texts[t].len ? parse_texts[t].len : strlen (text);
      char buf[512], what[64];
      hs_json_limits_t l = { 1 << 20, 1 + rng_below (&st, 5), rng_below (&st, 2) };
      size_t n = mutate (&st, text, len, buf);

      snprintf (what, sizeof (what), "text %zu mutation %d", t, i);
      if (check_parse_same (buf, n, &l, what))
        accepted++;
      else
        refused++;
    }
  /* the mutations must exercise both outcomes */
  ck_assert_int_gt (accepted, 2000);
  ck_assert_int_gt (refused, 2000);
}
END_TEST

/* Not UTF-8 in a string or a key: emit fails, names the place, *ret untouched. */
static const struct
{
  const char *key;   /* NULL: the bad text is a string value */
  const char *bytes; /* put at process.args[1] or as a key of process.env */
  const char *expect;
} bad_emit[] = {
  { NULL, "\xff", "string is not valid UTF-8 (at `process.args[1]`)" },
  { NULL, "ok\xc3", "string is not valid UTF-8 (at `process.args[1]`)" },
  { NULL, "\xc0\xaf", "string is not valid UTF-8" },     /* overlong: yajl let it through */
  { NULL, "\xed\xa0\x80", "string is not valid UTF-8" }, /* surrogate: yajl let it through */
  { "", "k\xff", "a key is not valid UTF-8 (at `process.env`)" },
  { "", "\xf4\x90\x80\x80", "a key is not valid UTF-8 (at `process.env`)" },
};

START_TEST (test_emit_invalid_utf8)
{
  hs_json_t *v = test_parse ("{\"process\":{\"args\":[\"sh\"],\"env\":{\"A\":\"b\"}}}");
  char *out = (char *) "untouched";
  size_t len = 12345;
  hs_error_t err = NULL;

  if (bad_emit[_i].key == NULL)
    hs_json_append (hs_json_path (v, "process", "args", NULL),
                    str_node (bad_emit[_i].bytes, strlen (bad_emit[_i].bytes)));
  else
    hs_json_set_exact (hs_json_path (v, "process", "env", NULL), bad_emit[_i].bytes,
                       hs_json_new_string ("x"));
  for (int pretty = 0; pretty <= 1; pretty++)
    {
      ck_assert_int_lt (hs_json_emit (v, pretty, &out, &len, &err), 0);
      ck_assert_str_eq (out, "untouched");
      ck_assert_int_eq (len, 12345);
      ck_assert_msg (strstr (err->msg, bad_emit[_i].expect) != NULL, "got `%s`, want `%s`",
                     err->msg, bad_emit[_i].expect);
      hs_error_release (&err);
    }
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
  tc = tcase_create ("emit");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_emit_like_yajl_texts, 0,
                       sizeof (emit_texts) / sizeof (emit_texts[0]));
  tcase_add_test (tc, test_emit_like_yajl_scalars_and_bytes);
  tcase_add_test (tc, test_emit_like_yajl_offsets);
  tcase_add_loop_test (tc, test_emit_like_yajl_depth, 0, 2);
  tcase_add_test (tc, test_emit_like_yajl_files);
  tcase_add_test (tc, test_emit_like_yajl_random);
  tcase_add_loop_test (tc, test_emit_invalid_utf8, 0, sizeof (bad_emit) / sizeof (bad_emit[0]));
  suite_add_tcase (s, tc);
  tc = tcase_create ("parse");
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_parse_like_yajl_texts, 0,
                       sizeof (parse_texts) / sizeof (parse_texts[0]));
  tcase_add_test (tc, test_parse_like_yajl_escapes);
  tcase_add_test (tc, test_parse_like_yajl_limits);
  tcase_add_test (tc, test_parse_like_yajl_files);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (json_suite ())
