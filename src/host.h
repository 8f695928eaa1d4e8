/* hardshim: what the host's kernel offers (security modules). */
#ifndef HS_HOST_H
#define HS_HOST_H

#include "harden.h"

void hs_host_detect (hs_host_t *host);

#endif
