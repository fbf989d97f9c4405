#!/usr/bin/env bash
# Root filesystem of corral/claude-code: Claude Code, the coding agent, driven by Corral's
# adapter to the task contract. Debian bookworm (minbase) with Node.js 18 (for the adapter),
# bash, git, curl, procps and the CA bundle from the Debian mirror; the native `claude`
# executable from this repository's node_modules (the @anthropic-ai/claude-code package, pinned
# in package.json, brings it as its platform package); the adapter bundled into
# /opt/corral/claude-code-adapter.js; a non-root user (uid 65534) owning /workspace, its home.
# Written as a tarball for `docker import`. Usage: rootfs.sh OUTPUT.tar
# Nothing is pulled from a registry: packages come from the Debian mirror, Claude Code and the
# adapter's dependencies from npm through this repository's node_modules.
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
source "$here/../lib.sh"
mirror="${CORRAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need_root
need_command debootstrap debootstrap

# The platform package npm installed next to @anthropic-ai/claude-code (glibc builds only:
# Debian is glibc).
case "$(uname -m)" in
  x86_64) platform=linux-x64 ;;
  aarch64) platform=linux-arm64 ;;
  *) say "no Claude Code build for $(uname -m)"; exit 1 ;;
esac
modules="$repo/node_modules/@anthropic-ai"
claude="$modules/claude-code-$platform/claude"
if [ ! -f "$claude" ]; then
  say "no Claude Code executable at $claude: run npm ci in $repo first"
  exit 1
fi
version_of() { node -p "require(process.argv[1]).version" "$1/package.json"; }
wanted="$(version_of "$modules/claude-code")"
found="$(version_of "$modules/claude-code-$platform")"
if [ "$wanted" != "$found" ]; then
  say "@anthropic-ai/claude-code is $wanted but its $platform executable is $found: run npm ci"
  exit 1
fi

# Bundle first: a broken build fails in a second, not after debootstrap.
say "bundling the Claude Code adapter"
bash "$here/bundle.sh" "$work/adapter.js"

rootfs="$work/rootfs"
say "debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase \
  --include=nodejs,ca-certificates,bash,coreutils,git,curl,procps \
  bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

say "adding Claude Code $wanted ($(du -h "$claude" | cut -f1))"
install -m 0755 "$claude" "$rootfs/usr/local/bin/claude"
install -d -m 0755 "$rootfs/opt/corral"
install -m 0644 "$work/adapter.js" "$rootfs/opt/corral/claude-code-adapter.js"

# uid 65534 is Debian's `nobody`; here it is the agent, and its home is the workspace (Claude
# Code keeps ~/.claude.json and ~/.claude there: the root filesystem is read-only).
sed -i 's|^nobody:.*|agent:x:65534:65534:agent:/workspace:/bin/bash|' "$rootfs/etc/passwd"
sed -i 's|^nobody:|agent:|' "$rootfs/etc/shadow"
sed -i 's|^nogroup:|agent:|' "$rootfs/etc/group" "$rootfs/etc/gshadow"
install -d -m 0755 -o 65534 -g 65534 "$rootfs/workspace"
cat >"$rootfs/etc/gitconfig" <<'GITCONFIG'
[user]
	name = Corral agent (Claude Code)
	email = agent@corral.invalid
[init]
	defaultBranch = main
GITCONFIG

rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/{doc,man,info,locale} "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old

say "packing the root filesystem"
pack_rootfs "$rootfs" "$output"
