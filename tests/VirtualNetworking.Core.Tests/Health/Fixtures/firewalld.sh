# firewalld's table (firewalld 1.3, nftables backend, default zone public, no interface assigned), trimmed
# to the filter chains a packet to or through the bridge meets: zone dispatch, public's allow list, the
# final rejects. Sourced with BRIDGE set; TRUSTED=1 puts the bridge in the trusted zone (the remedy).
if [ "${TRUSTED:-0}" = 1 ]; then
    in_zones="iifname \"$BRIDGE\" goto filter_IN_trusted"
    fwd_zones="iifname \"$BRIDGE\" goto filter_FWD_trusted"
else
    in_zones=""
    fwd_zones=""
fi
nft -f - <<NFT
table inet firewalld {
    chain raw_PREROUTING {
        type filter hook prerouting priority raw + 10; policy accept;
        icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept
        meta nfproto ipv6 fib saddr . mark . iif oif missing drop
    }
    chain filter_INPUT {
        type filter hook input priority filter + 10; policy accept;
        ct state { established, related } accept
        ct status dnat accept
        iifname "lo" accept
        ct state invalid drop
        jump filter_INPUT_ZONES
        reject with icmpx admin-prohibited
    }
    chain filter_FORWARD {
        type filter hook forward priority filter + 10; policy accept;
        ct state { established, related } accept
        ct status dnat accept
        iifname "lo" accept
        ip6 daddr { ::/96, ::ffff:0.0.0.0/96, 2002::/24, 2002:a00::/24, 2002:7f00::/24, 2002:a9fe::/32, 2002:ac10::/28, 2002:c0a8::/32, 2002:e000::/19 } reject with icmpv6 addr-unreachable
        ct state invalid drop
        jump filter_FORWARD_ZONES
        reject with icmpx admin-prohibited
    }
    chain filter_INPUT_ZONES {
        $in_zones
        goto filter_IN_public
    }
    chain filter_FORWARD_ZONES {
        $fwd_zones
        goto filter_FWD_public
    }
    chain filter_IN_public {
        jump filter_IN_public_pre
        jump filter_IN_public_log
        jump filter_IN_public_deny
        jump filter_IN_public_allow
        jump filter_IN_public_post
        meta l4proto { icmp, ipv6-icmp } accept
        reject with icmpx admin-prohibited
    }
    chain filter_IN_public_pre { }
    chain filter_IN_public_log { }
    chain filter_IN_public_deny { }
    chain filter_IN_public_allow {
        tcp dport 22 ct state { new, untracked } accept
        ip6 daddr fe80::/64 udp dport 546 ct state { new, untracked } accept
        tcp dport 9090 ct state { new, untracked } accept
    }
    chain filter_IN_public_post { }
    chain filter_FWD_public {
        jump filter_FWD_public_pre
        jump filter_FWD_public_log
        jump filter_FWD_public_deny
        jump filter_FWD_public_allow
        jump filter_FWD_public_post
        reject with icmpx admin-prohibited
    }
    chain filter_FWD_public_pre { }
    chain filter_FWD_public_log { }
    chain filter_FWD_public_deny { }
    chain filter_FWD_public_allow {
        oifname "eth0" accept
    }
    chain filter_FWD_public_post { }
    chain filter_IN_trusted {
        jump filter_IN_trusted_allow
        accept
    }
    chain filter_IN_trusted_allow { }
    chain filter_FWD_trusted {
        jump filter_FWD_trusted_allow
        accept
    }
    chain filter_FWD_trusted_allow { }
}
NFT
