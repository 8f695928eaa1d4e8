/* volume_nesting: golden table (tests/data/harden/volume_nesting.json) and the engines' configs. */
#include "harden_golden_b.h"

GOLDEN_SUITE ("volume_nesting", (void) 0)

TEST_MAIN (golden_suite ())
