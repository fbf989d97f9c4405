#!/usr/bin/env bash
# Root filesystem of corral/agent-base, the default agent image: busybox (a shell, coreutils,
# nc, wget) and the CA bundle from Debian packages, plus a non-root user (uid 65534) that owns
# /workspace. Written as a tarball for `docker import`. Usage: rootfs.sh OUTPUT.tar
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"

need_root
need_command dpkg-deb dpkg

say "downloading busybox-static and ca-certificates from apt"
debs="$work/debs"
mkdir -p "$debs"
download() { (cd "$debs" && apt-get download -qq busybox-static ca-certificates >/dev/null 2>&1); }
download || { apt-get update -qq >/dev/null && download; }

unpacked="$work/unpacked"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$unpacked"; done

rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc/ssl/certs,root,proc,sys,dev,run,workspace}
install -m 0755 "$unpacked/bin/busybox" "$rootfs/bin/busybox"
# One link per applet, at the path busybox itself names (bin/sh, usr/bin/wget, ...).
"$rootfs/bin/busybox" --list-full | while read -r applet; do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done

# The bundle update-ca-certificates would write: every Mozilla certificate, concatenated.
cat "$unpacked"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
agent:x:65534:65534:agent:/workspace:/bin/sh
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
agent:x:65534:
GROUP
install -d -m 1777 "$rootfs/tmp"
chown 65534:65534 "$rootfs/workspace"
chmod 0700 "$rootfs/root"

pack_rootfs "$rootfs" "$output"
