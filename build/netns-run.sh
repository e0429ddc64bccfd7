#!/usr/bin/env bash
# Runs a command inside a throwaway network namespace, so tests that create and delete links
# never touch the machine's own interfaces. `ip netns exec` also remounts /sys for the namespace.
#   usage: bash build/netns-run.sh COMMAND [ARG...]
# The namespace (vnt-<pid>-<random>) is named to the command in VNET_TEST_NETNS and is deleted on exit,
# whether the command passed, failed or was interrupted. Exit code: the command's.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

ns="vnt-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"

cleanup() {
    ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

ip netns add "$ns"
ip -n "$ns" link set lo up

status=0
ip netns exec "$ns" env VNET_TEST_NETNS="$ns" "$@" || status=$?
exit "$status"
