<#
.SYNOPSIS
    DHCPv4 benchmark: our daemon (vnetd) next to Kea and dnsmasq in the same run of the peers' script, repeated
    (medians reported), plus the memory of one vnetd serving 100 networks vs 100 dnsmasq processes, and vnetd's
    threads and memory with 1, 100 and 1,000 networks.
.DESCRIPTION
    Throughput, burst and single-lease latency come from ../shared/bench/peers/dhcp-throughput.sh (relative to the
    repository; never copied), which makes and deletes its own namespaces. Our server is its "custom" server:
    DHCP_SERVER_CMD runs bench/dhcp-server.sh, which execs `vnetd --foreground` with VNET_ROOT = the step's work
    folder and adds the bench network (br0, the /16 pool, lease BENCH_LEASE_SECONDS) over the control socket.
    The daemon runs as shipped: every batch of lease changes is appended and fsync'ed (group commit) before its
    replies leave. Peers whose programs are missing are skipped with a line saying so.
    The machine is shared, so the whole peers' run is repeated -Repeat times and each figure's median is
    reported next to every run's: the 200-client burst (seconds, requests perfdhcp had to resend), the highest
    clean rate (<= 1 % loss), and server CPU per exchange (user+system of the server's processes per completed
    DORA) both at each server's highest clean rate and at the highest rate every server ran clean in that run
    (the fair comparison: CPU per exchange falls as batches grow with the rate).
    Scale: bench/dhcp-scale.sh inside build/netns-run.sh: threads, RSS and PSS of one vnetd serving each count
    of networks in -ScaleCounts (bridges in one throwaway namespace).
    Memory: bench/dhcp-memory.sh inside build/netns-run.sh (a throwaway namespace): 100 bridges with a /24 each,
    vnetd's RSS/PSS with 100 networks added over its control socket, then the summed RSS/PSS of 100 dnsmasq.
    Debian packages: kea-dhcp4-server kea-admin (perfdhcp) kea-common dnsmasq-base busybox isc-dhcp-client tini
    iproute2 nftables procps socat.
    Results: a table on the console and JSON under out/bench/ (dhcp-<time>.json, dhcp-latest.json); the peers'
    raw data (every perfdhcp output) under out/bench/dhcp-raw-<time>/.
    Needs root; as non-root it says so and exits 0.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    pwsh bench/dhcp.ps1 -ModulePath out/VirtualNetworking -Servers ours,kea -LatRuns 5 -Repeat 3
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # ours = our vnetd; the others are the peers' script's server names.
    [string[]] $Servers = @('ours', 'kea', 'dnsmasq-noping', 'dnsmasq'),
    [int] $LatRuns = 10,
    [int] $Period = 10,
    [int] $RateStart = 50,
    [int] $Networks = 100,
    [int] $Repeat = 3,
    [string[]] $ScaleCounts = @('1', '100', '1000'),
    [switch] $SkipPeers,
    [switch] $SkipMemory,
    [switch] $SkipScale
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
$Servers = @($Servers | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$ScaleCounts = @($ScaleCounts | ForEach-Object { $_ -split ',' } | Where-Object { $_ } | ForEach-Object { [int]$_ })
$RepoRoot = Split-Path $PSScriptRoot -Parent
$Vnetd = Join-Path $ModulePath 'vnetd'
$Peer = Join-Path $RepoRoot '../shared/bench/peers/dhcp-throughput.sh'
$OutDir = Join-Path $RepoRoot 'out/bench'
$Stamp = Get-Date -Format 'yyyyMMdd-HHmmss'

if ((& id -u) -ne '0') { Write-Warning 'dhcp bench: needs root (network namespaces, bridges); skipped.'; exit 0 }
if (-not (Test-Path $Vnetd)) { throw "no vnetd in $ModulePath (dotnet pwsh ./build.ps1 Build)" }
New-Item -ItemType Directory -Path $OutDir -Force | Out-Null

function Test-Command([string] $Name) { [bool](Get-Command $Name -CommandType Application -ErrorAction Ignore) }
function Get-Field([string] $Line, [string] $Key) {
    if ($Line -match "(?:^|\s)$([regex]::Escape($Key))=(`"[^`"]*`"|\S+)") { $Matches[1].Trim('"') } else { $null }
}
function ConvertTo-Number($v) {
    $d = 0.0
    if ($null -ne $v -and [double]::TryParse([string]$v, [Globalization.NumberStyles]::Float, [Globalization.CultureInfo]::InvariantCulture, [ref]$d)) { $d } else { $null }
}
function Get-LoadAverage { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' }

$result = [ordered]@{
    time = (Get-Date).ToString('o'); host_cpus = [Environment]::ProcessorCount; load_average_before = Get-LoadAverage
    vnetd = $Vnetd; durability = 'vnetd as shipped: lease changes appended and fsynced once per batch (group commit) before the batch''s replies are sent'
    skipped = @(); runs = @(); servers = [ordered]@{}; memory = $null; scale = $null
}
function Get-Median([object[]] $Values) {
    $v = @($Values | Where-Object { $null -ne $_ } | Sort-Object)
    if ($v.Count -eq 0) { return $null }
    if ($v.Count % 2) { $v[($v.Count - 1) / 2] } else { ($v[$v.Count / 2 - 1] + $v[$v.Count / 2]) / 2 }
}

# ---------------------------------------------------------------- throughput, burst, latency (peers' script)
$run = @()
if ($SkipPeers) { $result.skipped += 'peers run: -SkipPeers' }
elseif (-not (Test-Path $Peer)) { $result.skipped += "peers run: $Peer not found"; Write-Host "SKIP throughput/latency: peer script $Peer not found" }
else {
    $common = @('ip', 'perfdhcp', 'busybox', 'dhclient', 'awk', 'setsid', 'taskset', 'socat') | Where-Object { -not (Test-Command $_) }
    if ($common) {
        $result.skipped += "peers run: missing $($common -join ', ')"
        Write-Host "SKIP throughput/latency for every server: missing $($common -join ', ') (apt-get install kea-admin busybox isc-dhcp-client socat ...)"
    }
    else {
        foreach ($s in $Servers) {
            $need = switch -Wildcard ($s) { 'kea*' { 'kea-dhcp4' } 'dnsmasq*' { 'dnsmasq' } default { $null } }
            if ($need -and -not (Test-Command $need)) {
                Write-Host "SKIP $s`: $need is not installed"
                $result.skipped += "$s`: $need not installed"
            }
            else { $run += $s }
        }
    }
}
# One run of the peers' script read back: per server, its figures and steps. The common rate is the highest rate
# every server of the run passed clean; CPU per exchange there compares like with like.
function Read-PeerRun([string] $raw, [string] $log) {
    $servers = [ordered]@{}
    $summary = if (Test-Path "$raw/summary.txt") { Get-Content "$raw/summary.txt" } else { @() }
    foreach ($s in $run) {
        $file = if ($s -eq 'ours') { 'custom' } else { $s }
        $sum = $summary | Where-Object { $_ -like "SUMMARY * server=$s *" } | Select-Object -Last 1
        $good = $summary | Where-Object { $_ -like "$s at max clean rate: *" } | Select-Object -Last 1
        $steps = @(if (Test-Path "$raw/steps-$file.txt") { Get-Content "$raw/steps-$file.txt" | Where-Object { $_ } })
        $stepObjs = foreach ($l in $steps) {
            $o = [ordered]@{}
            foreach ($k in 'rate', 'done_per_s', 'loss', 'do_avg_ms', 'ra_avg_ms', 'srv_cpu_pct', 'srv_core_busy_pct', 'cli_cpu_pct', 'perfdhcp_rate', 'ok') { $o[$k] = ConvertTo-Number (Get-Field $l $k) }
            # server CPU per completed exchange (DORA), µs
            $o['srv_cpu_us_per_dora'] = if ($o.done_per_s -gt 0) { [math]::Round($o.srv_cpu_pct / 100 / $o.done_per_s * 1e6, 1) } else { $null }
            $o
        }
        $best = $stepObjs | Sort-Object { $_.done_per_s } -Descending | Select-Object -First 1
        $clean = if ($good -and $good -notmatch ': (none|-)$') { $stepObjs | Where-Object { $_.rate -eq (ConvertTo-Number (Get-Field $good 'rate')) } | Select-Object -Last 1 }
        $low = $stepObjs | Where-Object { $_.ok -eq 1 } | Sort-Object { $_.rate } | Select-Object -First 1
        $r = [ordered]@{
            max_clean_rate = ConvertTo-Number (Get-Field $sum 'max_clean_rate'); first_failing_rate = ConvertTo-Number (Get-Field $sum 'first_failing_rate')
            best_done_per_s = ConvertTo-Number (Get-Field $sum 'best_done_per_s')
            at_max_clean = $clean; at_best = $best; at_lowest_clean = $low
            perfdhcp_bound = [bool]($best -and $best.cli_cpu_pct -ge 90)
            avalanche_s = ConvertTo-Number (Get-Field $sum 'av_secs'); avalanche_resent = ConvertTo-Number (Get-Field $sum 'av_resent')
            udhcpc_ms = [ordered]@{ median = ConvertTo-Number (Get-Field $sum 'udhcpc_med'); min = ConvertTo-Number (Get-Field $sum 'udhcpc_min'); max = ConvertTo-Number (Get-Field $sum 'udhcpc_max') }
            dhclient_ms = [ordered]@{ median = ConvertTo-Number (Get-Field $sum 'dhclient_med'); min = ConvertTo-Number (Get-Field $sum 'dhclient_min'); max = ConvertTo-Number (Get-Field $sum 'dhclient_max') }
            mem_after_ramp_kib = Get-Field $sum 'mem_after_ramp_kib'; mem_after_latency_kib = Get-Field $sum 'mem_after_latency_kib'
            steps = @($stepObjs)
        }
        if ($sum -and $sum -match 'av_resent') { } else { $r.avalanche_resent = $null }
        if (-not $sum) { $r['error'] = "no SUMMARY line (see $log)" }
        $servers[$s] = $r
    }
    $cleanRates = @($servers.Values | ForEach-Object { ,@($_.steps | Where-Object { $_.ok -eq 1 } | ForEach-Object { $_.rate }) })
    $common = $null
    if ($cleanRates.Count -gt 0) {
        $common = @($cleanRates[0] | Where-Object { $rate = $_; @($cleanRates | Where-Object { $_ -notcontains $rate }).Count -eq 0 }) |
            Sort-Object | Select-Object -Last 1
    }
    foreach ($r in $servers.Values) {
        $r['common_rate'] = $common
        $r['cpu_us_per_dora_at_common_rate'] = if ($common) { ($r.steps | Where-Object { $_.rate -eq $common -and $_.ok -eq 1 } | Select-Object -Last 1).srv_cpu_us_per_dora }
    }
    $servers
}

if ($run) {
    $env:DHCP_SERVER_NAME = 'ours'
    $env:DHCP_SERVER_CMD = "exec bash '$(Join-Path $PSScriptRoot 'dhcp-server.sh')' '$Vnetd'"
    $env:LAT_RUNS = "$LatRuns"; $env:PERIOD = "$Period"; $env:RATE_START = "$RateStart"
    for ($i = 1; $i -le $Repeat; $i++) {
        $raw = Join-Path $OutDir "dhcp-raw-$Stamp-run$i"
        $env:OUT = $raw
        $arguments = @($Peer) + @($run | ForEach-Object { '--server'; if ($_ -eq 'ours') { 'custom' } else { $_ } })
        Write-Host "run $i of $Repeat - peers' script: bash $($arguments -join ' ')  (raw data: $raw; load average $(Get-LoadAverage))"
        $log = "$raw.log"
        & bash @arguments 2>&1 | Tee-Object -FilePath $log | Out-Host
        if ($LASTEXITCODE -ne 0) { Write-Warning "peers' script exited $LASTEXITCODE (see $log)" }
        $result.runs += [ordered]@{ run = $i; load_average = Get-LoadAverage; servers = Read-PeerRun $raw $log }
    }
    foreach ($k in 'DHCP_SERVER_NAME', 'DHCP_SERVER_CMD', 'OUT', 'LAT_RUNS', 'PERIOD', 'RATE_START') { Remove-Item "env:$k" -ErrorAction Ignore }
    foreach ($s in $run) {
        $per = @($result.runs | ForEach-Object { $_.servers[$s] } | Where-Object { $_ })
        $result.servers[$s] = [ordered]@{
            runs = $per.Count
            avalanche_s = Get-Median @($per | ForEach-Object { $_.avalanche_s })
            avalanche_resent = Get-Median @($per | ForEach-Object { $_.avalanche_resent })
            max_clean_rate = Get-Median @($per | ForEach-Object { $_.max_clean_rate })
            cpu_us_per_dora_at_max_clean = Get-Median @($per | ForEach-Object { if ($_.at_max_clean) { $_.at_max_clean.srv_cpu_us_per_dora } })
            cpu_us_per_dora_at_common_rate = Get-Median @($per | ForEach-Object { $_.cpu_us_per_dora_at_common_rate })
            best_done_per_s = Get-Median @($per | ForEach-Object { $_.best_done_per_s })
            udhcpc_ms = Get-Median @($per | ForEach-Object { $_.udhcpc_ms.median })
            dhclient_ms = Get-Median @($per | ForEach-Object { $_.dhclient_ms.median })
        }
    }
}

# ---------------------------------------------------------------- memory: 1 vnetd x N networks vs N dnsmasq
if ($SkipMemory) { $result.skipped += 'memory: -SkipMemory' }
elseif (-not (Test-Command socat) -or -not (Test-Command dnsmasq)) {
    $result.skipped += 'memory: socat or dnsmasq not installed'; Write-Host 'SKIP memory: socat or dnsmasq not installed'
}
else {
    $memJson = Join-Path $OutDir "dhcp-memory-$Stamp.json"
    Write-Host "`nmemory: one vnetd with $Networks networks vs $Networks dnsmasq (throwaway namespace)"
    & bash (Join-Path $RepoRoot 'build/netns-run.sh') bash (Join-Path $PSScriptRoot 'dhcp-memory.sh') $Vnetd $Networks $memJson | Out-Host
    if (Test-Path $memJson) { $result.memory = Get-Content -Raw $memJson | ConvertFrom-Json; Remove-Item $memJson }
    else { $result.skipped += 'memory: dhcp-memory.sh produced no result' }
}

# ---------------------------------------------------------------- scale: threads and memory with 1 .. 1,000 networks
if ($SkipScale) { $result.skipped += 'scale: -SkipScale' }
elseif (-not (Test-Command socat)) { $result.skipped += 'scale: socat not installed'; Write-Host 'SKIP scale: socat not installed' }
else {
    $scaleJson = Join-Path $OutDir "dhcp-scale-$Stamp.json"
    Write-Host "`nscale: one vnetd with $($ScaleCounts -join ', ') networks (throwaway namespace)"
    & bash (Join-Path $RepoRoot 'build/netns-run.sh') bash (Join-Path $PSScriptRoot 'dhcp-scale.sh') $Vnetd $scaleJson @($ScaleCounts | ForEach-Object { "$_" }) | Out-Host
    if (Test-Path $scaleJson) { $result.scale = @(Get-Content -Raw $scaleJson | ConvertFrom-Json); Remove-Item $scaleJson }
    else { $result.skipped += 'scale: dhcp-scale.sh produced no result' }
}
$result.load_average_after = Get-LoadAverage

# ---------------------------------------------------------------- report
function Format-Ms($v) { if ($null -eq $v) { '-' } else { '{0:0.##}' -f $v } }
$rows = foreach ($pass in $result.runs) {
    foreach ($s in $pass.servers.Keys) {
        $r = $pass.servers[$s]
        [pscustomobject][ordered]@{
            run = $pass.run
            server = $s
            'burst200 s' = $r.avalanche_s
            'burst resent' = $r.avalanche_resent
            'clean/s' = $r.max_clean_rate
            'µs CPU/DORA at clean' = if ($r.at_max_clean) { $r.at_max_clean.srv_cpu_us_per_dora } else { '-' }
            'common rate' = $r.common_rate
            'µs CPU/DORA at common' = $r.cpu_us_per_dora_at_common_rate
            'best/s' = $r.best_done_per_s
            'perfdhcp% at best' = if ($r.at_best) { $r.at_best.cli_cpu_pct } else { '-' }
            'udhcpc ms' = Format-Ms $r.udhcpc_ms.median
            'load' = $pass.load_average
        }
    }
}
$medians = foreach ($s in $result.servers.Keys) {
    $m = $result.servers[$s]
    [pscustomobject][ordered]@{
        server = $s
        runs = $m.runs
        'burst200 s' = $m.avalanche_s
        'burst resent' = $m.avalanche_resent
        'clean/s' = $m.max_clean_rate
        'µs CPU/DORA at clean' = $m.cpu_us_per_dora_at_max_clean
        'µs CPU/DORA at common' = $m.cpu_us_per_dora_at_common_rate
        'best/s' = $m.best_done_per_s
        'udhcpc ms' = Format-Ms $m.udhcpc_ms
        'dhclient ms' = Format-Ms $m.dhclient_ms
    }
}
$json = Join-Path $OutDir "dhcp-$Stamp.json"
$result | ConvertTo-Json -Depth 10 | Set-Content -Path $json
Copy-Item $json (Join-Path $OutDir 'dhcp-latest.json') -Force

Write-Host "`n=== DHCPv4: ours (vnetd) vs peers, same run (server pinned to CPU 0, perfdhcp to CPU 1; load average before $($result.load_average_before), after $($result.load_average_after), $($result.host_cpus) CPUs)"
if ($rows) {
    Write-Host 'every run:'
    $rows | Format-Table -AutoSize | Out-String -Width 400 | Out-Host
    Write-Host "medians of $Repeat runs:"
    $medians | Format-Table -AutoSize | Out-String -Width 400 | Out-Host
}
foreach ($pass in $result.runs) {
    foreach ($s in $pass.servers.Keys) {
        $b = $pass.servers[$s].at_best
        if ($b -and $b.cli_cpu_pct -ge 90) { Write-Host "note: run $($pass.run), $s — perfdhcp used $($b.cli_cpu_pct) % of its CPU at its best step ($($b.done_per_s) done/s): the client, not the server, is the limit there." }
    }
}
foreach ($k in $result.skipped) { Write-Host "skipped: $k" }
if ($result.memory) {
    $m = $result.memory
    Write-Host ("memory, {0} networks: vnetd RSS {1:0.0} MB (PSS {2:0.0} MB, {3} threads, {4}/{0} added, {5} served) vs {6} dnsmasq summed PSS {7:0.0} MB (summed RSS {8:0.0} MB); target < ~36 MB" -f `
            $m.networks, ($m.vnetd.rss_kib / 1024), ($m.vnetd.pss_kib / 1024), $m.vnetd.threads, $m.vnetd.networks_added, $m.vnetd.networks_served,
        $m.dnsmasq.running, ($m.dnsmasq.pss_sum_kib / 1024), ($m.dnsmasq.rss_sum_kib / 1024))
}
if ($result.scale) {
    Write-Host "`nvnetd with N networks (threads must not grow with N):"
    $result.scale | ForEach-Object {
        [pscustomobject][ordered]@{
            networks = $_.networks; served = $_.served; threads = $_.threads; 'threads at start' = $_.threads_at_start
            'RSS MB' = [math]::Round($_.rss_kib / 1024, 1); 'PSS MB' = [math]::Round($_.pss_kib / 1024, 1)
            'anon MB' = [math]::Round($_.rss_anon_kib / 1024, 1); fds = $_.fds; 'add all s' = [math]::Round($_.add_total_ms / 1000, 1)
        }
    } | Format-Table -AutoSize | Out-String -Width 400 | Out-Host
}
Write-Host "durability: $($result.durability)"
Write-Host "results: $json"
