# ufw's default ruleset (deny incoming, allow outgoing, deny routed, ssh allowed) as `ufw enable` writes it
# through iptables-nft, trimmed of its IPv6 and logging-only chains. Sourced with BRIDGE set; ufw knows no bridge.
for c in ufw-before-logging-input ufw-before-input ufw-after-input ufw-after-logging-input ufw-reject-input \
         ufw-track-input ufw-before-forward ufw-after-forward ufw-after-logging-forward ufw-reject-forward \
         ufw-track-forward ufw-user-input ufw-user-forward ufw-not-local ufw-logging-deny ufw-skip-to-policy-input \
         ufw-skip-to-policy-forward; do iptables -N $c; done
iptables -P INPUT DROP
iptables -P FORWARD DROP
for c in before-logging-input before-input after-input after-logging-input reject-input track-input; do iptables -A INPUT -j ufw-$c; done
for c in before-forward after-forward after-logging-forward reject-forward track-forward; do iptables -A FORWARD -j ufw-$c; done
iptables -A ufw-before-input -i lo -j ACCEPT
iptables -A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny
iptables -A ufw-before-input -m conntrack --ctstate INVALID -j DROP
iptables -A ufw-before-input -p icmp -m icmp --icmp-type 3 -j ACCEPT
iptables -A ufw-before-input -p icmp -m icmp --icmp-type 8 -j ACCEPT
iptables -A ufw-before-input -p udp -m udp --sport 67 --dport 68 -j ACCEPT
iptables -A ufw-before-input -j ufw-not-local
iptables -A ufw-before-input -d 224.0.0.251/32 -p udp -m udp --dport 5353 -j ACCEPT
iptables -A ufw-before-input -d 239.255.255.250/32 -p udp -m udp --dport 1900 -j ACCEPT
iptables -A ufw-before-input -j ufw-user-input
iptables -A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
iptables -A ufw-after-input -p udp -m udp --dport 137 -j ufw-skip-to-policy-input
iptables -A ufw-after-input -p udp -m udp --dport 138 -j ufw-skip-to-policy-input
iptables -A ufw-after-input -p udp -m udp --dport 67 -j ufw-skip-to-policy-input
iptables -A ufw-after-input -p udp -m udp --dport 68 -j ufw-skip-to-policy-input
iptables -A ufw-after-input -m addrtype --dst-type BROADCAST -j ufw-skip-to-policy-input
iptables -A ufw-after-logging-input -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
iptables -A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A ufw-before-forward -p icmp -m icmp --icmp-type 3 -j ACCEPT
iptables -A ufw-before-forward -j ufw-user-forward
iptables -A ufw-after-logging-forward -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
iptables -A ufw-logging-deny -m conntrack --ctstate INVALID -m limit --limit 3/min --limit-burst 10 -j RETURN
iptables -A ufw-logging-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
iptables -A ufw-not-local -m addrtype --dst-type LOCAL -j RETURN
iptables -A ufw-not-local -m addrtype --dst-type MULTICAST -j RETURN
iptables -A ufw-not-local -m addrtype --dst-type BROADCAST -j RETURN
iptables -A ufw-not-local -m limit --limit 3/min --limit-burst 10 -j ufw-logging-deny
iptables -A ufw-not-local -j DROP
iptables -A ufw-skip-to-policy-input -j DROP
iptables -A ufw-skip-to-policy-forward -j DROP
