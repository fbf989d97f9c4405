#!/bin/sh
# Entrypoint of a tenant sandbox (tini is PID 1, this script its child): prepares the rules and
# cgroups the private engine relies on, then becomes dockerd, listening only on the socket the
# host bind-mounts at /run/engine.
set -eu
bridge="${CORRAL_AGENT_BRIDGE:-corral-agents}"

gateway="${CORRAL_GATEWAY_ADDRESS:-}"
port="${CORRAL_GATEWAY_PORT:-3128}"

# Agents sit on an internal network, which stops forwarded traffic only: without this rule
# they could reach anything listening in this namespace (the gateway leak). The rule names the
# bridge, so it holds before the bridge exists and across restarts of this container.
iptables -C INPUT -i "$bridge" -j REJECT 2>/dev/null || iptables -I INPUT -i "$bridge" -j REJECT

if [ -n "$gateway" ]; then
  # The one way out: the egress gateway's port on the agents' network address, accepted above
  # the reject. What listens there is only a forwarder to the host socket of the gateway,
  # which runs on the host, outside this sandbox: nothing here holds a secret.
  accept="INPUT -i $bridge -d $gateway -p tcp --dport $port -j ACCEPT"
  iptables -C $accept 2>/dev/null || iptables -I $accept
  # The address belongs to the agents' bridge, which the engine makes later: bind it early.
  # -t 60: a client that half-closes after its request still gets a long-poll's answer
  # (socat would otherwise close the connection half a second after the first EOF).
  echo 1 >/proc/sys/net/ipv4/ip_nonlocal_bind
  (
    while :; do
      socat -t 60 "TCP-LISTEN:$port,bind=$gateway,reuseaddr,fork" UNIX-CONNECT:/run/engine/gateway.sock
      sleep 1
    done
  ) &
fi

# State of a previous run of this container (a stale pid file stops dockerd from starting).
rm -rf /run/docker /run/containerd /run/docker.pid

# Agents' cgroups must nest under this container's, so its limits are the tenant's quota. With
# cgroup v1 that holds already (the container sees its own cgroup as the root of each
# hierarchy); with cgroup v2 and the host's cgroup namespace it does not, so the engine is told.
set --
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  own="$(sed -n 's/^0:://p' /proc/self/cgroup)"
  dir="/sys/fs/cgroup${own%/}"
  # v2 refuses controllers for children of a cgroup that holds processes: move ours down.
  mkdir -p "$dir/engine"
  for pid in $(cat "$dir/cgroup.procs"); do echo "$pid" >"$dir/engine/cgroup.procs" 2>/dev/null || true; done
  for controller in $(cat "$dir/cgroup.controllers"); do
    echo "+$controller" >"$dir/cgroup.subtree_control" 2>/dev/null || true
  done
  # In a private cgroup namespace (e.g. sysbox) the engine's default parent nests already.
  if [ "$own" != "/" ]; then set -- "--cgroup-parent=${own%/}/agents"; fi
fi

# The engine's storage is a fixed-size filesystem (the tenant's disk quota on this host), and
# agents' workspaces are mounted again before the engine restarts any agent.
corral-disk store "${CORRAL_STORAGE_MB:?the sandbox storage size in MiB}"

mkdir -p /run/engine
# No default bridge: agents join the tenant's internal network only. Logs are bounded per agent.
exec dockerd --host unix:///run/engine/docker.sock --storage-driver=overlay2 --bridge=none \
  --log-driver=json-file --log-opt max-size=10m --log-opt max-file=3 "$@"
