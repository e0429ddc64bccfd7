#!/bin/bash
# How DhcpCapturedPackets.cs was made (run as root): captures client datagrams and prints them as hex.
# Everything happens in two private network namespaces joined by a veth pair; both are deleted on exit.
# Clients get /bin/true as script and temporary lease files so the host's resolv.conf is never touched.
# Captures DHCP client packets ONLY inside two private network namespaces linked by a veth pair.
set -u
NSC=vnx-dhcp-c-$$; NSS=vnx-dhcp-s-$$; OUT=$(mktemp -d)
cleanup() { ip netns pids $NSC 2>/dev/null | xargs -r kill 2>/dev/null; ip netns pids $NSS 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del $NSC 2>/dev/null; ip netns del $NSS 2>/dev/null; }
trap cleanup EXIT
ip netns add $NSC; ip netns add $NSS
ip link add vnxc$$ netns $NSC type veth peer name vnxs$$ netns $NSS
ip -n $NSC link set vnxc$$ address 52:54:00:12:34:56
ip -n $NSC link set lo up; ip -n $NSS link set lo up
ip -n $NSC link set vnxc$$ up; ip -n $NSS link set vnxs$$ up
cap() { # name, command...
  local name=$1; shift
  ip netns exec $NSS timeout 8 tcpdump -U -n -i vnxs$$ -c 2 -w $OUT/$name.pcap udp port 67 >/dev/null 2>&1 & local tp=$!
  sleep 1
  ip netns exec $NSC timeout 6 "$@" >/dev/null 2>&1
  wait $tp
}
cap udhcpc udhcpc -f -i vnxc$$ -s /bin/true -x hostname:vm1 -r 192.168.122.50 -t 2 -T 1 -n
cat > $OUT/dhclient.leases <<L
lease {
  interface "vnxc$$";
  fixed-address 192.168.122.77;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 192.168.122.1;
  renew 4 2099/01/01 00:00:00;
  rebind 4 2099/01/01 00:00:00;
  expire 4 2099/01/01 00:00:00;
}
L
cat > $OUT/dhclient.conf <<C
send host-name "vm2";
send dhcp-client-identifier 1:52:54:00:12:34:56;
request subnet-mask, broadcast-address, time-offset, routers, domain-name, domain-name-servers, domain-search, host-name, interface-mtu, ntp-servers;
C
cap dhclient-reboot dhclient -d -1 -4 -cf $OUT/dhclient.conf -sf /bin/true -lf $OUT/dhclient.leases -pf $OUT/dhclient.pid vnxc$$
: > $OUT/dhclient-empty.leases
cap dhclient-discover dhclient -d -1 -4 -cf $OUT/dhclient.conf -sf /bin/true -lf $OUT/dhclient-empty.leases -pf $OUT/dhclient2.pid vnxc$$
for f in $OUT/*.pcap; do python3 - "$f" <<'PY'
import struct,sys
for name in sys.argv[1:]:
    d=open(name,'rb').read(); off=24; i=0
    while off+16<=len(d):
        _,_,incl,_=struct.unpack('<IIII',d[off:off+16]); pkt=d[off+16:off+16+incl]; off+=16+incl
        ihl=(pkt[14]&15)*4; payload=pkt[14+ihl+8:]
        print(name,i,len(payload)); print(payload.hex()); i+=1
PY
done
