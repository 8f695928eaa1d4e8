#!/bin/sh
# tests/e2e/containerd-cri.sh with crun as the real runtime behind hardshim.
export CRI_REAL=crun
. "$(dirname "$0")/containerd-cri.sh"
