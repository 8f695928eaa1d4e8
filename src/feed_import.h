/* Reading OSV records for `hardshimctl feed import`: a JSON record, a
 * directory of them (searched recursively), or an OSV export zip such as
 * osv.dev's <ecosystem>/all.zip (read with libarchive). */
#ifndef HS_FEED_IMPORT_H
#define HS_FEED_IMPORT_H

#include "error.h"
#include "osv.h"

#define HS_OSV_RECORD_MAX (64u << 20)

int hs_feed_import_path (const char *path, hs_osv_feed_t *osv, hs_error_t *err);
/* The records of a zip held in memory (also the fuzz target's entry). */
int hs_feed_import_zip_fd (int fd, const char *what, hs_osv_feed_t *osv, hs_error_t *err);

#endif
