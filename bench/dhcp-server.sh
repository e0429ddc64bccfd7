#!/usr/bin/env bash
# Our DHCP server (vnetd) as the "custom" server of ../shared/bench/peers/dhcp-throughput.sh.
#   DHCP_SERVER_CMD='exec bash bench/dhcp-server.sh /path/to/vnetd'
# Runs in the peers' server namespace with their BENCH_* variables (BENCH_IFACE already up with
# BENCH_SERVER_IP/BENCH_PREFIX). VNET_ROOT = BENCH_WORKDIR (fresh per start), so the control socket,
# pid file and lease file live there. A background helper waits for the control socket and adds the
# network (libvirt XML: bridge BENCH_IFACE, the bench pool, lease BENCH_LEASE_SECONDS) with one `add`
# request (docs/dhcp-daemon.md, "Control protocol"); this shell then *execs* `vnetd --foreground`, so the
# process the peers' script tracks (and whose process group it kills) is the daemon itself.
# Durability is left as shipped: every batch of lease changes is written and fsync'ed before its ACKs.
set -euo pipefail
vnetd=${1:?usage: dhcp-server.sh PATH-TO-VNETD}
: "${BENCH_WORKDIR:?}" "${BENCH_IFACE:?}" "${BENCH_SERVER_IP:?}" "${BENCH_NETMASK:?}"
: "${BENCH_POOL_START:?}" "${BENCH_POOL_END:?}" "${BENCH_LEASE_SECONDS:?}"
export VNET_ROOT=$BENCH_WORKDIR
sock=$VNET_ROOT/run/virtualnetworking/vnetd.sock

xml="<network>
  <name>bench</name>
  <bridge name='$BENCH_IFACE'/>
  <ip address='$BENCH_SERVER_IP' netmask='$BENCH_NETMASK'>
    <dhcp>
      <range start='$BENCH_POOL_START' end='$BENCH_POOL_END'>
        <lease expiry='$BENCH_LEASE_SECONDS' unit='seconds'/>
      </range>
    </dhcp>
  </ip>
</network>"

source "$(dirname "${BASH_SOURCE[0]}")/vnetd-lib.sh"

(
  for ((i = 0; i < 200; i++)); do [ -S "$sock" ] && break; sleep 0.025; done
  answer=$(printf 'add name=bench bridge=%s xml=%s\n' "$BENCH_IFACE" "$(urlencode "$xml")" \
    | socat -t 10 - "UNIX-CONNECT:$sock" 2>&1) || true
  echo "dhcp-server.sh: add -> $answer" >&2
) &
exec "$vnetd" --foreground --idle-seconds 3600
