/* sysctls: golden table (tests/data/harden/sysctls.json) and the engines' configs. */
#include "harden_golden_b.h"

GOLDEN_SUITE ("sysctls", (void) 0)

TEST_MAIN (golden_suite ())
