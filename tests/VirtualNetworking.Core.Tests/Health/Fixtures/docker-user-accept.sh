# Docker's layout with the remedy Docker documents: accepts for our bridge in DOCKER-USER.
. "$(dirname "${BASH_SOURCE[0]}")/docker.sh"
iptables -I DOCKER-USER -o "$BRIDGE" -j ACCEPT
iptables -I DOCKER-USER -i "$BRIDGE" -j ACCEPT
