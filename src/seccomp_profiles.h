/* Built-in seccomp source profiles, embedded from profiles/seccomp/ at build time. */
#ifndef HS_SECCOMP_PROFILES_H
#define HS_SECCOMP_PROFILES_H

extern const char hs_seccomp_profile_default[];

#endif
