/* rlimits: golden table (tests/data/harden/rlimits.json) and the engines' configs. */
#include "harden_golden.h"

GOLDEN_SUITE ("rlimits", (void) 0)

TEST_MAIN (golden_suite ())
