#!/usr/bin/env bash
# Makes sure a Docker engine answers on this host, for a single-machine Corral.
# Does nothing when one already answers (at DOCKER_HOST or the default socket). Otherwise,
# as root on Debian/Ubuntu, installs the distribution's docker.io and starts dockerd.
# Production sandbox hosts are provisioned by their operator instead (see README).
set -euo pipefail
sock="${DOCKER_HOST:-unix:///var/run/docker.sock}"
sock="${sock#unix://}"

answers() { curl -sf -m 2 --unix-socket "$sock" http://engine/_ping >/dev/null 2>&1; }

if ! command -v curl >/dev/null; then
  echo "ensure-docker: curl is needed to check the engine; install it (apt-get install curl)" >&2
  exit 1
fi
answers && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-docker: no Docker engine answers at $sock; start one (or set DOCKER_HOST) and retry" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null; then
  echo "ensure-docker: installing docker.io from apt" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

log=/var/log/corral-dockerd.log
echo "ensure-docker: starting dockerd (log: $log)" >&2
nohup dockerd --host "unix://$sock" >>"$log" 2>&1 &
for _ in $(seq 150); do answers && exit 0; sleep 0.2; done
echo "ensure-docker: dockerd did not answer within 30 s; see $log" >&2
exit 1
