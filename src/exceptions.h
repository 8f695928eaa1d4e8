/* hardshim: per-container exceptions.
 *
 * A container asks for an exception with an annotation:
 *   org.hardshim.exception.<control>         = "off"   the whole control
 *   org.hardshim.exception.<control>.<name>  = VALUE   one named exception,
 *                                                      read by the control
 * The host policy grants it when the control is `overridable` and an entry
 * of the policy's `exceptions` object matches the container (its `scope`,
 * on annotations the engine sets) and allows that value. Every exception
 * annotation is audited: honoured or ignored, with the reason.
 *
 * The engine (harden.c) calls begin/control_off/end around the controls;
 * controls use hs_harden_exception (harden.h). */
#ifndef HS_EXCEPTIONS_H
#define HS_EXCEPTIONS_H

#include "harden.h"

typedef struct hs_exceptions_s hs_exceptions_t;

#define HS_EXCEPTION_PREFIX "org.hardshim.exception."
/* The bare annotation's only value, and its key under `allow.<control>`. */
#define HS_EXCEPTION_OFF "off"
/* Annotations a scope criterion reads. Where several are present, all of
 * them must match: a workload that can add one annotation must not be able
 * to outvote the one its engine set. */
#define HS_SCOPE_NAMESPACE_KEYS "io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"
#define HS_SCOPE_CONTAINER_KEYS "io.kubernetes.container.name", "io.kubernetes.cri.container-name"
#define HS_SCOPE_IMAGE_KEYS "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName"

/* Validate the policy's `exceptions` key against the control table and
 * each control's `overridable` setting. */
int hs_exceptions_validate (const hs_json_t *policy_tree, const hs_control_t *const *table,
                            hs_error_t *err);

/* Collect and decide the container's exception annotations (from h->spec,
 * or h->container for an exec); audit the ones that cannot be honoured. */
void hs_exceptions_begin (hs_harden_t *h);
/* The same for a check outside the engine's run that sees the same
 * annotations (exec --apparmor / --process-label, restore --lsm-profile):
 * only honoured exceptions are audited (when used); the engine's run over
 * the config or process audits every annotation once. */
void hs_exceptions_begin_quiet (hs_harden_t *h);
/* True when the container holds an honoured "off" for control `c`; the
 * first call audits it as honoured. */
bool hs_exceptions_control_off (hs_harden_t *h, const hs_control_t *c);
/* Audit granted exceptions no control used, then free the state. `ran_all`
 * is false when the run stopped early (refusal or error). */
void hs_exceptions_end (hs_harden_t *h, bool ran_all);

#endif
