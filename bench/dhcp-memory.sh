#!/usr/bin/env bash
# Memory for N networks: one vnetd serving N bridges (added over its control socket) vs N dnsmasq
# processes (one per bridge, as libvirt runs them), measured one after the other on the same bridges.
#   usage (as root, inside a throwaway namespace): bash build/netns-run.sh bash bench/dhcp-memory.sh VNETD N RESULT.json
# Bridges vbmI (I = 0..N-1) get 10.80.I.1/24 (I < 256) and a DHCP range .2-.254. vnetd: RSS and PSS of the
# daemon after every `add` is answered and `status` lists N networks. dnsmasq: summed RSS and summed PSS
# (/proc/PID/smaps_rollup) of the N processes (`dnsmasq --keep-in-foreground --port=0 --interface=vbmI
# --bind-dynamic --dhcp-range=...`). Only processes started here are stopped, by PID; the bridges and the
# temporary folder are deleted on exit.
set -euo pipefail
vnetd=${1:?usage: dhcp-memory.sh VNETD N RESULT.json}; n=${2:?}; result=${3:?}
[ -n "${VNET_TEST_NETNS:-}" ] || { echo "dhcp-memory.sh: run it through build/netns-run.sh" >&2; exit 2; }
[ "$n" -le 256 ] || { echo "dhcp-memory.sh: at most 256 networks" >&2; exit 2; }
work=$(mktemp -d /tmp/bench-dhcpmem.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$p" 2>/dev/null || true; done
  for ((i = 0; i < n; i++)); do ip link del "vbm$i" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/vnetd-lib.sh"
ctl() { printf '%s\n' "$1" | socat -t 10 - "UNIX-CONNECT:$work/root/run/virtualnetworking/vnetd.sock"; }

for ((i = 0; i < n; i++)); do
  ip link add "vbm$i" type bridge
  ip addr add "10.80.$i.1/24" dev "vbm$i"
  ip link set "vbm$i" up
done

# --- vnetd: one daemon, N networks over the control socket
mkdir -p "$work/root"
VNET_ROOT=$work/root "$vnetd" --foreground --idle-seconds 3600 2>"$work/vnetd.log" &
vpid=$!; pids+=("$vpid")
for ((t = 0; t < 200; t++)); do [ -S "$work/root/run/virtualnetworking/vnetd.sock" ] && break; sleep 0.025; done
rss0=$(kib VmRSS "/proc/$vpid/status")
t0=$(date +%s%N)
added=0
for ((i = 0; i < n; i++)); do
  xml="<network><name>mem$i</name><bridge name='vbm$i'/><ip address='10.80.$i.1' netmask='255.255.255.0'><dhcp><range start='10.80.$i.2' end='10.80.$i.254'/></dhcp></ip></network>"
  answer=$(ctl "add name=mem$i bridge=vbm$i xml=$(urlencode "$xml")")
  case "$answer" in ok*) added=$((added + 1)) ;; *) echo "add mem$i: $answer" >&2 ;; esac
done
add_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sleep 2
served=$(ctl status | grep -c '^network ' || true)
v_rss=$(kib VmRSS "/proc/$vpid/status"); v_pss=$(kib Pss "/proc/$vpid/smaps_rollup")
v_threads=$(kib Threads "/proc/$vpid/status"); v_anon=$(kib RssAnon "/proc/$vpid/status")
v_fds=$(ls "/proc/$vpid/fd" | wc -l)
kill -TERM "$vpid"; wait "$vpid" 2>/dev/null || true
pids=()

# --- dnsmasq: one process per network
d_pids=()
for ((i = 0; i < n; i++)); do
  dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface="vbm$i" --bind-dynamic \
    --except-interface=lo --dhcp-range="10.80.$i.2,10.80.$i.254,255.255.255.0,12h" \
    --dhcp-leasefile="$work/dnsmasq-$i.leases" --pid-file="$work/dnsmasq-$i.pid" --no-resolv --no-hosts \
    --log-facility="$work/dnsmasq-$i.log" 2>>"$work/dnsmasq.err" &
  d_pids+=("$!"); pids+=("$!")
done
sleep 2
d_alive=0; d_rss=0; d_pss=0
for p in "${d_pids[@]}"; do
  if kill -0 "$p" 2>/dev/null; then
    d_alive=$((d_alive + 1))
    d_rss=$((d_rss + $(kib VmRSS "/proc/$p/status"))); d_pss=$((d_pss + $(kib Pss "/proc/$p/smaps_rollup")))
  fi
done
d_err=$(head -c 300 "$work/dnsmasq.err" | tr '\n"' ' ' )

cat >"$result" <<EOF
{ "networks": $n,
  "vnetd": { "networks_added": $added, "networks_served": $served, "add_total_ms": $add_ms, "rss_before_add_kib": $rss0,
             "rss_kib": $v_rss, "pss_kib": $v_pss, "rss_anon_kib": $v_anon, "threads": $v_threads, "fds": $v_fds },
  "dnsmasq": { "running": $d_alive, "rss_sum_kib": $d_rss, "pss_sum_kib": $d_pss, "stderr": "$d_err" } }
EOF
cat "$result"
