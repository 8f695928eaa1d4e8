/* Options shared by `hardshimctl feed` and `hardshimctl scan`. */
#ifndef HS_CTL_GATE_ARGS_H
#define HS_CTL_GATE_ARGS_H

#include <stdbool.h>

#include "ctl/ctl.h"
#include "harden/image_gate.h"

typedef struct
{
  const char *policy_file;
  const char *settings_file; /* --settings: the image_gate object alone */
  hs_json_t *settings;
  const char *feed_dir; /* --feed-dir, else image_gate.feed_dir, else the default */
  bool json;
  const char *operand;
  hs_policy_t *policy;
  hs_gate_policy_t gate;
} hs_ctl_gate_args_t;

/* Parse argv[first..] (at most one operand) and load the policy. Returns
 * 0, or the exit status after printing why. */
int hs_ctl_gate_args (int argc, char **argv, int first, const char *usage, hs_ctl_gate_args_t *ret);
void hs_ctl_gate_args_clear (hs_ctl_gate_args_t *a);

#endif
