#!/bin/sh
# /init of the guest's initramfs: load what mounting the root disk needs, mount it read-only
# and hand over to its init (tini, which runs corral-guest and reaps orphans).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Without ACPI the machine names its virtio-mmio devices on the kernel command line, which only
# modprobe would hand to a module: insmod gets them here.
devices="$(for word in $(cat /proc/cmdline); do case "$word" in virtio_mmio.device=*) echo "${word#virtio_mmio.}" ;; esac; done)"
while read -r module; do
  case "$module" in
  virtio_mmio.ko) insmod "/modules/$module" $devices ;;
  *) insmod "/modules/$module" ;;
  esac
done </modules/order
tries=0
while [ ! -b /dev/vda ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 200 ]; then echo "corral-initramfs: no root disk" >/dev/console; exec sh; fi
  sleep 0.05
done
mount -o ro -t ext4 /dev/vda /newroot || { echo "corral-initramfs: cannot mount root" >/dev/console; exec sh; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /usr/bin/tini -s -- /usr/local/sbin/corral-guest
