/* Built-in policy presets, embedded from profiles/presets/ at build time. */
#ifndef HS_PRESETS_H
#define HS_PRESETS_H

extern const char hs_preset_restricted[];
extern const char hs_preset_baseline[];
extern const char hs_preset_audit_only[];

#endif
