#!/bin/sh
# Installs everything hardshim needs to build and to run its whole test
# suite on Debian 12 (as root). Safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential autoconf automake pkg-config ca-certificates \
  libyajl-dev libseccomp-dev libcap-dev libapparmor-dev libselinux1-dev check \
  runc crun busybox-static jq util-linux procps \
  apparmor clang valgrind
# man page rendering test (tests/e2e/man.sh)
apt-get install -y -q --no-install-recommends groff-base
