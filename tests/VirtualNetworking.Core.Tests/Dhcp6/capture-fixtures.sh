#!/bin/bash
# How Dhcp6CapturedMessages.cs was made (run as root): a real DHCPv6 exchange, printed as hex.
# ISC dhclient -6 and dnsmasq run ONLY inside two private network namespaces joined by a veth pair; both are
# deleted on exit. dhclient gets /bin/true as script and its own lease and pid files, so nothing of the host
# (addresses, resolv.conf, leases) is touched.
set -u
NSC=vnx-dhcp6-c-$$; NSS=vnx-dhcp6-s-$$; OUT=$(mktemp -d)
cleanup() { ip netns pids $NSC 2>/dev/null | xargs -r kill 2>/dev/null; ip netns pids $NSS 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del $NSC 2>/dev/null; ip netns del $NSS 2>/dev/null; rm -rf "$OUT"; }
trap cleanup EXIT
ip netns add $NSC; ip netns add $NSS
for ns in $NSC $NSS; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; ip -n $ns link set lo up; done
ip link add vnxc$$ netns $NSC type veth peer name vnxs$$ netns $NSS
ip -n $NSC link set vnxc$$ address 52:54:00:12:34:56
ip -n $NSS link set vnxs$$ address 52:54:00:ab:cd:ef
ip -n $NSC link set vnxc$$ up; ip -n $NSS link set vnxs$$ up
ip -n $NSS addr add fd00:5::1/64 dev vnxs$$ nodad
sleep 1
ip netns exec $NSS tcpdump -U -n -i vnxs$$ -w $OUT/dhcp6.pcap udp port 546 or udp port 547 >/dev/null 2>&1 &
ip netns exec $NSS dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=vnxs$$ --bind-interfaces \
  --dhcp-range=fd00:5::100,fd00:5::1ff,64,1h --dhcp-option=option6:dns-server,[fd00:5::1] --domain=vm.test \
  --dhcp-leasefile=$OUT/dnsmasq.leases --pid-file=$OUT/dnsmasq.pid >/dev/null 2>&1 &
sleep 1
run() { ip netns exec $NSC timeout 6 dhclient -d -1 -6 -sf /bin/true -lf $OUT/dhclient6.leases -pf $OUT/dhclient6.pid "$@" vnxc$$ >/dev/null 2>&1; }
run                  # Solicit, Advertise, Request, Reply
run -r               # Release, Reply
run                  # Solicit again (a released lease is not confirmed)
sleep 1
ip netns pids $NSS | xargs -r kill; sleep 0.5
python3 - $OUT/dhcp6.pcap <<'PY'
import struct,sys
d=open(sys.argv[1],'rb').read(); off=24; i=0
while off+16<=len(d):
    _,_,incl,_=struct.unpack('<IIII',d[off:off+16]); pkt=d[off+16:off+16+incl]; off+=16+incl
    if pkt[12:14]!=b'\x86\xdd' or pkt[20]!=17: continue  # IPv6 carrying UDP, no extension headers
    payload=pkt[14+40+8:]
    print(i,len(payload),payload.hex()); i+=1
PY
