<#
.SYNOPSIS
    DHCPv6 benchmark (issue 14): our daemon (vnetd) against kea-dhcp6 (memfile) in the same run, alternated and
    repeated (medians reported), and vnetd's memory with 100 dual-stack networks against 100 IPv4 ones.
.DESCRIPTION
    Throughput: bench/dhcp6.sh makes two namespaces (bench6-srv-PID with bridge br0, 10.77.0.1/16 and fd00:b::1/64,
    and bench6-cli-PID with veth cli0; DAD off, deleted on exit) and, per rate step, starts a fresh server pinned to
    CPU 0: kea-dhcp6 (memfile CSV, lfc off, single-threaded, a /64 subnet on br0, pool fd00:b::100-fd00:b::ffff; its
    pid, lock, server-id and log files in a temporary folder) or `vnetd --foreground` (VNET_ROOT in a temporary
    folder) with one dual-stack network added over the control socket (same DHCPv6 range, a <uuid>). Then
    `perfdhcp -6 -l cli0 -r RATE -R 10000 -p PERIOD` on CPU 1 (4-way: Solicit/Advertise/Request/Reply). Rates
    double from -RateStart (200/s; steps of -Period 5 s: short steps, repeated, on a shared machine) until a step loses more than 1 % (1 - Replies/Solicits), then two bisections. Per run:
    the highest clean rate, and server CPU (user+system of its processes, /proc/PID/stat) per completed exchange at
    that rate and at the highest rate both servers ran clean in that run (the fair comparison: CPU per exchange
    falls as batches grow). The whole ramp is repeated -Repeat times, the servers' order alternating.
    Targets: ours' clean rate at least Kea's.
    Memory: bench/dhcp6-memory.sh inside build/netns-run.sh (a throwaway namespace): -Networks bridges, each with a
    port (carrier, so RAs and DHCPv6 really start), a /24 and a /64; a fresh vnetd with -Networks IPv4 networks,
    then one with as many dual-stack networks (DHCPv4 and DHCPv6 ranges), alternated -MemRepeat times; RSS, PSS,
    anonymous RSS, threads, descriptors. Target: growth (dual-stack vs IPv4, medians) under 25 %.
    The machine is shared: the load average is recorded with every step and every sample.
    Debian packages: kea-dhcp6-server kea-admin (perfdhcp) kea-common iproute2 procps socat (build.ps1 Bench
    installs them).
    Results: a table on the console and JSON under out/bench/ (dhcp6-<time>.json, dhcp6-latest.json); every
    perfdhcp output and step line under out/bench/dhcp6-raw-<time>/.
    Needs root; as non-root it says so and exits 0.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    pwsh bench/dhcp6.ps1 -ModulePath out/VirtualNetworking -Repeat 5 -Period 5 -SkipMemory
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string[]] $Servers = @('kea', 'ours'),
    [int] $Repeat = 3,
    [int] $Period = 5,
    [int] $RateStart = 200,
    [int] $Clients = 10000,
    [int] $Networks = 100,
    [int] $MemRepeat = 3,
    [switch] $SkipThroughput,
    [switch] $SkipMemory
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
$Servers = @($Servers | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$RepoRoot = Split-Path $PSScriptRoot -Parent
$Vnetd = Join-Path $ModulePath 'vnetd'
$OutDir = Join-Path $RepoRoot 'out/bench'
$Stamp = Get-Date -Format 'yyyyMMdd-HHmmss'
$Raw = Join-Path $OutDir "dhcp6-raw-$Stamp"

if ((& id -u) -ne '0') { Write-Warning 'dhcp6 bench: needs root (network namespaces, bridges); skipped.'; exit 0 }
if (-not (Test-Path $Vnetd)) { throw "no vnetd in $ModulePath (dotnet pwsh ./build.ps1 Build)" }
New-Item -ItemType Directory -Path $Raw -Force | Out-Null

function Test-Command([string] $Name) { [bool](Get-Command $Name -CommandType Application -ErrorAction Ignore) }
function Get-Field([string] $Line, [string] $Key) {
    if ($Line -match "(?:^|\s)$([regex]::Escape($Key))=(`"[^`"]*`"|\S+)") { $Matches[1].Trim('"') } else { $null }
}
function ConvertTo-Number($v) {
    $d = 0.0
    if ($null -ne $v -and [double]::TryParse([string]$v, [Globalization.NumberStyles]::Float, [Globalization.CultureInfo]::InvariantCulture, [ref]$d)) { $d } else { $null }
}
function Get-LoadAverage { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' }
function Get-Median([object[]] $Values) {
    $v = @($Values | Where-Object { $null -ne $_ } | Sort-Object)
    if ($v.Count -eq 0) { return $null }
    if ($v.Count % 2) { $v[($v.Count - 1) / 2] } else { ($v[$v.Count / 2 - 1] + $v[$v.Count / 2]) / 2 }
}

$result = [ordered]@{
    time = (Get-Date).ToString('o'); host_cpus = [Environment]::ProcessorCount; load_average_before = Get-LoadAverage
    vnetd = $Vnetd; raw = $Raw
    method = "perfdhcp -6 -l cli0 -r RATE -R $Clients -p $Period -W 500000 (4-way SARR), fresh server per step, server on CPU 0, perfdhcp on CPU 1; clean = <= 1 % of Solicits without a Reply; rates x2 from $RateStart, then 2 bisections"
    durability = 'vnetd as shipped (lease changes appended and fsynced per batch before the replies leave); kea memfile persist=true (CSV appended, not fsynced per lease)'
    skipped = @(); runs = @(); servers = [ordered]@{}; memory = $null
}

# ---------------------------------------------------------------- throughput
$run = @()
if ($SkipThroughput) { $result.skipped += 'throughput: -SkipThroughput' }
else {
    $missing = @('ip', 'perfdhcp', 'awk', 'setsid', 'taskset', 'socat') | Where-Object { -not (Test-Command $_) }
    if ($missing) { $result.skipped += "throughput: missing $($missing -join ', ')"; Write-Host "SKIP throughput: missing $($missing -join ', ') (apt-get install kea-admin socat ...)" }
    else {
        foreach ($s in $Servers) {
            if ($s -eq 'kea' -and -not (Test-Command 'kea-dhcp6')) { Write-Host 'SKIP kea: kea-dhcp6 is not installed (kea-dhcp6-server)'; $result.skipped += 'kea: kea-dhcp6 not installed' }
            else { $run += $s }
        }
    }
}
if ($run) {
    $env:REPEAT = "$Repeat"; $env:PERIOD = "$Period"; $env:RATE_START = "$RateStart"; $env:CLIENTS = "$Clients"
    Write-Host "throughput: bash bench/dhcp6.sh $Vnetd $Raw $($run -join ' ')  ($Repeat runs; load average $(Get-LoadAverage))"
    $log = Join-Path $Raw 'dhcp6.log'
    & bash (Join-Path $PSScriptRoot 'dhcp6.sh') $Vnetd $Raw @run 2>&1 | Tee-Object -FilePath $log | Out-Host
    if ($LASTEXITCODE -ne 0) { Write-Warning "dhcp6.sh exited $LASTEXITCODE (see $log)" }
    foreach ($k in 'REPEAT', 'PERIOD', 'RATE_START', 'CLIENTS') { Remove-Item "env:$k" -ErrorAction Ignore }
    if (Test-Path "$Raw/versions.txt") { $result['versions'] = @(Get-Content "$Raw/versions.txt") }

    $summary = if (Test-Path "$Raw/summary.txt") { @(Get-Content "$Raw/summary.txt") } else { @() }
    for ($i = 1; $i -le $Repeat; $i++) {
        $perServer = [ordered]@{}
        foreach ($s in $run) {
            $sum = $summary | Where-Object { $_ -like "SUMMARY dhcp6 run=$i server=$s *" } | Select-Object -Last 1
            $file = Join-Path $Raw "steps-$s-run$i.txt"
            $steps = @(if (Test-Path $file) {
                    foreach ($l in (Get-Content $file | Where-Object { $_ })) {
                        $o = [ordered]@{}
                        foreach ($k in 'rate', 'done_per_s', 'loss', 'sa_avg_ms', 'rr_avg_ms', 'srv_cpu_pct', 'srv_cpu_us_per_exchange', 'cli_cpu_pct', 'srv_rss_kib', 'perfdhcp_rate', 'ready', 'ok') { $o[$k] = ConvertTo-Number (Get-Field $l $k) }
                        $o['load_average'] = Get-Field $l 'load'
                        $o
                    }
                })
            $max = ConvertTo-Number (Get-Field $sum 'max_clean_rate')
            $atMax = if ($max) { $steps | Where-Object { $_.rate -eq $max -and $_.ok -eq 1 } | Select-Object -Last 1 }
            $best = $steps | Sort-Object { $_.done_per_s } -Descending | Select-Object -First 1
            $perServer[$s] = [ordered]@{
                max_clean_rate = $max; first_failing_rate = ConvertTo-Number (Get-Field $sum 'first_failing_rate')
                best_done_per_s = ConvertTo-Number (Get-Field $sum 'best_done_per_s')
                at_max_clean = $atMax; at_best = $best; perfdhcp_bound = [bool]($best -and $best.cli_cpu_pct -ge 90)
                answered = [bool]@($steps | Where-Object { $_.ready -eq 1 }).Count
                load_average = Get-Field $sum 'load'; steps = $steps
            }
            if (-not $sum) { $perServer[$s]['error'] = "no SUMMARY line (see $log)" }
        }
        # the highest rate every server of this run passed clean
        $cleanRates = @($perServer.Values | ForEach-Object { , @($_.steps | Where-Object { $_.ok -eq 1 } | ForEach-Object { $_.rate }) })
        $common = $null
        if ($cleanRates.Count -gt 0) {
            $common = @($cleanRates[0] | Where-Object { $rate = $_; @($cleanRates | Where-Object { $_ -notcontains $rate }).Count -eq 0 }) | Sort-Object | Select-Object -Last 1
        }
        foreach ($r in $perServer.Values) {
            $r['common_rate'] = $common
            $r['cpu_us_per_exchange_at_common_rate'] = if ($common) { ($r.steps | Where-Object { $_.rate -eq $common -and $_.ok -eq 1 } | Select-Object -Last 1).srv_cpu_us_per_exchange }
        }
        $result.runs += [ordered]@{ run = $i; servers = $perServer }
    }
    foreach ($s in $run) {
        $per = @($result.runs | ForEach-Object { $_.servers[$s] } | Where-Object { $_ })
        $result.servers[$s] = [ordered]@{
            runs = $per.Count
            max_clean_rate = Get-Median @($per | ForEach-Object { $_.max_clean_rate })
            max_clean_rates = @($per | ForEach-Object { $_.max_clean_rate })
            cpu_us_per_exchange_at_max_clean = Get-Median @($per | ForEach-Object { if ($_.at_max_clean) { $_.at_max_clean.srv_cpu_us_per_exchange } })
            cpu_us_per_exchange_at_common_rate = Get-Median @($per | ForEach-Object { $_.cpu_us_per_exchange_at_common_rate })
            best_done_per_s = Get-Median @($per | ForEach-Object { $_.best_done_per_s })
            sa_avg_ms_at_max_clean = Get-Median @($per | ForEach-Object { if ($_.at_max_clean) { $_.at_max_clean.sa_avg_ms } })
            rr_avg_ms_at_max_clean = Get-Median @($per | ForEach-Object { if ($_.at_max_clean) { $_.at_max_clean.rr_avg_ms } })
        }
    }
    if ($result.servers.Contains('ours') -and $result.servers.Contains('kea')) {
        $o = $result.servers['ours'].max_clean_rate; $k = $result.servers['kea'].max_clean_rate
        $result['target_clean_rate'] = [ordered]@{ ours = $o; kea = $k; met = [bool]($null -ne $o -and $null -ne $k -and $o -ge $k -and $o -gt 0) }
    }
}

# ---------------------------------------------------------------- memory: N IPv4 vs N dual-stack networks
if ($SkipMemory) { $result.skipped += 'memory: -SkipMemory' }
elseif (-not (Test-Command socat)) { $result.skipped += 'memory: socat not installed'; Write-Host 'SKIP memory: socat not installed' }
else {
    $memJson = Join-Path $Raw 'memory.json'
    Write-Host "`nmemory: one vnetd with $Networks IPv4 networks vs $Networks dual-stack networks, $MemRepeat times each (throwaway namespace; load average $(Get-LoadAverage))"
    & bash (Join-Path $RepoRoot 'build/netns-run.sh') bash (Join-Path $PSScriptRoot 'dhcp6-memory.sh') $Vnetd $Networks $memJson $MemRepeat (Join-Path $Raw 'memory') 2>&1 | Out-Host
    if (Test-Path $memJson) {
        $m = Get-Content -Raw $memJson | ConvertFrom-Json
        $kinds = [ordered]@{}
        foreach ($kind in 'ipv4', 'dualstack') {
            $s = @($m.samples | Where-Object { $_.kind -eq $kind -and $_.networks -eq $m.networks })
            $kinds[$kind] = [ordered]@{
                samples = $s.Count
                added = Get-Median @($s | ForEach-Object { $_.added }); served = Get-Median @($s | ForEach-Object { $_.served })
                rss_kib = Get-Median @($s | ForEach-Object { $_.rss_kib }); pss_kib = Get-Median @($s | ForEach-Object { $_.pss_kib })
                rss_anon_kib = Get-Median @($s | ForEach-Object { $_.rss_anon_kib }); rss_file_kib = Get-Median @($s | ForEach-Object { $_.rss_file_kib }); threads = Get-Median @($s | ForEach-Object { $_.threads })
                fds = Get-Median @($s | ForEach-Object { $_.fds }); udp547_sockets = Get-Median @($s | ForEach-Object { $_.udp547_sockets })
            }
        }
        $growth = { param($a, $b) if ($a -gt 0) { [math]::Round(100 * ($b - $a) / $a, 1) } }
        $one = [ordered]@{}
        foreach ($kind in 'ipv4', 'dualstack') { $one[$kind] = @($m.samples | Where-Object { $_.kind -eq $kind -and $_.networks -eq 1 }) | Select-Object -First 1 }
        $result.memory = [ordered]@{
            networks = $m.networks; bridges_with_link_local = $m.bridges_with_link_local
            ipv4 = $kinds.ipv4; dualstack = $kinds.dualstack
            rss_growth_pct = & $growth $kinds.ipv4.rss_kib $kinds.dualstack.rss_kib
            pss_growth_pct = & $growth $kinds.ipv4.pss_kib $kinds.dualstack.pss_kib
            rss_anon_growth_pct = & $growth $kinds.ipv4.rss_anon_kib $kinds.dualstack.rss_anon_kib
            # growth with a single network: the fixed part (code and runtime first used for IPv6)
            one_network = [ordered]@{
                ipv4_rss_kib = if ($one.ipv4) { $one.ipv4.rss_kib }; dualstack_rss_kib = if ($one.dualstack) { $one.dualstack.rss_kib }
                ipv4_pss_kib = if ($one.ipv4) { $one.ipv4.pss_kib }; dualstack_pss_kib = if ($one.dualstack) { $one.dualstack.pss_kib }
            }
            samples = $m.samples
        }
        $result.memory['target_met'] = [bool]($null -ne $result.memory.rss_growth_pct -and $result.memory.rss_growth_pct -lt 25 -and $result.memory.pss_growth_pct -lt 25)
    }
    else { $result.skipped += 'memory: dhcp6-memory.sh produced no result' }
}
$result.load_average_after = Get-LoadAverage

# ---------------------------------------------------------------- report
$json = Join-Path $OutDir "dhcp6-$Stamp.json"
$result | ConvertTo-Json -Depth 10 | Set-Content -Path $json
Copy-Item $json (Join-Path $OutDir 'dhcp6-latest.json') -Force

Write-Host "`n=== DHCPv6: ours (vnetd) vs kea-dhcp6, same run (server on CPU 0, perfdhcp on CPU 1; load average before $($result.load_average_before), after $($result.load_average_after), $($result.host_cpus) CPUs)"
$rows = foreach ($pass in $result.runs) {
    foreach ($s in $pass.servers.Keys) {
        $r = $pass.servers[$s]
        [pscustomobject][ordered]@{
            run = $pass.run; server = $s; 'clean/s' = $r.max_clean_rate; 'first failing' = $r.first_failing_rate
            'µs CPU/exchange at clean' = if ($r.at_max_clean) { $r.at_max_clean.srv_cpu_us_per_exchange } else { '-' }
            'common rate' = $r.common_rate; 'µs CPU/exchange at common' = $r.cpu_us_per_exchange_at_common_rate
            'best/s' = $r.best_done_per_s; 'perfdhcp% at best' = if ($r.at_best) { $r.at_best.cli_cpu_pct } else { '-' }
            'load at clean' = if ($r.at_max_clean) { $r.at_max_clean.load_average } else { '-' }; answered = $r.answered
        }
    }
}
if ($rows) {
    Write-Host 'every run:'
    $rows | Format-Table -AutoSize | Out-String -Width 400 | Out-Host
    Write-Host "medians of $Repeat runs:"
    $result.servers.Keys | ForEach-Object {
        $m = $result.servers[$_]
        [pscustomobject][ordered]@{
            server = $_; runs = $m.runs; 'clean/s' = $m.max_clean_rate; 'each run' = ($m.max_clean_rates -join ', ')
            'µs CPU/exchange at clean' = $m.cpu_us_per_exchange_at_max_clean; 'µs CPU/exchange at common' = $m.cpu_us_per_exchange_at_common_rate
            'best/s' = $m.best_done_per_s; 'SA/RR ms at clean' = "$($m.sa_avg_ms_at_max_clean)/$($m.rr_avg_ms_at_max_clean)"
        }
    } | Format-Table -AutoSize | Out-String -Width 400 | Out-Host
    foreach ($pass in $result.runs) {
        foreach ($s in $pass.servers.Keys) {
            $r = $pass.servers[$s]
            if (-not $r.answered) { Write-Host "note: run $($pass.run), $s never completed an exchange (server log: $Raw/last-$s-*)" }
            elseif ($r.perfdhcp_bound) { Write-Host "note: run $($pass.run), $s - perfdhcp used $($r.at_best.cli_cpu_pct) % of its CPU at its best step: the client, not the server, is the limit there." }
        }
    }
    if ($result.Contains('target_clean_rate')) { Write-Host "target (ours' clean rate >= Kea's): $($result.target_clean_rate.ours) vs $($result.target_clean_rate.kea) -> $(if ($result.target_clean_rate.met) { 'met' } else { 'NOT met' })" }
}
foreach ($k in $result.skipped) { Write-Host "skipped: $k" }
if ($result.memory) {
    $m = $result.memory
    Write-Host ("memory, {0} networks (medians of {1}): IPv4 RSS {2:0.0} MB PSS {3:0.0} MB ({4} fds, {5} threads) -> dual-stack RSS {6:0.0} MB PSS {7:0.0} MB ({8} fds, {9} threads, {10} UDP sockets on 547): RSS {11:+0.0;-0.0} %, PSS {12:+0.0;-0.0} % (target < 25 %: {13})" -f `
            $m.networks, $m.ipv4.samples, ($m.ipv4.rss_kib / 1024), ($m.ipv4.pss_kib / 1024), $m.ipv4.fds, $m.ipv4.threads,
        ($m.dualstack.rss_kib / 1024), ($m.dualstack.pss_kib / 1024), $m.dualstack.fds, $m.dualstack.threads, $m.dualstack.udp547_sockets,
        $m.rss_growth_pct, $m.pss_growth_pct, $(if ($m.target_met) { 'met' } else { 'NOT met' }))
    Write-Host ("  of RSS: anonymous {0:0.0} -> {1:0.0} MB ({2:+0.0;-0.0} %), file-backed (the binary's pages) {3:0.0} -> {4:0.0} MB" -f `
        ($m.ipv4.rss_anon_kib / 1024), ($m.dualstack.rss_anon_kib / 1024), $m.rss_anon_growth_pct, ($m.ipv4.rss_file_kib / 1024), ($m.dualstack.rss_file_kib / 1024))
    $o = $m.one_network
    if ($o.ipv4_rss_kib -and $o.dualstack_rss_kib) {
        Write-Host ("  with 1 network: IPv4 RSS {0:0.0} MB PSS {1:0.0} MB -> dual-stack RSS {2:0.0} MB PSS {3:0.0} MB (the fixed part of the growth: +{4:0.0} MB RSS, +{5:0.0} MB PSS)" -f `
            ($o.ipv4_rss_kib / 1024), ($o.ipv4_pss_kib / 1024), ($o.dualstack_rss_kib / 1024), ($o.dualstack_pss_kib / 1024),
            (($o.dualstack_rss_kib - $o.ipv4_rss_kib) / 1024), (($o.dualstack_pss_kib - $o.ipv4_pss_kib) / 1024))
    }
    $m.samples | ForEach-Object { Write-Host ("  {0,-9} run {1}, {2,3} networks: RSS {3} KiB, PSS {4} KiB, {5} fds, {6} served, load {7}" -f $_.kind, $_.run, $_.networks, $_.rss_kib, $_.pss_kib, $_.fds, $_.served, $_.load_average) }
}
Write-Host "durability: $($result.durability)"
Write-Host "results: $json"
