#!/usr/bin/env bash
# DHCPv6 throughput: our daemon (vnetd) against kea-dhcp6 (memfile), alternated in the same run (issue 14).
#   usage (as root): bash bench/dhcp6.sh VNETD OUT-DIR [SERVER...]     (servers: kea ours; default: both)
# Topology (namespaces made here, named with this script's PID, deleted on exit whatever happens):
#   bench6-srv-PID: Linux bridge br0 (10.77.0.1/16 and fd00:b::1/64, nodad) with veth port bvs0
#   bench6-cli-PID: veth cli0, its link-local address only (perfdhcp -6 sends from it to ff02::1:2)
# DAD is off in both namespaces (accept_dad=0, addresses nodad), so the link-local addresses are usable at once;
# cli0 ignores RAs (accept_ra=0) so that our daemon's RAs do not add addresses to the client during a run.
# Servers, a fresh one for every rate step (clean lease state), pinned to SERVER_CPUS; perfdhcp to CLIENT_CPUS:
#   kea   kea-dhcp6 -c CONF: memfile lease file (persisted CSV, lfc off), one /64 subnet on br0, pool
#         fd00:b::100 - fd00:b::ffff, single-threaded, loggers, pid, lock and server-id files all in the step's
#         temporary folder (KEA_PIDFILE_DIR, KEA_LOCKFILE_DIR, data-directory; never /etc/kea or /var/lib/kea).
#   ours  `vnetd --foreground` with VNET_ROOT = the step's temporary folder, then one `add` over its control socket:
#         a dual-stack network on br0 (the IPv4 /16 range as bench/dhcp-server.sh gives it, and the IPv6 /64 with
#         the same DHCPv6 range as Kea's; lease 43200 s both), a <uuid> (the DHCPv6 server DUID comes from it).
#         As shipped: lease changes are appended and fsync'ed per batch before the replies leave.
# Step: perfdhcp -6 -l cli0 -r RATE -R CLIENTS -p PERIOD -W 500000 (4-way: Solicit/Advertise/Request/Reply);
# loss = 1 - Replies/Solicits; clean = loss <= DROP_PCT % and at least 95 % of the rate's Solicits sent.
# Ramp x2 from RATE_START until a step fails, then BISECT bisections (as the peers' DHCPv4 script does).
# Server CPU = utime+stime (+children) of the server's processes over the step, from /proc/PID/stat.
# The whole ramp is repeated REPEAT times, servers alternated (run 1: kea then ours, run 2: ours then kea, ...).
# Env: REPEAT=3 RATE_START=200 RATE_MAX=25600 PERIOD=5 CLIENTS=10000 DROP_PCT=1 BISECT=2 SERVER_CPUS=0 CLIENT_CPUS=1
# Writes OUT-DIR/steps-SERVER-runN.txt (one key=value line per step), perfdhcp-*.txt (raw), versions.txt and
# summary.txt: "SUMMARY dhcp6 run=N server=S max_clean_rate=R first_failing_rate=R best_done_per_s=X load=L".
set -uo pipefail
vnetd=${1:?usage: dhcp6.sh VNETD OUT-DIR [SERVER...]}; out=${2:?}; shift 2
servers=("$@"); [ ${#servers[@]} -gt 0 ] || servers=(kea ours)
REPEAT=${REPEAT:-3}; RATE_START=${RATE_START:-200}; RATE_MAX=${RATE_MAX:-25600}; RATE_MIN=${RATE_MIN:-5}
PERIOD=${PERIOD:-5}; CLIENTS=${CLIENTS:-10000}; DROP_PCT=${DROP_PCT:-1}; BISECT=${BISECT:-2}
SERVER_CPUS=${SERVER_CPUS-0}; CLIENT_CPUS=${CLIENT_CPUS-1}
LEASE=43200

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for c in ip perfdhcp awk setsid taskset socat; do command -v "$c" >/dev/null || die "missing $c"; done
for s in "${servers[@]}"; do
  case "$s" in
    kea) command -v kea-dhcp6 >/dev/null || die "kea-dhcp6 not installed (apt-get install kea-dhcp6-server)" ;;
    ours) [ -x "$vnetd" ] || die "no vnetd at $vnetd" ;;
    *) die "unknown server $s" ;;
  esac
done
mkdir -p "$out"
SRV=bench6-srv-$$; CLI=bench6-cli-$$
W=$(mktemp -d /tmp/bench6-dhcp6.XXXXXX)
SRV_PGID=
source "$(dirname "${BASH_SOURCE[0]}")/vnetd-lib.sh"

kill_pgroup() { # PGID: TERM the group we made with setsid, then KILL; only ever our own group
  local p=$1 i
  [ -n "$p" ] || return 0
  kill -TERM -- "-$p" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do kill -0 -- "-$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$p" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  kill_pgroup "$SRV_PGID"
  ip netns del "$SRV" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  rm -rf "$W"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- topology
ip netns add "$SRV" || die "netns $SRV"
ip netns add "$CLI" || die "netns $CLI"
for ns in "$SRV" "$CLI"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.disable_ipv6=0 >/dev/null
  ip -n "$ns" link set lo up
done
ip link add bvs0 netns "$SRV" type veth peer name cli0 netns "$CLI" || die "veth"
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" link set bvs0 master br0
ip -n "$SRV" addr add 10.77.0.1/16 dev br0
ip -n "$SRV" addr add fd00:b::1/64 dev br0 nodad
ip -n "$SRV" link set bvs0 up
ip -n "$SRV" link set br0 up
ip -n "$CLI" link set cli0 up
# both ends need a usable (non-tentative) link-local address before anything starts
wait_ll() { # NS IFACE
  local i
  for ((i = 0; i < 100; i++)); do
    ip -n "$1" -6 addr show dev "$2" scope link 2>/dev/null | grep -q 'inet6 fe80' &&
      ! ip -n "$1" -6 addr show dev "$2" scope link | grep -q tentative && return 0
    sleep 0.05
  done
  die "no link-local address on $2 in $1"
}
wait_ll "$SRV" br0; wait_ll "$CLI" cli0

# --- servers: start_S sets SRV_PGID (a process group made with setsid; its leader is the server itself)
SW=
fresh_workdir() { SW=$(mktemp -d "$W/srv.XXXX"); }
pin() { [ -n "$1" ] && echo "taskset -c $1"; }
SPIN=$(pin "$SERVER_CPUS"); CPIN=$(pin "$CLIENT_CPUS")

kea_conf() {
  cat <<EOF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "br0" ] },
    "data-directory": "$SW",
    "server-id": { "type": "LLT", "persist": false },
    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0, "name": "$SW/kea-leases6.csv" },
    "preferred-lifetime": $((LEASE / 2)), "valid-lifetime": $LEASE,
    "multi-threading": { "enable-multi-threading": false },
    "subnet6": [ { "id": 1, "subnet": "fd00:b::/64", "interface": "br0",
                   "pools": [ { "pool": "fd00:b::100 - fd00:b::ffff" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "WARN", "output_options": [ { "output": "$SW/kea.log" } ] } ]
} }
EOF
}
start_kea() {
  fresh_workdir
  kea_conf >"$SW/kea.json"
  ip netns exec "$SRV" env KEA_PIDFILE_DIR="$SW" KEA_LOCKFILE_DIR="$SW" kea-dhcp6 -t "$SW/kea.json" >"$SW/check.out" 2>&1 ||
    { cat "$SW/check.out" >&2; die "kea config rejected"; }
  setsid ip netns exec "$SRV" env KEA_PIDFILE_DIR="$SW" KEA_LOCKFILE_DIR="$SW" $SPIN kea-dhcp6 -c "$SW/kea.json" >"$SW/stdout" 2>&1 &
  SRV_PGID=$!
}
ours_xml() {
  cat <<EOF
<network>
  <name>bench6</name>
  <uuid>6b3c1d7e-2a4f-4e0b-9c61-0d5e8f7a1b26</uuid>
  <bridge name='br0'/>
  <ip address='10.77.0.1' netmask='255.255.0.0'>
    <dhcp>
      <range start='10.77.1.0' end='10.77.255.254'>
        <lease expiry='$LEASE' unit='seconds'/>
      </range>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:b::1' prefix='64'>
    <dhcp>
      <range start='fd00:b::100' end='fd00:b::ffff'>
        <lease expiry='$LEASE' unit='seconds'/>
      </range>
    </dhcp>
  </ip>
</network>
EOF
}
ADD_ANSWER=
start_ours() {
  local sock i
  fresh_workdir
  sock=$SW/run/virtualnetworking/vnetd.sock
  setsid ip netns exec "$SRV" env VNET_ROOT="$SW" $SPIN "$vnetd" --foreground --idle-seconds 3600 >"$SW/stdout" 2>&1 &
  SRV_PGID=$!
  for ((i = 0; i < 200; i++)); do [ -S "$sock" ] && break; sleep 0.025; done
  ADD_ANSWER=$(printf 'add name=bench6 bridge=br0 xml=%s\n' "$(urlencode "$(ours_xml)")" | socat -t 10 - "UNIX-CONNECT:$sock" 2>&1)
  case "$ADD_ANSWER" in ok*) ;; *) log "  ours: add -> $ADD_ANSWER" ;; esac
}
stop_server() {
  local lf
  kill_pgroup "$SRV_PGID"; SRV_PGID=
  # keep the server's own log of the last step per server (vnetd.log / kea.log) for the report
  [ -n "$SW" ] && for lf in "$SW/run/virtualnetworking/vnetd.log" "$SW/kea.log" "$SW/stdout"; do
    [ -s "$lf" ] && cp "$lf" "$out/last-$CUR-$(basename "$lf")"
  done
  return 0
}

# Readiness: a Reply to a Request within 10 tries of a one-second perfdhcp run at 10/s (perfdhcp's own single exchange
# ends before the Reply comes back, and without -r it floods)
wait_ready() {
  local i
  for ((i = 0; i < 10; i++)); do
    ip netns exec "$CLI" timeout 10 perfdhcp -6 -l cli0 -r 10 -p 1 -W 500000 2>/dev/null |
      awk '/Statistics for: REQUEST-REPLY/ {rr=1} rr && /^received packets:/ {n=$3} END {exit !(n > 0)}' && return 0
    kill -0 "$SRV_PGID" 2>/dev/null || return 1
    sleep 0.3
  done
  return 1
}

cpu_ticks() { # sum of utime+stime+cutime+cstime of the server group's processes
  local p t=0 v
  for p in $(ps -eo pid=,pgid= | awk -v g="$SRV_PGID" '$2==g{print $1}'); do
    v=$(awk '{sub(/^.*\) /,""); print $12+$13+$14+$15}' "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

# run_step SERVER RATE RUN -> STEP_LINE
run_step() {
  local s=$1 r=$2 n=$3 f c0 c1 hz cli_cpu ready=1 la rss
  CUR=$s
  "start_$s"
  wait_ready || ready=0
  f="$out/perfdhcp-$s-run$n-r$r.txt"
  la=$(load)
  echo "# ip netns exec CLI $CPIN perfdhcp -6 -l cli0 -r $r -R $CLIENTS -p $PERIOD -W 500000   (load $la, ready=$ready)" >"$f"
  c0=$(cpu_ticks); hz=$(getconf CLK_TCK)
  if [ "$ready" = 1 ]; then
    cli_cpu=$( { TIMEFORMAT='%U %S'; time ip netns exec "$CLI" timeout $((PERIOD + 30)) $CPIN perfdhcp -6 -l cli0 -r "$r" -R "$CLIENTS" -p "$PERIOD" -W 500000 >>"$f" 2>&1; } 2>&1 )
  else
    cli_cpu="0 0"; echo "server never completed an exchange" >>"$f"
  fi
  c1=$(cpu_ticks)
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$SRV_PGID/status" 2>/dev/null || echo 0)
  stop_server
  STEP_LINE=$(awk -v r="$r" -v p="$PERIOD" -v lim="$DROP_PCT" -v sc="$((c1 - c0))" -v hz="$hz" -v cc="$cli_cpu" -v la="$la" -v rd="$ready" -v rss="${rss:-0}" '
    /^Rate:/ {ach=$2}
    /Statistics for: SOLICIT-ADVERTISE/ {sec="sa"} /Statistics for: REQUEST-REPLY/ {sec="rr"}
    /^sent packets:/ {s[sec]=$3} /^received packets:/ {v[sec]=$3}
    /^avg delay:/ {d[sec]=$3}
    END { loss = (s["sa"]>0) ? 100*(1 - v["rr"]/s["sa"]) : 100;
          ok = (rd == 1 && loss <= lim && s["sa"] >= 0.95*r*p) ? 1 : 0;
          split(cc, c, " ");
          done = v["rr"]/p; cpu = 100*sc/hz/p;
          us = (done > 0) ? sprintf("%.1f", cpu/100/done*1e6) : "-";
          printf "rate=%d done_per_s=%.1f loss=%.2f sa_sent=%d sa_recv=%d rr_sent=%d rr_recv=%d sa_avg_ms=%s rr_avg_ms=%s srv_cpu_pct=%.1f srv_cpu_us_per_exchange=%s cli_cpu_pct=%.0f srv_rss_kib=%s perfdhcp_rate=%s ready=%d ok=%d load=\"%s\"\n",
                 r, done, loss, s["sa"], v["sa"], s["rr"], v["rr"], d["sa"], d["rr"], cpu, us, 100*(c[1]+c[2])/p, rss, ach, rd, ok, la }' "$f")
}

field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1==k{print $2}'; }
ramp() { # SERVER RUN
  local s=$1 n=$2 r=$RATE_START good=0 bad=0 best=0 line i mid
  : >"$out/steps-$s-run$n.txt"
  step() {
    run_step "$s" "$1" "$n"; line=$STEP_LINE; echo "$line" >>"$out/steps-$s-run$n.txt"; log "  $s run $n: $line"
    awk -v a="$(field done_per_s "$line")" -v b="$best" 'BEGIN{exit !(a>b)}' && best=$(field done_per_s "$line")
    [ "$(field ok "$line")" = 1 ]
  }
  while :; do
    if step "$r"; then good=$r; [ "$r" -ge "$RATE_MAX" ] && break; r=$((r * 2))
    else bad=$r; [ "$good" -gt 0 ] && break; r=$((r / 2)); [ "$r" -lt "$RATE_MIN" ] && break
      # a server that never answered at all: no point stepping down further
      [ "$(field ready "$line")" = 0 ] && break
    fi
  done
  if [ "$good" -gt 0 ] && [ "$bad" -gt 0 ]; then
    for ((i = 0; i < BISECT; i++)); do
      mid=$(((good + bad) / 2)); [ "$mid" -le "$good" ] && break
      if step "$mid"; then good=$mid; else bad=$mid; fi
    done
  fi
  echo "SUMMARY dhcp6 run=$n server=$s max_clean_rate=$good first_failing_rate=$bad best_done_per_s=$best load=\"$(load)\"" | tee -a "$out/summary.txt" >&2
}

{
  echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1)"
  command -v kea-dhcp6 >/dev/null && echo "kea-dhcp6: $(kea-dhcp6 -v 2>&1 | head -1)"
  echo "vnetd: $vnetd ($(stat -c '%y' "$vnetd"))"
  echo "kernel: $(uname -r); cpus: $(nproc)"
} >"$out/versions.txt"
: >"$out/summary.txt"
log "namespaces $SRV/$CLI, servers ${servers[*]}, $REPEAT runs, raw data in $out, load $(load)"
for ((n = 1; n <= REPEAT; n++)); do
  order=("${servers[@]}")
  if [ $((n % 2)) = 0 ]; then order=(); for ((i = ${#servers[@]} - 1; i >= 0; i--)); do order+=("${servers[$i]}"); done; fi
  for s in "${order[@]}"; do
    log "[run $n] $s: ramp from $RATE_START/s, $PERIOD s per step, $CLIENTS clients (load $(load))"
    ramp "$s" "$n"
  done
done
cat "$out/summary.txt"
