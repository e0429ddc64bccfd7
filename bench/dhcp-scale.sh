#!/usr/bin/env bash
# Threads and memory of one vnetd serving 1, 100 and 1,000 networks (issue 11: the thread count must not grow
# with the networks). For each count N: N bridges vbsI (10.(64+I/256).(I%256).1/24) made with one `ip -batch`,
# a fresh vnetd (VNET_ROOT in a temporary folder), N networks added over its control socket, `status` listing
# N; then its threads, RSS, PSS, anonymous RSS and open fds. The daemon is stopped and the bridges deleted
# before the next count. With DUALSTACK=1 every network has an IPv6 address too (fd00:64:I::1/64 on its bridge and
# in its definition), so vnetd also keeps an RA socket per bridge (issue 14: memory with dual-stack networks); with
# NODNS=1 the networks say <dns enable='no'/>, leaving DHCP (and RAs) alone to measure.
#   usage (as root, inside a throwaway namespace):
#     bash build/netns-run.sh bash bench/dhcp-scale.sh VNETD RESULT.json [COUNTS...]   (default counts: 1 100 1000)
# Only the vnetd started here is stopped, by PID; the bridges and the temporary folder are deleted on exit.
set -euo pipefail
vnetd=${1:?usage: dhcp-scale.sh VNETD RESULT.json [COUNTS...]}; result=${2:?}; shift 2
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1 100 1000)
[ -n "${VNET_TEST_NETNS:-}" ] || { echo "dhcp-scale.sh: run it through build/netns-run.sh" >&2; exit 2; }
work=$(mktemp -d /tmp/bench-dhcpscale.XXXXXX)
vpid=; made=0
bridges() { # add|del N
  local i
  for ((i = 0; i < $2; i++)); do
    if [ "$1" = add ]; then
      printf 'link add vbs%d type bridge\naddr add 10.%d.%d.1/24 dev vbs%d\nlink set vbs%d up\n' "$i" $((64 + i / 256)) $((i % 256)) "$i" "$i"
      [ "${DUALSTACK:-0}" = 1 ] && printf 'addr add fd00:64:%x::1/64 dev vbs%d\n' "$i" "$i"
    else
      printf 'link del vbs%d\n' "$i"
    fi
  done | ip -force -batch - >/dev/null 2>&1 || true
}
stop_vnetd() {
  [ -n "$vpid" ] || return 0
  kill -TERM "$vpid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$vpid" 2>/dev/null || true
  wait "$vpid" 2>/dev/null || true
  vpid=
}
cleanup() { stop_vnetd; bridges del "$made"; rm -rf "$work"; }
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/vnetd-lib.sh"

rows=()
for n in "${counts[@]}"; do
  bridges add "$n"; made=$n
  root=$work/root-$n; mkdir -p "$root"
  sock=$root/run/virtualnetworking/vnetd.sock
  VNET_ROOT=$root "$vnetd" --foreground --idle-seconds 3600 2>"$work/vnetd-$n.log" &
  vpid=$!
  for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.025; done
  threads0=$(kib Threads "/proc/$vpid/status"); rss0=$(kib VmRSS "/proc/$vpid/status")
  t0=$(date +%s%N); added=0
  for ((i = 0; i < n; i++)); do
    a=10.$((64 + i / 256)).$((i % 256))
    six=""; [ "${DUALSTACK:-0}" = 1 ] && six=$(printf "<ip family='ipv6' address='fd00:64:%x::1' prefix='64'/>" "$i")
    dns=""; [ "${NODNS:-0}" = 1 ] && dns="<dns enable='no'/>"
    xml="<network><name>s$i</name>$dns<bridge name='vbs$i'/><ip address='$a.1' netmask='255.255.255.0'><dhcp><range start='$a.2' end='$a.254'/></dhcp></ip>$six</network>"
    answer=$(printf 'add name=s%d bridge=vbs%d xml=%s\n' "$i" "$i" "$(urlencode "$xml")" | socat -t 10 - "UNIX-CONNECT:$sock")
    case "$answer" in ok*) added=$((added + 1)) ;; *) echo "add s$i: $answer" >&2 ;; esac
  done
  add_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 2
  served=$(printf 'status\n' | socat -t 10 - "UNIX-CONNECT:$sock" | grep -c '^network ' || true)
  row="{ \"networks\": $n, \"added\": $added, \"served\": $served, \"add_total_ms\": $add_ms,
    \"threads_at_start\": $threads0, \"threads\": $(kib Threads "/proc/$vpid/status"), \"rss_at_start_kib\": $rss0,
    \"rss_kib\": $(kib VmRSS "/proc/$vpid/status"), \"pss_kib\": $(kib Pss "/proc/$vpid/smaps_rollup"),
    \"rss_anon_kib\": $(kib RssAnon "/proc/$vpid/status"), \"fds\": $(ls "/proc/$vpid/fd" | wc -l) }"
  echo "$row"
  rows+=("$row")
  stop_vnetd
  bridges del "$n"; made=0
done
(IFS=,; printf '[%s]\n' "${rows[*]}") >"$result"
