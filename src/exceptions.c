#include "exceptions.h"
#include "cleanup.h"
#include "xalloc.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <string.h>

/* A granted exception: the policy allows it for this container. */
typedef struct
{
  char *key; /* the annotation */
  char *control;
  char *name;       /* NULL: the whole-control "off" */
  char *value;      /* copied: controls may edit the annotations */
  char *granted_by; /* the policy exception's name */
  bool used;
} granted_t;

struct hs_exceptions_s
{
  granted_t *items;
  size_t len, cap;
  /* decided for a check outside the engine's run (exec/restore LSM flags):
   * only honoured uses are audited, the engine's run audits the rest */
  bool quiet;
};

static const char *const namespace_keys[] = { HS_SCOPE_NAMESPACE_KEYS, NULL };
static const char *const container_keys[] = { HS_SCOPE_CONTAINER_KEYS, NULL };
static const char *const image_keys[] = { HS_SCOPE_IMAGE_KEYS, NULL };

static const struct
{
  const char *name;
  const char *const *keys;
} criteria[] = {
  { "namespace", namespace_keys },
  { "container", container_keys },
  { "image", image_keys },
};

#define N_CRITERIA (sizeof (criteria) / sizeof (criteria[0]))

static const hs_control_t *const *
control_table (const hs_harden_t *h)
{
  return h->controls ? h->controls : hs_controls;
}

static bool
control_declares (const hs_control_t *c, const char *name)
{
  for (size_t i = 0; c->exceptions != NULL && c->exceptions[i] != NULL; i++)
    if (strcmp (c->exceptions[i], name) == 0)
      return true;
  return false;
}

/* "off, profile": what `allow.<control>` may name. */
static char *
declared_list (const hs_control_t *c)
{
  char *s = hs_xstrdup (HS_EXCEPTION_OFF);

  for (size_t i = 0; c->exceptions != NULL && c->exceptions[i] != NULL; i++)
    {
      char *t = hs_xasprintf ("%s, %s", s, c->exceptions[i]);
      free (s);
      s = t;
    }
  return s;
}

/* ---- validation ---- */

static int
check_patterns (const hs_json_t *v, const char *where, hs_error_t *err)
{
  if (v->type != HS_JSON_ARRAY)
    return hs_error_make (err, 0, "policy key `%s`: expected an array of patterns, got %s", where,
                          hs_json_type_name (v->type));
  if (v->len == 0)
    return hs_error_make (err, 0, "policy key `%s`: an empty list matches nothing", where);
  for (size_t i = 0; i < v->len; i++)
    if (v->items[i]->type != HS_JSON_STRING || v->items[i]->len == 0)
      return hs_error_make (err, 0, "policy key `%s[%zu]`: expected a non-empty string", where, i);
  return 0;
}

static bool
valid_entry_name (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || *s == '-' || *s == '_' || *s == '.'))
      return false;
  return true;
}

static int
validate_scope (const hs_json_t *scope, const char *entry, hs_error_t *err)
{
  if (scope == NULL)
    return hs_error_make (err, 0,
                          "policy key `exceptions.%s.scope`: missing (use `{}` for every "
                          "container)",
                          entry);
  if (scope->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0, "policy key `exceptions.%s.scope`: expected an object, got %s",
                          entry, hs_json_type_name (scope->type));
  for (size_t i = 0; i < scope->len; i++)
    {
      const char *k = scope->keys[i];
      const hs_json_t *v = scope->items[i];
      cleanup_free char *where = hs_xasprintf ("exceptions.%s.scope.%s", entry, k);
      bool known = false;
      int r;

      for (size_t j = 0; j < N_CRITERIA; j++)
        known = known || strcmp (k, criteria[j].name) == 0;
      if (known)
        {
          if ((r = check_patterns (v, where, err)) < 0)
            return r;
          continue;
        }
      if (strcmp (k, "annotations") != 0)
        return hs_error_make (err, 0,
                              "policy key `%s`: unknown (known: namespace, container, image, "
                              "annotations)",
                              where);
      if (v->type != HS_JSON_OBJECT || v->len == 0)
        return hs_error_make (err, 0,
                              "policy key `%s`: expected a non-empty object of annotation "
                              "patterns",
                              where);
      for (size_t j = 0; j < v->len; j++)
        {
          cleanup_free char *w = hs_xasprintf ("%s.%s", where, v->keys[j]);

          if (strncmp (v->keys[j], HS_EXCEPTION_PREFIX, strlen (HS_EXCEPTION_PREFIX)) == 0)
            return hs_error_make (err, 0,
                                  "policy key `%s`: a scope cannot match exception annotations "
                                  "(the container sets those itself)",
                                  w);
          if ((r = check_patterns (v->items[j], w, err)) < 0)
            return r;
        }
    }
  return 0;
}

static int
validate_allow (const hs_json_t *tree, const hs_control_t *const *table, const hs_json_t *allow,
                const char *entry, hs_error_t *err)
{
  if (allow == NULL)
    return hs_error_make (err, 0, "policy key `exceptions.%s.allow`: missing", entry);
  if (allow->type != HS_JSON_OBJECT || allow->len == 0)
    return hs_error_make (err, 0,
                          "policy key `exceptions.%s.allow`: expected a non-empty object keyed "
                          "by control",
                          entry);
  for (size_t i = 0; i < allow->len; i++)
    {
      const char *ctl = allow->keys[i];
      const hs_json_t *v = allow->items[i];
      const hs_control_t *c = hs_control_find_in (table, ctl);
      bool overridable;
      int r;

      if (c == NULL)
        return hs_error_make (err, 0,
                              "policy key `exceptions.%s.allow.%s`: no such control "
                              "(`hardshimctl explain` lists them)",
                              entry, ctl);
      r = hs_settings_bool (hs_json_get_exact (tree, ctl), ctl, "overridable", false, &overridable,
                            err);
      if (r < 0)
        return r;
      if (!overridable)
        return hs_error_make (err, 0,
                              "policy key `exceptions.%s.allow.%s`: conflicts with `%s.overridable`"
                              " (false): set it to true to let containers opt out of `%s`",
                              entry, ctl, ctl, ctl);
      if (v->type != HS_JSON_OBJECT || v->len == 0)
        return hs_error_make (err, 0,
                              "policy key `exceptions.%s.allow.%s`: expected a non-empty object, "
                              "e.g. {\"off\": true}",
                              entry, ctl);
      for (size_t j = 0; j < v->len; j++)
        {
          const char *name = v->keys[j];
          const hs_json_t *rule = v->items[j];
          cleanup_free char *where = hs_xasprintf ("exceptions.%s.allow.%s.%s", entry, ctl, name);

          if (strcmp (name, HS_EXCEPTION_OFF) == 0)
            {
              if (rule->type != HS_JSON_BOOL)
                return hs_error_make (err, 0, "policy key `%s`: expected true or false, got %s",
                                      where, hs_json_type_name (rule->type));
              continue;
            }
          if (!control_declares (c, name))
            {
              cleanup_free char *known = declared_list (c);
              return hs_error_make (err, 0,
                                    "policy key `%s`: control `%s` has no exception `%s` "
                                    "(it has: %s)",
                                    where, ctl, name, known);
            }
          if (rule->type == HS_JSON_BOOL)
            continue;
          if ((r = check_patterns (rule, where, err)) < 0)
            return r;
        }
    }
  return 0;
}

int
hs_exceptions_validate (const hs_json_t *tree, const hs_control_t *const *table, hs_error_t *err)
{
  const hs_json_t *ex = hs_json_get_exact (tree, "exceptions");

  if (ex == NULL || ex->type == HS_JSON_NULL)
    return 0;
  if (ex->type != HS_JSON_OBJECT)
    return hs_error_make (err, 0,
                          "policy key `exceptions`: expected an object of named exceptions, got "
                          "%s",
                          hs_json_type_name (ex->type));
  for (size_t i = 0; i < ex->len; i++)
    {
      const char *name = ex->keys[i];
      const hs_json_t *e = ex->items[i];
      int r;

      if (e->type == HS_JSON_NULL)
        continue; /* a later policy file removed it */
      if (!valid_entry_name (name))
        return hs_error_make (err, 0,
                              "policy key `exceptions.%s`: names use letters, digits, `-`, `_` "
                              "and `.`",
                              name);
      if (e->type != HS_JSON_OBJECT)
        return hs_error_make (err, 0, "policy key `exceptions.%s`: expected an object, got %s",
                              name, hs_json_type_name (e->type));
      for (size_t j = 0; j < e->len; j++)
        if (strcmp (e->keys[j], "scope") != 0 && strcmp (e->keys[j], "allow") != 0)
          return hs_error_make (err, 0,
                                "policy key `exceptions.%s.%s`: unknown (known: scope, allow)",
                                name, e->keys[j]);
      if ((r = validate_scope (hs_json_get_exact (e, "scope"), name, err)) < 0
          || (r = validate_allow (tree, table, hs_json_get_exact (e, "allow"), name, err)) < 0)
        return r;
    }
  return 0;
}

/* ---- matching ---- */

static bool
match_any (const hs_json_t *patterns, const char *s)
{
  for (size_t i = 0; i < patterns->len; i++)
    if (fnmatch (patterns->items[i]->str, s, 0) == 0)
      return true;
  return false;
}

/* At least one of `keys` is present and every present one matches. */
static bool
match_keys (const hs_json_t *ann, const char *const *keys, const hs_json_t *patterns)
{
  bool seen = false;

  for (size_t i = 0; keys[i] != NULL; i++)
    {
      const hs_json_t *v = ann ? hs_json_get_exact (ann, keys[i]) : NULL;

      if (v == NULL)
        continue;
      if (v->type != HS_JSON_STRING || !match_any (patterns, v->str))
        return false;
      seen = true;
    }
  return seen;
}

/* Every criterion of the scope matches (an empty scope matches all). */
static bool
scope_matches (const hs_json_t *scope, const hs_json_t *ann)
{
  for (size_t i = 0; i < scope->len; i++)
    {
      const char *k = scope->keys[i];
      const hs_json_t *v = scope->items[i];

      if (strcmp (k, "annotations") == 0)
        {
          for (size_t j = 0; j < v->len; j++)
            {
              const char *keys[] = { v->keys[j], NULL };
              if (!match_keys (ann, keys, v->items[j]))
                return false;
            }
          continue;
        }
      for (size_t j = 0; j < N_CRITERIA; j++)
        if (strcmp (k, criteria[j].name) == 0 && !match_keys (ann, criteria[j].keys, v))
          return false;
    }
  return true;
}

/* `true`, or every item of a comma-separated value matches a pattern. */
static bool
value_allowed (const hs_json_t *rule, const char *value)
{
  const char *p = value;

  if (rule->type == HS_JSON_BOOL)
    return rule->boolean;
  for (;;)
    {
      const char *end = strchr (p, ',');
      size_t n = end ? (size_t) (end - p) : strlen (p);
      cleanup_free char *item = NULL;

      while (n > 0 && *p == ' ')
        p++, n--;
      while (n > 0 && p[n - 1] == ' ')
        n--;
      item = hs_xstrndup (p, n);
      if (n == 0 || !match_any (rule, item))
        return false;
      if (end == NULL)
        return true;
      p = end + 1;
    }
}

static char *
display (const char *control, const char *name)
{
  return name ? hs_xasprintf ("%s.%s", control, name) : hs_xasprintf ("%s off", control);
}

/* The policy exception granting (control, name, value) to a container
 * with these annotations; else NULL and *ret_reason says why. */
static const char *
find_grant (const hs_json_t *tree, const hs_json_t *ann, const char *control, const char *name,
            const char *value, char **ret_reason)
{
  const hs_json_t *ex = hs_json_get_exact (tree, "exceptions");
  cleanup_free char *what = display (control, name);
  const char *in_scope = NULL;

  for (size_t i = 0; ex != NULL && ex->type == HS_JSON_OBJECT && i < ex->len; i++)
    {
      const hs_json_t *e = ex->items[i];
      const hs_json_t *allow, *rule;

      if (e->type != HS_JSON_OBJECT)
        continue;
      allow = hs_json_get_exact (hs_json_get_exact (e, "allow"), control);
      rule = allow ? hs_json_get_exact (allow, name ? name : HS_EXCEPTION_OFF) : NULL;
      if (rule == NULL || (rule->type == HS_JSON_BOOL && !rule->boolean))
        continue;
      if (!scope_matches (hs_json_get_exact (e, "scope"), ann))
        continue;
      if (value_allowed (rule, value))
        return ex->keys[i];
      if (in_scope == NULL)
        in_scope = ex->keys[i];
    }
  if (in_scope != NULL)
    *ret_reason = hs_xasprintf ("value `%s` is not allowed for `%s` by policy exception `%s`",
                                value, what, in_scope);
  else
    *ret_reason = hs_xasprintf ("no policy exception whose scope matches this container allows "
                                "`%s`",
                                what);
  return NULL;
}

static void audit_exception (hs_harden_t *h, const char *control, const char *action,
                             const char *key, const hs_json_t *value, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

static void
audit_exception (hs_harden_t *h, const char *control, const char *action, const char *key,
                 const hs_json_t *value, const char *fmt, ...)
{
  cleanup_free char *path = hs_xasprintf ("annotations[\"%s\"]", key);
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = hs_xvasprintf (fmt, ap);
  va_end (ap);
  hs_audit_add (h->audit, control, action, path, value, value, msg);
}

/* Decide one exception annotation: grant it, or audit why not. */
static void
decide (hs_harden_t *h, hs_exceptions_t *x, const hs_json_t *ann, const char *key,
        const hs_json_t *value)
{
  const char *rest = key + strlen (HS_EXCEPTION_PREFIX);
  const char *dot = strchr (rest, '.');
  cleanup_free char *control = dot ? hs_xstrndup (rest, dot - rest) : hs_xstrdup (rest);
  const char *name = dot ? dot + 1 : NULL;
  const hs_control_t *c = hs_control_find_in (control_table (h), control);
  cleanup_free char *reason = NULL;
  const char *by;
  bool overridable = false;
  granted_t *g;

#define IGNORE(...)                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (!x->quiet)                                                                               \
        audit_exception (h, c ? control : "exceptions", HS_ACT_IGNORED, key, value,                \
                         "ignored: " __VA_ARGS__);                                                 \
      return;                                                                                      \
    }                                                                                              \
  while (0)

  if (c == NULL)
    IGNORE ("no control `%s` (`hardshimctl explain` lists them)", control);
  if (value->type != HS_JSON_STRING)
    IGNORE ("the value must be a string, got %s", hs_json_type_name (value->type));
  if (name == NULL && strcmp (value->str, HS_EXCEPTION_OFF) != 0)
    IGNORE ("the only value of `%s` is \"off\"", key);
  if (name != NULL && !control_declares (c, name))
    {
      cleanup_free char *known = declared_list (c);
      IGNORE ("control `%s` has no exception `%s` (it has: %s)", control, name, known);
    }
  (void) hs_settings_bool (hs_policy_control (h->policy, control), control, "overridable", false,
                           &overridable, NULL);
  if (!overridable)
    IGNORE ("control `%s` is not overridable in the host policy", control);
  by = find_grant (h->policy->tree, ann, control, name, value->str, &reason);
  if (by == NULL)
    IGNORE ("%s", reason);
#undef IGNORE

  x->items = hs_xgrow (x->items, &x->cap, x->len + 1, sizeof (*x->items));
  g = &x->items[x->len++];
  *g = (granted_t){
    .key = hs_xstrdup (key),
    .control = TAKE_PTR (control),
    .name = name ? hs_xstrdup (name) : NULL,
    .value = hs_xstrdup (value->str),
    .granted_by = hs_xstrdup (by),
  };
}

static void
begin (hs_harden_t *h, bool quiet)
{
  const hs_json_t *src = h->target == HS_TARGET_PROCESS ? h->container : h->spec;
  const hs_json_t *ann = NULL;
  size_t plen = strlen (HS_EXCEPTION_PREFIX);

  h->exceptions = hs_xcalloc (1, sizeof (*h->exceptions));
  h->exceptions->quiet = quiet;
  if (src != NULL && src->type == HS_JSON_OBJECT)
    ann = hs_json_get (src, "annotations");
  if (ann == NULL || ann->type != HS_JSON_OBJECT)
    return;
  for (size_t i = 0; i < ann->len; i++)
    if (strncmp (ann->keys[i], HS_EXCEPTION_PREFIX, plen) == 0)
      decide (h, h->exceptions, ann, ann->keys[i], ann->items[i]);
}

void
hs_exceptions_begin (hs_harden_t *h)
{
  begin (h, false);
}

void
hs_exceptions_begin_quiet (hs_harden_t *h)
{
  begin (h, true);
}

static granted_t *
find (hs_exceptions_t *x, const char *control, const char *name)
{
  for (size_t i = 0; x != NULL && i < x->len; i++)
    {
      granted_t *g = &x->items[i];
      if (strcmp (g->control, control) == 0
          && (name == NULL ? g->name == NULL : g->name != NULL && strcmp (g->name, name) == 0))
        return g;
    }
  return NULL;
}

static void
mark_used (hs_harden_t *h, granted_t *g, const char *effect)
{
  cleanup_json hs_json_t *v = NULL;

  if (g->used)
    return;
  g->used = true;
  v = hs_json_new_string (g->value);
  if (g->name == NULL)
    audit_exception (h, g->control, HS_ACT_EXCEPTION, g->key, v,
                     "honoured: policy exception `%s` lets this container turn `%s` off; %s",
                     g->granted_by, g->control, effect);
  else
    audit_exception (h, g->control, HS_ACT_EXCEPTION, g->key, v,
                     "honoured: policy exception `%s` allows `%s.%s` = `%s`%s%s", g->granted_by,
                     g->control, g->name, g->value, *effect ? "; " : "", effect);
}

bool
hs_exceptions_control_off (hs_harden_t *h, const hs_control_t *c)
{
  granted_t *g = find (h->exceptions, c->name, NULL);

  if (g == NULL)
    return false;
  mark_used (h, g, "the control only records what it would do (audit mode)");
  return true;
}

bool
hs_harden_exception (hs_harden_t *h, const char *control, const char *name, const char **ret_value)
{
  granted_t *g;

  if (control == NULL)
    control = h->control;
  if (control == NULL)
    return false;
  g = find (h->exceptions, control, name);
  if (g == NULL)
    return false;
  mark_used (h, g, "");
  *ret_value = g->value;
  return true;
}

/* Is `value` the granted value, or one item of a comma-separated list? */
static bool
value_lists (const char *granted, const char *value)
{
  size_t n = strlen (value);

  for (const char *p = granted;;)
    {
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strlen (p);

      while (len > 0 && *p == ' ')
        p++, len--;
      while (len > 0 && p[len - 1] == ' ')
        len--;
      if (len == n && strncmp (p, value, n) == 0)
        return true;
      if (end == NULL)
        return false;
      p = end + 1;
    }
}

bool
hs_harden_exception_allows (hs_harden_t *h, const char *control, const char *name,
                            const char *value)
{
  granted_t *g;

  if (control == NULL)
    control = h->control;
  if (control == NULL)
    return false;
  g = find (h->exceptions, control, name);
  if (g == NULL || !value_lists (g->value, value))
    return false;
  mark_used (h, g, "");
  return true;
}

void
hs_exceptions_end (hs_harden_t *h, bool ran_all)
{
  hs_exceptions_t *x = h->exceptions;

  if (x == NULL)
    return;
  for (size_t i = 0; i < x->len; i++)
    {
      granted_t *g = &x->items[i];
      const hs_control_t *c = hs_control_find_in (control_table (h), g->control);
      cleanup_json hs_json_t *v = hs_json_new_string (g->value);
      hs_ctl_mode_t mode = HS_CTL_OFF;

      if (!g->used && c != NULL && !x->quiet)
        {
          bool runs = hs_control_fn (c, h->target) != NULL;

          (void) hs_control_mode (hs_policy_control (h->policy, c->name), c->name, &mode, NULL);
          if (!runs)
            ; /* e.g. an exec: the control does not run here, create audited it */
          else if (!ran_all)
            audit_exception (h, g->control, HS_ACT_IGNORED, g->key, v,
                             "ignored: not reached, the container was refused first");
          else if (mode == HS_CTL_OFF)
            audit_exception (h, g->control, HS_ACT_IGNORED, g->key, v,
                             "ignored: control `%s` is off in the host policy", g->control);
          else
            audit_exception (h, g->control, HS_ACT_IGNORED, g->key, v,
                             "ignored: control `%s` did not need it for this container",
                             g->control);
        }
      free (g->key);
      free (g->control);
      free (g->name);
      free (g->value);
      free (g->granted_by);
    }
  free (x->items);
  free (x);
  h->exceptions = NULL;
}
