/* rootfs_shape: golden table (tests/data/harden/rootfs_shape.json, rootfs trees built per
 * case) and the engines' configs. */
#include "rootfs_golden.h"

ROOTFS_GOLDEN_SUITE ("rootfs_shape", (void) 0)

TEST_MAIN (golden_suite ())
