<#
.SYNOPSIS
    DNS benchmark: our daemon (vnetd) and dnsmasq answering the same records on the same bridge, measured with
    dnsperf in the same run.
.DESCRIPTION
    bench/dns.sh runs inside a throwaway namespace (build/netns-run.sh): a bridge with 10.53.0.1/24, a guest
    namespace that runs dnsperf, and an upstream namespace with a dnsmasq authoritative for up.example (TTL 300).
    Each server answers the network's <dns><host> name (local) and 100 names under up.example through the
    network's <forwarder> (forwarded; both servers cache forwarded answers, so after the first round they come
    from the cache). dnsmasq gets the lines libvirt writes for the same <dns>/<domain>.
    Per server and workload: queries per second with 100 outstanding, queries lost, p50/p99 latency at a fixed
    2,000 qps, and the server's RSS and thread count after the run.
    Debian packages: dnsperf dnsutils dnsmasq-base socat iproute2.
    Results: a table on the console and JSON under out/bench/ (dns-<time>.json, dns-latest.json).
    Needs root; as non-root it says so and exits 0.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    pwsh bench/dns.ps1 -ModulePath out/VirtualNetworking -Seconds 5
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Seconds = 10
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
$RepoRoot = Split-Path $PSScriptRoot -Parent
$OutDir = Join-Path $RepoRoot 'out/bench'

if ((& id -u) -ne '0') { Write-Warning 'dns bench: needs root (network namespaces, bridges); skipped.'; exit 0 }
$missing = @('dnsperf', 'dig', 'dnsmasq', 'socat') | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction Ignore) }
if ($missing) { throw "dns bench: missing $($missing -join ', ') (apt-get install dnsperf dnsutils dnsmasq-base socat)" }
New-Item -ItemType Directory -Path $OutDir -Force | Out-Null

$lines = & bash (Join-Path $RepoRoot 'build/netns-run.sh') bash (Join-Path $PSScriptRoot 'dns.sh') (Join-Path $ModulePath 'vnetd') $Seconds
if ($LASTEXITCODE -ne 0) { throw "bench/dns.sh failed with exit code $LASTEXITCODE" }
$rows = foreach ($line in $lines | Where-Object { $_ -like 'server=*' }) {
    $fields = [ordered]@{}
    foreach ($pair in $line -split ' ') { $key, $value = $pair -split '=', 2; $fields[$key] = $value }
    [pscustomobject]@{
        Server = $fields.server; Workload = $fields.workload; Qps = [math]::Round([double]$fields.qps)
        Sent = [long]$fields.sent; Lost = [long]$fields.lost; P50us = [int]$fields.p50_us; P99us = [int]$fields.p99_us
        RssKB = [int]$fields.rss_kb; Threads = [int]$fields.threads
    }
}
$rows | Format-Table -AutoSize | Out-Host
$result = [ordered]@{ time = (Get-Date).ToString('o'); host_cpus = [Environment]::ProcessorCount; seconds = $Seconds; rows = $rows }
$json = $result | ConvertTo-Json -Depth 4
$stamp = Get-Date -Format 'yyyyMMdd-HHmmss'
Set-Content -Path (Join-Path $OutDir "dns-$stamp.json") -Value $json
Set-Content -Path (Join-Path $OutDir 'dns-latest.json') -Value $json
