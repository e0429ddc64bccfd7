#!/usr/bin/env bash
# Runs bench/lifecycle.ps1 against the staged module (out/VirtualNetworking) without build.ps1.
#   usage: bash bench/lifecycle.sh [-Cycles N] [-Networks N] [-SkipLibvirt] ...   (as root)
# Stage the module first: dotnet pwsh ./build.ps1 Build
# libvirt side by side needs: apt-get install --no-install-recommends libvirt-daemon libvirt-clients tini dnsmasq-base iptables
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
module="$repo/out/VirtualNetworking"
[[ -f "$module/VirtualNetworking.psd1" ]] || { echo "no staged module at $module: run 'dotnet pwsh ./build.ps1 Build' first" >&2; exit 2; }
if command -v pwsh >/dev/null 2>&1; then
    exec pwsh -NoProfile -NonInteractive -File "$repo/bench/lifecycle.ps1" -ModulePath "$module" "$@"
fi
cd "$repo" && exec dotnet pwsh -NoProfile -NonInteractive -File "$repo/bench/lifecycle.ps1" -ModulePath "$module" "$@"
