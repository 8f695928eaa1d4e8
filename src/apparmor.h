/* hardshim: AppArmor profiles rendered from hardshim's template
 * (profiles/apparmor/hardshim.in, embedded at build time) and loaded once
 * per distinct rendering. */
#ifndef HS_APPARMOR_H
#define HS_APPARMOR_H

#include <stdbool.h>

#include "error.h"
#include "harden.h"
#include "json.h"
#include "sha256.h"

#define HS_APPARMOR_PREFIX "hardshim-"
/* "hardshim-" + 16 hex digits of the rendering's digest */
#define HS_APPARMOR_NAME_LEN 32
/* Cap on what hardshim reads of the kernel's profile list and parser output. */
#define HS_APPARMOR_MAX_LIST (8u * 1024 * 1024)

typedef struct
{
  bool net_raw;           /* the container's bounding set holds NET_RAW */
  const hs_json_t *peers; /* array of profile names that may signal it */
} hs_apparmor_params_t;

typedef struct
{
  char name[HS_APPARMOR_NAME_LEN];
  char digest[HS_DIGEST_LEN]; /* of the text with the name left out */
  char *text;
} hs_apparmor_profile_t;

/* Render `tmpl` (NULL: the built-in template). The name is derived from the
 * digest of the rendering, so equal renderings share one loaded profile. */
int hs_apparmor_render (const char *tmpl, const hs_apparmor_params_t *params,
                        hs_apparmor_profile_t *ret, hs_error_t *err);
void hs_apparmor_profile_release (hs_apparmor_profile_t *p);

/* A name that can go into a profile as a peer (no globbing, no spaces). */
bool hs_apparmor_valid_peer (const char *s);

/* Does the bounding set (an array of capability names, or NULL) hold NET_RAW? */
bool hs_apparmor_bounding_has_net_raw (const hs_json_t *bounding);

/* Load `p` unless the kernel already has it with the same content: the
 * kernel's profile list and a digest record under <state_dir>/apparmor are
 * checked under that directory's lock, so concurrent creates load it once. */
int hs_apparmor_ensure_loaded (const char *state_dir, const hs_host_t *host,
                               const hs_apparmor_profile_t *p, hs_error_t *err);

extern const char hs_apparmor_template[];

#endif
