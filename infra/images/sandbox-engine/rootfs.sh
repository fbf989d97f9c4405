#!/usr/bin/env bash
# Root filesystem of corral/sandbox-engine: Debian bookworm (minbase) with dockerd, written
# as a tarball for `docker import`. Usage: rootfs.sh OUTPUT.tar
# Nothing is pulled from a registry: packages come from the Debian mirror.
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
mirror="${CORRAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need_root
need_command debootstrap debootstrap

rootfs="$work/rootfs"
say "debootstrap bookworm from $mirror (about a minute)"
# tini gives the inner engine its docker-init, for agents started with Init: true; socat
# carries agents' connections to the egress gateway's host socket (see entrypoint.sh);
# e2fsprogs and mount make and attach the fixed-size filesystems of disk.sh.
debootstrap --variant=minbase \
  --include=docker.io,tini,iptables,iproute2,ca-certificates,procps,socat,e2fsprogs,mount \
  bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

install -m 0755 "$here/entrypoint.sh" "$rootfs/usr/local/bin/corral-engine"
install -m 0755 "$here/disk.sh" "$rootfs/usr/local/bin/corral-disk"
# Package caches are dead weight in an image.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/{doc,man,info,locale}

say "packing the root filesystem"
pack_rootfs "$rootfs" "$output"
