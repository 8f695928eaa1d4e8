#!/bin/sh
# Bad config.json inputs, with real runc and crun: each is refused with a
# clear error on stderr and in --log (JSON), exit 1, nothing on stdout, the
# original left exactly as it was, no temp file left, and the runtime never
# runs.
. "$(dirname "$0")/lib.sh"

# Insert TEXT (printf format) before "ociVersion" in the good config.
insert () { sed "s/\"ociVersion\"/$1\"ociVersion\"/" "$T/good.json" > "$cfg"; }

setup_symlink () { cp "$T/good.json" "$T/target.json"; ln -s "$T/target.json" "$cfg"; }
setup_dir () { mkdir "$cfg"; }
setup_fifo () { mkfifo "$cfg"; }
setup_oversize () { { cat "$T/good.json"; head -c 16777216 /dev/zero | tr '\0' ' '; } > "$cfg"; }
setup_deep () {
  open=$(printf '%.0s[' $(seq 64)); close=$(printf '%.0s]' $(seq 64))
  insert "\"deep\":$open$close,"
}
setup_truncated () { head -c 300 "$T/good.json" > "$cfg"; }
setup_types () { jq -c '.process.args = "sh"' "$T/good.json" > "$cfg"; }
setup_caps () { jq -c '.process.capabilities.bounding = "CAP_SYS_ADMIN"' "$T/good.json" > "$cfg"; }
setup_utf8 () { insert "$(printf '"hostname":"\377",')"; }
setup_nul () { { cat "$T/good.json"; printf '\0'; } > "$cfg"; }
setup_uid () { jq -c '.process.user.uid = 4294967296' "$T/good.json" > "$cfg"; }
setup_uid_neg () { jq -c '.process.user.uid = -1' "$T/good.json" > "$cfg"; }
setup_empty () { : > "$cfg"; }
setup_dup () { insert '"hostname":"a","hostname":"b",'; }
setup_twin () { insert '"Process":{"noNewPrivileges":false},'; }

# name | setup | expected on stderr and in --log
cases='symlink|setup_symlink|config.json` is a symbolic link: refusing to follow it
directory|setup_dir|config.json` is not a regular file
FIFO|setup_fifo|config.json` is not a regular file
oversize|setup_oversize|over the limit of 16777216
too deep|setup_deep|nesting deeper than 64 levels at `deep[0][0]
truncated|setup_truncated|invalid JSON
wrong type|setup_types|`process.args`: expected array, got string
capabilities not an array|setup_caps|`process.capabilities.bounding`: expected array, got string
invalid UTF-8|setup_utf8|not valid UTF-8
embedded NUL|setup_nul|embedded NUL byte
uid out of range|setup_uid|`process.user.uid`: `4294967296` is not an integer from 0 to 4294967295
negative uid|setup_uid_neg|`process.user.uid`: `-1` is not an integer
empty|setup_empty|empty file
duplicate key|setup_dup|duplicate key `hostname` in object `(top level)`
case twin|setup_twin|and `process` in object `(top level)` differ only in case'

# The state of config.json, to compare before and after (content or kind).
snapshot () {
  if [ -L "$cfg" ]; then echo "link $(readlink "$cfg") $(sha256sum < "$T/target.json")"
  elif [ -d "$cfg" ]; then echo "dir $(ls -A "$cfg")"
  elif [ -p "$cfg" ]; then echo fifo
  else echo "file $(sha256sum < "$cfg") $(stat -c %a "$cfg")"; fi
}

for rt in runc crun; do
  b=$T/$rt-bad
  make_bundle "$b" '.process.noNewPrivileges = false'
  cp "$b/config.json" "$T/good.json"
  cfg=$b/config.json
  while IFS='|' read -r name setup expect <&3; do
    rm -rf "$cfg" "$T/target.json" "$T/log.json"
    $setup
    before=$(snapshot)
    id=$(new_id bad)
    hs $rt --log "$T/log.json" --log-format json create --bundle "$b" "$id" </dev/null >"$T/out" 2>"$T/err" &
    pid=$!
    # A FIFO must not hang hardshim: give it a generous bound, then fail.
    i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 $pid 2>/dev/null; then kill $pid; fi
    wait $pid
    rc=$?
    check "$rt $name: refused with exit 1 (got $rc)" [ "$rc" -eq 1 ]
    check "$rt $name: stderr says: $expect" grep -qF -- "$expect" "$T/err"
    check "$rt $name: stderr names the container and the file" \
      grep -qF "hardshim: create \`$id\`: " "$T/err"
    check "$rt $name: --log has one JSON error line saying the same" \
      jqe --arg e "$expect" -s 'length == 1 and (.[0].level == "error")
        and (.[0].msg | startswith("hardshim: create") and contains($e))' "$T/log.json"
    check "$rt $name: nothing on stdout" [ ! -s "$T/out" ]
    check "$rt $name: config.json exactly as it was" [ "$(snapshot)" = "$before" ]
    check "$rt $name: no temp file left in the bundle" [ "$(ls -A "$b")" = config.json ]
    real $rt state "$id" >/dev/null 2>&1
    check "$rt $name: the runtime never ran" [ $? -ne 0 ]
  done 3<<EOF
$cases
EOF
done

finish
