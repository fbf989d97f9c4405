#!/bin/sh
# corral-disk: the sandbox's bounded storage. Overlay2 on the host's ext4 cannot limit a
# container's size, so every bound here is a fixed-size ext4 image file on a loop device:
#   store MB                           the engine's storage (/var/lib/docker), in the image
#                                      engine.img on the sandbox's host volume; then every
#                                      workspace below is mounted again (after a restart)
#   workspace NAME MB UID GID          an agent's workspace: NAME.img inside the store (so it
#                                      counts against the tenant's storage), mounted at
#                                      /var/lib/corral/workspaces/NAME, its data folder owned
#                                      by the agent
#   remove-workspace NAME              unmounts and deletes it
#   usage                              "store USED SIZE" and "workspace NAME USED SIZE" (bytes)
# Images are preallocated (fallocate): a limit is space reserved up front, so a full host
# never turns into I/O errors inside a tenant's filesystem, and no tenant can take another's.
# Exit 28 (ENOSPC): no room to reserve the image.
set -eu

store_volume=/var/lib/corral/store
store_image="$store_volume/engine.img"
workspace_images=/var/lib/docker/corral/workspaces
workspace_mounts=/var/lib/corral/workspaces
MiB=1048576

say() { echo "corral-disk: $*" >&2; }

# Attaches IMAGE at DIR through a loop device. The kernel makes loop devices on demand, but
# this container's /dev is a copy taken when it started: a new device's node is made here.
# mount sets autoclear, so the device is freed when the mount goes, even if the container dies.
attach() {
  image="$1" dir="$2"
  mkdir -p "$dir"
  if mountpoint -q "$dir"; then return 0; fi
  # Attached but not mounted here (held by a bind elsewhere): a second loop device on the same
  # file would be two writers of one filesystem. Refuse rather than corrupt it.
  if [ -n "$(losetup -j "$image")" ]; then
    say "$(basename "$image") is in use but not mounted at $dir"
    exit 1
  fi
  tries=0
  while :; do
    dev="$(losetup -f)"
    if [ ! -b "$dev" ]; then
      # shellcheck disable=SC2046 # major and minor, as two words
      mknod "$dev" b $(tr ':' ' ' <"/sys/block/${dev#/dev/}/dev") 2>/dev/null || [ -b "$dev" ]
    fi
    # Another sandbox may take the same free device first: try the next one.
    if mount -o "loop=$dev,nosuid,nodev" "$image" "$dir" 2>/dev/null; then return 0; fi
    tries=$((tries + 1))
    if [ "$tries" -ge 20 ]; then
      mount -o "loop=$dev,nosuid,nodev" "$image" "$dir"
      return
    fi
    sleep 0.1
  done
}

# Makes IMAGE (MB MiB, ext4 with no blocks reserved for root) unless it exists.
make_image() {
  image="$1" mb="$2"
  [ -f "$image" ] && return 0
  mkdir -p "$(dirname "$image")"
  rm -f "$image.new"
  if ! fallocate -l "$((mb * MiB))" "$image.new" 2>/dev/null; then
    rm -f "$image.new"
    say "no room to reserve ${mb} MiB for $(basename "$image")"
    exit 28
  fi
  # nodiscard: discarding would punch holes in the file and undo the reservation.
  mkfs.ext4 -q -m 0 -E nodiscard "$image.new"
  mv "$image.new" "$image"
}

# Grows IMAGE to MB MiB, unmounted (online resizing needs CAP_SYS_RESOURCE, which a sandbox
# may lack); a workspace in use by a running agent grows at its next mount. A smaller MB is
# left as is: the data may not fit.
grow() {
  image="$1" mb="$2" dir="$3"
  want=$((mb * MiB))
  [ "$(stat -c %s "$image")" -ge "$want" ] && return 0
  if mountpoint -q "$dir"; then
    # Mounted anywhere else too (an agent's volume): it must not change under its user.
    dev="$(findmnt -n -o SOURCE --target "$dir")"
    if [ "$(findmnt -n -o TARGET -S "$dev" | wc -l)" -gt 1 ] || ! umount "$dir" 2>/dev/null; then
      say "$(basename "$image") is in use: it grows to ${mb} MiB when next free"
      return 0
    fi
  fi
  fallocate -l "$want" "$image" || { say "no room to grow $(basename "$image") to ${mb} MiB"; exit 28; }
  # resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it fixed something.
  e2fsck -f -p "$image" >/dev/null 2>&1 || [ $? -lt 4 ]
  resize2fs "$image" >/dev/null 2>&1
}

valid_name() {
  case "$1" in
  "" | .* | *[!A-Za-z0-9_.-]*) say "bad workspace name: $1"; exit 2 ;;
  esac
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
# One change at a time per sandbox: two makers of one workspace at once would each see it
# attached but not yet mounted (mount -o loop attaches first), and one would refuse.
if [ "$cmd" != usage ]; then
  exec 9>/run/corral-disk.lock
  flock 9
fi
case "$cmd" in
store)
  mb="$1"
  make_image "$store_image" "$mb"
  grow "$store_image" "$mb" /var/lib/docker
  attach "$store_image" /var/lib/docker
  for image in "$workspace_images"/*.img; do
    [ -f "$image" ] || continue
    attach "$image" "$workspace_mounts/$(basename "$image" .img)"
  done
  ;;
workspace)
  name="$1" mb="$2" uid="$3" gid="$4"
  valid_name "$name"
  mountpoint -q /var/lib/docker || { say "the store is not mounted"; exit 1; }
  make_image "$workspace_images/$name.img" "$mb"
  grow "$workspace_images/$name.img" "$mb" "$workspace_mounts/$name"
  attach "$workspace_images/$name.img" "$workspace_mounts/$name"
  # Agents get a folder, not the filesystem's root (root's lost+found stays out of sight),
  # and a missing mount then fails the agent's start instead of writing to the store.
  mkdir -p "$workspace_mounts/$name/data"
  chown "$uid:$gid" "$workspace_mounts/$name/data"
  chmod 0750 "$workspace_mounts/$name/data"
  ;;
remove-workspace)
  name="$1"
  valid_name "$name"
  if mountpoint -q "$workspace_mounts/$name"; then umount "$workspace_mounts/$name"; fi
  rm -f "$workspace_images/$name.img"
  rmdir "$workspace_mounts/$name" 2>/dev/null || true
  ;;
usage)
  if mountpoint -q /var/lib/docker; then
    df -B1 --output=used,size /var/lib/docker | sed -n '2s/^ */store /p'
  fi
  for dir in "$workspace_mounts"/*; do
    mountpoint -q "$dir" 2>/dev/null || continue
    df -B1 --output=used,size "$dir" | sed -n "2s/^ */workspace $(basename "$dir") /p"
  done
  ;;
*)
  say "usage: corral-disk store MB | workspace NAME MB UID GID | remove-workspace NAME | usage"
  exit 2
  ;;
esac
