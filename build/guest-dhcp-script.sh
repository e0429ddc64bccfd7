#!/bin/sh
# udhcpc's event script for the demo's guest namespace: configures only that namespace's eth0.
# (udhcpc's default script would rewrite the machine's /etc/resolv.conf.)
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi
    echo "lease: $ip/${mask} router ${router:-none} domain ${domain:-none} lease ${lease}s"
    ;;
esac
