#!/usr/bin/env bash
# DNS benchmark: vnetd and dnsmasq answering the same records on the same bridge, one after the other, measured
# by dnsperf from a guest namespace. Run inside a throwaway namespace (bench/dns.ps1 uses build/netns-run.sh):
# it is the "host"; the guest (dnsperf) and the upstream (a dnsmasq authoritative for up.example, TTL 300)
# get namespaces of their own, deleted on exit.
#   usage: bash bench/dns.sh PATH-TO-VNETD SECONDS [SERVERS]   (SERVERS: vnetd,dnsmasq by default)
# Prints one line per server and workload: server= workload= qps= sent= lost= p50_us= p99_us= rss_kb= threads=
#   local:     one guest name of the network's <dns><host> (web1.bench.test A), answered by the server itself;
#   forwarded: 100 names under up.example, forwarded upstream once and then, in both servers, from their cache.
# Throughput: dnsperf with 100 queries outstanding for SECONDS; latency: a second run at a fixed 2,000 qps
# (well below either server's limit) with every answer's latency printed (-v), whose p50/p99 we take.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/vnetd-lib.sh"
vnetd=${1:?usage: dns.sh PATH-TO-VNETD SECONDS}
seconds=${2:-10}
servers=${3:-vnetd,dnsmasq}
tag="dnsb-$$"
guest="$tag-g"
upstream="$tag-u"
work=$(mktemp -d)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns delete "$guest" 2>/dev/null || true
    ip netns delete "$upstream" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip link set lo up
ip link add vbr-dns type bridge
ip addr add 10.53.0.1/24 dev vbr-dns
ip link set vbr-dns up

ip netns add "$guest"
ip link add dg0 type veth peer name eth0 netns "$guest"
ip link set dg0 master vbr-dns up
ip -n "$guest" addr add 10.53.0.2/24 dev eth0
ip -n "$guest" link set eth0 up
ip -n "$guest" link set lo up

ip netns add "$upstream"
ip link add du0 type veth peer name eth0 netns "$upstream"
ip addr add 10.54.0.1/24 dev du0
ip link set du0 up
ip -n "$upstream" addr add 10.54.0.2/24 dev eth0
ip -n "$upstream" link set eth0 up
ip -n "$upstream" link set lo up
ip netns exec "$upstream" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address=10.54.0.2 --bind-interfaces --address=/up.example/10.99.0.5 --local-ttl=300 \
    --pid-file="$work/upstream.pid" --user=root &
pids+=($!)

echo "web1.bench.test A" > "$work/local.txt"
for i in $(seq 1 100); do echo "n$i.up.example A"; done > "$work/forwarded.txt"

# Waits until the server at 10.53.0.1 answers the local name.
wait_ready() {
    for _ in $(seq 1 100); do
        ip netns exec "$guest" dig +short +time=1 +tries=1 @10.53.0.1 web1.bench.test A 2>/dev/null | grep -q 10.53.0.10 && return 0
        sleep 0.1
    done
    echo "dns.sh: $1 never answered web1.bench.test" >&2
    return 1
}

measure() {
    local server=$1 pid=$2 workload
    for workload in local forwarded; do
        local out lat
        out=$(ip netns exec "$guest" dnsperf -s 10.53.0.1 -d "$work/$workload.txt" -l "$seconds" -q 100 -c 1 2>&1)
        lat=$(ip netns exec "$guest" dnsperf -s 10.53.0.1 -d "$work/$workload.txt" -l 3 -Q 2000 -v 2>&1 |
            awk '$1 == ">" { print $NF * 1000000 }' | sort -n |
            awk '{ v[NR] = $1 } END { if (NR == 0) { print "p50_us= p99_us="; exit }
                 printf "p50_us=%d p99_us=%d\n", v[int(NR * 0.50 + 0.5)], v[int(NR * 0.99 + 0.5)] }')
        printf 'server=%s workload=%s qps=%s sent=%s lost=%s %s rss_kb=%s threads=%s\n' "$server" "$workload" \
            "$(awk '/Queries per second:/ { print $4 }' <<<"$out")" \
            "$(awk '/Queries sent:/ { print $3 }' <<<"$out")" \
            "$(awk '/Queries lost:/ { print $3 }' <<<"$out")" "$lat" \
            "$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")"
    done
}

# ---- ours: vnetd with the network added over its control socket (libvirt XML, as Start-VNetwork sends it)
if [[ ,$servers, == *,vnetd,* ]]; then
export VNET_ROOT="$work/vnet"
export VNET_RESOLV_CONF="$work/resolv.conf" # no host resolver: only the network's forwarder
: > "$VNET_RESOLV_CONF"
"$vnetd" --foreground --idle-seconds 3600 2>"$work/vnetd.log" &
vnetd_pid=$!
pids+=($vnetd_pid)
sock="$VNET_ROOT/run/virtualnetworking/vnetd.sock"
for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.025; done
xml="<network><name>bench</name><domain name='bench.test'/><forward mode='nat'/><bridge name='vbr-dns'/>
<dns><forwarder addr='10.54.0.2'/><host ip='10.53.0.10'><hostname>web1</hostname></host></dns>
<ip address='10.53.0.1' netmask='255.255.255.0'><dhcp><range start='10.53.0.100' end='10.53.0.200'/></dhcp></ip></network>"
encoded=$(urlencode "$xml")
answer=$(printf 'add name=bench bridge=vbr-dns xml=%s\n' "$encoded" | socat -t 10 - "UNIX-CONNECT:$sock")
case "$answer" in ok*) ;; *) echo "dns.sh: vnetd refused the network: $answer" >&2; exit 1 ;; esac
wait_ready vnetd
measure vnetd "$vnetd_pid"
kill "$vnetd_pid"
wait "$vnetd_pid" 2>/dev/null || true
fi

# ---- dnsmasq with the lines libvirt writes for the same <dns>/<domain> (reference §5)
if [[ ,$servers, == *,dnsmasq,* ]]; then
dnsmasq --keep-in-foreground --conf-file=/dev/null --strict-order --no-resolv --no-hosts --bind-dynamic \
    --interface=vbr-dns --except-interface=lo --domain=bench.test --local=/bench.test/ --expand-hosts \
    --host-record=web1.bench.test,web1,10.53.0.10 --server=10.54.0.2 --pid-file="$work/dnsmasq.pid" --user=root &
dnsmasq_pid=$!
pids+=($dnsmasq_pid)
wait_ready dnsmasq
measure dnsmasq "$dnsmasq_pid"
fi
