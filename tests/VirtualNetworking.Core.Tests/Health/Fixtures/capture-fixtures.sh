#!/bin/bash
# How the *.json fixtures here were made (run as root, needs iptables and nftables): each layout script is
# applied in a private network namespace of its own (deleted on exit) and `nft -j list ruleset` saved, with
# iptables-nft-save's text of the same tables (nft's JSON names an untranslated iptables match but not its
# arguments). docker-legacy.txt is Docker's layout written with iptables-legacy instead.
# The bridge they name is virbr0; the namespace tier (tests/Pester/ForeignFirewall.Tests.ps1) applies the
# same scripts next to a running network of ours.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ns=vnx-fw-$$
trap 'ip netns delete $ns 2>/dev/null || true' EXIT
for layout in docker docker-user-accept ufw ufw-allow firewalld firewalld-trusted xt; do
    ip netns add $ns
    ip netns exec $ns env BRIDGE=virbr0 bash -c ". '$here/$layout.sh'"
    ip netns exec $ns nft -j list ruleset | python3 -m json.tool --indent 1 > "$here/$layout.json"
    # firewalld writes no iptables table: no text for it.
    save=$(ip netns exec $ns iptables-nft-save | grep -v '^#' || true)
    [[ -z $save ]] || echo "$save" > "$here/$layout.txt"
    ip netns delete $ns
done
ip netns add $ns
ip netns exec $ns env BRIDGE=virbr0 bash -c "iptables() { iptables-legacy \"\$@\"; }; . '$here/docker.sh'"
ip netns exec $ns iptables-legacy-save | grep -v '^#' > "$here/docker-legacy.txt"
