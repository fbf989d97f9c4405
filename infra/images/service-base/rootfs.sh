#!/usr/bin/env bash
# Root filesystem of corral/service-base, the base of the web and worker images when no
# registry can be reached: Debian bookworm (minbase) with the CA bundle, iptables (the worker
# fences sandbox bridges on its host) and procps, plus this host's own Node.js binary (Debian
# 12 ships Node 18; Corral needs 20.19+). Written as a tarball for `docker import`.
# Usage: rootfs.sh OUTPUT.tar
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
mirror="${CORRAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need_root
need_command debootstrap debootstrap
node_bin="$(readlink -f "$(command -v node)")"

rootfs="$work/rootfs"
say "debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase \
  --include=ca-certificates,iptables,procps,libstdc++6 \
  bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# The host's Node.js: it links only against glibc and libstdc++, both in the rootfs.
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
chroot "$rootfs" /usr/local/bin/node --version >&2

# The non-root user the web image runs as (the worker runs as root: see worker/Dockerfile).
echo "corral:x:10001:10001:corral:/app:/usr/sbin/nologin" >>"$rootfs/etc/passwd"
echo "corral:x:10001:" >>"$rootfs/etc/group"

rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/{doc,man,info,locale} "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old

say "packing the root filesystem"
pack_rootfs "$rootfs" "$output"
