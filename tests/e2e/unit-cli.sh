#!/bin/sh
# The command line is read exactly as the runtime reads it: crun's
# --config/-f names the file that is hardened (relative to the current
# directory unless it is exactly config.json), crun's `-b=DIR` is the bundle
# "=DIR", runc reorders flags after the container id and crun does not, and
# an unknown option in create is refused before the runtime runs.
. "$(dirname "$0")/lib.sh"

nnp_args='["sh","-c","grep NoNewPrivs /proc/self/status"]'
nnp_of () { echo "$1" | awk '/NoNewPrivs/ {print $2}'; }

# crun -f FILE: FILE is hardened and used; the bundle's config.json is left alone.
b=$T/crun-f
make_bundle "$b" '.process.noNewPrivileges = false' "$nnp_args"
cp "$b/config.json" "$b/other.json"
cp "$b/config.json" "$T/config.orig"
mkdir -p "$T/cwd"
cp "$b/config.json" "$T/cwd/other.json"
cp "$b/config.json" "$T/cwd-other.orig"
id=$(new_id cf)
out=$(cd "$T/cwd" && hs crun run --bundle "$b" -f other.json "$id" 2>"$T/err")
check "crun -f other.json: the container runs hardened (NoNewPrivs 1)" [ "$(nnp_of "$out")" = 1 ]
check "crun -f other.json: the cwd's other.json (the one crun reads) is hardened" \
  [ "$(jq .process.noNewPrivileges "$T/cwd/other.json")" = true ]
check "crun -f other.json: the bundle's other.json is untouched" cmp -s "$b/other.json" "$T/config.orig"
check "crun -f other.json: the bundle's config.json is untouched" cmp -s "$b/config.json" "$T/config.orig"

id=$(new_id cfabs)
out=$(hs crun run --bundle "$b" --config="$b/other.json" "$id" 2>"$T/err")
check "crun --config=/abs: the container runs hardened" [ "$(nnp_of "$out")" = 1 ]
check "crun --config=/abs: that file is hardened" [ "$(jq .process.noNewPrivileges "$b/other.json")" = true ]
check "crun --config=/abs: config.json is untouched" cmp -s "$b/config.json" "$T/config.orig"

# -f config.json (exactly): the bundle's, even when the cwd has one.
cp "$T/config.orig" "$T/cwd/config.json"
id=$(new_id cfc)
out=$(cd "$T/cwd" && hs crun run --bundle "$b" -f config.json "$id" 2>"$T/err")
check "crun -f config.json: the container runs hardened" [ "$(nnp_of "$out")" = 1 ]
check "crun -f config.json: the bundle's config.json is hardened" \
  [ "$(jq .process.noNewPrivileges "$b/config.json")" = true ]
check "crun -f config.json: the cwd's config.json is untouched" cmp -s "$T/cwd/config.json" "$T/config.orig"

# crun -b=DIR: the bundle is "=DIR" (argp attaches the value after -b).
mkdir -p "$T/eq"
make_bundle "$T/eq/=b" '.process.noNewPrivileges = false' "$nnp_args"
make_bundle "$T/eq/b" '.process.noNewPrivileges = false' "$nnp_args"
cp "$T/eq/b/config.json" "$T/eqb.orig"
id=$(new_id eq)
out=$(cd "$T/eq" && hs crun run -b=b "$id" 2>"$T/err")
check "crun -b=b: the container runs hardened" [ "$(nnp_of "$out")" = 1 ]
check "crun -b=b: bundle \"=b\" is the one hardened" \
  [ "$(jq .process.noNewPrivileges "$T/eq/=b/config.json")" = true ]
check "crun -b=b: bundle \"b\" is untouched" cmp -s "$T/eq/b/config.json" "$T/eqb.orig"
id=$(new_id eqx)
(cd "$T/eq" && hs crun create -b=/nonexistent-x "$id") >"$T/out" 2>"$T/err"
rc=$?
check "crun -b=/nonexistent-x: refused with exit 1" [ "$rc" -eq 1 ]
check "crun -b=/nonexistent-x: the error names the bundle \"=/nonexistent-x\"" \
  grep -q 'bundle: open directory `=/nonexistent-x`' "$T/err"
check "crun -b=/nonexistent-x: nothing on stdout" [ ! -s "$T/out" ]
(cd "$T/eq" && real crun create -b=/nonexistent-x "$id") 2>"$T/err.real"
check "crun -b=/nonexistent-x: crun itself fails on the same path" grep -q '=/nonexistent-x' "$T/err.real"

# runc -b=DIR is DIR, and flags may follow the container id (urfave reorders).
id=$(new_id rb)
out=$(cd "$T/eq" && hs runc run "$id" -b=b 2>"$T/err")
check "runc run ID -b=b: the container runs hardened" [ "$(nnp_of "$out")" = 1 ]
check "runc run ID -b=b: bundle \"b\" is hardened" [ "$(jq .process.noNewPrivileges "$T/eq/b/config.json")" = true ]

# crun stops at the container id: options after it are extra arguments
# (crun fails); hardshim refuses and leaves the config alone.
make_bundle "$T/after" '.process.noNewPrivileges = false'
cp "$T/after/config.json" "$T/after.orig"
id=$(new_id after)
hs crun create "$id" --bundle "$T/after" >"$T/out" 2>"$T/err"
rc=$?
check "crun create ID --bundle: refused with exit 1" [ "$rc" -eq 1 ]
check "crun create ID --bundle: config untouched" cmp -s "$T/after/config.json" "$T/after.orig"
real crun state "$id" >/dev/null 2>&1
check "crun create ID --bundle: no container" [ $? -ne 0 ]

# An unknown option in create: refused, exit 1, --log JSON, config
# untouched, the runtime never ran.
for rt in runc crun; do
  b=$T/$rt-unknown
  make_bundle "$b" '.process.noNewPrivileges = false'
  cp "$b/config.json" "$T/unknown.orig"
  id=$(new_id unk)
  rm -f "$T/log.json"
  hs $rt --log "$T/log.json" --log-format json create --bogus --bundle "$b" "$id" >"$T/out" 2>"$T/err"
  rc=$?
  check "$rt: unknown create option refused with exit 1" [ "$rc" -eq 1 ]
  check "$rt: stderr names the option" grep -q 'unknown option `--bogus`' "$T/err"
  check "$rt: --log has the JSON error" \
    jqe 'select(.level == "error") | .msg | startswith("hardshim: ") and contains("--bogus")' "$T/log.json"
  check "$rt: nothing on stdout" [ ! -s "$T/out" ]
  check "$rt: config untouched" cmp -s "$b/config.json" "$T/unknown.orig"
  real $rt state "$id" >/dev/null 2>&1
  check "$rt: the runtime never created the container" [ $? -ne 0 ]

  # An unknown global option before an intercepted verb: refused as well.
  id=$(new_id unkg)
  hs $rt --bogus-global create --bundle "$b" "$id" >"$T/out" 2>"$T/err"
  rc=$?
  check "$rt: unknown global option before create refused with exit 1" [ "$rc" -eq 1 ]
  check "$rt: stderr names the global option" grep -q 'unknown global option `--bogus-global`' "$T/err"
  check "$rt: config untouched after the global refusal" cmp -s "$b/config.json" "$T/unknown.orig"

  # A container id that is a verb name, with a --root value that is one too.
  b=$T/$rt-verbid
  make_bundle "$b" '.process.noNewPrivileges = false' "$nnp_args"
  mkdir -p "$T/create"
  if [ $rt = runc ]; then
    out=$(cd "$T" && HARDSHIM_RUNTIME=$RUNC HARDSHIM_POLICY=$POLICY "$HARDSHIM" --root create run --bundle "$b" create 2>"$T/err")
    check "runc: --root create run --bundle B create: runs hardened" [ "$(nnp_of "$out")" = 1 ]
    "$RUNC" --root "$T/create" delete -f create >/dev/null 2>&1
  else
    out=$(cd "$T" && HARDSHIM_RUNTIME=$CRUN HARDSHIM_POLICY=$POLICY in_crun_ns "$HARDSHIM" --root create run --bundle "$b" create 2>"$T/err")
    check "crun: --root create run --bundle B create: runs hardened" [ "$(nnp_of "$out")" = 1 ]
    in_crun_ns "$CRUN" --root "$T/create" delete -f create >/dev/null 2>&1
  fi
  check "$rt: id \"create\": config.json hardened" [ "$(jq .process.noNewPrivileges "$b/config.json")" = true ]
done

# Nothing hardshim opens reaches the runtime: a stand-in runtime lists its
# open fds, through hardshim (create path with audit log and syslog) and
# directly; the lists must be the same.
cat > "$T/fds.sh" <<'EOF'
#!/bin/sh
exec ls /proc/self/fd
EOF
chmod 0755 "$T/fds.sh"
make_bundle "$T/fdb" '.process.noNewPrivileges = false'
printf '{ "audit_log": { "path": "%s", "syslog": true } }\n' "$AUDIT" > "$T/fdpol.json"
(cd "$T/fdb" && HARDSHIM_RUNTIME=$T/fds.sh HARDSHIM_POLICY=$T/fdpol.json "$HARDSHIM" --log "$T/fdlog" \
  create fdid) >"$T/fds.hs" 2>"$T/err"
(cd "$T/fdb" && "$T/fds.sh") >"$T/fds.direct"
check "create path: the stand-in runtime ran and the config was hardened" \
  [ -s "$T/fds.hs" -a "$(jq .process.noNewPrivileges "$T/fdb/config.json")" = true ]
check "create path: no fd leaks into the runtime ($(tr '\n' ' ' < "$T/fds.hs"))" cmp -s "$T/fds.hs" "$T/fds.direct"
(HARDSHIM_RUNTIME=$T/fds.sh HARDSHIM_POLICY=$T/fdpol.json "$HARDSHIM" state x) >"$T/fds.hs" 2>"$T/err"
check "pass-through: no fd leaks into the runtime" cmp -s "$T/fds.hs" "$T/fds.direct"

jq '.process' "$T/fdb/config.json" > "$T/fdproc.json"
printf '{ "state_dir": "%s/hs-state", "audit_log": { "path": "%s", "syslog": true } }\n' "$T" "$AUDIT" > "$T/fdpol.json"
(HARDSHIM_RUNTIME=$T/fds.sh HARDSHIM_POLICY=$T/fdpol.json "$HARDSHIM" exec --process "$T/fdproc.json" x) \
  >"$T/fds.hs" 2>"$T/err"
# the hardened process is the one fd hardshim hands over (a sealed memfd,
# above any fd an engine passes with --preserve-fds)
check "exec path: no fd leaks into the runtime but the hardened process ($(tr '\n' ' ' < "$T/fds.hs"))" \
  sh -c 'grep -q "^100\$" "$1" && grep -vx 100 "$1" | cmp -s - "$2"' sh "$T/fds.hs" "$T/fds.direct"
cat > "$T/proc.sh" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = --process ]; then echo "$2"; cat "$2"; exit; fi
  shift
done
EOF
chmod 0755 "$T/proc.sh"
cp "$T/fdproc.json" "$T/fdproc.orig"
(HARDSHIM_RUNTIME=$T/proc.sh HARDSHIM_POLICY=$T/fdpol.json "$HARDSHIM" exec --process "$T/fdproc.json" x) \
  >"$T/proc.out" 2>"$T/err"
check "exec path: the runtime reads the hardened process from /proc/self/fd" \
  sh -c 'head -1 "$1" | grep -qx "/proc/self/fd/100" && tail -n +2 "$1" | jq -e ".noNewPrivileges == true" >/dev/null' \
  sh "$T/proc.out"
check "exec path: nothing is stored for it" [ -z "$(ls -A "$T/hs-state/exec" 2>/dev/null)" ]
check "exec path: the engine's file is unchanged" cmp -s "$T/fdproc.orig" "$T/fdproc.json"


# Hand-over: execv, same pid, argv[0] the runtime's absolute path, every
# other argument exactly as given (empty ones and spaces included; an id
# with a space only where hardshim does not judge ids: create refuses one
# runc would refuse).
cat > "$T/args.sh" <<'EOF'
#!/bin/sh
{ echo "pid=$$"; printf '[%s]\n' "$0" "$@"; } > "$ARGS_OUT"
EOF
chmod 0755 "$T/args.sh"
make_bundle "$T/argb" '.process.noNewPrivileges = false'
for verb in create state; do
  if [ $verb = create ]; then cid="x+y.z"; else cid="x y"; fi
  ARGS_OUT=$T/args.out HARDSHIM_RUNTIME=$T/args.sh HARDSHIM_POLICY=$POLICY \
    sh -c 'echo "pid=$$" > "$1"; shift; exec "$@"' sh "$T/pid.out" \
    "$HARDSHIM" --log "$T/a b.log" --log-format=json $verb --bundle "$T/argb" --pid-file "" "$cid" \
    2>"$T/err"
  printf '[%s]\n' "$T/args.sh" --log "$T/a b.log" --log-format=json $verb --bundle "$T/argb" --pid-file "" "$cid" \
    > "$T/args.want"
  check "$verb: the runtime runs in hardshim's process (execv, no fork)" \
    [ "$(head -n 1 "$T/args.out")" = "$(cat "$T/pid.out")" ]
  check "$verb: argv[0] is the runtime's path, the rest unchanged" \
    sh -c 'tail -n +2 "$1" | cmp -s - "$2"' sh "$T/args.out" "$T/args.want"
done
check "create through the stand-in hardened the config" [ "$(jq .process.noNewPrivileges "$T/argb/config.json")" = true ]

finish
