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
child=""

cleanup() {
    ip netns delete "$ns" 2>/dev/null || true
}
# Pass INT/TERM on to the command and let it finish; the EXIT trap then deletes the namespace.
forward() {
    if [[ -n "$child" ]]; then
        kill "-$1" "$child" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'forward INT' INT
trap 'forward TERM' TERM

ip netns add "$ns"
ip -n "$ns" link set lo up

# In the background so the traps run at once (bash defers them while a foreground command runs);
# <&0 keeps stdin, which a background command would otherwise lose to /dev/null.
ip netns exec "$ns" env VNET_TEST_NETNS="$ns" "$@" <&0 &
child=$!
status=0
while true; do
    wait "$child" && status=0 || status=$?
    # wait also returns when a trapped signal arrives; go on waiting while the command still runs.
    kill -0 "$child" 2>/dev/null || break
done
exit "$status"
