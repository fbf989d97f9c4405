#!/usr/bin/env bash
# The microVM guest of the microvm sandbox driver: a kernel, an initramfs and a root filesystem
# image, all from Debian packages. Usage: guest.sh OUTPUT_DIR (written: vmlinuz, initrd.img,
# rootfs.img, kernel-version). Nothing comes from a registry.
#   vmlinuz      Debian's linux-image-amd64 (apt-get download + dpkg-deb -x, never installed)
#   initrd.img   busybox-static and the few modules needed to mount the root disk (virtio-mmio,
#                virtio-blk, ext4); its /init mounts the root read-only and hands over to it
#   rootfs.img   ext4 of a debootstrap (minbase) with docker.io and the kernel's modules; it is
#                shared read-only by every guest: each guest's writable disk is its own
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
mirror="${CORRAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need_root
need_command debootstrap debootstrap
need_command mkfs.ext4 e2fsprogs
need_command cpio cpio

say "downloading the kernel and busybox-static from apt"
debs="$work/debs"
mkdir -p "$debs"
kernel_package="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
[ -n "$kernel_package" ] || { say "apt knows no linux-image-amd64 (run apt-get update)"; exit 1; }
# apt-get download writes to the current folder, as the _apt user when it can.
chmod 0777 "$debs"
(cd "$debs" && apt-get download -q "$kernel_package" busybox-static >/dev/null 2>&1) ||
  (cd "$debs" && apt-get update -qq && apt-get download -q "$kernel_package" busybox-static >/dev/null)
kernel="$work/kernel"
dpkg-deb -x "$debs/${kernel_package}"_*.deb "$kernel"
version="$(ls "$kernel/lib/modules")"

rootfs="$work/rootfs"
say "debootstrap bookworm from $mirror (about a minute)"
# As the sandbox-engine image (docker.io, tini, iptables, socat, e2fsprogs for workspaces),
# plus kmod (the engine loads netfilter and overlay modules) and util-linux (blkid, losetup).
debootstrap --variant=minbase \
  --include=docker.io,tini,iptables,iproute2,ca-certificates,procps,socat,e2fsprogs,mount,kmod,util-linux \
  bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# The guest has virtio devices only: no sound, graphics or hardware network drivers.
modules="$kernel/lib/modules/$version/kernel"
rm -rf "$modules/sound"
for dir in "$modules"/drivers/*; do
  case "$(basename "$dir")" in virtio | block | net | char | md) ;; *) rm -rf "$dir" ;; esac
done
for dir in "$modules"/drivers/net/*/; do rm -rf "$dir"; done
mkdir -p "$rootfs/lib/modules"
cp -a "$kernel/lib/modules/$version" "$rootfs/lib/modules/"
chroot "$rootfs" depmod "$version"
install -m 0755 "$here/guest-init.sh" "$rootfs/usr/local/sbin/corral-guest"
install -m 0755 "$here/../sandbox-engine/disk.sh" "$rootfs/usr/local/bin/corral-disk"
mkdir -p "$rootfs/etc/docker" "$rootfs/var/lib/corral" "$rootfs/var/lib/docker"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/{doc,man,info,locale}

say "making the initramfs"
initramfs="$work/initramfs"
mkdir -p "$initramfs"/{bin,dev,proc,sys,newroot,modules}
dpkg-deb -x "$debs"/busybox-static_*.deb "$work/busybox"
cp "$work/busybox/bin/busybox" "$initramfs/bin/busybox"
for applet in sh mount umount switch_root insmod sleep mkdir cat; do
  ln -s busybox "$initramfs/bin/$applet"
done
# Modules in the order they must load (dependencies first), as modprobe resolves them.
chroot "$rootfs" modprobe -a -S "$version" --show-depends virtio_mmio virtio_blk ext4 |
  awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' >"$work/modules.list"
: >"$initramfs/modules/order"
while read -r module; do
  cp "$rootfs$module" "$initramfs/modules/"
  basename "$module" >>"$initramfs/modules/order"
done <"$work/modules.list"
install -m 0755 "$here/initramfs-init.sh" "$initramfs/init"
(cd "$initramfs" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.img"

say "making the root filesystem image"
# Room for the files plus a little; the guest mounts it read-only.
size_mb=$(($(du -sm "$rootfs" | cut -f1) * 11 / 10 + 64))
mkfs.ext4 -q -m 0 -L corral-root -d "$rootfs" "$work/rootfs.img" "${size_mb}M"

mkdir -p "$output"
cp "$kernel/boot/vmlinuz-$version" "$output/vmlinuz"
mv "$work/initrd.img" "$work/rootfs.img" "$output/"
echo "$version" >"$output/kernel-version"
