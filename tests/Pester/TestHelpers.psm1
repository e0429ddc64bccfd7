# Shared by the Pester suites: a sandbox VNET_ROOT per test and a fingerprint of the store.

function New-TestRoot {
    $root = Join-Path ([IO.Path]::GetTempPath()) ("vnet-test-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $root | Out-Null
    $env:VNET_ROOT = $root
    $root
}

# The DHCP daemon a test's Start-VNetwork spawned for this root: stopped by its PID (SIGTERM is graceful).
function Stop-TestDaemon {
    param([string] $Root)
    $pidFile = Join-Path $Root 'run/virtualnetworking/vnetd.pid'
    if (-not (Test-Path $pidFile)) { return }
    $daemonPid = [int](Get-Content -Raw $pidFile)
    if (-not (Get-Process -Id $daemonPid -ErrorAction Ignore)) { return }
    kill -TERM $daemonPid 2>$null
    foreach ($i in 1..50) { if (-not (Get-Process -Id $daemonPid -ErrorAction Ignore)) { break }; Start-Sleep -Milliseconds 100 }
}

function Remove-TestRoot {
    param([string] $Root)
    if ($Root) { Stop-TestDaemon $Root }
    if ($Root -and (Test-Path $Root)) { Remove-Item -Recurse -Force $Root }
    Remove-Item Env:VNET_ROOT -ErrorAction Ignore
}

# Every file and link under the root with its content hash: equal fingerprints = unchanged store.
function Get-StoreFingerprint {
    param([string] $Root)
    if (-not (Test-Path $Root)) { return '' }
    # Lock files are how sessions take turns, not state: a refused command may leave one. The DHCP host
    # daemon's own files (pid, control socket, log) belong to a service that outlives a network by design:
    # it stays for its idle period, then leaves by itself. nft-handle-counters mirrors nftables' own per-table
    # handle counter, which only ever grows while our tables exist (it goes with them when the last network stops).
    $lines = Get-ChildItem -LiteralPath $Root -Recurse -Force -File -ErrorAction Ignore |
        Where-Object { $_.Name -notmatch '\.lock$' -and $_.FullName -notmatch '/run/virtualnetworking/(vnetd\.|nft-handle-counters$)' } |
        Sort-Object FullName | ForEach-Object {
        $relative = [IO.Path]::GetRelativePath($Root, $_.FullName)
        if ($_.LinkTarget) { "$relative -> $($_.LinkTarget)" }
        else {
            # A socket (the DHCP daemon's) has no content to hash.
            try { "$relative $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256 -ErrorAction Stop).Hash)" }
            catch { "$relative (not hashable)" }
        }
    }
    $lines -join "`n"
}

function Get-FixturePath {
    param([string] $Name)
    Join-Path $PSScriptRoot "fixtures/$Name"
}

# Polls a condition (a scriptblock of the caller's) every 100 ms; throws naming what it waited for after the timeout.
function Wait-Until {
    param([scriptblock] $Condition, [double] $Seconds = 15, [string] $What = 'the condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return }
        Start-Sleep -Milliseconds 100
    }
    throw "Timed out after $Seconds s waiting for $What."
}

Export-ModuleMember -Function New-TestRoot, Remove-TestRoot, Stop-TestDaemon, Get-StoreFingerprint, Get-FixturePath, Wait-Until

# Namespace-tier tests change links: refuse to run anywhere but a throwaway namespace.
function Assert-TestNamespace {
    if (-not $env:VNET_TEST_NETNS) { throw 'VNET_TEST_NETNS is not set: run the namespace tier through build/netns-run.sh.' }
    $mine = (Get-Item /proc/self/ns/net).LinkTarget
    $machine = (Get-Item /proc/1/ns/net).LinkTarget
    if ($mine -eq $machine) { throw 'This process is in the machine''s own network namespace: run it through build/netns-run.sh.' }
}
Export-ModuleMember -Function Assert-TestNamespace
