#!/bin/sh
# bundle_permissions end to end, with real runc and crun: a config.json or
# bundle directory that another user may write (group or other write bits,
# another owner), or a directory above it that others may write without the
# sticky bit, is refused under restricted and baseline (another user could
# swap the hardened config before the runtime reads it); audit-only and the
# earlier "warn" spelling record it and run. A bundle in a sticky /tmp-like
# directory keeps working.
. "$(dirname "$0")/lib.sh"

BASE=$(cat "$POLICY")
audit_has () { jq -s -e "any(.[]; $1)" "$AUDIT" >/dev/null; }

# refused RT WHAT BUNDLE WANT [CREATE_ARGS]: refused with WANT, nothing ran.
refused () {
  rt=$1; what=$2; b=$3; want=$4; shift 4
  cp "$b/config.json" "$T/orig.json"
  id=$(new_id perm)
  rm -f "$T/log.json"
  hs "$rt" --log "$T/log.json" --log-format json create --bundle "$b" "$@" "$id" >/dev/null 2>"$T/err"
  rc=$?
  check "$rt: $what: refused (exit 1)" [ "$rc" -eq 1 ]
  check "$rt: $what: stderr says why" grep -qF -- "$want" "$T/err"
  [ "$rc" -eq 1 ] && grep -qF -- "$want" "$T/err" || cat "$T/err"
  check "$rt: $what: --log says why" \
    jqe --arg w "$want" 'select(.level == "error") | .msg | contains($w)' "$T/log.json"
  check "$rt: $what: config.json untouched" cmp -s "$b/config.json" "$T/orig.json"
  if real "$rt" state "$id" >/dev/null 2>&1; then
    not_ok "$rt: $what: the runtime never created it"
    real "$rt" delete --force "$id" >/dev/null 2>&1
  else
    ok "$rt: $what: the runtime never created it"
  fi
}

runs () {
  rt=$1; what=$2; b=$3
  id=$(new_id perm)
  out=$(cd "$b" && hs "$rt" run "$id" 2>"$T/err")
  check "$rt: $what: runs" [ "$out" = ran ]
  [ "$out" = ran ] || cat "$T/err"
}

# fresh NAME: a bundle under $T (root's, 0711), root's files, 0755/0644.
fresh () {
  b=$T/$1
  rm -rf "$b"
  make_bundle "$b" . '["echo","ran"]'
  chmod 0755 "$b"; chmod 0644 "$b/config.json"
  echo "$b"
}

for rt in runc crun; do
  write_policy "$BASE"
  b=$(fresh $rt-ok)
  runs $rt "root's bundle, 0755 and 0644" "$b"

  b=$(fresh $rt-dir777); chmod 0777 "$b"
  refused $rt "bundle directory writable by others" "$b" \
    "the directory of \`$b/config.json\` (owner uid 0, mode 0777): it is writable by others, so another user could replace the hardened config before the runtime reads it"
  b=$(fresh $rt-dir775); chmod 0775 "$b"
  refused $rt "bundle directory writable by its group" "$b" "mode 0775): it is writable by its group"
  b=$(fresh $rt-dirnobody); chown nobody "$b"
  refused $rt "bundle directory of another user" "$b" "(owner uid 65534, mode 0755): it belongs to another user"
  b=$(fresh $rt-file666); chmod 0666 "$b/config.json"
  refused $rt "config.json writable by others" "$b" \
    "the config file \`$b/config.json\` (owner uid 0, mode 0666): it is writable by others"
  b=$(fresh $rt-filenobody); chown nobody "$b/config.json"
  refused $rt "config.json of another user" "$b" \
    "the config file \`$b/config.json\` (owner uid 65534, mode 0644): it belongs to another user"

  # A directory above: writable by others and not sticky is refused,
  # sticky (like /tmp) is fine.
  mkdir -p "$T/$rt-open" "$T/$rt-sticky"
  chmod 0777 "$T/$rt-open"; chmod 1777 "$T/$rt-sticky"
  b=$(fresh $rt-open/b)
  refused $rt "a directory on the way writable by others" "$b" \
    "\`$T/$rt-open\`, a directory on the way to \`$b/config.json\` (owner uid 0, mode 0777): it is writable by group or others and not sticky"
  # A symlink of another user on the way, even in a sticky directory: they
  # could point it elsewhere after the check.
  b=$(fresh $rt-linked)
  rm -f "$T/$rt-sticky/link"
  ln -s "$b" "$T/$rt-sticky/link"
  chown -h nobody "$T/$rt-sticky/link"
  refused $rt "a symlink of another user on the way" "$T/$rt-sticky/link" \
    "\`$T/$rt-sticky/link\` on the way to \`$T/$rt-sticky/link/config.json\` is a symlink of another user (uid 65534)"
  b=$(fresh $rt-sticky/b)
  runs $rt "bundle in a sticky world-writable directory" "$b"

  # baseline refuses too; audit-only and "warn" record and run.
  b=$(fresh $rt-dir777b); chmod 0777 "$b"
  write_policy "$(printf '%s' "$BASE" | jq -c '. + {preset: "baseline"}')"
  refused $rt "baseline: bundle directory writable by others" "$b" "it is writable by others"
  write_policy "$(printf '%s' "$BASE" | jq -c '. + {preset: "audit-only"}')"
  runs $rt "audit-only: bundle directory writable by others" "$b"
  check "$rt: audit-only: recorded as would-refuse" \
    audit_has '.control == "bundle_permissions" and .action == "would-refuse"'
  write_policy "$(printf '%s' "$BASE" | jq -c '. + {bundle_permissions: "warn"}')"
  runs $rt "bundle_permissions \"warn\": bundle directory writable by others" "$b"
done

# crun --config FILE: the directory of that file is the one judged.
write_policy "$BASE"
b=$(fresh crun-config)
mkdir -p "$T/cfg-open"; chmod 0777 "$T/cfg-open"
cp "$b/config.json" "$T/cfg-open/c.json"
id=$(new_id perm)
hs crun create --bundle "$b" --config "$T/cfg-open/c.json" "$id" >/dev/null 2>"$T/err"
check "crun --config in a directory others may write: refused" \
  grep -qF "the directory of \`$T/cfg-open/c.json\` (owner uid 0, mode 0777): it is writable by others" "$T/err"

finish
