/* cwd_clean: golden table (tests/data/harden/cwd_clean.json, rootfs trees built per
 * case) and the engines' configs. */
#include "rootfs_golden.h"

ROOTFS_GOLDEN_SUITE ("cwd_clean", (void) 0)

TEST_MAIN (golden_suite ())
