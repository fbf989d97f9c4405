# Shared by the rootfs recipes: a scratch folder that is always cleaned up, even when
# debootstrap dies with /proc or /sys still mounted inside it.
work="$(mktemp -d "${TMPDIR:-/var/tmp}/corral-image.XXXXXX")"

cleanup() {
  # Unmount deepest first, so rm never walks into a live /proc or /sys.
  awk -v root="$work/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mountpoint; do umount -l "$mountpoint" || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

say() { echo "$*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    say "this recipe must run as root (it chowns files and runs debootstrap)"
    exit 1
  fi
}

# Installs Debian packages on the build host when a command is missing.
need_command() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null && return 0
  say "installing $package from apt"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}

# Writes the folder as a tarball with numeric owners, as `docker import` expects.
pack_rootfs() {
  local rootfs="$1" output="$2"
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$output" .
}
