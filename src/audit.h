/* hardshim: the decision trail. Every change, refusal and note a control
 * makes becomes a record; records go to the audit log as JSON lines and a
 * summary to syslog. Errors also go to the runtime's own --log file in the
 * runtime's format, because that file is all containerd and Docker show. */
#ifndef HS_AUDIT_H
#define HS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "json.h"

/* Actions a record can carry. */
#define HS_ACT_CHANGED "changed"
#define HS_ACT_REFUSED "refused"
#define HS_ACT_WOULD_CHANGE "would-change" /* audit mode */
#define HS_ACT_WOULD_REFUSE "would-refuse" /* audit mode */
#define HS_ACT_NOTE "note"
#define HS_ACT_EXCEPTION "exception" /* a per-container exception honoured */
#define HS_ACT_IGNORED "ignored"     /* an exception annotation not honoured */

typedef struct
{
  char *control;
  char *action;
  char *path;
  hs_json_t *before; /* NULL: absent */
  hs_json_t *after;
  char *message;
} hs_decision_t;

typedef struct
{
  hs_decision_t *items;
  size_t len, cap;
  const char *verb;
  const char *id;
  const char *bundle;
  const char *policy_digest;
} hs_audit_t;

void hs_audit_init (hs_audit_t *a, const char *verb, const char *id, const char *bundle,
                    const char *policy_digest);
void hs_audit_release (hs_audit_t *a);
void hs_audit_add (hs_audit_t *a, const char *control, const char *action, const char *path,
                   const hs_json_t *before, const hs_json_t *after, const char *message);
size_t hs_audit_count (const hs_audit_t *a, const char *action);

/* Append every record as one JSON line (one write, O_APPEND). */
int hs_audit_write (const hs_audit_t *a, const char *path, hs_error_t *err);
/* The JSON line of record i (caller frees). */
char *hs_audit_line (const hs_audit_t *a, size_t i);
void hs_audit_syslog (const hs_audit_t *a, const char *verdict);

/* "2026-11-29T11:13:31Z" (RFC 3339, UTC, as runc writes it). */
void hs_rfc3339_now (char buf[40], bool nanos);
/* The same for a time in seconds since the epoch (years 0-9999). */
void hs_rfc3339_format (long long secs, long nanos, bool with_nanos, char buf[40]);
/* Append one line to the runtime's --log file in its format ("json" or
 * logrus text); best effort, never blocks. */
void hs_runtime_log (const char *log_path, const char *log_format, const char *level,
                     const char *msg);

#endif
