/* devices: golden table (tests/data/harden/devices.json) and the engines' configs. */
#include "harden_golden_b.h"

GOLDEN_SUITE ("devices", (void) 0)

TEST_MAIN (golden_suite ())
