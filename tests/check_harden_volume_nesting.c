/* volume_nesting: golden table (tests/data/harden/volume_nesting.json), the
 * engines' configs, and the mount index it (and rootfs_shape) look
 * destinations up in. */
#include "harden_golden_b.h"

#include "harden/mount_index.h"

START_TEST (test_mount_index)
{
  cleanup_json hs_json_t *m
      = test_parse ("[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/s\"},"
                    "{\"destination\":\"/data/x/\",\"type\":\"tmpfs\"},"
                    "{\"destination\":\"/\",\"type\":\"bind\",\"source\":\"/s\"},"
                    "{\"destination\":\"/data\",\"type\":\"tmpfs\"},"
                    "{\"destination\":7},"
                    "{\"destination\":\"run\",\"options\":[\"rbind\"]}]");
  hs_mount_index_t x;
  size_t j = 99;

  hs_mount_index_init (&x, m);
  ck_assert_uint_eq (x.n, 6);
  ck_assert_str_eq (x.dests[1], "/data/x");
  ck_assert_ptr_null (x.dests[4]);
  ck_assert (x.bind[0] && !x.bind[1] && x.bind[5]);
  /* /data/x/y: /data/x (1) is the nearest, then /data (0) */
  ck_assert (hs_mount_index_above (&x, "/data/x/y", 6, false, true, false, &j));
  ck_assert_uint_eq (j, 1);
  ck_assert (hs_mount_index_above (&x, "/data/x/y", 6, false, true, true, &j));
  ck_assert_uint_eq (j, 0);
  /* only mounts before `before` count */
  ck_assert (!hs_mount_index_above (&x, "/data", 0, false, true, false, &j));
  ck_assert (hs_mount_index_above (&x, "/data", 1, false, true, false, &j));
  ck_assert_uint_eq (j, 0);
  /* strict: the path itself is not above itself; / is, unless skipped */
  ck_assert (hs_mount_index_above (&x, "/data", 6, true, false, false, &j));
  ck_assert_uint_eq (j, 2);
  ck_assert (!hs_mount_index_above (&x, "/data", 6, true, true, false, &j));
  ck_assert (!hs_mount_index_above (&x, "/data2", 2, false, true, false, &j));
  ck_assert (hs_mount_index_above (&x, "/run/a", 6, true, true, true, &j));
  ck_assert_uint_eq (j, 5);
  hs_mount_index_release (&x);
  hs_mount_index_init (&x, NULL);
  ck_assert (!hs_mount_index_above (&x, "/a", 0, false, false, false, &j));
  hs_mount_index_release (&x);
}
END_TEST

GOLDEN_SUITE ("volume_nesting", tcase_add_test (tc, test_mount_index))

TEST_MAIN (golden_suite ())
