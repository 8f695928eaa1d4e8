/* hardshim: the inventory of config.json fields.
 *
 * Every field of the runtime-spec (1.0 to 1.2, and the later ones runc
 * 1.1-1.3 and crun 1.8-1.2x act on) inside `process`, `root`, `mounts`,
 * `hooks` and `linux`, plus the top-level fields a runtime acts on, has one
 * owner: the control that judges it, "harmless" (the runtime's use of it
 * cannot reach beyond the container) or "refused" (no control judges it, so
 * a config that sets it is refused unless host policy grants it). A field
 * not in the table is unknown: refused by default (policy `unknown_fields`).
 *
 * Paths: `.` between object keys, `[]` for the items of an array, `*` for
 * any key of a map. A field with nothing listed below it is a leaf: its
 * owner judges everything inside it. */
#ifndef HS_SPEC_FIELDS_H
#define HS_SPEC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#define HS_FIELD_HARMLESS "harmless"
#define HS_FIELD_REFUSED "refused"

typedef struct
{
  const char *path;
  const char *owner; /* a control name, HS_FIELD_HARMLESS or HS_FIELD_REFUSED */
  const char *why;   /* what the runtime does with it, for messages and doc/ */
} hs_spec_field_t;

/* NULL-terminated (path NULL), in document order. */
extern const hs_spec_field_t hs_spec_fields[];

/* The entry for an inventory path (exact spelling), or NULL. */
const hs_spec_field_t *hs_spec_field_find (const char *path);
/* The entry for the child `key` of inventory path `parent` ("" for the top
 * level): `parent.key` (key compared the way runc's Go decoder matches
 * struct fields: ASCII case folded), else the map entry `parent.*`. NULL:
 * the field is unknown. */
const hs_spec_field_t *hs_spec_field_child (const char *parent, const char *key);
/* The entry for the items of the array at `parent` (`parent[]`), or NULL. */
const hs_spec_field_t *hs_spec_field_items (const char *parent);
/* Does the inventory list fields below `path` (else it is a leaf)? */
bool hs_spec_field_has_children (const char *path);
/* The fields one level below inventory path `pattern` ("" for the top
 * level), found in one pass over the table: direct children by key, the
 * map entry `pattern.*` and the items entry `pattern[]`. A walk computes
 * this once per pattern, not once per key. */
#define HS_SPEC_FIELD_MAX_CHILDREN 40
typedef struct
{
  const hs_spec_field_t *child[HS_SPEC_FIELD_MAX_CHILDREN];
  const char *key[HS_SPEC_FIELD_MAX_CHILDREN];
  size_t n;
  const hs_spec_field_t *map;
  const hs_spec_field_t *items;
} hs_spec_field_children_t;
void hs_spec_field_children (const char *pattern, hs_spec_field_children_t *ret);
/* The same for the entry itself (NULL: the top level), without a lookup. */
void hs_spec_field_children_at (const hs_spec_field_t *entry, hs_spec_field_children_t *ret);
/* `key` among them (ASCII case folded, as runc's Go decoder matches), else
 * the map entry; NULL: unknown. */
const hs_spec_field_t *hs_spec_field_children_find (const hs_spec_field_children_t *c,
                                                    const char *key);

/* The owner of `path`: its own entry's, else that of the closest ancestor
 * that is a leaf; NULL when the path is not covered. For tests and docs. */
const char *hs_spec_field_owner (const char *path);

#endif
