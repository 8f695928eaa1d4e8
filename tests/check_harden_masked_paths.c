/* masked_paths: golden table (tests/data/harden/masked_paths.json) and the engines' configs. */
#include "harden_golden_b.h"

GOLDEN_SUITE ("masked_paths", (void) 0)

TEST_MAIN (golden_suite ())
