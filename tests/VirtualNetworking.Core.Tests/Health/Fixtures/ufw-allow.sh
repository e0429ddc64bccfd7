# ufw's layout after the remedy: what `ufw allow in on BRIDGE to any port 67 proto udp`, `… port 53` and
# `ufw route allow in on BRIDGE` / `… out on BRIDGE` add to ufw-user-input and ufw-user-forward.
. "$(dirname "${BASH_SOURCE[0]}")/ufw.sh"
iptables -A ufw-user-input -i "$BRIDGE" -p udp -m udp --dport 67 -j ACCEPT
iptables -A ufw-user-input -i "$BRIDGE" -p tcp -m tcp --dport 53 -j ACCEPT
iptables -A ufw-user-input -i "$BRIDGE" -p udp -m udp --dport 53 -j ACCEPT
iptables -A ufw-user-forward -i "$BRIDGE" -j ACCEPT
iptables -A ufw-user-forward -o "$BRIDGE" -j ACCEPT
