/* readonly_rootfs: golden table (tests/data/harden/readonly_rootfs.json) and the
 * engines' configs. */
#include "harden_golden_b.h"

GOLDEN_SUITE ("readonly_rootfs", (void) 0)

TEST_MAIN (golden_suite ())
