/* userns: id pool, allocation (release, reuse, exhaustion, 50 concurrent
 * processes, stale records), the control's transform and its settings. */
#include "testutil.h"

#include "harden.h"
#include "idmap.h"
#include "state_dir.h"
#include "policy.h"
#include "registry.h"
#include "spec.h"
#include "userns_alloc.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
tmpdir (void)
{
  char *d = hs_xstrdup ("/tmp/hardshim-check-userns.XXXXXX");

  ck_assert_ptr_nonnull (mkdtemp (d));
  return d;
}

static void
rm_rf (const char *d)
{
  char *cmd = hs_xasprintf ("rm -rf '%s'", d);

  ck_assert_int_eq (system (cmd), 0);
  free (cmd);
}

static void
write_text (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");

  ck_assert_ptr_nonnull (f);
  fputs (text, f);
  fclose (f);
}

static hs_idpool_t
pool_of (unsigned long long start, unsigned long long len)
{
  hs_idpool_t p = { 0 };

  hs_idpool_add (&p, start, len);
  return p;
}

static unsigned long long
alloc_ok (const char *state, const hs_idpool_t *p, unsigned long long size, const char *root,
          const char *id)
{
  hs_error_t err = NULL;
  unsigned long long s = 0;

  if (hs_userns_allocate (state, p, size, root, id, &s, &err) < 0)
    ck_abort_msg ("allocate %s: %s", id, err->msg);
  return s;
}

START_TEST (test_subid_pool)
{
  char *d = tmpdir ();
  char *u = hs_xasprintf ("%s/subuid", d), *g = hs_xasprintf ("%s/subgid", d);
  hs_idpool_t p = { 0 };
  hs_error_t err = NULL;

  write_text (u, "other:100000:65536\nhardshim:200000:131072\nbroken\nhardshim:x:5\n"
                 "hardshim:300000:0\nhardshim:4294967290:100\nhardshim:500000:65536\n");
  /* gids: only part of the second uid range, none of the third */
  write_text (g, "hardshim:265536:200000\n");
  ck_assert_int_eq (hs_idpool_from_subid (u, g, "hardshim", &p, &err), 0);
  ck_assert_uint_eq (p.n, 1);
  ck_assert_uint_eq (p.r[0].start, 265536);
  ck_assert_uint_eq (p.r[0].len, 65536);
  hs_idpool_release (&p);

  /* host root is never in a pool, whatever the files say */
  write_text (u, "hardshim:0:10\n");
  write_text (g, "hardshim:0:10\n");
  ck_assert_int_eq (hs_idpool_from_subid (u, g, "hardshim", &p, &err), 0);
  ck_assert_uint_eq (p.n, 1);
  ck_assert_uint_eq (p.r[0].start, 1);
  ck_assert_uint_eq (p.r[0].len, 9);
  hs_idpool_release (&p);
  write_text (u, "other:100000:65536\nhardshim:200000:131072\nbroken\nhardshim:x:5\n"
                 "hardshim:300000:0\nhardshim:4294967290:100\nhardshim:500000:65536\n");
  write_text (g, "hardshim:265536:200000\n");

  /* an entry may name the user by uid (root is uid 0 everywhere) */
  write_text (u, "other:100000:65536\n0:700000:65536\n");
  write_text (g, "root:700000:65536\n");
  ck_assert_int_eq (hs_idpool_from_subid (u, g, "root", &p, &err), 0);
  ck_assert_uint_eq (p.n, 1);
  ck_assert_uint_eq (p.r[0].start, 700000);
  hs_idpool_release (&p);
  write_text (u, "other:100000:65536\nhardshim:200000:131072\nbroken\nhardshim:x:5\n"
                 "hardshim:300000:0\nhardshim:4294967290:100\nhardshim:500000:65536\n");
  write_text (g, "hardshim:265536:200000\n");

  /* a user without entries: empty pool, not an error */
  ck_assert_int_eq (hs_idpool_from_subid (u, g, "nobody-here", &p, &err), 0);
  ck_assert_uint_eq (p.n, 0);
  /* missing files: empty */
  ck_assert_int_eq (hs_idpool_from_subid ("/nonexistent/subuid", g, "hardshim", &p, &err), 0);
  ck_assert_uint_eq (p.n, 0);

  /* the built-in default pool, unless some entry overlaps it */
  ck_assert_int_eq (hs_idpool_default (u, g, &p, &err), 0);
  ck_assert_uint_eq (p.n, 1);
  ck_assert_uint_eq (p.r[0].start, HS_IDPOOL_DEFAULT_START);
  hs_idpool_release (&p);
  write_text (g, "someone:2147549184:10\n");
  ck_assert_int_eq (hs_idpool_default (u, g, &p, &err), 0);
  ck_assert_uint_eq (p.n, 0);
  rm_rf (d);
  free (d);
  free (u);
  free (g);
}
END_TEST

START_TEST (test_allocate_release_reuse)
{
  char *d = tmpdir ();
  hs_idpool_t p = pool_of (100000, 3 * 1000);
  unsigned long long a, b, c, again;
  hs_error_t err = NULL;

  a = alloc_ok (d, &p, 1000, "/run/x", "a");
  b = alloc_ok (d, &p, 1000, "/run/x", "b");
  ck_assert_uint_eq (a, 100000);
  ck_assert_uint_eq (b, 101000);
  /* same container again (a retried create): same block */
  again = alloc_ok (d, &p, 1000, "/run/x", "a");
  ck_assert_uint_eq (again, a);
  /* same id under another runtime root is another container */
  c = alloc_ok (d, &p, 1000, "/run/y", "a");
  ck_assert_uint_eq (c, 102000);
  ck_assert_int_eq (hs_userns_release (d, "/run/x", "a", &err), 0);
  /* releasing twice is fine */
  ck_assert_int_eq (hs_userns_release (d, "/run/x", "a", &err), 0);
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/run/x", "new"), a);
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
}
END_TEST

START_TEST (test_exhaustion)
{
  char *d = tmpdir ();
  hs_idpool_t p = pool_of (100000, 2500); /* two blocks of 1000; 500 left over */
  unsigned long long s = 0;
  hs_error_t err = NULL;

  alloc_ok (d, &p, 1000, "/r", "a");
  alloc_ok (d, &p, 1000, "/r", "b");
  ck_assert_int_lt (hs_userns_allocate (d, &p, 1000, "/r", "c", &s, &err), 0);
  ck_assert (hs_error_is_refusal (&err));
  ck_assert_ptr_nonnull (strstr (err->msg, "pool is exhausted"));
  ck_assert_ptr_nonnull (strstr (err->msg, "2 container(s)"));
  hs_error_release (&err);
  /* a size of 0 or larger than the pool */
  ck_assert_int_lt (hs_userns_allocate (d, &p, 0, "/r", "c", &s, &err), 0);
  hs_error_release (&err);
  ck_assert_int_lt (hs_userns_allocate (d, &p, 5000, "/r", "c", &s, &err), 0);
  hs_error_release (&err);
  /* a block back makes room */
  ck_assert_int_eq (hs_userns_release (d, "/r", "a", &err), 0);
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "c"), 100000);
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
}
END_TEST

/* 50 processes allocate at once: 50 different, non-overlapping blocks, and
 * the 51st container finds the pool exhausted. */
START_TEST (test_concurrent_50)
{
  enum
  {
    N = 50,
    SIZE = 65536
  };
  char *d = tmpdir ();
  hs_idpool_t p = pool_of (1000000, (unsigned long long) N * SIZE);
  hs_registry_entry_t *e = NULL;
  hs_registry_t reg;
  unsigned long long starts[N];
  hs_error_t err = NULL;
  pid_t pids[N];
  size_t n = 0;

  for (int i = 0; i < N; i++)
    {
      pids[i] = fork ();
      ck_assert_int_ge (pids[i], 0);
      if (pids[i] == 0)
        {
          char id[32];
          unsigned long long s;

          snprintf (id, sizeof (id), "c%d", i);
          _exit (hs_userns_allocate (d, &p, SIZE, "/run/test", id, &s, NULL) < 0 ? 1 : 0);
        }
    }
  for (int i = 0; i < N; i++)
    {
      int status;

      ck_assert_int_eq (waitpid (pids[i], &status, 0), pids[i]);
      ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  ck_assert_int_eq (hs_registry_lock (d, HS_USERNS_KIND, &reg, &err), 0);
  ck_assert_int_eq (hs_registry_entries (&reg, &e, &n, &err), 0);
  hs_registry_unlock (&reg);
  ck_assert_uint_eq (n, N);
  for (size_t i = 0; i < n; i++)
    {
      const hs_json_t *v = hs_json_get_exact (e[i].record, "value");

      starts[i] = strtoull (hs_json_get_exact (v, "uid")->str, NULL, 10);
      ck_assert_uint_eq ((starts[i] - 1000000) % SIZE, 0);
      for (size_t j = 0; j < i; j++)
        ck_assert_uint_ne (starts[i], starts[j]);
    }
  hs_registry_entries_free (e, n);
  {
    unsigned long long s;
    ck_assert_int_lt (hs_userns_allocate (d, &p, SIZE, "/run/test", "one-more", &s, &err), 0);
    ck_assert_ptr_nonnull (strstr (err->msg, "exhausted"));
    hs_error_release (&err);
  }
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
}
END_TEST

/* Write a record as an older hardshim would have, `age` seconds ago. */
static void
old_record (const char *state, const char *root, const char *id, unsigned long long start, long age)
{
  char *key = hs_registry_key (root, id);
  char *dir = hs_xasprintf ("%s/%s", state, HS_USERNS_KIND);
  char *path = hs_xasprintf ("%s/%s", dir, key);
  char *text = hs_xasprintf ("{\"id\":\"%s\",\"root\":\"%s\",\"created\":%ld,"
                             "\"value\":{\"uid\":%llu,\"gid\":%llu,\"size\":1000}}",
                             id, root, (long) time (NULL) - age, start, start);

  mkdir (state, 0700);
  mkdir (dir, 0700);
  write_text (path, text);
  free (key);
  free (dir);
  free (path);
  free (text);
}

START_TEST (test_stale_reclaim)
{
  char *d = tmpdir ();
  char *live_root = hs_xasprintf ("%s/runtime", d), *live_state;
  hs_idpool_t p = pool_of (100000, 4000);

  /* a gone container, old: reclaimed; a gone container, young (its create
   * may still be on its way): kept; an existing container, old: kept */
  old_record (d, "/nonexistent/root", "gone", 100000, HS_REGISTRY_GRACE_SECONDS + 10);
  old_record (d, "/nonexistent/root", "young", 101000, 5);
  live_state = hs_xasprintf ("%s/alive", live_root);
  mkdir (live_root, 0700);
  mkdir (live_state, 0700);
  old_record (d, live_root, "alive", 102000, HS_REGISTRY_GRACE_SECONDS + 10);
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "first"), 100000);
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "second"), 103000);
  {
    unsigned long long s;
    hs_error_t err = NULL;
    ck_assert_int_lt (hs_userns_allocate (d, &p, 1000, "/r", "third", &s, &err), 0);
    hs_error_release (&err);
  }
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
  free (live_root);
  free (live_state);
}
END_TEST

/* An unreadable record refuses rather than risk handing its block out. */
START_TEST (test_unreadable_record)
{
  char *d = tmpdir ();
  char *dir = hs_xasprintf ("%s/%s", d, HS_USERNS_KIND), *f = hs_xasprintf ("%s/junk.json", dir);
  hs_idpool_t p = pool_of (100000, 4000);
  hs_error_t err = NULL;
  unsigned long long s;

  mkdir (dir, 0700);
  write_text (f, "{not json");
  ck_assert_int_lt (hs_userns_allocate (d, &p, 1000, "/r", "a", &s, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "unreadable"));
  hs_error_release (&err);
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
  free (dir);
  free (f);
}
END_TEST

/* A record hardshim wrote that becomes unreadable (torn, oversized) still
 * holds exactly its block, by the claim beside it: later creates go on,
 * and never get that block. Its release removes the claim too. */
START_TEST (test_unreadable_record_with_claim)
{
  char *d = tmpdir ();
  hs_idpool_t p = pool_of (100000, 3000);
  char *key = hs_registry_key ("/r", "a");
  char *rec = hs_xasprintf ("%s/%s/%s", d, HS_USERNS_KIND, key);
  char *claim = hs_xasprintf ("%s/%s/%.32s.b100000-1000", d, HS_USERNS_KIND, key);
  char *big = hs_xmalloc (2 * 1024 * 1024 + 1);
  hs_error_t err = NULL;
  unsigned long long s;

  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "a"), 100000);
  ck_assert_int_eq (access (claim, F_OK), 0);
  /* over the reader's limit: unreadable */
  memset (big, ' ', 2 * 1024 * 1024);
  big[2 * 1024 * 1024] = '\0';
  write_text (rec, big);
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "b"), 101000);
  write_text (rec, "{torn");
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "c"), 102000);
  /* the pool is full: a's block is still held */
  ck_assert_int_lt (hs_userns_allocate (d, &p, 1000, "/r", "d", &s, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "exhausted"));
  hs_error_release (&err);
  /* without its claim (an earlier version's record) it holds everything */
  ck_assert_int_eq (unlink (claim), 0);
  ck_assert_int_lt (hs_userns_allocate (d, &p, 1000, "/r", "d", &s, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "unreadable and names no block"));
  hs_error_release (&err);
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
  free (key);
  free (rec);
  free (claim);
  free (big);
}
END_TEST

/* A stale record goes with its claim. */
START_TEST (test_claim_goes_with_stale_record)
{
  char *d = tmpdir ();
  hs_idpool_t p = pool_of (100000, 2000);
  char *key = hs_registry_key ("/nonexistent/root", "gone");
  char *claim = hs_xasprintf ("%s/%s/%.32s.b100000-1000", d, HS_USERNS_KIND, key);

  old_record (d, "/nonexistent/root", "gone", 100000, HS_REGISTRY_GRACE_SECONDS + 10);
  write_text (claim, "");
  ck_assert_uint_eq (alloc_ok (d, &p, 1000, "/r", "new"), 100000);
  ck_assert_int_ne (access (claim, F_OK), 0);
  hs_idpool_release (&p);
  rm_rf (d);
  free (d);
  free (key);
  free (claim);
}
END_TEST

/* ---- the control ---- */

static hs_policy_t *
policy (const char *text)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;

  if (hs_policy_from_text (text, "test", &p, &err) < 0 || hs_policy_validate_controls (p, &err) < 0)
    ck_abort_msg ("policy: %s", err->msg);
  return p;
}

static char *
policy_error (const char *text)
{
  hs_policy_t *p = NULL;
  hs_error_t err = NULL;
  char *msg;

  if (hs_policy_from_text (text, "test", &p, &err) == 0)
    {
      ck_assert_int_lt (hs_policy_validate_controls (p, &err), 0);
      hs_policy_free (p);
    }
  msg = hs_xstrdup (err->msg);
  hs_error_release (&err);
  return msg;
}

static const char *const bad_policies[][2] = {
  { "{\"userns\": {\"mode\": \"bogus\"}}",
    "expected one of auto, shared, enforce, reject, audit, off" },
  { "{\"userns\": {\"size\": 0}}", "userns.size`: must be at least 1" },
  { "{\"userns\": {\"size\": -5}}", "userns.size`: expected an integer" },
  { "{\"userns\": {\"size\": 4294967296}}", "userns.size`: expected an integer" },
  { "{\"userns\": {\"size\": \"65536\"}}", "userns.size`: expected an integer" },
  { "{\"userns\": {\"user\": \"\"}}", "userns.user`: expected a user name" },
  { "{\"userns\": {\"joined_netns\": \"open\"}}",
    "userns.joined_netns`: expected one of prepare, leave" },
  { "{\"userns\": {\"user\": \"a:b\"}}", "userns.user`: expected a user name" },
  { "{\"userns\": {\"ranges\": []}}", "userns.ranges`: expected a non-empty array" },
  { "{\"userns\": {\"ranges\": [{\"start\": 0, \"size\": 10}]}}", "must start above 0" },
  { "{\"userns\": {\"ranges\": [{\"start\": 10, \"size\": 0}]}}", "must start above 0" },
  { "{\"userns\": {\"ranges\": [{\"start\": 4294967290, \"size\": 10}]}}", "end below" },
  { "{\"userns\": {\"ranges\": [{\"start\": 10}]}}", "userns.ranges[0]`: expected {" },
  { "{\"userns\": {\"ranges\": [{\"start\": 10, \"size\": 1, \"x\": 1}]}}", "expected {" },
  { "{\"userns\": {\"host_root\": \"allow\"}}",
    "userns.host_root`: expected one of refuse, replace" },
  { "{\"userns\": {\"ownership\": \"chown\"}}",
    "userns.ownership`: expected one of auto, idmap, none" },
  { "{\"userns\": {\"volumes\": true}}", "userns.volumes`: expected one of auto, idmap, none" },
  { "{\"userns\": {\"strategy\": \"auto\"}}", "userns.strategy`: unknown setting" },
  { "{\"userns\": {\"own_volumes\": [\"srv\"]}}", "userns.own_volumes[0]`: `srv` is not a clean" },
  { "{\"userns\": {\"volume_stores\": \"/var/lib/docker/volumes\"}}",
    "userns.volume_stores`: expected an array of strings" },
};

START_TEST (test_bad_policy)
{
  char *msg = policy_error (bad_policies[_i][0]);

  ck_assert_msg (strstr (msg, bad_policies[_i][1]) != NULL, "%s: got %s", bad_policies[_i][0], msg);
  free (msg);
}
END_TEST

START_TEST (test_modes)
{
  static const char *const ok[] = { "auto", "shared", "off", "enforce", "reject", "audit" };
  hs_ctl_mode_t m;
  hs_error_t err = NULL;

  for (size_t i = 0; i < sizeof (ok) / sizeof (ok[0]); i++)
    {
      char *text = hs_xasprintf ("{\"mode\": \"%s\"}", ok[i]);
      hs_json_t *s = test_parse (text);

      ck_assert_int_eq (hs_control_mode (s, "userns", &m, &err), 0);
      ck_assert_int_eq (m, i < 2 ? HS_CTL_ENFORCE : i == 2 ? HS_CTL_OFF : (hs_ctl_mode_t) (i - 3));
      hs_json_free (s);
      free (text);
    }
  /* other controls do not take userns's modes */
  {
    hs_json_t *s = test_parse ("{\"mode\": \"auto\"}");
    ck_assert_int_lt (hs_control_mode (s, "no_new_privileges", &m, &err), 0);
    hs_error_release (&err);
    hs_json_free (s);
  }
}
END_TEST

#define POOL "\"ranges\": [{\"start\": 100000, \"size\": 655360}]"
#define MAP(h) "[{\"containerID\":0,\"hostID\":" #h ",\"size\":65536}]"
#define SYSFS                                                                                      \
  "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"ro\"]}"
#define SYSBIND                                                                                    \
  "{\"destination\":\"/sys\",\"type\":\"bind\",\"source\":\"/sys\",\"options\":[\"rbind\","        \
  "\"nosuid\",\"noexec\",\"nodev\",\"ro\",\"rro\"]}"

typedef struct
{
  const char *name;
  const char *policy;
  const char *in;
  const char *want; /* NULL: refused */
  const char *refusal;
} golden_t;

#define MQUEUE                                                                                     \
  "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":["       \
  "\"nosuid\",\"noexec\",\"nodev\"]}"

#define TMPVOL(opt)                                                                                \
  "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/tmp\",\"options\":[\"rbind\"," opt "]}"

/* Without a container (no id), `auto` maps to the pool's first block and
 * makes no mounts: the pure transform. */
static const golden_t golden[] = {
  { "adds a user namespace; new netns keeps sysfs", "{\"userns\": {" POOL "}}",
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":[" SYSFS "],"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\"}]}}",
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":[" SYSFS "],"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"user\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "host network: sysfs becomes a read-only bind",
    "{\"userns\": {\"mode\": \"shared\", " POOL "}}",
    "{\"mounts\":[" SYSFS "],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
    "{\"mounts\":[" SYSBIND
    "],\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  /* (the control opens the namespace: PID 1's may be closed to root here) */
  { "netns by path: sysfs becomes a read-only bind", "{\"userns\": {" POOL "}}",
    "{\"mounts\":[" SYSFS
    "],\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}",
    "{\"mounts\":[" SYSBIND
    "],\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"},"
    "{\"type\":\"user\"}],\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "no linux object at all", "{\"userns\": {\"size\": 1000, " POOL "}}", "{}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1000}],"
    "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1000}]}}",
    NULL },
  { "userns without mappings gets them", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "an engine's mapping inside engine_ranges is kept",
    "{\"userns\": {" POOL ", \"engine_ranges\": [{\"start\": 1000000, \"size\": 65536}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (1000000) ",\"gidMappings\":" MAP (1000000) "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (1000000) ",\"gidMappings\":" MAP (1000000) "}}",
    NULL },
  { "a config's own mapping outside engine_ranges is replaced", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (1000000) ",\"gidMappings\":" MAP (1000000) "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a mapping half outside engine_ranges is replaced",
    "{\"userns\": {" POOL ", \"engine_ranges\": [{\"start\": 500000, \"size\": 1000}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (500000) ",\"gidMappings\":" MAP (500000) "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a mapping onto another container's block (the pool) is replaced",
    "{\"userns\": {" POOL ", \"engine_ranges\": [{\"start\": 100000, \"size\": 1000000}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (165536) ",\"gidMappings\":" MAP (165536) "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a mapping onto a host account (uid 0..65535 holds /etc/passwd users) is replaced",
    "{\"userns\": {" POOL ", \"engine_ranges\": [{\"start\": 1, \"size\": 65536}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":65535}],"
    "\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":65535}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a joined userns not made by hardshim is refused", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/7/ns/user\"}]}}", NULL,
    "is not one hardshim made for a container of this runtime root" },
  { "container root as host root is refused", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":" MAP (
        0) ",\"gidMappings\":" MAP (500000) "}}",
    NULL, "maps a container id to host root" },
  { "any container id as host root is refused (gid)", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":" MAP (
        500000) ","
                "\"gidMappings\":[{\"containerID\":0,\"hostID\":500000,\"size\":1},{"
                "\"containerID\":1,\"hostID\":0,\"size\":1}]}}",
    NULL, "`linux.gidMappings`" },
  { "host_root replace", "{\"userns\": {\"host_root\": \"replace\", " POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (0) ",\"gidMappings\":" MAP (0) "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "reject mode refuses a config without userns", "{\"userns\": {\"mode\": \"reject\", " POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}", NULL, "reject mode" },
  { "reject mode admits a config with an unprivileged userns",
    "{\"userns\": {\"mode\": \"reject\", " POOL
    ", \"engine_ranges\": [{\"start\": 1000000, \"size\": 65536}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (1000000) ",\"gidMappings\":" MAP (1000000) "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
    "\"uidMappings\":" MAP (1000000) ",\"gidMappings\":" MAP (1000000) "}}",
    NULL },
  { "audit mode changes nothing", "{\"userns\": {\"mode\": \"audit\", " POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}", NULL },
  { "off", "{\"userns\": {\"mode\": \"off\"}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}", NULL },
  { "a user without subordinate ids: no pool, refused",
    "{\"userns\": {\"user\": \"no-such-user-here\"}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}", NULL,
    "no block of 65536 ids in the pool" },
  { "process uid outside a small namespace", "{\"userns\": {\"size\": 1000, " POOL "}}",
    "{\"process\":{\"user\":{\"uid\":1000,\"gid\":0}},\"linux\":{}}", NULL, "`process.user.uid`" },
  { "additional gid outside a small namespace", "{\"userns\": {\"size\": 1000, " POOL "}}",
    "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[10,5000]}},\"linux\":{}}",
    NULL, "`process.user.additionalGids[1]`" },
  { "Docker's ping_group_range is clamped to the mapped gids", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}],"
    "\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 2147483647\"}}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"},{\"type\":\"user\"}],"
    "\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 65535\"},"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a ping_group_range within the mapped gids is kept", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"}],"
    "\"sysctl\":{\"net.ipv4.ping_group_range\":\"1 1000\"}}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\"},{\"type\":\"user\"}],"
    "\"sysctl\":{\"net.ipv4.ping_group_range\":\"1 1000\"},"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  /* an annotation never drops the user namespace: a pod gets one like every
   * container, whichever user namespace owns the network namespace */
  { "a CRI pod whose network namespace is the host user namespace's gets one too",
    "{\"userns\": {" POOL "}}",
    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"},"
    "{\"type\":\"user\"}],\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "... a CRI container too, with its sandbox's IPC namespace (mqueue kept without a "
    "container to mount for)",
    "{\"userns\": {" POOL "}}",
    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
    "\"io.kubernetes.cri.sandbox-id\":\"x\"},\"mounts\":[" MQUEUE "],"
    "\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"/proc/self/ns/ipc\"},"
    "{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}",
    "{\"mounts\":[" MQUEUE "],\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":"
    "\"/proc/self/ns/ipc\"},{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"},"
    "{\"type\":\"user\"}],\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "the host's network namespace joined: its sysctls stay the config's (runc refuses them)",
    "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}],"
    "\"sysctl\":{\"net.ipv4.ip_unprivileged_port_start\":\"0\"}}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"},"
    "{\"type\":\"user\"}],\"sysctl\":{\"net.ipv4.ip_unprivileged_port_start\":\"0\"},"
    "\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a joined pid namespace with /proc (shareProcessNamespace) is refused, annotation or not",
    "{\"userns\": {" POOL "}}",
    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\"},"
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/self/ns/pid\"},"
    "{\"type\":\"network\"}]}}",
    NULL,
    "which cannot mount /proc for a pid namespace it does not own (a Kubernetes pod with "
    "shareProcessNamespace)" },
  { "a joined pid namespace without /proc is admitted", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/self/ns/pid\"},"
    "{\"type\":\"network\"}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/self/ns/pid\"},"
    "{\"type\":\"network\"},{\"type\":\"user\"}],\"uidMappings\":" MAP (
        100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a joined network namespace that cannot be opened is refused", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/nonexistent/net\"}]}}", NULL,
    "cannot check the network namespace: open the namespace `/nonexistent/net`" },
  { "a joined network namespace that is not one", "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/ipc\"}]}}", NULL,
    "cannot check the network namespace: `/proc/self/ns/ipc` is not a net namespace" },
  { "the same network namespace without CRI annotations gets a user namespace",
    "{\"userns\": {" POOL "}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}",
    "{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"},"
    "{\"type\":\"user\"}],\"uidMappings\":" MAP (100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "namespaces of the wrong type", "{\"userns\": {" POOL "}}", "{\"linux\":{\"namespaces\":{}}}",
    NULL, "`linux.namespaces`: expected array" },
  /* which volumes may be idmapped: /tmp is reachable by every host user */
  { "a bind others reach asking the runtime to idmap it (crun's option) is refused",
    "{\"userns\": {" POOL "}}",
    "{\"mounts\":[" TMPVOL ("\"idmap\"") "],\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
    NULL,
    "bind volume `/tmp` asks to be idmapped, which would make container root the owner of its "
    "host files, and it is not in an engine volume store" },
  { "... with mount uidMappings of the container's own too", "{\"userns\": {" POOL "}}",
    "{\"mounts\":[{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/tmp\",\"options\":["
    "\"rbind\"],\"uidMappings\":" MAP (500000) ",\"gidMappings\":" MAP (
        500000) "}],"
                "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
                "\"uidMappings\":" MAP (500000) ",\"gidMappings\":" MAP (500000) "}}",
    NULL, "bind volume `/tmp` asks to be idmapped" },
  { "... admitted when the policy names the tree the containers' own",
    "{\"userns\": {\"own_volumes\": [\"/tmp\"], " POOL "}}",
    "{\"mounts\":[" TMPVOL ("\"idmap\"") "],\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
    "{\"mounts\":[" TMPVOL ("\"idmap\"") "],\"linux\":{\"namespaces\":[{\"type\":\"network\"},"
                                         "{\"type\":\"user\"}],\"uidMappings\":" MAP (
                                             100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
  { "a bind others reach is not idmapped, and admitted", "{\"userns\": {" POOL "}}",
    "{\"mounts\":[" TMPVOL ("\"ro\"") "],\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
    "{\"mounts\":[" TMPVOL ("\"ro\"") "],\"linux\":{\"namespaces\":[{\"type\":\"network\"},"
                                      "{\"type\":\"user\"}],\"uidMappings\":" MAP (
                                          100000) ",\"gidMappings\":" MAP (100000) "}}",
    NULL },
};

START_TEST (test_golden)
{
  const golden_t *g = &golden[_i];
  hs_policy_t *p = policy (g->policy);
  hs_json_t *spec = test_parse (g->in);
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_error_t err = NULL;
  int r;

  hs_audit_init (&audit, "create", "x", ".", p->digest);
  {
    /* the control alone: the other controls have golden tables of their own */
    static const char *const only[] = { "userns", NULL };
    hs_harden_t h = { .spec = spec, .policy = p, .host = &host, .audit = &audit };

    r = hs_spec_validate (spec, &err);
    if (r == 0)
      r = hs_harden_run_only (&h, only, &err);
  }
  if (g->want == NULL)
    {
      ck_assert_msg (r < 0, "%s: admitted", g->name);
      ck_assert_msg (strstr (err->msg, g->refusal) != NULL, "%s: %s", g->name, err->msg);
      hs_error_release (&err);
    }
  else
    {
      hs_json_t *want = test_parse (g->want), *ann;
      char *got, *exp;

      ck_assert_msg (r == 0, "%s: %s", g->name, err ? err->msg : "");
      /* compare without the annotations (org.hardshim.userns.mapping) */
      ann = hs_json_get (spec, "annotations");
      if (ann != NULL)
        hs_json_remove (spec, "annotations");
      got = test_emit (spec);
      exp = test_emit (want);
      ck_assert_msg (strcmp (got, exp) == 0, "%s:\n got %s\nwant %s", g->name, got, exp);
      free (got);
      free (exp);
      hs_json_free (want);
    }
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
}
END_TEST

/* Real engine configs: a user namespace is added with an unprivileged
 * mapping; their runtime-created netns keeps sysfs. */
START_TEST (test_engine_captures)
{
  static const char *const captures[] = {
    "captures/docker-20.10-config.json",
    "captures/podman-4.3-config.json",
    "captures/containerd-1.6-ctr-config.json",
  };
  char *text = test_read_capture (captures[_i]);
  hs_policy_t *p = policy ("{\"userns\": {" POOL "}}");
  hs_json_t *spec = test_parse (text);
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_error_t err = NULL;
  const hs_json_t *ns, *um, *m;
  bool user = false;

  hs_audit_init (&audit, "create", "x", ".", p->digest);
  ck_assert_msg (hs_harden_spec (spec, p, &host, &audit, &err) == 0, "%s", err ? err->msg : "");
  ns = hs_json_path (spec, "linux", "namespaces", NULL);
  for (size_t i = 0; i < ns->len; i++)
    user = user || strcmp (hs_json_get (ns->items[i], "type")->str, "user") == 0;
  ck_assert (user);
  um = hs_json_path (spec, "linux", "uidMappings", NULL);
  ck_assert_str_eq (hs_json_get (um->items[0], "hostID")->str, "100000");
  m = hs_json_get (spec, "mounts");
  for (size_t i = 0; i < m->len; i++)
    if (strcmp (hs_json_get (m->items[i], "destination")->str, "/sys") == 0)
      ck_assert_str_eq (hs_json_get (m->items[i], "type")->str, "sysfs");
  hs_audit_release (&audit);
  hs_json_free (spec);
  hs_policy_free (p);
  free (text);
}
END_TEST

/* Stale idmap records (their containers are gone) are reclaimed with their
 * directories, a recorded path outside hardshim's trees is never touched,
 * a retried create gets a fresh unguessable directory (the old one goes),
 * and the delete releaser removes both of a container's records. */
START_TEST (test_idmap_stale_and_release)
{
  char *d = tmpdir ();
  char *ptext = hs_xasprintf ("{\"state_dir\": \"%s\"}", d);
  hs_policy_t *p = policy (ptext);
  char *old_dir = hs_xasprintf ("%s/%s/0123456789abcdef0123456789abcdef", d, HS_STATE_MOUNTS);
  char *outside = hs_xasprintf ("%s/outside", d);
  char *new_dir = NULL, *again = NULL;
  char *key = hs_registry_key ("/nonexistent", "old");
  char *key2 = hs_registry_key ("/nonexistent", "forged");
  char *rec = hs_xasprintf ("%s/%s/%s", d, HS_IDMAP_KIND, key);
  char *rec2 = hs_xasprintf ("%s/%s/%s", d, HS_IDMAP_KIND, key2);
  char *text = hs_xasprintf ("{\"id\":\"old\",\"root\":\"/nonexistent\",\"created\":%ld,"
                             "\"value\":{\"dir\":\"%s\"}}",
                             (long) time (NULL) - HS_REGISTRY_GRACE_SECONDS - 10, old_dir);
  char *text2 = hs_xasprintf ("{\"id\":\"forged\",\"root\":\"/nonexistent\",\"created\":%ld,"
                              "\"value\":{\"dir\":\"%s\"}}",
                              (long) time (NULL) - HS_REGISTRY_GRACE_SECONDS - 10, outside);
  char *sub = hs_xasprintf ("%s/rootfs", old_dir),
       *idmap = hs_xasprintf ("%s/%s", d, HS_IDMAP_KIND),
       *tree = hs_xasprintf ("%s/%s", d, HS_STATE_MOUNTS);
  hs_idpool_t pool = pool_of (100000, 4000);
  hs_error_t err = NULL;
  struct stat st;
  hs_registry_t reg;

  /* hs_idmap_prepare_dir mounts: keep it in this test process's own namespace */
  ck_assert_int_eq (unshare (CLONE_NEWNS), 0);
  ck_assert_int_eq (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
  mkdir (idmap, 0700);
  mkdir (tree, 0711);
  mkdir (old_dir, 0700);
  mkdir (sub, 0700);
  mkdir (outside, 0700);
  write_text (rec, text);
  write_text (rec2, text2);
  ck_assert_int_eq (hs_idmap_record (d, "/r", "new", &new_dir, &err), 0);
  ck_assert_int_ne (stat (old_dir, &st), 0);
  ck_assert_int_ne (stat (rec, &st), 0);
  ck_assert_int_eq (stat (outside, &st), 0);
  ck_assert_int_ne (stat (rec2, &st), 0);
  /* state_dir/mnt/<32 hex digits> */
  ck_assert_int_eq (strncmp (new_dir, tree, strlen (tree)), 0);
  ck_assert_uint_eq (strlen (new_dir + strlen (tree) + 1), 32);
  ck_assert_uint_eq (strspn (new_dir + strlen (tree) + 1, "0123456789abcdef"), 32);
  ck_assert (hs_idmap_path_is_ours (d, new_dir));
  ck_assert (!hs_idmap_path_is_ours (d, outside));
  ck_assert_int_eq (hs_idmap_prepare_dir (d, new_dir, 123456, &err), 0);
  ck_assert_int_eq (stat (new_dir, &st), 0);
  ck_assert_uint_eq (st.st_mode & 07777, 0710);
  ck_assert_uint_eq (st.st_uid, 0);
  ck_assert_uint_eq (st.st_gid, 123456);
  ck_assert_int_eq (stat (tree, &st), 0);
  ck_assert_uint_eq (st.st_mode & 07777, 0711);
  ck_assert_int_eq (stat (idmap, &st), 0);
  ck_assert_uint_eq (st.st_mode & 07777, 0700);
  /* a retried create of the same container */
  ck_assert_int_eq (hs_idmap_record (d, "/r", "new", &again, &err), 0);
  ck_assert_str_ne (again, new_dir);
  ck_assert_int_ne (stat (new_dir, &st), 0);
  alloc_ok (d, &pool, 1000, "/r", "new");

  ck_assert_int_eq (hs_releaser_userns.release (p, "/r", "new", &err), 0);
  ck_assert_int_eq (hs_registry_lock (d, HS_USERNS_KIND, &reg, &err), 0);
  ck_assert_ptr_null (hs_registry_get (&reg, "/r", "new"));
  hs_registry_unlock (&reg);
  ck_assert_int_eq (hs_registry_lock (d, HS_IDMAP_KIND, &reg, &err), 0);
  ck_assert_ptr_null (hs_registry_get (&reg, "/r", "new"));
  hs_registry_unlock (&reg);
  /* releasing what was never allocated is fine */
  ck_assert_int_eq (hs_releaser_userns.release (p, "/r", "never", &err), 0);

  hs_idpool_release (&pool);
  hs_policy_free (p);
  ck_assert_int_eq (umount2 (tree, MNT_DETACH), 0); /* the mount tree is a private mount */
  rm_rf (d);
  free (d);
  free (ptext);
  free (old_dir);
  free (new_dir);
  free (again);
  free (outside);
  free (key);
  free (key2);
  free (rec);
  free (rec2);
  free (text);
  free (text2);
  free (sub);
  free (idmap);
  free (tree);
}
END_TEST

/* The idmap helpers in a private mount namespace (a child): a clone of a
 * directory owned by 0 shows as the mapped id, and remove_dir unmounts and
 * removes everything. */
START_TEST (test_idmap_mount)
{
  char *d = tmpdir ();
  pid_t pid;
  int status;

  chmod (d, 0755);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      char *src = hs_xasprintf ("%s/src", d), *dir = hs_xasprintf ("%s/mnt/m", d);
      char *target = hs_xasprintf ("%s/rootfs", dir), *file = hs_xasprintf ("%s/f", src);
      struct stat st;
      hs_error_t err = NULL;
      int fd;

      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (10);
      mkdir (src, 0755);
      write_text (file, "x");
      if (hs_idmap_prepare_dir (d, dir, 123456, &err) < 0)
        _exit (11);
      fd = hs_idmap_userns_fd ("0 123456 65536\n", "0 123456 65536\n", &err);
      if (fd < 0)
        _exit (12);
      if (hs_idmap_mount (src, target, fd, false, 0, &err) < 0)
        _exit (13);
      close (fd);
      free (file);
      file = hs_xasprintf ("%s/f", target);
      if (stat (file, &st) < 0 || st.st_uid != 123456 || st.st_gid != 123456)
        _exit (14);
      if (hs_idmap_remove_dir (dir, &err) < 0)
        _exit (15);
      if (stat (dir, &st) == 0)
        _exit (16);
      _exit (0);
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child step %d failed",
                 WEXITSTATUS (status));
  rm_rf (d);
  free (d);
}
END_TEST

/* A mount made from a descriptor is of the object it holds, whatever its
 * name leads to by then (a swap after the judgment). */
START_TEST (test_idmap_mount_fd)
{
  char *d = tmpdir ();
  pid_t pid;
  int status;

  chmod (d, 0755);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      char *src = hs_xasprintf ("%s/src", d), *away = hs_xasprintf ("%s/away", d);
      char *dir = hs_xasprintf ("%s/mnt/m", d), *target = NULL, *file = NULL;
      struct stat st;
      hs_error_t err = NULL;
      int fd, src_fd;

      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (10);
      mkdir (src, 0755);
      file = hs_xasprintf ("%s/judged", src);
      write_text (file, "x");
      src_fd = open (src, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (src_fd < 0)
        _exit (11);
      /* swapped: the name now leads to another directory */
      if (rename (src, away) < 0 || mkdir (src, 0755) < 0)
        _exit (12);
      if (hs_idmap_prepare_dir (d, dir, 123456, &err) < 0)
        _exit (13);
      fd = hs_idmap_userns_fd ("0 123456 65536\n", "0 123456 65536\n", &err);
      if (fd < 0)
        _exit (14);
      target = hs_xasprintf ("%s/vol0", dir);
      if (hs_idmap_mount_fd (src_fd, src, target, fd, false, 0, &err) < 0)
        _exit (15);
      free (file);
      file = hs_xasprintf ("%s/judged", target);
      if (stat (file, &st) < 0 || st.st_uid != 123456)
        _exit (16);
      /* a plain clone too */
      free (target);
      target = hs_xasprintf ("%s/vol1", dir);
      if (hs_idmap_mount_fd (src_fd, src, target, -1, false, MOUNT_ATTR_NOSUID, &err) < 0)
        _exit (17);
      free (file);
      file = hs_xasprintf ("%s/judged", target);
      if (stat (file, &st) < 0 || st.st_uid != 0)
        _exit (18);
      close (fd);
      close (src_fd);
      if (hs_idmap_remove_dir (dir, &err) < 0)
        _exit (19);
      _exit (0);
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child step %d failed",
                 WEXITSTATUS (status));
  rm_rf (d);
  free (d);
}
END_TEST

/* Hardening a hardened config again (runc run twice on one bundle, an engine
 * re-creating a container from the config it keeps): what userns replaced
 * is restored from its annotations first and THIS container gets its own
 * block; a forged annotation never moves root.path or a volume; a bare
 * tree (hardshimctl check) hardened twice records no change. */
static hs_json_t *
harden_for (hs_policy_t *p, const char *text_or_null, hs_json_t *spec, const char *id,
            size_t *changes)
{
  hs_container_t ctr = { .id = id, .root = "/run/test-root", .runtime = "/bin/false" };
  hs_host_t host = { 0 };
  hs_audit_t audit;
  hs_error_t err = NULL;

  if (text_or_null)
    spec = test_parse (text_or_null);
  hs_audit_init (&audit, "create", id ? id : "x", ".", p->digest);
  ck_assert_msg (hs_harden_spec_for (spec, p, &host, &audit, id ? &ctr : NULL, &err) == 0, "%s",
                 err ? err->msg : "");
  *changes = hs_audit_count (&audit, HS_ACT_CHANGED);
  hs_audit_release (&audit);
  return spec;
}

static const char *
ann (const hs_json_t *spec, const char *key)
{
  const hs_json_t *v = hs_json_path (spec, "annotations", key, NULL);

  return v && v->type == HS_JSON_STRING ? v->str : NULL;
}

START_TEST (test_reharden)
{
  char *d = tmpdir ();
  /* ownership/volumes none: no mounts in a unit test; the rootfs and volume
   * restores are driven with paths under the state dir */
  char *ptext = hs_xasprintf ("{\"state_dir\": \"%s\", \"userns\": {\"ownership\": \"none\", "
                              "\"volumes\": \"none\", " POOL ", \"engine_ranges\": [{\"start\": "
                              "1000000, \"size\": 65536}]}}",
                              d);
  hs_policy_t *p = policy (ptext);
  const char *base = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                     "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
                     "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
                     "{\"type\":\"network\"}]}}";
  hs_json_t *a, *b, *c, *again;
  const hs_json_t *um, *ns;
  char *marker, *forged, *idroot, *copy;
  size_t changes, users = 0;

  a = harden_for (p, base, NULL, "first", &changes);
  ck_assert_ptr_nonnull (ann (a, "org.hardshim.userns.mapping"));
  um = hs_json_path (a, "linux", "uidMappings", NULL);
  ck_assert_str_eq (hs_json_get (um->items[0], "hostID")->str, "100000");

  /* the same config for another container: a block of its own, one user
   * namespace entry, the annotation rewritten for it */
  b = harden_for (p, NULL, hs_json_dup (a), "second", &changes);
  um = hs_json_path (b, "linux", "uidMappings", NULL);
  ck_assert_str_eq (hs_json_get (um->items[0], "hostID")->str, "165536");
  ns = hs_json_path (b, "linux", "namespaces", NULL);
  for (size_t i = 0; i < ns->len; i++)
    users += strcmp (hs_json_get (ns->items[i], "type")->str, "user") == 0;
  ck_assert_uint_eq (users, 1);
  ck_assert_ptr_nonnull (strstr (ann (b, "org.hardshim.userns.mapping"), "165536"));

  /* the same container id again (runc run twice after delete kept the
   * record): the same block, no second block taken */
  c = harden_for (p, NULL, hs_json_dup (a), "first", &changes);
  um = hs_json_path (c, "linux", "uidMappings", NULL);
  ck_assert_str_eq (hs_json_get (um->items[0], "hostID")->str, "100000");

  /* a bare tree hardened again (hardshimctl check, the fuzz property):
   * nothing changes */
  again = harden_for (p, NULL, hs_json_dup (a), NULL, &changes);
  ck_assert_uint_eq (changes, 0);

  /* an earlier hardening's idmapped rootfs and volume: put back */
  idroot = hs_xasprintf ("%s/idmap/k.d/rootfs", d);
  marker = hs_xasprintf (
      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
      "\"mounts\":[{\"destination\":\"/v\",\"type\":\"bind\",\"source\":"
      "\"%s/idmap/k.d/vol0\",\"options\":[\"rbind\"]},"
      "{\"destination\":\"/w\",\"type\":\"bind\",\"source\":\"/srv/w\","
      "\"options\":[\"bind\"],\"uidMappings\":" MAP (
          400000) ","
                  "\"gidMappings\":" MAP (
                      400000) "}],"
                              "\"annotations\":{\"org.hardshim.userns.rootfs\":\"rootfs\","
                              "\"org.hardshim.userns.volumes\":\"{\\\"/v\\\":\\\"/srv/v\\\","
                              "\\\"/w\\\":\\\"/srv/w\\\"}\","
                              "\"org.hardshim.userns.mapping\":\"{\\\"hostID\\\":400000,"
                              "\\\"size\\\":65536,\\\"namespace\\\":\\\"added\\\"}\"},"
                              "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":"
                              "\"network\"}],"
                              "\"uidMappings\":" MAP (400000) ",\"gidMappings\":" MAP (400000) "}}",
      idroot, d);
  hs_json_free (c);
  c = harden_for (p, marker, NULL, "third", &changes);
  ck_assert_str_eq (hs_json_path (c, "root", "path", NULL)->str, "rootfs");
  ck_assert_str_eq (hs_json_get (hs_json_get (c, "mounts")->items[0], "source")->str, "/srv/v");
  ck_assert_ptr_null (hs_json_get (hs_json_get (c, "mounts")->items[1], "uidMappings"));
  um = hs_json_path (c, "linux", "uidMappings", NULL);
  ck_assert_str_ne (hs_json_get (um->items[0], "hostID")->str, "400000");
  ck_assert_ptr_null (ann (c, "org.hardshim.userns.rootfs"));
  ck_assert_ptr_null (ann (c, "org.hardshim.userns.volumes"));

  /* forged: root.path and the volume are not hardshim's mounts, and the
   * mapping is not the one the annotation names: nothing moves, and the
   * engine's mapping is judged as the engine's */
  forged = hs_xasprintf ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                         "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                         "\"mounts\":[{\"destination\":\"/v\",\"type\":\"bind\",\"source\":"
                         "\"/srv/v\",\"options\":[\"rbind\"]}],"
                         "\"annotations\":{\"org.hardshim.userns.rootfs\":\"/\","
                         "\"org.hardshim.userns.volumes\":\"{\\\"/v\\\":\\\"/\\\"}\","
                         "\"org.hardshim.userns.mapping\":\"{\\\"hostID\\\":1,"
                         "\\\"size\\\":65536,\\\"namespace\\\":\\\"added\\\","
                         "\\\"uidMappings\\\":[{\\\"containerID\\\":0,\\\"hostID\\\":0,"
                         "\\\"size\\\":65536}]}\"},"
                         "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}],"
                         "\"uidMappings\":" MAP (1000000) ",\"gidMappings\":" MAP (1000000) "}}");
  hs_json_free (b);
  b = harden_for (p, forged, NULL, "fourth", &changes);
  ck_assert_str_eq (hs_json_path (b, "root", "path", NULL)->str, "rootfs");
  ck_assert_str_eq (hs_json_get (hs_json_get (b, "mounts")->items[0], "source")->str, "/srv/v");
  um = hs_json_path (b, "linux", "uidMappings", NULL);
  ck_assert_str_eq (hs_json_get (um->items[0], "hostID")->str, "1000000");

  copy = test_emit (a);
  ck_assert_ptr_null (strstr (copy, "\"hostID\":0,")); /* sanity: first block is not root */
  free (copy);
  hs_json_free (a);
  hs_json_free (b);
  hs_json_free (c);
  hs_json_free (again);
  hs_policy_free (p);
  rm_rf (d);
  free (d);
  free (ptext);
  free (marker);
  free (forged);
  free (idroot);
}
END_TEST

/* Volumes on one destination are told apart as DEST, DEST#1, DEST#2 in
 * order of appearance, wherever other mounts sit between them: each gets
 * its own source back. */
START_TEST (test_reharden_same_destination)
{
  char *d = tmpdir ();
  char *ptext = hs_xasprintf ("{\"state_dir\": \"%s\", \"userns\": {\"ownership\": \"none\", "
                              "\"volumes\": \"none\", " POOL "}}",
                              d);
  hs_policy_t *p = policy (ptext);
  char *text = hs_xasprintf (
      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"mounts\":["
      "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"%s/idmap/k.d/"
      "vol0\",\"options\":[\"rbind\"]},"
      "{\"destination\":\"/w\",\"type\":\"bind\",\"source\":\"%s/idmap/k.d/"
      "vol1\",\"options\":[\"rbind\"]},"
      "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"%s/idmap/k.d/"
      "vol2\",\"options\":[\"rbind\"]},"
      "{\"destination\":\"/a\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
      "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"%s/idmap/k.d/"
      "vol3\",\"options\":[\"rbind\"]}],"
      "\"annotations\":{\"org.hardshim.userns.volumes\":\"{\\\"/v\\\":\\\"/srv/v0\\\","
      "\\\"/w\\\":\\\"/srv/w\\\",\\\"/v#1\\\":\\\"/srv/v1\\\",\\\"/v#2\\\":\\\"/srv/v2\\\"}\"}}",
      d, d, d, d);
  static const char *const want[] = { "/srv/v0", "/srv/w", "/srv/v1", "/srv/v2" };
  hs_json_t *c;
  const hs_json_t *mounts;
  size_t changes, n = 0;

  c = harden_for (p, text, NULL, "dup", &changes);
  mounts = hs_json_get (c, "mounts");
  for (size_t i = 0; i < mounts->len; i++)
    {
      const char *type = hs_json_get (mounts->items[i], "type")->str;

      if (strcmp (type, "bind") != 0)
        continue;
      ck_assert_uint_lt (n, 4);
      ck_assert_str_eq (hs_json_get (mounts->items[i], "source")->str, want[n++]);
    }
  ck_assert_uint_eq (n, 4);
  hs_json_free (c);
  hs_policy_free (p);
  free (text);
  free (ptext);
  free (d);
}
END_TEST

static Suite *
userns_suite (void)
{
  Suite *s = suite_create ("userns");
  TCase *t = tcase_create ("alloc");

  tcase_set_timeout (t, 60);
  tcase_add_test (t, test_subid_pool);
  tcase_add_test (t, test_allocate_release_reuse);
  tcase_add_test (t, test_exhaustion);
  tcase_add_test (t, test_concurrent_50);
  tcase_add_test (t, test_stale_reclaim);
  tcase_add_test (t, test_unreadable_record);
  tcase_add_test (t, test_unreadable_record_with_claim);
  tcase_add_test (t, test_claim_goes_with_stale_record);
  tcase_add_test (t, test_idmap_stale_and_release);
  suite_add_tcase (s, t);
  t = tcase_create ("control");
  tcase_add_loop_test (t, test_bad_policy, 0, sizeof (bad_policies) / sizeof (bad_policies[0]));
  tcase_add_test (t, test_modes);
  tcase_add_loop_test (t, test_golden, 0, sizeof (golden) / sizeof (golden[0]));
  tcase_add_loop_test (t, test_engine_captures, 0, 3);
  tcase_add_test (t, test_reharden);
  tcase_add_test (t, test_reharden_same_destination);
  tcase_add_test (t, test_idmap_mount);
  tcase_add_test (t, test_idmap_mount_fd);
  suite_add_tcase (s, t);
  return s;
}

TEST_MAIN (userns_suite ())
