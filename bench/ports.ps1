<#
.SYNOPSIS
    Ports benchmark: attach and remove 500 taps to one started network with New-VNetworkPort /
    Remove-VNetworkPort in one warm pwsh session, against the plain-iproute2 baseline in the same run
    (`ip tuntap add` + `ip link set master` + `ip link set up` per port; `ip link del` to remove), and a
    smaller veth round (a veth into a container namespace vs `ip link add … netns` + master + up there).
.DESCRIPTION
    Runs inside a throwaway network namespace (build/netns-run.sh) with a temporary VNET_ROOT; without
    VNET_TEST_NETNS the script re-invokes itself through build/netns-run.sh. Reports per-port medians for the
    first and the last 100 ports (flatness) and overall, and writes JSON to out/bench/ports-<time>.json and
    out/bench/ports-latest.json. Needs root; as non-root it says so and exits 0.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    pwsh bench/ports.ps1 -ModulePath out/VirtualNetworking -Ports 200
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Ports = 500,
    [int] $VethPorts = 100
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
$RepoRoot = Split-Path $PSScriptRoot -Parent

if ((& id -u) -ne '0') { Write-Warning 'bench/ports.ps1 needs root (network namespaces, taps): skipped.'; exit 0 }
if (-not $env:VNET_TEST_NETNS) {
    & bash (Join-Path $RepoRoot 'build/netns-run.sh') (Join-Path $PSHOME 'pwsh') -NoProfile -File $PSCommandPath -ModulePath $ModulePath -Ports $Ports -VethPorts $VethPorts
    exit $LASTEXITCODE
}

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return $null }
    $m = if ($s.Count % 2) { $s[($s.Count - 1) / 2] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
    [math]::Round($m, 3)
}

# Per-port timings → medians overall, of the first and of the last 100 (flat = last ≈ first).
function Get-Summary([double[]] $Values) {
    $window = [math]::Min(100, $Values.Count)
    [ordered]@{
        median = Get-Median $Values; first100 = Get-Median $Values[0..($window - 1)]
        last100 = Get-Median $Values[($Values.Count - $window)..($Values.Count - 1)]; n = $Values.Count
        total_s = [math]::Round((($Values | Measure-Object -Sum).Sum) / 1000, 2)
    }
}

function Measure-Ms([scriptblock] $Block) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $Block | Out-Null
    $sw.Elapsed.TotalMilliseconds
}

# An iproute2 command that must succeed (a failed baseline step would make the figures meaningless).
function Invoke-Ip {
    & ip @args
    if ($LASTEXITCODE) { throw "ip $args failed" }
}

$root = Join-Path ([IO.Path]::GetTempPath()) ("vnet-bench-ports-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $root | Out-Null
$env:VNET_ROOT = $root
$guestNs = "vbp-$PID-guest"
$result = [ordered]@{ time = (Get-Date).ToUniversalTime().ToString('o'); ports = $Ports; veth_ports = $VethPorts; load = (Get-Content /proc/loadavg).Trim() }
try {
    Import-Module $ModulePath
    New-VNetwork -Name bench -Mode Isolated -Subnet 10.217.0.0/16 -BridgeName vbpbr0 -Stp:$false -NoDhcp -Start -WarningAction SilentlyContinue | Out-Null
    Invoke-Ip link add vbpbase type bridge
    Invoke-Ip link set vbpbase up
    # Warm both paths once (JIT, page cache for ip) before timing.
    New-VNetworkPort -Network bench -Type Tap -Name vbpwarm | Remove-VNetworkPort
    Invoke-Ip tuntap add dev vbwarm mode tap; Invoke-Ip link del vbwarm

    Write-Host "Taps: $Ports with New-VNetworkPort, then $Ports with iproute2 (3 commands each)"
    $oursAdd = foreach ($i in 0..($Ports - 1)) { Measure-Ms { New-VNetworkPort -Network bench -Type Tap } }
    $ipAdd = foreach ($i in 0..($Ports - 1)) {
        Measure-Ms { Invoke-Ip tuntap add dev "vb$i" mode tap; Invoke-Ip link set "vb$i" master vbpbase; Invoke-Ip link set "vb$i" up }
    }
    $names = @(Get-VNetworkPort -Network bench | ForEach-Object Name)
    if ($names.Count -ne $Ports) { throw "expected $Ports ports, found $($names.Count)" }
    $oursRemove = foreach ($name in $names) { Measure-Ms { Remove-VNetworkPort -Network bench -Name $name -Confirm:$false } }
    $ipRemove = foreach ($i in 0..($Ports - 1)) { Measure-Ms { Invoke-Ip link del "vb$i" } }
    $result.tap = [ordered]@{
        ours_add = Get-Summary $oursAdd; iproute2_add = Get-Summary $ipAdd
        ours_remove = Get-Summary $oursRemove; iproute2_remove = Get-Summary $ipRemove
    }

    Write-Host "Veths: $VethPorts into a namespace with New-VNetworkPort, then with iproute2 (link add … netns, master, up there)"
    Invoke-Ip netns add $guestNs
    $oursVeth = foreach ($i in 0..($VethPorts - 1)) { Measure-Ms { New-VNetworkPort -Network bench -Namespace $guestNs -GuestInterfaceName "g$i" } }
    $ipVeth = foreach ($i in 0..($VethPorts - 1)) {
        Measure-Ms { Invoke-Ip link add "vv$i" type veth peer name "h$i" netns $guestNs; Invoke-Ip link set "vv$i" master vbpbase; Invoke-Ip link set "vv$i" up; Invoke-Ip -n $guestNs link set "h$i" up }
    }
    $result.veth = [ordered]@{ ours_add = Get-Summary $oursVeth; iproute2_add = Get-Summary $ipVeth }

    $rows = foreach ($kind in 'tap', 'veth') {
        foreach ($op in 'add', 'remove') {
            $o = $result[$kind]["ours_$op"]; $b = $result[$kind]["iproute2_$op"]
            if (-not $o) { continue }
            [pscustomobject]@{
                Ports = "$kind $op"; 'Ours median ms' = $o.median; 'first/last 100' = "$($o.first100) / $($o.last100)"
                'iproute2 median ms' = $b.median; 'iproute2 first/last 100' = "$($b.first100) / $($b.last100)"
                'Speed-up' = [math]::Round($b.median / $o.median, 1)
            }
        }
    }
    $rows | Format-Table -AutoSize | Out-Host
    Write-Host "load average at start: $($result.load); at end: $((Get-Content /proc/loadavg).Trim())"
    $result.load_end = (Get-Content /proc/loadavg).Trim()
    $outDir = Join-Path $RepoRoot 'out/bench'
    New-Item -ItemType Directory -Path $outDir -Force | Out-Null
    $json = $result | ConvertTo-Json -Depth 6
    Set-Content -Path (Join-Path $outDir "ports-$(Get-Date -Format 'yyyyMMdd-HHmmss').json") -Value $json
    Set-Content -Path (Join-Path $outDir 'ports-latest.json') -Value $json
}
finally {
    Get-VNetwork -ErrorAction SilentlyContinue | Where-Object State -EQ 'Active' | Stop-VNetwork -ErrorAction Continue
    ip netns delete $guestNs 2>$null
    ip link del vbpbase 2>$null
    $pidFile = Join-Path $root 'run/virtualnetworking/vnetd.pid'
    if (Test-Path $pidFile) { kill -TERM ([int](Get-Content -Raw $pidFile)) 2>$null }
    Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
}
