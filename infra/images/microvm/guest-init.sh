#!/bin/sh
# corral-guest: the guest's init (under tini). Prepares the guest (mounts, network, the agents'
# firewall and gateway forwarder), runs dockerd on a unix socket inside the guest, and serves
# the worker's control channel (a virtio-serial port) until the machine is switched off.
# The engine API leaves the guest only through a TLS listener that demands the worker's client
# certificate; its keys arrive over the control channel after each boot or restore, so a golden
# snapshot holds none and every tenant gets its own.
# Kernel command line: corral.gateway=ADDRESS corral.port=PORT (the agents' door).
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
bridge=corral-agents
api_dir=/run/corral/api
log() { echo "corral-guest: $*" >/dev/console; }

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -1; }

boot() {
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
  mkdir -p /dev/pts /dev/shm
  mount -t devpts devpts /dev/pts
  mount -t tmpfs -o mode=1777 tmpfs /dev/shm
  for dir in /run /tmp /var/tmp /var/log /var/lib/corral /etc/docker; do mount -t tmpfs -o mode=0755 tmpfs "$dir"; done
  chmod 1777 /tmp /var/tmp
  for module in virtio_net virtio_console overlay bridge br_netfilter veth loop nf_tables nft_compat xt_addrtype \
    xt_conntrack xt_MASQUERADE nf_nat iptable_nat iptable_filter ipt_REJECT; do
    modprobe -q "$module" || true
  done

  # The engine's storage: this guest's own disk (a copy-on-write overlay per tenant, of a
  # bounded size). Made here when the worker handed over a blank one.
  blkid /dev/vdb >/dev/null 2>&1 || mkfs.ext4 -q -m 0 -E nodiscard /dev/vdb
  mount -o nosuid,nodev /dev/vdb /var/lib/docker || { log "cannot mount the data disk"; exit 1; }
  # Workspaces made before a cold boot of the same disk are mounted again before the engine starts.
  for image in /var/lib/docker/corral/workspaces/*.img; do
    [ -f "$image" ] || continue
    dir="/var/lib/corral/workspaces/$(basename "$image" .img)"
    mkdir -p "$dir" && mount -o loop,nosuid,nodev "$image" "$dir"
  done

  ip link set lo up
  ip link set eth0 up
  # No default route: the only addresses outside are QEMU's, and its user network lets the
  # guest reach nothing but the gateway's forward (restrict=on).
  ip addr add 10.0.2.15/24 dev eth0

  gateway="$(arg corral.gateway)"
  port="$(arg corral.port)"
  # As in the sandbox-engine image: agents reach nothing in the guest but the gateway's port.
  iptables -I INPUT -i "$bridge" -j REJECT
  if [ -n "$gateway" ]; then
    iptables -I INPUT -i "$bridge" -d "$gateway" -p tcp --dport "${port:=3128}" -j ACCEPT
    echo 1 >/proc/sys/net/ipv4/ip_nonlocal_bind
    # QEMU forwards 10.0.2.100:3128 to the tenant's gateway socket on the host.
    (while :; do
      socat -t 60 "TCP-LISTEN:$port,bind=$gateway,reuseaddr,fork" TCP:10.0.2.100:3128
      sleep 1
    done) </dev/null >/dev/null 2>&1 &
  fi
  # Agents' traffic must never be routed out of the guest, whatever a rule above says.
  echo 0 >/proc/sys/net/ipv4/ip_forward

  mkdir -p /run/engine
  (while :; do
    rm -f /run/docker.pid
    dockerd --host unix:///run/engine/docker.sock --storage-driver=overlay2 --bridge=none \
      --ip-forward=false --log-driver=json-file --log-opt max-size=10m --log-opt max-file=3 \
      </dev/null >/var/log/dockerd.log 2>&1
    log "dockerd exited ($?), restarting"
    sleep 1
  done) &
}

# The engine API's TLS listener: `api start` with the keys the worker just sent, `api stop`
# before a snapshot. Stopping ends every listener and every connection it forked (whatever a
# pid file says), so no one holding older keys keeps a way in.
api_listeners() {
  for proc in /proc/[0-9]*; do
    case "$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)" in
    "socat OPENSSL-LISTEN:2376"*) echo "${proc#/proc/}" ;;
    esac
  done
}

api() {
  case "$1" in
  start)
    api stop
    socat "OPENSSL-LISTEN:2376,bind=10.0.2.15,reuseaddr,fork,cert=$api_dir/server.pem,key=$api_dir/server.key,cafile=$api_dir/client.pem,verify=1,openssl-min-proto-version=TLS1.2" \
      UNIX-CONNECT:/run/engine/docker.sock </dev/null >/var/log/api.log 2>&1 &
    ;;
  stop)
    pids="$(api_listeners)"
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086 # one word per pid
    kill $pids 2>/dev/null
    tries=0
    while [ -n "$(api_listeners)" ] && [ "$tries" -lt 40 ]; do
      sleep 0.05
      tries=$((tries + 1))
    done
    ;;
  esac
}

# The control channel: one request a line, "ID BASE64-SCRIPT"; the answer "ID EXIT BASE64-OUTPUT".
# A virtio port opens once at a time, so the session reads and writes one descriptor (its
# stdin), and requests run without it: a process they leave running must not hold the port.
# The host disconnecting reads as end of file: open it again and wait for the next.
session() {
  # head reads in blocks (read(1) takes a byte at a time), so a request is one line and the
  # host sends nothing more until it has the answer.
  while line="$(head -n 1)" && [ -n "$line" ]; do
    id="${line%% *}" script="${line#* }"
    printf %s "$script" | base64 -d >/run/corral/request.sh
    output="$(sh /run/corral/request.sh </dev/null 2>&1)"
    code=$?
    printf '%s %s %s\n' "$id" "$code" "$(printf %s "$output" | base64 -w 0)" >&0
  done
}

serve() {
  port=""
  for name in /sys/class/virtio-ports/*/name; do
    if [ "$(cat "$name" 2>/dev/null)" = corral.ctl ]; then port="/dev/$(basename "$(dirname "$name")")"; fi
  done
  [ -n "$port" ] || { log "no control port"; exec sleep infinity; }
  while :; do
    session <>"$port" || log "control port: $?"
    sleep 0.05
  done
}

case "${1:-}" in
api) api "$2" ;;
*)
  boot
  mkdir -p /run/corral
  log "ready"
  serve
  ;;
esac
