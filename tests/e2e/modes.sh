#!/bin/sh
# Policy `mode` (enforce, audit, off) x control `mode` (enforce, reject,
# audit, off), with real runc and crun, on a config that asks for
# noNewPrivileges false: what runs, what config.json ends up as, what the
# audit log says.
. "$(dirname "$0")/lib.sh"

# audit_has JQ_TEST: some record of the audit log passes the test.
audit_has () { jq -e -s "any(.[]; $1)" "$AUDIT" >/dev/null; }

for rt in runc crun; do
  b=$T/$rt-modes
  make_bundle "$b" '.process.noNewPrivileges = false' \
    '["sh","-c","grep NoNewPrivs /proc/self/status"]'
  cp "$b/config.json" "$T/$rt-modes.orig"

  for top in enforce audit off; do
    for ctl in enforce reject audit off; do
      c="$rt: policy $top, control $ctl"
      write_policy "{ \"mode\": \"$top\", \"no_new_privileges\": { \"mode\": \"$ctl\" },
        \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
      cp "$T/$rt-modes.orig" "$b/config.json"
      id=$(new_id "$top-$ctl")
      out=$(cd "$b" && hs $rt --log "$T/log.json" --log-format json run "$id" 2>"$T/err")
      rc=$?
      nnp=$(echo "$out" | awk '{print $2}')
      grep "\"container\":\"$id\"" "$AUDIT" | grep '"control":"no_new_privileges"' > "$T/recs" 2>/dev/null
      actions=$(jq -r '.action' "$T/recs" | sort -u | tr '\n' ' ')

      # What each combination must do.
      want_rc=0 want_nnp=0 want_actions="" want_file=identical
      case $top-$ctl in
        enforce-enforce) want_nnp=1 want_actions="changed " want_file=hardened ;;
        enforce-reject) want_rc=1 want_nnp="" want_actions="refused " ;;
        enforce-audit) want_actions="would-change " want_file=marked ;;
        enforce-off) want_file=marked ;;
        audit-off | off-*) ;;
        audit-*) want_actions="would-change " ;;
      esac

      check "$c: exit status $want_rc" [ "$rc" -eq "$want_rc" ]
      check "$c: NoNewPrivs '$want_nnp'" [ "$nnp" = "$want_nnp" ]
      check "$c: audit actions '$want_actions'" [ "$actions" = "$want_actions" ]
      case $want_file in
        identical)
          check "$c: config.json is byte-identical" cmp -s "$b/config.json" "$T/$rt-modes.orig" ;;
        marked)
          check "$c: config.json only gains the hardened mark" \
            jqe '.process.noNewPrivileges == false and
                 (.annotations["org.hardshim.hardened"] | test("mode=enforce"))' "$b/config.json" ;;
        hardened)
          check "$c: config.json has noNewPrivileges true" \
            jqe '.process.noNewPrivileges == true' "$b/config.json" ;;
      esac
      if [ "$want_rc" -ne 0 ]; then
        check "$c: --log says why (reject mode)" \
          jqe 'select(.level == "error") | .msg | test("control `no_new_privileges` is in reject mode")' \
          "$T/log.json"
        real $rt state "$id" >/dev/null 2>&1
        check "$c: the runtime never created the container" [ $? -ne 0 ]
      fi
      rm -f "$T/log.json"
    done
  done

  # reject admits a config that already complies, unchanged but marked.
  write_policy "{ \"no_new_privileges\": { \"mode\": \"reject\" },
    \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  jq '.process.noNewPrivileges = true' "$T/$rt-modes.orig" > "$b/config.json"
  id=$(new_id reject-ok)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  check "$rt: reject mode admits a compliant config" [ "$(echo "$out" | awk '{print $2}')" = 1 ]
  check "$rt: ... with no decision recorded" \
    [ "$(grep "\"container\":\"$id\"" "$AUDIT" | grep -c '"control":"no_new_privileges"')" -eq 0 ]

  # Audit mode refuses nothing, not even a config hardshim cannot read.
  write_policy "{ \"mode\": \"audit\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  cp "$T/$rt-modes.orig" "$b/config.json"
  sed -i 's/"ociVersion"/"hostname":"a","hostname":"b","ociVersion"/' "$b/config.json"
  cp "$b/config.json" "$T/dup.orig"
  id=$(new_id audit-dup)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  check "$rt: audit mode passes a config with a duplicate key to the runtime" \
    [ "$(echo "$out" | awk '{print $2}')" = 0 ]
  check "$rt: ... unchanged" cmp -s "$b/config.json" "$T/dup.orig"
  check "$rt: ... and records what enforce mode would refuse" \
    audit_has ".container == \"$id\" and .action == \"would-refuse\" and .control == \"spec\"
         and (.message | test(\"duplicate key\"))"
done

# A command line hardshim cannot read: refused in enforce mode, handed to
# the runtime (which reports its own error) in audit mode (recorded) and
# off mode.
for rt in runc crun; do
  b=$T/$rt-modes
  : > "$AUDIT"
  for top in enforce audit off; do
    write_policy "{ \"mode\": \"$top\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
    id=$(new_id "cli-$top")
    (cd "$b" && hs $rt --frobnicate run "$id" >/dev/null 2>"$T/err")
    if [ $top = enforce ]; then
      check "$rt: policy $top: unknown global option refused by hardshim" \
        grep -q "^hardshim: .*unknown global option \`--frobnicate\`" "$T/err"
    else
      check "$rt: policy $top: unknown global option reaches the runtime" \
        sh -c "! grep -q '^hardshim:' '$T/err' && grep -q frobnicate '$T/err'"
    fi
  done
  check "$rt: policy audit: the unreadable command line is recorded" \
    audit_has ".control == \"cli\" and .action == \"would-refuse\" and (.message | test(\"frobnicate\"))"
done

# The built-in audit-only preset: nothing changed, everything recorded.
for rt in runc crun; do
  b=$T/$rt-modes
  write_policy "{ \"preset\": \"audit-only\", \"audit_log\": { \"path\": \"$AUDIT\", \"syslog\": false } }"
  cp "$T/$rt-modes.orig" "$b/config.json"
  id=$(new_id audit-only)
  out=$(cd "$b" && hs $rt run "$id" 2>"$T/err")
  check "$rt: preset audit-only runs the container as asked (NoNewPrivs 0)" \
    [ "$(echo "$out" | awk '{print $2}')" = 0 ]
  check "$rt: preset audit-only leaves config.json byte-identical" \
    cmp -s "$b/config.json" "$T/$rt-modes.orig"
  check "$rt: preset audit-only records would-change" \
    audit_has ".container == \"$id\" and .action == \"would-change\""
done

finish
