<#
.SYNOPSIS
    Lifecycle benchmark: Start-VNetwork / Stop-VNetwork (virsh net-start / net-destroy) in one warm pwsh
    session, 200 networks in a row (flatness), a cold pwsh process per command, a cost breakdown of Start,
    and libvirt's own net-start / net-destroy side by side when libvirt is installed.
.DESCRIPTION
    Everything of ours runs inside a throwaway network namespace (build/netns-run.sh) with a temporary
    VNET_ROOT; when VNET_TEST_NETNS is not set the script re-invokes itself through build/netns-run.sh.
    libvirt is measured by ../shared/bench/peers/libvirt-lifecycle.sh (relative to the repository), which
    makes and deletes its own namespace; it needs the Debian packages libvirt-daemon libvirt-clients tini
    dnsmasq-base iptables. Without them the table says "libvirt not installed".
    Results: a table on the console and JSON under out/bench/ (lifecycle-<time>.json, lifecycle-latest.json).
    Needs root (network namespaces, bridges, nftables); as non-root it says so and exits 0.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    bash bench/lifecycle.sh -Cycles 40 -SkipLibvirt
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Cycles = 25,
    [int] $Warmup = 3,
    [int] $Networks = 200,
    [int] $ColdRuns = 5,
    [int] $ProfileRuns = 20,
    [int] $TraceCycles = 5,
    [int] $LibvirtRuns = 20,
    [int] $LibvirtNets = 20,
    [switch] $SkipLibvirt,
    [switch] $SkipProfile,
    # Internal: 'Ours' = the measurement inside the namespace, writing its results to -ResultPath.
    [ValidateSet('All', 'Ours')] [string] $Phase = 'All',
    [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
$RepoRoot = Split-Path $PSScriptRoot -Parent
$Pwsh = Join-Path $PSHOME 'pwsh'

# ---------------------------------------------------------------- helpers
function Get-Stats([double[]] $Values) {
    if (-not $Values -or $Values.Count -eq 0) { return $null }
    $s = @($Values | Sort-Object)
    $n = $s.Count
    $median = if ($n % 2) { $s[($n - 1) / 2] } else { ($s[$n / 2 - 1] + $s[$n / 2]) / 2 }
    [ordered]@{
        median = [math]::Round($median, 2); min = [math]::Round($s[0], 2); max = [math]::Round($s[-1], 2)
        mean = [math]::Round(($s | Measure-Object -Average).Average, 2); n = $n
    }
}

function Measure-Ms([scriptblock] $Block) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $Block | Out-Null
    $sw.Elapsed.TotalMilliseconds
}

# median of $Runs timings of $Block (after one untimed warm-up call)
function Measure-Median([scriptblock] $Block, [int] $Runs = $ProfileRuns, [scriptblock] $Between) {
    & $Block | Out-Null
    if ($Between) { & $Between | Out-Null }
    $t = foreach ($i in 1..$Runs) {
        Measure-Ms $Block
        if ($Between) { & $Between | Out-Null }
    }
    (Get-Stats $t).median
}

# The seed's default network (/work/shared/seed/linux-virtual-networking.en.md, "NAT mode").
$DefaultXml = @'
<network>
  <name>default</name>
  <uuid>927f4393-3e4e-4a94-9e42-67c4ebe45555</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:b8:c9:9d'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
'@

# Network N of the 200 (same shape as libvirt-lifecycle.sh's bnN: NAT, STP on, delay 0, DHCP range).
function Get-NetXml([int] $N) {
    $x = 10 + [math]::Floor($N / 250); $y = $N % 250
    @"
<network>
  <name>bn$N</name>
  <forward mode='nat'/>
  <bridge name='vbn$N' stp='on' delay='0'/>
  <ip address='10.$x.$y.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.$x.$y.2' end='10.$x.$y.254'/>
    </dhcp>
  </ip>
</network>
"@
}

# ---------------------------------------------------------------- strace: what one Start / Stop does
function Invoke-Trace([string] $Root, [int] $Count) {
    $strace = Get-Command strace -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $strace) { return [ordered]@{ available = $false; note = 'strace not installed' } }
    $log = Join-Path $Root 'strace.log'
    $mark = Join-Path $Root 'b3mark'
    $trace = 'execve,fsync,fdatasync,socket,sendto,sendmsg,mkdir,mkdirat'
    $proc = Start-Process -FilePath $strace.Source -PassThru -RedirectStandardError (Join-Path $Root 'strace.err') `
        -ArgumentList @('-f', '-qq', '-T', '-e', "trace=$trace", '-e', 'signal=none', '-o', $log, '-p', "$PID")
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Get-Content "/proc/$PID/status" | Select-String '^TracerPid:\s+0$') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Start-Sleep -Milliseconds 500   # every thread attached
        foreach ($i in 1..$Count) {
            [void][IO.Directory]::CreateDirectory("$mark-start-$i")
            Start-VNetwork default -WarningAction SilentlyContinue
            [void][IO.Directory]::CreateDirectory("$mark-stop-$i")
            Stop-VNetwork default
            [void][IO.Directory]::CreateDirectory("$mark-end-$i")
        }
    }
    finally {
        Stop-Process -Id $proc.Id -ErrorAction SilentlyContinue   # SIGTERM: strace detaches
        $proc.WaitForExit(10000) | Out-Null
    }
    $segments = @{}
    $current = $null
    $children = [Collections.Generic.HashSet[string]]::new()
    foreach ($line in [IO.File]::ReadLines($log)) {
        if ($line -match 'mkdir(at)?\(.*b3mark-(start|stop|end)-\d+') { $current = if ($Matches[2] -eq 'end') { $null } else { $Matches[2] }; continue }
        if (-not $current) { continue }
        if (-not $segments[$current]) { $segments[$current] = [ordered]@{ exec = @{}; fsync = 0; fsync_ms = 0.0; nl_sockets = 0; nl_requests = 0; child_nl = 0 } }
        $seg = $segments[$current]
        $pidOf = ($line -split '\s+', 2)[0]
        if ($line -match '^\d+\s+execve\("([^"]+)"') { [void]$children.Add($pidOf); $b = Split-Path $Matches[1] -Leaf; $seg.exec[$b] = 1 + ($seg.exec[$b] ?? 0); continue }
        if ($line -match '^\d+\s+f(data)?sync\(') { $seg.fsync++ }
        if ($line -match 'f(data)?sync(\(| resumed).*<([\d.]+)>$') { $seg.fsync_ms += 1000 * [double]$Matches[3] }
        if ($line -match 'socket\(AF_NETLINK') { if ($children.Contains($pidOf)) { $seg.child_nl++ } elseif ($line -match 'NETLINK_ROUTE') { $seg.nl_sockets++ } }
        if ($line -match '^\d+\s+send(to|msg)\(' -and -not $children.Contains($pidOf)) { $seg.nl_requests++ }
    }
    $result = [ordered]@{ available = $true; cycles = $Count }
    foreach ($k in 'start', 'stop') {
        $s = $segments[$k]
        if (-not $s) { continue }
        $result[$k] = [ordered]@{
            processes_per_op      = [ordered]@{}
            fsyncs_per_op         = [math]::Round($s.fsync / $Count, 2)
            fsync_ms_per_op       = [math]::Round($s.fsync_ms / $Count, 2)
            rtnetlink_sockets_per_op = [math]::Round($s.nl_sockets / $Count, 2)
            sends_per_op          = [math]::Round($s.nl_requests / $Count, 2)
        }
        foreach ($e in $s.exec.GetEnumerator()) { $result[$k].processes_per_op[$e.Key] = [math]::Round($e.Value / $Count, 2) }
    }
    Remove-Item $log, "$mark-*" -Recurse -ErrorAction SilentlyContinue
    $result
}

# ---------------------------------------------------------------- component timings (no tracing)
function Invoke-Components([string] $Root) {
    $c = [ordered]@{}
    $fw = [VirtualNetworking.Linux.Nftables.NftablesFirewall]::new()
    $c['dotnet_spawn_bin_true_ms'] = Measure-Median {
        $p = [Diagnostics.Process]::Start([Diagnostics.ProcessStartInfo]@{ FileName = '/bin/true'; UseShellExecute = $false; RedirectStandardInput = $true; RedirectStandardOutput = $true; RedirectStandardError = $true })
        $p.StandardInput.Close(); $null = $p.StandardOutput.ReadToEnd(); $p.WaitForExit(); $p.Dispose()
    }
    $c['nft_list_tables_ms'] = Measure-Median { $fw.TablesExist() }
    $c['nft_list_ours_2_calls_ms'] = Measure-Median { $fw.List() }

    $nl = [VirtualNetworking.Linux.Netlink.RtnetlinkClient]::new()
    try {
        $c['netlink_socket_open_close_ms'] = Measure-Median { $x = [VirtualNetworking.Linux.Netlink.RtnetlinkClient]::new(); $x.Dispose() }
        $c['netlink_get_link_ms'] = Measure-Median { $nl.GetLink('lo') }
        $c['netlink_dump_links_ms'] = Measure-Median { $nl.GetLinks() }
        $c['netlink_dump_addresses_ms'] = Measure-Median { $nl.GetAddresses() }
        $c['netlink_dump_routes_ms'] = Measure-Median { $nl.GetRoutes() }
        $creates = foreach ($i in 1..$ProfileRuns) {
            Measure-Ms { $nl.CreateBridge('b3prof0', [NullString]::Value, $null, $true, [TimeSpan]::Zero) }
            $deleteMs = Measure-Ms { $nl.DeleteLink('b3prof0') }
            $nl.CreateBridge('b3prof0', [NullString]::Value, $null, $true, [TimeSpan]::Zero)
            $index = $nl.GetLink('b3prof0').Index
            $unlistedMs = Measure-Ms { $nl.DeleteLinkUntilUnlisted($index) }
            [pscustomobject]@{ Delete = $deleteMs; Unlisted = $unlistedMs }
        }
        $c['netlink_create_bridge_stp_ms'] = (Get-Stats @($creates | Where-Object { $_ -is [double] })).median
        # To the kernel's acknowledgement (what ip link del waits for), and to the unlisting (what Stop waits for).
        $c['netlink_delete_bridge_ms'] = (Get-Stats @($creates | Where-Object { $_ -isnot [double] } | ForEach-Object Delete)).median
        $c['netlink_delete_bridge_until_unlisted_ms'] = (Get-Stats @($creates | Where-Object { $_ -isnot [double] } | ForEach-Object Unlisted)).median

        # The firewall step exactly as Start and Stop run it (one libnftables apply, with echo as no counters are
        # known; one removal by handle, which also deletes the tables).
        $nl.CreateBridge('virbr0', [NullString]::Value, $null, $true, [TimeSpan]::Zero)
        $index = $nl.GetLink('virbr0').Index
        $rules = [VirtualNetworking.Core.Firewall.FirewallNetworkMapper]::FromDefinition([VirtualNetworking.Core.Xml.NetworkXml]::Parse($DefaultXml))
        $apply = [Collections.Generic.List[double]]::new(); $remove = [Collections.Generic.List[double]]::new()
        foreach ($i in 0..$ProfileRuns) {
            $handles = $null
            $a = Measure-Ms { $script:handles = $fw.Apply($rules, $null) }
            $r = Measure-Ms { $fw.Remove($rules, $script:handles, $false) }
            if ($i -gt 0) { $apply.Add($a); $remove.Add($r) }
        }
        $c['firewall_apply_default_ms'] = (Get-Stats $apply).median
        $c['firewall_remove_default_ms'] = (Get-Stats $remove).median
        $sysctl = [VirtualNetworking.Linux.Live.ProcSysctl]::new()
        $c['sysctl_write_ms'] = Measure-Median { $sysctl.Write('net/ipv6/conf/virbr0/accept_ra', '0') }
        $c['netlink_add_address_ms'] = Measure-Median { $nl.AddAddress($index, [Net.IPAddress]::Parse('192.168.122.1'), 24) } -Between { & ip addr flush dev virbr0 }
        $c['netlink_set_up_ms'] = Measure-Median { $nl.SetLinkUp($index) }
        $nl.DeleteLink('virbr0')
    }
    finally { $nl.Dispose() }

    $run = Join-Path $Root 'run/virtualnetworking/profile'
    New-Item -ItemType Directory -Path $run -Force | Out-Null
    $text = 'x' * 600
    $c['atomic_write_2_fsyncs_ms'] = Measure-Median { [VirtualNetworking.Platform.AtomicFile]::WriteAllText((Join-Path $run 'p.xml'), $text) }
    $c['append_fsync_ms'] = Measure-Median {
        $fs = [IO.FileStream]::new((Join-Path $run 'p.journal'), 'Append', 'Write', 'Read'); $fs.Write([byte[]](65, 10), 0, 2); $fs.Flush($true); $fs.Dispose()
    }
    $c['append_no_fsync_ms'] = Measure-Median {
        $fs = [IO.FileStream]::new((Join-Path $run 'q.journal'), 'Append', 'Write', 'Read'); $fs.Write([byte[]](65, 10), 0, 2); $fs.Flush($false); $fs.Dispose()
    }
    $c['dir_fsync_ms'] = Measure-Median { [VirtualNetworking.Platform.AtomicFile]::SyncDirectory($run) }
    $c['file_lock_ms'] = Measure-Median { ([VirtualNetworking.Linux.Store.FileLock]::Acquire((Join-Path $run 'l.lock'), [TimeSpan]::FromSeconds(5))).Dispose() }
    Remove-Item $run -Recurse -Force
    # The cmdlet floor: binding, runtime construction, lock, definition load; fails at "not found".
    $c['cmdlet_floor_start_unknown_ms'] = Measure-Median { Start-VNetwork b3-no-such-network -ErrorAction SilentlyContinue }
    $c['get_vnetwork_default_ms'] = Measure-Median { Get-VNetwork default }
    $c
}

# ---------------------------------------------------------------- warm Start/Stop cycles of one network
function Measure-Cycles([string] $Name) {
    Write-Host "[ours] ${Name}: $Warmup warm-up + $Cycles Start/Stop cycles"
    foreach ($i in 1..$Warmup) { Start-VNetwork $Name -WarningAction SilentlyContinue; Stop-VNetwork $Name }
    $start = [Collections.Generic.List[double]]::new(); $stop = [Collections.Generic.List[double]]::new()
    foreach ($i in 1..$Cycles) {
        $start.Add((Measure-Ms { Start-VNetwork $Name -WarningAction SilentlyContinue }))
        if ((Get-VNetwork $Name).State -ne 'Active') { throw "cycle ${i}: $Name is not active after Start-VNetwork" }
        $stop.Add((Measure-Ms { Stop-VNetwork $Name }))
        if ((Get-VNetwork $Name).State -ne 'Inactive') { throw "cycle ${i}: $Name is not inactive after Stop-VNetwork" }
    }
    [pscustomobject]@{ Start = $start; Stop = $stop }
}

# ---------------------------------------------------------------- phase Ours (inside the namespace)
function Invoke-Ours {
    if (-not $env:VNET_TEST_NETNS) { throw 'Phase Ours runs only inside a test namespace (VNET_TEST_NETNS).' }
    $root = Join-Path ([IO.Path]::GetTempPath()) ('vnet-bench-lc-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $root | Out-Null
    $env:VNET_ROOT = $root
    $r = [ordered]@{ namespace = $env:VNET_TEST_NETNS; vnet_root_fs = (& stat -f -c %T $root) }
    try {
        Import-Module $ModulePath
        Import-VNetwork -Xml $DefaultXml | Out-Null

        $default = Measure-Cycles default
        $r.start = Get-Stats $default.Start; $r.stop = Get-Stats $default.Stop
        $r.start_samples = @($default.Start | ForEach-Object { [math]::Round($_, 2) }); $r.stop_samples = @($default.Stop | ForEach-Object { [math]::Round($_, 2) })

        # The same network without its DHCP block: what the start and stop cost without the DHCP daemon's part.
        # (Its own name, UUID, bridge, MAC and subnet: definitions may not share them.)
        $noDhcpXml = $DefaultXml -replace 'default', 'nodhcp' -replace '\s*<uuid>[^<]*</uuid>', '' -replace '\s*<mac [^>]*/>', '' `
            -replace 'virbr0', 'virbr1' -replace '192\.168\.122', '192.168.123' -replace '(?s)\s*<dhcp>.*</dhcp>', ''
        Import-VNetwork -Xml $noDhcpXml | Out-Null
        $noDhcp = Measure-Cycles nodhcp
        Remove-VNetwork nodhcp -Confirm:$false
        $r.nodhcp = [ordered]@{ start = Get-Stats $noDhcp.Start; stop = Get-Stats $noDhcp.Stop }

        if (-not $SkipProfile) {
            Write-Host '[ours] cost breakdown: component timings'
            $r.components = Invoke-Components $root
            Write-Host "[ours] cost breakdown: strace of $TraceCycles Start/Stop cycles (counts only; tracing slows the run)"
            $r.trace = Invoke-Trace $root $TraceCycles
        }

        Write-Host "[ours] $Networks networks: import, start one after another, stop one after another"
        $importMs = Measure-Ms { foreach ($n in 0..($Networks - 1)) { Import-VNetwork -Xml (Get-NetXml $n) | Out-Null } }
        $ms = [Collections.Generic.List[double]]::new(); $md = [Collections.Generic.List[double]]::new()
        $total = [Diagnostics.Stopwatch]::StartNew()
        foreach ($n in 0..($Networks - 1)) { $ms.Add((Measure-Ms { Start-VNetwork "bn$n" -WarningAction SilentlyContinue })) }
        $startTotal = $total.Elapsed.TotalMilliseconds
        $active = @(Get-VNetwork | Where-Object State -EQ 'Active').Count
        $bridges = @(& ip -br link show type bridge | Where-Object { $_ -match '^vbn\d+' }).Count
        if ($active -ne $Networks -or $bridges -ne $Networks) { throw "after starting $Networks networks: $active active, $bridges bridges" }
        $nftLines = @(& nft list ruleset | Where-Object { $_ -match 'vbn\d+' }).Count
        $loaded = [ordered]@{}
        if (-not $SkipProfile) {
            $fw = [VirtualNetworking.Linux.Nftables.NftablesFirewall]::new()
            $nl = [VirtualNetworking.Linux.Netlink.RtnetlinkClient]::new()
            $loaded['nft_list_ours_2_calls_ms'] = Measure-Median { $fw.List() } -Runs 10
            $loaded['netlink_dump_links_ms'] = Measure-Median { $nl.GetLinks() } -Runs 10
            $loaded['netlink_dump_addresses_ms'] = Measure-Median { $nl.GetAddresses() } -Runs 10
            $loaded['netlink_dump_routes_ms'] = Measure-Median { $nl.GetRoutes() } -Runs 10
            $loaded['get_vnetwork_all_ms'] = Measure-Median { Get-VNetwork } -Runs 10
            $nl.Dispose()
        }
        $total.Restart()
        foreach ($n in 0..($Networks - 1)) { $md.Add((Measure-Ms { Stop-VNetwork "bn$n" })) }
        $stopTotal = $total.Elapsed.TotalMilliseconds
        $left = @(& ip -br link show type bridge | Where-Object { $_ -match '^vbn\d+' }).Count
        if ($left -ne 0) { throw "$left bridges left after stopping $Networks networks" }

        $k = [math]::Min(20, $Networks)
        $mid = [math]::Max(0, [math]::Floor($Networks / 2) - [math]::Floor($k / 2))
        $slope = {
            param($v)   # least-squares slope, ms per network already active
            $n = $v.Count; $mx = ($n - 1) / 2; $my = ($v | Measure-Object -Average).Average
            $sxy = 0.0; $sxx = 0.0
            for ($i = 0; $i -lt $n; $i++) { $sxy += ($i - $mx) * ($v[$i] - $my); $sxx += ($i - $mx) * ($i - $mx) }
            if ($sxx -eq 0) { 0 } else { [math]::Round($sxy / $sxx, 4) }
        }
        $r.multi = [ordered]@{
            networks = $Networks; import_total_ms = [math]::Round($importMs, 1)
            start = [ordered]@{
                all = Get-Stats $ms; first = Get-Stats $ms.GetRange(0, $k); middle = Get-Stats $ms.GetRange($mid, $k)
                last = Get-Stats $ms.GetRange($Networks - $k, $k); total_ms = [math]::Round($startTotal, 1); slope_ms_per_net = & $slope $ms
            }
            stop = [ordered]@{
                all = Get-Stats $md; first = Get-Stats $md.GetRange(0, $k); middle = Get-Stats $md.GetRange($mid, $k)
                last = Get-Stats $md.GetRange($Networks - $k, $k); total_ms = [math]::Round($stopTotal, 1); slope_ms_per_net = & $slope $md
            }
            nft_lines_naming_bridges = $nftLines
            at_full_load = $loaded
            start_samples = @($ms | ForEach-Object { [math]::Round($_, 2) }); stop_samples = @($md | ForEach-Object { [math]::Round($_, 2) })
        }

        Write-Host "[ours] cold process: $ColdRuns x pwsh -c 'Import-Module; Start-VNetwork default' (and Stop)"
        $bare = [Collections.Generic.List[double]]::new(); $cs = [Collections.Generic.List[double]]::new(); $cd = [Collections.Generic.List[double]]::new()
        & $Pwsh -NoProfile -NonInteractive -Command 'exit 0'
        foreach ($i in 1..$ColdRuns) {
            $bare.Add((Measure-Ms { & $Pwsh -NoProfile -NonInteractive -Command 'exit 0' }))
            $cs.Add((Measure-Ms { & $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; Start-VNetwork default -WarningAction SilentlyContinue" }))
            if ($LASTEXITCODE -ne 0 -or (Get-VNetwork default).State -ne 'Active') { throw 'cold Start-VNetwork failed' }
            $cd.Add((Measure-Ms { & $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; Stop-VNetwork default" }))
            if ($LASTEXITCODE -ne 0 -or (Get-VNetwork default).State -ne 'Inactive') { throw 'cold Stop-VNetwork failed' }
        }
        $r.cold = [ordered]@{ pwsh_bare = Get-Stats $bare; start = Get-Stats $cs; stop = Get-Stats $cd }
    }
    finally {
        # Leave nothing running (the namespace goes anyway, but the state dir is deleted here).
        Get-VNetwork -ErrorAction SilentlyContinue | Where-Object State -EQ 'Active' | Stop-VNetwork -ErrorAction SilentlyContinue
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }
    $r | ConvertTo-Json -Depth 8 | Set-Content -Path $ResultPath
}

# ---------------------------------------------------------------- libvirt peer
function Invoke-Libvirt([string] $RawDir) {
    $peer = Join-Path $RepoRoot '../shared/bench/peers/libvirt-lifecycle.sh'
    if (-not (Test-Path $peer)) { return [ordered]@{ available = $false; note = 'peer script ../shared/bench/peers/libvirt-lifecycle.sh not found' } }
    $missing = @('virsh', 'libvirtd', 'dnsmasq', 'iptables', 'tini' | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) })
    if ($missing.Count -gt 0) { return [ordered]@{ available = $false; note = "libvirt not installed (missing: $($missing -join ', '))" } }
    Write-Host "[libvirt] $peer RUNS=$LibvirtRuns NETS=$LibvirtNets"
    $env:RUNS = "$LibvirtRuns"; $env:NETS = "$LibvirtNets"; $env:OUT = $RawDir
    try { $text = @(& bash (Resolve-Path $peer).Path) }
    finally { Remove-Item Env:RUNS, Env:NETS, Env:OUT -ErrorAction SilentlyContinue }
    $exit = $LASTEXITCODE
    $summary = $text | Where-Object { $_ -like 'SUMMARY libvirt-lifecycle *' } | Select-Object -Last 1
    if ($exit -ne 0 -or -not $summary) { return [ordered]@{ available = $true; failed = $true; note = "peer script exited $exit"; output = $text } }
    $kv = [ordered]@{}
    foreach ($pair in ($summary -split ' ' | Select-Object -Skip 2)) { $a, $b = $pair -split '=', 2; $kv[$a] = [double]$b }
    $perNet = { param($what) $l = $text | Where-Object { $_ -match "nets $what, per network:\s*median=([\d.]+)" } | Select-Object -First 1; if ($l -and $l -match 'median=([\d.]+)') { [double]$Matches[1] } }
    [ordered]@{
        available = $true; version = ($text | Where-Object { $_ -like '== libvirt network lifecycle*' } | Select-Object -First 1)
        summary = $kv; multi_start_per_net_median = & $perNet 'start'; multi_destroy_per_net_median = & $perNet 'destroy'
        report = $text; raw_dir = $RawDir
    }
}

# ---------------------------------------------------------------- phase All (driver)
if ($Phase -eq 'Ours') { Invoke-Ours; exit 0 }

if ((& id -u) -ne '0') { Write-Warning 'lifecycle bench: needs root (network namespaces, bridges, nftables); skipped.'; exit 0 }
foreach ($tool in 'ip', 'nft') { if (-not (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue)) { throw "lifecycle bench: '$tool' is missing (Debian packages iproute2, nftables)" } }

$loadBefore = (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' '   # other work on the machine skews every figure
$stamp = Get-Date -Format 'yyyyMMdd-HHmmss'
$outDir = Join-Path $RepoRoot 'out/bench'
New-Item -ItemType Directory -Path $outDir -Force | Out-Null
$oursPath = Join-Path $outDir "lifecycle-$stamp.ours.json"
$inner = @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-ModulePath', $ModulePath, '-Phase', 'Ours', '-ResultPath', $oursPath,
    '-Cycles', $Cycles, '-Warmup', $Warmup, '-Networks', $Networks, '-ColdRuns', $ColdRuns, '-ProfileRuns', $ProfileRuns, '-TraceCycles', $TraceCycles)
if ($SkipProfile) { $inner += '-SkipProfile' }
if ($env:VNET_TEST_NETNS) { & $Pwsh @inner }
else { & bash (Join-Path $RepoRoot 'build/netns-run.sh') $Pwsh @inner }
if ($LASTEXITCODE -ne 0 -or -not (Test-Path $oursPath)) { throw "lifecycle bench: our measurement failed (exit $LASTEXITCODE)" }
$ours = Get-Content -Raw $oursPath | ConvertFrom-Json -AsHashtable
Remove-Item $oursPath

$lv = if ($SkipLibvirt) { [ordered]@{ available = $false; note = 'skipped (-SkipLibvirt)' } } else { Invoke-Libvirt (Join-Path $outDir "libvirt-raw-$stamp") }

# ---------------------------------------------------------------- report
$lvOk = $lv.available -and -not $lv.Contains('failed')
$na = if ($lv.available) { 'libvirt run failed' } else { 'libvirt not installed' }
function Row([string] $Name, $Ours, $Virsh, [double] $Target = 0) {
    $ratio = if ($null -ne $Ours -and $null -ne $Virsh -and $Ours -gt 0) { [math]::Round($Virsh / $Ours, 1) } else { $null }
    [pscustomobject][ordered]@{
        measurement = $Name
        'ours median (ms)' = $Ours
        'virsh median (ms)' = if ($null -ne $Virsh) { $Virsh } elseif ($script:lvOk) { '-' } else { $script:na }
        'ratio (virsh/ours)' = if ($null -ne $ratio) { "$ratio x" } else { '-' }
        target = if ($Target -gt 0) { if ($null -eq $ratio) { ">= $Target x" } elseif ($ratio -ge $Target) { "met (>= $Target x)" } else { "MISSED (>= $Target x)" } } else { '' }
    }
}
$s = if ($lvOk) { $lv.summary } else { @{} }
$m = $ours.multi
$rows = @(
    Row 'Start default (warm session / virsh net-start)' $ours.start.median $s['start_med'] 10
    Row 'Stop default (warm session / virsh net-destroy)' $ours.stop.median $s['destroy_med'] 10
    Row 'Start default without DHCP (warm; virsh: with dnsmasq)' $ours.nodhcp.start.median $s['start_med']
    Row 'Stop default without DHCP (warm; virsh: with dnsmasq)' $ours.nodhcp.stop.median $s['destroy_med']
    Row "Start, per network, $($m.networks) in a row (virsh: $LibvirtNets)" $m.start.all.median $(if ($lvOk) { $lv.multi_start_per_net_median })
    Row "Stop, per network, $($m.networks) in a row (virsh: $LibvirtNets)" $m.stop.all.median $(if ($lvOk) { $lv.multi_destroy_per_net_median })
    Row "Start, per network, first 20 (0->20 active; same load as virsh's $LibvirtNets)" $m.start.first.median $(if ($lvOk) { $lv.multi_start_per_net_median })
    Row "Stop, per network, last 20 (20->0 active; same load as virsh's $LibvirtNets)" $m.stop.last.median $(if ($lvOk) { $lv.multi_destroy_per_net_median })
    Row 'Cold process: pwsh -c Import-Module; Start-VNetwork' $ours.cold.start.median $s['start_med']
    Row 'Cold process: pwsh -c Import-Module; Stop-VNetwork' $ours.cold.stop.median $s['destroy_med']
    Row 'Process floor: pwsh -c exit / virsh net-list' $ours.cold.pwsh_bare.median $s['noop_med']
)
Write-Host "`n== Network lifecycle: VirtualNetworking vs libvirt ($(if ($lvOk) { $lv.version } else { $na })) =="
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 250 | Out-Host

$flat = foreach ($op in 'start', 'stop') {
    $x = $m[$op]
    [pscustomobject][ordered]@{
        "$($m.networks) networks" = $op; 'first 20 median' = $x.first.median; 'middle 20 median' = $x.middle.median; 'last 20 median' = $x.last.median
        'slope (ms/net)' = $x.slope_ms_per_net; 'min' = $x.all.min; 'max' = $x.all.max; 'total (ms)' = $x.total_ms
    }
}
Write-Host "Flatness over $($m.networks) networks (ms per network; $($m.nft_lines_naming_bridges) nft lines name their bridges at full load)"
$flat | Format-Table -AutoSize | Out-String -Width 250 | Out-Host
Write-Host ("Warm default: Start median {0} (min {1}, max {2}), Stop median {3} (min {4}, max {5}), n={6}" -f $ours.start.median, $ours.start.min, $ours.start.max, $ours.stop.median, $ours.stop.min, $ours.stop.max, $ours.start.n)
Write-Host ("Warm default without DHCP: Start median {0} (min {1}, max {2}), Stop median {3} (min {4}, max {5})" -f $ours.nodhcp.start.median, $ours.nodhcp.start.min, $ours.nodhcp.start.max, $ours.nodhcp.stop.median, $ours.nodhcp.stop.min, $ours.nodhcp.stop.max)
Write-Host "Load average (1, 5, 15 min) before / after: $loadBefore / $((Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ')"

if ($ours.Contains('components')) {
    $c = $ours.components; $t = $ours.trace
    Write-Host "`nCost breakdown (component medians, ms; VNET_ROOT on $($ours.vnet_root_fs))"
    $c.GetEnumerator() | ForEach-Object { [pscustomobject]@{ component = $_.Key; ms = $_.Value } } | Format-Table -AutoSize | Out-Host
    if ($t.available) {
        Write-Host "Per operation (strace, $($t.cycles) cycles):"
        foreach ($k in 'start', 'stop') {
            if (-not $t.Contains($k)) { continue }
            $p = ($t[$k].processes_per_op.GetEnumerator() | ForEach-Object { "$($_.Key) x$($_.Value)" }) -join ', '
            Write-Host ("  {0,-5}: processes {1}; fsyncs {2} ({3} ms in fsync); rtnetlink sockets {4}; netlink sends {5}" -f $k, $(if ($p) { $p } else { 'none' }), $t[$k].fsyncs_per_op, $t[$k].fsync_ms_per_op, $t[$k].rtnetlink_sockets_per_op, $t[$k].sends_per_op)
        }
    }
    else { Write-Host "strace: $($t.note)" }
    if ($m.at_full_load.Count -gt 0) {
        Write-Host ("At $($m.networks) active networks: " + (($m.at_full_load.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', '))
    }
}

$result = [ordered]@{
    bench = 'lifecycle'; time = (Get-Date).ToString('o'); host = [ordered]@{
        kernel = (& uname -r); cpus = [Environment]::ProcessorCount; pwsh = $PSVersionTable.PSVersion.ToString(); nft = (& nft --version)
        module = $ModulePath
    }
    load_average = [ordered]@{ before = $loadBefore; after = (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' }
    parameters = [ordered]@{ cycles = $Cycles; warmup = $Warmup; networks = $Networks; cold_runs = $ColdRuns; profile_runs = $ProfileRuns; trace_cycles = $TraceCycles; libvirt_runs = $LibvirtRuns; libvirt_nets = $LibvirtNets }
    table = $rows; ours = $ours; libvirt = $lv
}
$json = Join-Path $outDir "lifecycle-$stamp.json"
$result | ConvertTo-Json -Depth 10 | Set-Content -Path $json
Copy-Item $json (Join-Path $outDir 'lifecycle-latest.json') -Force
Write-Host "`nResults: $json"
