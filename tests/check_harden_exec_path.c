/* exec_path: golden table (tests/data/harden/exec_path.json, rootfs trees built per
 * case) and the engines' configs. */
#include "rootfs_golden.h"

ROOTFS_GOLDEN_SUITE ("exec_path", (void) 0)

TEST_MAIN (golden_suite ())
