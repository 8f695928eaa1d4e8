/* hardshim: helpers shared by the seccomp files (seccomp_profile.c: model,
 * OCI and source formats, generation; seccomp_merge.c: condition algebra
 * and intersection; seccomp_check.c: libseccomp validation and its cache).
 * Not for other modules: use seccomp_profile.h. */
#ifndef HS_SECCOMP_INTERNAL_H
#define HS_SECCOMP_INTERNAL_H

#include "seccomp_profile.h"

extern const char *const hs_sc_action_names[];
extern const char *const hs_sc_op_names[];

hs_sc_profile_t *hs_sc_profile_new (void);
void hs_sc_profile_add (hs_sc_profile_t *p, const hs_sc_rule_t *given);
void hs_sc_profile_remove (hs_sc_profile_t *p, size_t i);
void hs_sc_profile_add_arch (hs_sc_profile_t *p, const char *a);
bool hs_sc_refusing (hs_sc_action_t a);
int hs_sc_cond_cmp (const void *a, const void *b);
void hs_sc_rule_text (const hs_sc_rule_t *r, char *buf, size_t len);
bool hs_sc_rule_disjoint (const hs_sc_rule_t *a, const hs_sc_rule_t *b);
uint32_t hs_sc_name_hash (const char *s);
bool hs_sc_same_name (const hs_sc_rule_t *a, const hs_sc_rule_t *b);
bool hs_sc_rule_same (const hs_sc_rule_t *a, const hs_sc_rule_t *b);
bool hs_sc_name_seen (char **names, size_t n, const char *name);
bool hs_sc_arch_known (const char *a);
int hs_sc_get_u64 (const hs_json_t *v, const char *path, uint64_t *ret, hs_error_t *err);
int hs_sc_parse_cond (const hs_json_t *o, const char *path, bool need_index, hs_sc_cond_t *ret,
                      hs_error_t *err);
uint32_t hs_sc_effective_errno (bool has, uint32_t v);

#endif
