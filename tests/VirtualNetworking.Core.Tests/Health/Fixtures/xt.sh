# A forward drop whose only exception for the bridge is an iptables match nft cannot show natively
# (-m physdev): iptables-nft stores it as an "xt" expression, which the analysis cannot evaluate.
iptables -P FORWARD DROP
iptables -A FORWARD -m physdev --physdev-is-bridged -j ACCEPT
