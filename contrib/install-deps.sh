#!/bin/sh
# Installs everything hardshim needs to build and to run its whole test
# suite on Debian 12 (as root). Safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
# The engines' maintainer scripts must never start the host's own dockerd or
# containerd: the tests start private daemons. 101 = "action forbidden".
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
fi
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential autoconf automake pkg-config ca-certificates \
  libyajl-dev libseccomp-dev libapparmor-dev libselinux1-dev check \
  runc crun busybox-static jq util-linux procps \
  apparmor clang clang-format libclang-rt-14-dev valgrind iproute2 python3 \
  podman containerd docker.io libcap2-bin python3-yaml python3-grpcio containernetworking-plugins \
  groff-base strace libdpkg-dev libarchive-dev debootstrap uidmap
