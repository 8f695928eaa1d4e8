/* fresh_dev: golden table (tests/data/harden/fresh_dev.json) and the engines' configs. */
#include "harden_golden_b.h"

GOLDEN_SUITE ("fresh_dev", (void) 0)

TEST_MAIN (golden_suite ())
