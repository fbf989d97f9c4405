#!/usr/bin/env bash
# Root filesystem of corral/agent-runtime, the default agent image: Debian bookworm (minbase)
# with Node.js 18, git, curl, procps and the CA bundle from the Debian mirror, Corral's agent
# runtime bundled into /opt/corral/runtime.js, and a non-root user (uid 65534) owning
# /workspace. Written as a tarball for `docker import`. Usage: rootfs.sh OUTPUT.tar
# Nothing is pulled from a registry: packages come from the Debian mirror, the runtime's npm
# dependencies from this repository's node_modules.
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
mirror="${CORRAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need_root
need_command debootstrap debootstrap

# Bundle first: a broken build fails in a second, not after debootstrap.
say "bundling the agent runtime"
bash "$here/bundle.sh" "$work/runtime.js"

rootfs="$work/rootfs"
say "debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase \
  --include=nodejs,ca-certificates,bash,coreutils,git,curl,procps \
  bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

install -d -m 0755 "$rootfs/opt/corral"
install -m 0644 "$work/runtime.js" "$rootfs/opt/corral/runtime.js"

# uid 65534 is Debian's `nobody`; here it is the agent, and its home is the workspace.
sed -i 's|^nobody:.*|agent:x:65534:65534:agent:/workspace:/bin/bash|' "$rootfs/etc/passwd"
sed -i 's|^nobody:|agent:|' "$rootfs/etc/shadow"
sed -i 's|^nogroup:|agent:|' "$rootfs/etc/group" "$rootfs/etc/gshadow"
install -d -m 0755 -o 65534 -g 65534 "$rootfs/workspace"
# Commits made by the agent need an author; the operator's instructions may set another.
cat >"$rootfs/etc/gitconfig" <<'GITCONFIG'
[user]
	name = Corral agent
	email = agent@corral.invalid
[init]
	defaultBranch = main
GITCONFIG

# Package caches, documentation and translations are dead weight in an image.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/{doc,man,info,locale} "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old

say "packing the root filesystem"
pack_rootfs "$rootfs" "$output"
