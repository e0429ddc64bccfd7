#!/usr/bin/env bash
# Memory of one vnetd with N IPv4 networks vs N dual-stack networks (issue 14: growth under 25 %).
#   usage (as root, inside a throwaway namespace):
#     bash build/netns-run.sh bash bench/dhcp6-memory.sh VNETD N RESULT.json [REPEAT] [RAW-DIR]
# N bridges vb6I (I = 0..N-1), each with a port, veth vd6I whose peer ve6I is up (so the bridge has carrier and a link-local address, as a
# bridge with a guest has: router advertisements and DHCPv6 then really start), 10.81.I.1/24 and fd00:81:I::1/64
# (nodad; DAD is off in the namespace). The same bridges serve both kinds, one kind after the other, alternated
# REPEAT times (default 3), a fresh vnetd (VNET_ROOT in a temporary folder) each time:
#   ipv4       <ip address='10.81.I.1' netmask='255.255.255.0'> with a DHCP range .2-.254
#   dualstack  the same plus <ip family='ipv6' address='fd00:81:I::1' prefix='64'> with a DHCPv6 range ::100-::ffff
# (every definition has a <uuid>; DNS is left on, as a network is by default). After every `add` is answered and
# `status` lists N networks, 3 s idle, then the daemon's RSS, PSS, anonymous RSS, threads, descriptors and the UDP
# sockets it has on port 547. Once more with 1 network of each kind, to tell the fixed part of any growth (code
# first run for IPv6) from the per-network part. Only the vnetd started here is stopped, by PID; bridges and folder go on exit.
# RESULT.json: { "networks": N, "samples": [ { "kind": ..., "run": ..., "networks": N or 1, "rss_kib": ... }, ... ] }
set -euo pipefail
vnetd=${1:?usage: dhcp6-memory.sh VNETD N RESULT.json [REPEAT] [RAW-DIR]}; n=${2:?}; result=${3:?}; repeat=${4:-3}; raw=${5:-}
[ -n "${VNET_TEST_NETNS:-}" ] || { echo "dhcp6-memory.sh: run it through build/netns-run.sh" >&2; exit 2; }
[ "$n" -le 256 ] || { echo "dhcp6-memory.sh: at most 256 networks" >&2; exit 2; }
work=$(mktemp -d /tmp/bench6-mem.XXXXXX)
vpid=
stop_vnetd() {
  [ -n "$vpid" ] || return 0
  kill -TERM "$vpid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$vpid" 2>/dev/null || true
  wait "$vpid" 2>/dev/null || true
  vpid=
}
cleanup() {
  stop_vnetd
  for ((i = 0; i < n; i++)); do printf 'link del vb6%d\nlink del vd6%d\n' "$i" "$i"; done | ip -force -batch - >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/vnetd-lib.sh"

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.accept_ra=0
for ((i = 0; i < n; i++)); do
  printf 'link add vb6%d type bridge\nlink add vd6%d type veth peer name ve6%d\nlink set vd6%d master vb6%d\n' "$i" "$i" "$i" "$i" "$i"
  printf 'addr add 10.81.%d.1/24 dev vb6%d\naddr add fd00:81:%x::1/64 dev vb6%d nodad\n' "$i" "$i" "$i" "$i"
  printf 'link set ve6%d up\nlink set vd6%d up\nlink set vb6%d up\n' "$i" "$i" "$i"
done | ip -batch - >/dev/null
sleep 1
ll=$(ip -6 -o addr show scope link | grep -c ' vb6' || true)
echo "dhcp6-memory: $n bridges, $ll with a link-local address; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

uuid() { printf '6b3c1d7e-2a4f-4e0b-9c61-%012x' "$1"; }
samples=()
measure() { # KIND RUN [COUNT]
  local kind=$1 run=$2 count=${3:-$n} root sock i a six answer added=0 t0 add_ms served p547 la
  root=$work/$kind-$run-$count; mkdir -p "$root"
  sock=$root/run/virtualnetworking/vnetd.sock
  VNET_ROOT=$root "$vnetd" --foreground --idle-seconds 3600 2>"$work/vnetd-$kind-$run-$count.stderr" &
  vpid=$!
  for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.025; done
  rss0=$(kib VmRSS "/proc/$vpid/status")
  t0=$(date +%s%N)
  for ((i = 0; i < count; i++)); do
    a=10.81.$i
    six=""
    [ "$kind" = dualstack ] && six=$(printf "<ip family='ipv6' address='fd00:81:%x::1' prefix='64'><dhcp><range start='fd00:81:%x::100' end='fd00:81:%x::ffff'/></dhcp></ip>" "$i" "$i" "$i")
    xml="<network><name>m$i</name><uuid>$(uuid "$i")</uuid><bridge name='vb6$i'/><ip address='$a.1' netmask='255.255.255.0'><dhcp><range start='$a.2' end='$a.254'/></dhcp></ip>$six</network>"
    answer=$(printf 'add name=m%d bridge=vb6%d xml=%s\n' "$i" "$i" "$(urlencode "$xml")" | socat -t 10 - "UNIX-CONNECT:$sock")
    case "$answer" in ok*) added=$((added + 1)) ;; *) echo "add m$i ($kind): $answer" >&2 ;; esac
  done
  add_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 3
  printf 'status\n' | socat -t 10 - "UNIX-CONNECT:$sock" >"$work/status-$kind-$run-$count.txt" || true
  served=$(grep -c '^network ' "$work/status-$kind-$run-$count.txt" || true)
  p547=$(ss -H -ulnp 'sport = :547' 2>/dev/null | grep -c "pid=$vpid," || true)
  la=$(cut -d' ' -f1-3 /proc/loadavg)
  samples+=("{ \"kind\": \"$kind\", \"run\": $run, \"networks\": $count, \"added\": $added, \"served\": $served, \"add_total_ms\": $add_ms,
    \"rss_at_start_kib\": $rss0, \"rss_kib\": $(kib VmRSS "/proc/$vpid/status"), \"pss_kib\": $(kib Pss "/proc/$vpid/smaps_rollup"),
    \"rss_anon_kib\": $(kib RssAnon "/proc/$vpid/status"), \"rss_file_kib\": $(kib RssFile "/proc/$vpid/status"), \"threads\": $(kib Threads "/proc/$vpid/status"),
    \"fds\": $(ls "/proc/$vpid/fd" | wc -l), \"udp547_sockets\": $p547, \"load_average\": \"$la\" }")
  echo "${samples[-1]}" | tr -s ' \n' ' ' >&2; echo >&2
  stop_vnetd
  if [ -n "$raw" ]; then
    mkdir -p "$raw"
    cp "$work/status-$kind-$run-$count.txt" "$work/vnetd-$kind-$run-$count.stderr" "$raw/" 2>/dev/null || true
  fi
}

for ((r = 1; r <= repeat; r++)); do
  if [ $((r % 2)) = 1 ]; then measure ipv4 "$r"; measure dualstack "$r"; else measure dualstack "$r"; measure ipv4 "$r"; fi
done
# the fixed part of the growth (code and runtime first used for IPv6), apart from the per-network part
measure ipv4 1 1; measure dualstack 1 1
(IFS=,; printf '{ "networks": %d, "bridges_with_link_local": %d, "samples": [%s] }\n' "$n" "$ll" "${samples[*]}") >"$result"
