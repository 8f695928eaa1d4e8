/* apk version ordering: apk-tools 2.x rules (src/version.c), the order
 * apk itself uses to decide upgrades, so the gate agrees with `apk version`. */
#ifndef HS_APK_VERSION_H
#define HS_APK_VERSION_H

#include <stdbool.h>

/* < 0, 0, > 0 as apk orders a and b (NUL-terminated). Versions apk calls
 * invalid still compare the way apk compares them. */
int hs_apk_version_compare (const char *a, const char *b);
/* apk_version_validate: digit{.digit}...{letter}{_suf{#}}...{-r#} */
bool hs_apk_version_valid (const char *v);

#endif
