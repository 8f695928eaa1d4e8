/* hardshim: the host policy.
 *
 * Sources, later overriding earlier key by key (objects merge, everything
 * else replaces): the built-in preset named by `preset` (default
 * "restricted"), /etc/hardshim/policy.json, then /etc/hardshim/policy.d/
 * *.json in name order. HARDSHIM_POLICY names one file to use instead of the
 * files under /etc. A file that is present but unreadable or malformed is an
 * error: hardshim never falls back to something more permissive. */
#ifndef HS_POLICY_H
#define HS_POLICY_H

#include "json.h"
#include "sha256.h"

typedef enum
{
  HS_POLICY_ENFORCE, /* harden, refuse what policy refuses */
  HS_POLICY_AUDIT,   /* compute and log every decision, change and refuse nothing */
  HS_POLICY_OFF,     /* pure pass-through, config.json is not read */
} hs_policy_mode_t;

typedef struct
{
  const char *override; /* HARDSHIM_POLICY, or NULL */
  const char *file;     /* /etc/hardshim/policy.json */
  const char *dir;      /* /etc/hardshim/policy.d */
  bool lazy_digest;     /* leave `digest` empty until hs_policy_ensure_digest */
} hs_policy_paths_t;

typedef struct
{
  hs_json_t *tree;    /* the effective policy */
  hs_json_t *origins; /* same shape; leaves name the source of each value */
  hs_policy_mode_t mode;
  const char *runtime; /* NULL when unset; points into tree */
  const char *preset;
  const char *audit_log; /* NULL: no audit log file */
  bool audit_log_required;
  bool audit_syslog;
  const char *state_dir; /* hardshim's files under /run; default /run/hardshim */
  char digest[HS_DIGEST_LEN];
  char *sources; /* human readable list, for messages */
} hs_policy_t;

#define HS_POLICY_MAX_BYTES (1024u * 1024)
#define HS_POLICY_MAX_DEPTH 32u
#define HS_POLICY_MAX_DROPINS 256

int hs_policy_load (const hs_policy_paths_t *paths, hs_policy_t **ret, hs_error_t *err);
/* Build from JSON text layered over the presets, as if read from `name`. */
int hs_policy_from_text (const char *text, const char *name, hs_policy_t **ret, hs_error_t *err);
hs_policy_t *hs_policy_free (hs_policy_t *p);
/* Compute `digest` if it is still empty (paths.lazy_digest). */
int hs_policy_ensure_digest (hs_policy_t *p, hs_error_t *err);
static inline void
hs_policy_freep (hs_policy_t **p)
{
  *p = hs_policy_free (*p);
}
#define cleanup_policy __attribute__ ((cleanup (hs_policy_freep)))

/* Settings object of a control (NULL if the policy has none). */
const hs_json_t *hs_policy_control (const hs_policy_t *p, const char *name);

/* Built-in presets, for `hardshimctl policy show --preset`. */
const char *hs_policy_preset_text (const char *name);
extern const char *const hs_policy_preset_names[];

#endif
