#!/bin/sh
# Build and run the seccomp benchmark from a build directory:
#   cd build && sh ../bench/seccomp.sh [CONFIG.json [ITERATIONS]]
# Prints generation, cold (no cache) and cached per-create times.
set -eu
make bench/seccomp >/dev/null
exec ./bench/seccomp "$@"
