<#
.SYNOPSIS
    The main job: the seed's walkthrough, in a throwaway network namespace and a temporary VNET_ROOT
    (it never writes the machine's own /etc, /run or /var/lib, and never changes its namespace).
.DESCRIPTION
    As root, the script re-runs itself inside a namespace made by build/netns-run.sh that plays the host,
    with an "upstream" namespace behind an uplink (203.0.113.0/24) and a guest namespace on the bridge.
    Without root it shows the definitions part only.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$isRoot = (& id -u) -eq '0'

if ($isRoot -and -not $env:VNET_TEST_NETNS) {
    & bash (Join-Path $PSScriptRoot 'netns-run.sh') (Join-Path $PSHOME 'pwsh') -NoProfile -File $PSCommandPath -ModulePath $ModulePath
    exit $LASTEXITCODE
}

function Show([string] $command, [scriptblock] $action) {
    Write-Host "`nPS> $command" -ForegroundColor Cyan
    & $action | Out-Host
}

$root = Join-Path ([IO.Path]::GetTempPath()) ("vnet-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $root | Out-Null
$env:VNET_ROOT = $root
$suffix = [guid]::NewGuid().ToString('N').Substring(0, 6)
$upstream = "vdemo-up-$suffix"
$guest = "vdemo-guest-$suffix"
try {
    Import-Module $ModulePath
    Write-Host "VNET_ROOT = $root (a sandbox: nothing of the machine's own state is touched)"
    if (-not $isRoot) {
        Write-Warning 'Not root: showing definitions only (starting networks needs root, in a throwaway namespace).'
        Show 'New-VNetwork -Name default -Subnet 192.168.122.0/24 -BridgeName virbr0 -Autostart' { New-VNetwork -Name default -Subnet 192.168.122.0/24 -BridgeName virbr0 -Autostart }
        Show 'Get-VNetwork                               # virsh net-list --all' { Get-VNetwork }
        Show 'Export-VNetwork default                    # virsh net-dumpxml default' { Export-VNetwork default }
        return
    }

    Write-Host "Network namespace '$env:VNET_TEST_NETNS' plays the host; '$upstream' is the outside world (203.0.113.1)."
    ip netns add $upstream
    ip link add uplink0 type veth peer name eth0 netns $upstream
    ip addr add 203.0.113.2/24 dev uplink0
    ip link set uplink0 up
    ip route add default via 203.0.113.1
    ip netns exec $upstream ip addr add 203.0.113.1/24 dev eth0
    ip netns exec $upstream ip link set eth0 up
    ip netns exec $upstream ip link set lo up

    Show 'Initialize-VNetworkHost                    # the default NAT network: defined, autostarted, started' { Initialize-VNetworkHost }
    Show 'Get-VNetwork                               # virsh net-list --all' { Get-VNetwork }
    Show 'Get-VNetworkBridge                         # brctl show' { Get-VNetworkBridge }
    Show 'ip -br addr show virbr0                    # ifconfig virbr0' { ip -br addr show virbr0 }
    Show 'ping -c 1 192.168.122.1' { ping -c 1 -W 2 192.168.122.1 }
    Show 'sysctl net.ipv4.ip_forward' { sysctl net.ipv4.ip_forward }

    ip netns add $guest
    ip netns exec $guest ip link set lo up
    Show "New-VNetworkPort -Network default -Namespace guest   # attach a container (a veth into its namespace)" {
        $script:port = New-VNetworkPort -Network default -Namespace $guest
        $script:port
    }
    # The default network runs STP (as libvirt's), so a new port forwards after the 2 s forward delay.
    $deadline = (Get-Date).AddSeconds(40)
    while ((Get-Date) -lt $deadline -and ((bridge -j link show dev $port.Name | ConvertFrom-Json).state -ne 'forwarding')) { Start-Sleep -Milliseconds 250 }
    Show 'Get-VNetworkBridge virbr0                  # the guest''s port' { Get-VNetworkBridge virbr0 }
    Show 'ip netns exec guest udhcpc -i eth0 …       # the guest asks our DHCP server for a lease' {
        ip netns exec $guest udhcpc -f -q -n -t 5 -T 2 -i eth0 -s (Join-Path $PSScriptRoot 'guest-dhcp-script.sh') 2>&1 | Where-Object { $_ -match '^lease:' }
    }
    Show "ip netns exec guest ping -c 1 203.0.113.1   # a guest reaches the outside through NAT" { ip netns exec $guest ping -c 1 -W 2 203.0.113.1 }
    Show 'Get-VNetworkDhcpLease                      # virsh net-dhcp-leases default' { Get-VNetworkDhcpLease }
    Show 'Get-VNetworkPort                           # virsh net-port-list default' { Get-VNetworkPort }
    Show 'nft list table ip virtualnetworking        # the rules (our own table)' { nft list table ip virtualnetworking }
    Show 'Get-VNetwork | Stop-VNetwork -PassThru     # virsh net-destroy' { Get-VNetwork | Stop-VNetwork -PassThru }
    Show 'Get-VNetworkBridge; Get-VNetworkPort; nft list ruleset   # nothing of ours is left (the port went with the network)' { Get-VNetworkBridge; Get-VNetworkPort; nft list ruleset; ip -n $guest -br link }
}
finally {
    # The DHCP daemon this demo's Start-VNetwork spawned would leave by itself after its idle period; end it now.
    $pidFile = Join-Path $root 'run/virtualnetworking/vnetd.pid'
    if (Test-Path $pidFile) { kill -TERM ([int](Get-Content -Raw $pidFile)) 2>$null; Start-Sleep -Milliseconds 300 }
    foreach ($ns in $guest, $upstream) { if ((ip netns list) -match "^$ns\b") { ip netns del $ns } }
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
