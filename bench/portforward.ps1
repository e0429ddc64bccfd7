<#
.SYNOPSIS
    Port-forward benchmark: 1,000 forwards added and removed live on one running network with
    Add-/Remove-VNetworkPortForward in one warm pwsh session, against the same rules kept by a hand-written
    script (one `nft` process per rule, handles from --echo --handle, `nft delete rule … handle N` to remove), in
    the same run; connections per second through a forward against the guest directly; and the cost of one
    forward change split into its parts (cmdlet, in-process service, libnftables, definition files).
.DESCRIPTION
    Runs inside a throwaway network namespace (build/netns-run.sh, the "host") with a temporary VNET_ROOT; without
    VNET_TEST_NETNS the script re-invokes itself through build/netns-run.sh. In there it starts a routed network
    (10.77.0.0/24 on bridge vpfbr0, no DHCP) and makes two namespaces of its own, vnb-pf-<random>-g (the guest,
    10.77.0.10 on the bridge, a TCP server) and vnb-pf-<random>-u (the upstream, 10.78.0.2 behind 10.78.0.1 of the
    host, the client); they, the server and the client are removed in finally, by name and by PID.

    Flatness: each forward is timed alone (host port 10000+i to 10.77.0.10, same port: its key in the shared maps
    forward_any and forward_any_ports, and its guest port in the set forwarded; see docs/firewall.md); the table shows the medians of the first and the last 100 and every 100-forward bucket. The
    hand-kept peer runs after ours are all removed and keeps a forward as rules, as a hook script does: it inserts
    four rules per forward (a DNAT in guest_dnat and guest_dnat_output, an accept in guest_input, a hairpin
    masquerade in guest_nat) into the same chains of the network's table (bash, one nft process per rule, as a hook script would) and deletes them
    by the handles it echoed. Each nft process reads the ruleset it needs, so at 1,000 forwards a forward takes
    ~0.5 s and all of them would take minutes: the peer's first and last -NftTimed (40) forwards are added and
    removed one process per rule and timed, the ones between in one untimed `nft -f` each way, so the timed ones
    see the ruleset a per-rule script sees at that point (all of them are timed when 2 x -NftTimed >= -NftForwards).
    vnetd's CPU is read per phase: its firewall watch wakes on every deletion of our rules.

    Connections per second: the client in the upstream namespace makes short TCP connections (connect, read the
    server's byte, close with RST so no TIME_WAIT piles up), with -Clients threads for -ConnSeconds, alternating
    "direct" (10.77.0.10:80, routed through the host: the network is routed so this path exists) and
    "forwarded" (10.78.0.1:8080, DNATed by the host to 10.77.0.10:80) -ConnRounds times: both paths cross the
    host's forward hook the same way, the forwarded one adds the DNAT (prerouting) and the masquerade check
    (postrouting). Measured with the 8080 forward alone and again with the 1,000 others in the maps.

    Per-change cost (-ProbeRuns medians, at 1 forward and at 1,001): the cmdlet as a user runs it; the service it
    calls, in process (no parameter binding); the runtime's live change alone (no stored definition update); the
    libnftables transaction that adds the forward's elements and the one that deletes them; and the file work each
    change does: reading the network (catalog), computing the elements before and after, writing the live XML,
    updating the stored XML.
    -RuleShapes (not run by build.ps1 Bench): instead, the same connection measurement with -Forwards rules of one
    shape at a time in a table of the run's own and no network of ours, to tell which of a forward's rules slow the
    data plane.
    Debian packages: iproute2, nftables (no others: client and server are C# compiled here with Add-Type).
    Results: tables on the console and JSON under out/bench/ (portforward-<time>.json, portforward-latest.json).
    Needs root; as non-root it says so and exits 0.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    pwsh bench/portforward.ps1 -ModulePath out/VirtualNetworking -Forwards 300 -NftForwards 300
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Forwards = 1000,
    [int] $NftForwards = 1000,
    # Forwards of the nft-per-rule peer timed at each end (all of them when 2 x this >= -NftForwards).
    [int] $NftTimed = 40,
    [int] $ProbeRuns = 7,
    [int] $Clients = 8,
    [double] $ConnSeconds = 1,
    [int] $ConnRounds = 3,
    # Internal: 'Server' and 'Client' run in the guest and upstream namespaces.
    [ValidateSet('All', 'Server', 'Client')] [string] $Phase = 'All',
    # Instead of the benchmark: connections per second with -Forwards rules of each shape alone (no network of ours).
    [switch] $RuleShapes,
    [string] $Assembly,
    [string] $Target
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
$RepoRoot = Split-Path $PSScriptRoot -Parent
$Pwsh = Join-Path $PSHOME 'pwsh'

# ---------------------------------------------------------------- short-connection server and client (C#)
$LoadSource = @'
using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

public static class VnbConnLoad
{
    /// <summary>Accepts, sends one byte, closes; on two threads, until the process is killed.</summary>
    public static void Serve(int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen(4096);
        var one = new byte[] { 120 };
        ThreadStart loop = () =>
        {
            while (true)
            {
                try { using var c = listener.Accept(); c.Send(one); c.Close(); }
                catch (SocketException) { }
            }
        };
        var threads = new Thread[2];
        for (var i = 0; i < threads.Length; i++) { threads[i] = new Thread(loop) { IsBackground = true }; threads[i].Start(); }
        threads[0].Join();
    }

    /// <summary>Short connections to host:port on <paramref name="threads"/> threads for <paramref name="seconds"/>: {completed, failed}.</summary>
    public static long[] Run(string host, int port, int threads, double seconds)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(host), port);
        long ok = 0, failed = 0;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                var buffer = new byte[16];
                long mine = 0, bad = 0;
                while (DateTime.UtcNow < deadline)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        s.Connect(endpoint);
                        if (s.Receive(buffer) == 1) mine++; else bad++;
                        s.LingerState = new LingerOption(true, 0);
                    }
                    catch (SocketException) { bad++; }
                    finally { s.Close(); }
                }
                Interlocked.Add(ref ok, mine);
                Interlocked.Add(ref failed, bad);
            });
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();
        return new[] { ok, failed };
    }
}
'@

if ($Phase -eq 'Server') {
    Add-Type -Path $Assembly
    [VnbConnLoad]::Serve(80)
    exit 0
}
if ($Phase -eq 'Client') {
    # -Target: "name=addr:port,name=addr:port"; each measured -ConnRounds times, alternating, after a short warm-up.
    Add-Type -Path $Assembly
    $targets = foreach ($t in $Target -split ',') { $n, $ep = $t -split '=', 2; $a, $p = $ep -split ':'; [pscustomobject]@{ Name = $n; Address = $a; Port = [int]$p } }
    foreach ($t in $targets) { [void][VnbConnLoad]::Run($t.Address, $t.Port, $Clients, 0.3) }
    $out = foreach ($round in 1..$ConnRounds) {
        # Alternating which goes first, so neither always follows the other's leftovers (conntrack entries, caches).
        foreach ($t in $(if ($round % 2) { $targets } else { $targets[($targets.Count - 1)..0] })) {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $r = [VnbConnLoad]::Run($t.Address, $t.Port, $Clients, $ConnSeconds)
            [pscustomobject]@{ name = $t.Name; round = $round; ok = $r[0]; failed = $r[1]; seconds = $sw.Elapsed.TotalSeconds }
        }
    }
    $out | ConvertTo-Json -Compress
    exit 0
}

# ---------------------------------------------------------------- driver
if ((& id -u) -ne '0') { Write-Warning 'bench/portforward.ps1 needs root (network namespaces, nftables): skipped.'; exit 0 }
foreach ($tool in 'ip', 'nft', 'bash') { if (-not (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue)) { throw "portforward bench: '$tool' is missing (Debian packages iproute2, nftables)" } }
if (-not $env:VNET_TEST_NETNS) {
    & bash (Join-Path $RepoRoot 'build/netns-run.sh') $Pwsh -NoProfile -File $PSCommandPath -ModulePath $ModulePath -Forwards $Forwards `
        -NftForwards $NftForwards -NftTimed $NftTimed -ProbeRuns $ProbeRuns -Clients $Clients -ConnSeconds $ConnSeconds -ConnRounds $ConnRounds -RuleShapes:$RuleShapes
    exit $LASTEXITCODE
}

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return $null }
    $m = if ($s.Count % 2) { $s[($s.Count - 1) / 2] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
    [math]::Round($m, 2)
}

# Per-forward timings: medians overall, of the first and of the last 100 (flat = last ≈ first), and of each 100.
function Get-Summary([double[]] $Values, [int] $Window = 100) {
    $window = [math]::Min($Window, $Values.Count)
    $buckets = for ($i = 0; $i -lt $Values.Count; $i += 100) { Get-Median $Values[$i..([math]::Min($i + 99, $Values.Count - 1))] }
    [ordered]@{
        median = Get-Median $Values; first100 = Get-Median $Values[0..($window - 1)]
        last100 = Get-Median $Values[($Values.Count - $window)..($Values.Count - 1)]; n = $Values.Count
        total_s = [math]::Round((($Values | Measure-Object -Sum).Sum) / 1000, 2); per100 = @($buckets)
    }
}

function Measure-Ms([scriptblock] $Block) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $Block | Out-Null
    $sw.Elapsed.TotalMilliseconds
}

# Medians of $ProbeRuns timings of $Do and of $Undo, after one untimed warm-up pair. A deletion of our rules wakes
# vnetd's firewall watch, which 100 ms later takes the live lock and lists the whole ruleset; each timing waits for
# that to be over first (Wait-VnetdIdle), so these are the costs of the change alone (the loops show them back to
# back), and vnetd_ms is the daemon's CPU after each Do + Undo pair.
function Measure-Pair([scriptblock] $Do, [scriptblock] $Undo) {
    & $Do | Out-Null; & $Undo | Out-Null; Wait-VnetdIdle
    $d = [Collections.Generic.List[double]]::new(); $u = [Collections.Generic.List[double]]::new(); $v = [Collections.Generic.List[double]]::new()
    foreach ($i in 1..$ProbeRuns) {
        $c0 = Get-CpuMs $vnetd
        $d.Add((Measure-Ms $Do)); $u.Add((Measure-Ms $Undo)); Wait-VnetdIdle
        $v.Add((Get-CpuMs $vnetd) - $c0)
    }
    [ordered]@{ do = Get-Median $d; undo = Get-Median $u; vnetd_ms = Get-Median $v }
}

# Until vnetd's debounced firewall check (100 ms after a deletion) has run: no CPU tick for 60 ms, at most 5 s.
function Wait-VnetdIdle {
    Start-Sleep -Milliseconds 150
    $until = [DateTime]::UtcNow.AddSeconds(5)
    do { $a = Get-CpuMs $vnetd; Start-Sleep -Milliseconds 60 } while ($a -ne (Get-CpuMs $vnetd) -and [DateTime]::UtcNow -lt $until)
}
function Measure-One([scriptblock] $Block) {
    & $Block | Out-Null
    Get-Median @(foreach ($i in 1..$ProbeRuns) { Measure-Ms $Block })
}

function Invoke-Ip {
    & ip @args
    if ($LASTEXITCODE) { throw "ip $args failed" }
}

# utime+stime of a process, in ms (USER_HZ = 100).
function Get-CpuMs([int] $ProcessId) {
    if (-not $ProcessId -or -not (Test-Path "/proc/$ProcessId/stat")) { return $null }
    $f = ((Get-Content -Raw "/proc/$ProcessId/stat") -replace '^.*\) ', '') -split ' '
    10 * ([long]$f[11] + [long]$f[12])
}

$tag = "vnb-pf-$(-join ((48..57) + (97..102) | Get-Random -Count 6 | ForEach-Object { [char]$_ }))"
$guestNs = "$tag-g"; $upNs = "$tag-u"
$root = Join-Path ([IO.Path]::GetTempPath()) ("vnet-bench-pf-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $root | Out-Null
$env:VNET_ROOT = $root
$server = $null
$result = [ordered]@{
    bench = 'portforward'; time = (Get-Date).ToUniversalTime().ToString('o'); forwards = $Forwards; nft_forwards = $NftForwards
    host = [ordered]@{ kernel = (& uname -r); cpus = [Environment]::ProcessorCount; nft = "$(& nft --version)" }
    load = (Get-Content /proc/loadavg).Trim()
}
try {
    Import-Module $ModulePath
    $mc = ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'VirtualNetworking.PowerShell' }).GetType('VirtualNetworking.PowerShell.Infrastructure.ModuleContext')
    $context = { param($What) $mc.GetMethod($What).Invoke($null, @()) }
    Invoke-Ip link set lo up
    if ($RuleShapes) {
        # No network of ours: a bare bridge with the gateway address, and a table of this run's own per shape.
        Invoke-Ip link add vpfbr0 type bridge
        Invoke-Ip addr add 10.77.0.1/24 dev vpfbr0
        Invoke-Ip link set vpfbr0 up
    }
    else { New-VNetwork -Name pf -Mode Routed -Subnet 10.77.0.0/24 -BridgeName vpfbr0 -Stp:$false -NoDhcp -Start -WarningAction SilentlyContinue | Out-Null }
    $vnetdPidFile = Join-Path $root 'run/virtualnetworking/vnetd.pid'
    $vnetd = if (Test-Path $vnetdPidFile) { [int](Get-Content -Raw $vnetdPidFile) } else { 0 }

    # Guest and upstream namespaces (ours, unique names), the short-connection server in the guest.
    Invoke-Ip netns add $guestNs
    Invoke-Ip link add vpfg0 type veth peer name eth0 netns $guestNs
    Invoke-Ip link set vpfg0 master vpfbr0 up
    Invoke-Ip -n $guestNs addr add 10.77.0.10/24 dev eth0
    Invoke-Ip -n $guestNs link set eth0 up
    Invoke-Ip -n $guestNs link set lo up
    Invoke-Ip -n $guestNs route add default via 10.77.0.1
    Invoke-Ip netns add $upNs
    Invoke-Ip link add vpfu0 type veth peer name eth0 netns $upNs
    Invoke-Ip addr add 10.78.0.1/24 dev vpfu0
    Invoke-Ip link set vpfu0 up
    Invoke-Ip -n $upNs addr add 10.78.0.2/24 dev eth0
    Invoke-Ip -n $upNs link set eth0 up
    Invoke-Ip -n $upNs link set lo up
    Invoke-Ip -n $upNs route add default via 10.78.0.1
    # A path that drops SYNs must not hang a client thread for two minutes: connect gives up after ~3 s.
    Invoke-Ip netns exec $upNs sysctl -q -w net.ipv4.tcp_syn_retries=1
    & sysctl -q -w net.ipv4.ip_forward=1   # this namespace's own (the host namespace of the bench); Start-VNetwork sets it too
    if ($LASTEXITCODE) { throw 'sysctl net.ipv4.ip_forward=1 failed' }

    $dll = Join-Path $root 'vnbconnload.dll'
    Add-Type -TypeDefinition $LoadSource -OutputAssembly $dll -OutputType Library
    $psi = [Diagnostics.ProcessStartInfo]@{ FileName = 'ip'; UseShellExecute = $false }
    foreach ($a in 'netns', 'exec', $guestNs, $Pwsh, '-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-ModulePath', $ModulePath, '-Phase', 'Server', '-Assembly', $dll) { $psi.ArgumentList.Add($a) }
    $server = [Diagnostics.Process]::Start($psi)   # ip netns exec execs pwsh: this PID is the server's
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        $c = [Net.Sockets.TcpClient]::new()
        try { $c.Connect('10.77.0.10', 80); break } catch { if ([DateTime]::UtcNow -gt $deadline -or $server.HasExited) { throw 'the guest server never listened' }; Start-Sleep -Milliseconds 100 } finally { $c.Dispose() }
    }

    function Measure-Connections([string] $Label) {
        Wait-VnetdIdle
        Write-Host "Connections/s ($Label): $ConnRounds x $ConnSeconds s direct and forwarded, $Clients client threads"
        $json = & ip netns exec $upNs $Pwsh -NoProfile -NonInteractive -File $PSCommandPath -ModulePath $ModulePath -Phase Client -Assembly $dll `
            -Target 'direct=10.77.0.10:80,forwarded=10.78.0.1:8080' -Clients $Clients -ConnSeconds $ConnSeconds -ConnRounds $ConnRounds
        if ($LASTEXITCODE) { throw "connection client failed ($LASTEXITCODE)" }
        $runs = @($json | ConvertFrom-Json)
        $rate = { param($n) @($runs | Where-Object name -EQ $n | ForEach-Object { $_.ok / $_.seconds }) }
        $ratios = foreach ($r in 1..$ConnRounds) {
            $d = $runs | Where-Object { $_.name -eq 'direct' -and $_.round -eq $r }; $f = $runs | Where-Object { $_.name -eq 'forwarded' -and $_.round -eq $r }
            ($f.ok / $f.seconds) / ($d.ok / $d.seconds)
        }
        [ordered]@{
            direct_per_s = [math]::Round((Get-Median (& $rate 'direct')), 0); forwarded_per_s = [math]::Round((Get-Median (& $rate 'forwarded')), 0)
            ratio = [math]::Round((Get-Median $ratios), 3); ratio_min = [math]::Round(($ratios | Measure-Object -Minimum).Minimum, 3)
            ratio_max = [math]::Round(($ratios | Measure-Object -Maximum).Maximum, 3); failed = ($runs | Measure-Object -Property failed -Sum).Sum; runs = $runs
        }
    }

    # The parts of one forward change (probe: tcp 9000 -> 10.77.0.11:9000), at the current number of forwards.
    function Measure-Parts {
        $probe = { [VirtualNetworking.Core.Model.PortForwardDefinition]@{ Protocol = 'Tcp'; HostPort = 9000; HostPortEnd = 9000; GuestAddress = [ipaddress]'10.77.0.11' } }
        $p = [ordered]@{ forwards = @(Get-VNetworkPortForward -Network pf).Count }
        $p.cmdlet = Measure-Pair { Add-VNetworkPortForward -Network pf -Protocol Tcp -HostPort 9000 -GuestAddress 10.77.0.11 -WarningAction SilentlyContinue } `
        { Remove-VNetworkPortForward -Network pf -Protocol Tcp -HostPort 9000 -Confirm:$false }
        $p.service = Measure-Pair { (& $context 'PortForwards').Add('pf', (& $probe)) } { (& $context 'PortForwards').Remove('pf', 'Tcp', 9000, $null) }
        $p.runtime_live_only = Measure-Pair { (& $context 'Runtime').AddPortForwardLive('pf', (& $probe)) } { (& $context 'Runtime').RemovePortForwardLive('pf', (& $probe)) }

        $ports = & $context 'Ports'
        $catalog = [VirtualNetworking.Core.Engine.NetworkCatalog]::new($ports)
        $def = $catalog.Get('pf').Definition
        $withProbe = $def.Clone(); $withProbe.PortForwards.Add((& $probe))
        $before = [VirtualNetworking.Core.Firewall.FirewallNetworkMapper]::FromDefinition($def)
        $after = [VirtualNetworking.Core.Firewall.FirewallNetworkMapper]::FromDefinition($withProbe)
        $p.libnftables_elements = Measure-Pair { if (-not $ports.Firewall.ChangeForwards($before, $after)) { throw 'probe not added' } } { if (-not $ports.Firewall.ChangeForwards($after, $before)) { throw 'probe not deleted' } }
        $p.catalog_get = Measure-One { [VirtualNetworking.Core.Engine.NetworkCatalog]::new((& $context 'Ports')).Get('pf') }
        $p.elements_twice = Measure-One {
            [VirtualNetworking.Core.Firewall.FirewallPlanner]::BuildForwardChangeTransaction(
                [VirtualNetworking.Core.Firewall.FirewallNetworkMapper]::FromDefinition($def), [VirtualNetworking.Core.Firewall.FirewallNetworkMapper]::FromDefinition($withProbe))
        }
        $p.live_xml_write = Measure-One { $ports.LiveNetworks.SaveLiveDefinition($def) }
        $p.stored_xml_update = Measure-One { $catalog.UpdateDefinition('pf', [Action[VirtualNetworking.Core.Model.NetworkDefinition]] { param($d) }, $null) }
        $p.definition_xml_bytes = (Get-Item (Join-Path $root 'run/virtualnetworking/networks/pf.xml')).Length
        $p.nft_rules_in_table = @(& nft -a list table ip virtualnetworking | Select-String '# handle' | Where-Object { $_ -notmatch 'chain|table' }).Count
        $p
    }

    if ($RuleShapes) {
        # What 1,000 forwards' rules cost the data plane, one kind of rule at a time: the same matches as
        # AddPortForwardRules in a table of this run (vnb_shapes) whose chains hook where ours do, the 8080 forward last.
        $base = @('table ip vnb_shapes {', 'chain guest_dnat { type nat hook prerouting priority dstnat; policy accept;',
            'fib daddr type local tcp dport 8080 counter dnat to 10.77.0.10:80', '}',
            'chain guest_nat { type nat hook postrouting priority srcnat; policy accept;', '}',
            'chain guest_input { type filter hook forward priority filter; policy accept;',
            'oifname "vpfbr0" ip daddr 10.77.0.10 tcp dport 80 ct status dnat counter accept', '}', '}')
        $shapes = [ordered]@{
            'none (the 8080 forward alone)'                            = { param($p) }
            'guest_dnat: fib daddr type local tcp dport P dnat'        = { param($p) "insert rule ip vnb_shapes guest_dnat fib daddr type local tcp dport $p counter dnat to 10.77.0.10" }
            'same, tcp dport P first, then fib'                        = { param($p) "insert rule ip vnb_shapes guest_dnat tcp dport $p fib daddr type local counter dnat to 10.77.0.10" }
            'guest_input: oifname ip daddr tcp dport ct status accept' = { param($p) "insert rule ip vnb_shapes guest_input oifname ""vpfbr0"" ip daddr 10.77.0.10 tcp dport $p ct status dnat counter accept" }
            'guest_nat: hairpin masquerade'                            = { param($p) "insert rule ip vnb_shapes guest_nat oifname ""vpfbr0"" ip saddr 10.77.0.0/24 ip daddr 10.77.0.10 tcp dport $p ct status dnat counter masquerade" }
        }
        $rows = foreach ($name in $shapes.Keys) {
            & nft delete table ip vnb_shapes 2>$null
            (@($base) + @(foreach ($i in 0..($Forwards - 1)) { & $shapes[$name] (10000 + $i) })) -join "`n" | & nft -f -
            if ($LASTEXITCODE) { throw "nft refused the rules of shape '$name'" }
            $c = Measure-Connections $name
            [pscustomobject][ordered]@{
                "$Forwards rules of this shape in front of 8080's" = $name; 'direct conn/s' = $c.direct_per_s; 'forwarded conn/s' = $c.forwarded_per_s
                'forwarded/direct' = $c.ratio; failed = $c.failed
            }
        }
        & nft delete table ip vnb_shapes
        Write-Host "`n== Short TCP connections (as above) with $Forwards rules of one shape, no network of ours: what each kind of forward rule costs the data plane =="
        $rows | Format-Table -AutoSize | Out-String -Width 250 | Out-Host
        Write-Host "load average at start: $($result.load); at end: $((Get-Content /proc/loadavg).Trim())"
        return
    }

    # Warm both paths once (JIT, page cache for nft) before timing.
    Add-VNetworkPortForward -Network pf -Protocol Tcp -HostPort 8080 -GuestAddress 10.77.0.10 -GuestPort 80 -WarningAction SilentlyContinue
    Add-VNetworkPortForward -Network pf -Protocol Tcp -HostPort 9999 -GuestAddress 10.77.0.10 -WarningAction SilentlyContinue
    Remove-VNetworkPortForward -Network pf -Protocol Tcp -HostPort 9999 -Confirm:$false

    $result.connections_1 = Measure-Connections '1 forward'
    Write-Host "Parts of one change at 1 forward ($ProbeRuns runs each)"
    $result.parts_1 = Measure-Parts

    Write-Host "Ours: $Forwards forwards added with Add-VNetworkPortForward (one warm session)"
    Wait-VnetdIdle
    $cpu0 = Get-CpuMs $vnetd
    $oursAdd = foreach ($i in 0..($Forwards - 1)) {
        Measure-Ms { Add-VNetworkPortForward -Network pf -Protocol Tcp -HostPort (10000 + $i) -GuestAddress 10.77.0.10 -WarningAction SilentlyContinue }
    }
    $cpu1 = Get-CpuMs $vnetd
    if (@(Get-VNetworkPortForward -Network pf).Count -ne $Forwards + 1) { throw "expected $($Forwards + 1) forwards" }
    $result.connections_n = Measure-Connections "$($Forwards + 1) forwards in the maps"
    Write-Host "Parts of one change at $($Forwards + 1) forwards"
    $result.parts_n = Measure-Parts

    Write-Host "Ours: the $Forwards removed with Remove-VNetworkPortForward"
    Wait-VnetdIdle
    $cpu2 = Get-CpuMs $vnetd
    $oursRemove = foreach ($i in 0..($Forwards - 1)) {
        Measure-Ms { Remove-VNetworkPortForward -Network pf -Protocol Tcp -HostPort (10000 + $i) -Confirm:$false }
    }
    $cpu3 = Get-CpuMs $vnetd
    Remove-VNetworkPortForward -Network pf -Protocol Tcp -HostPort 8080 -Confirm:$false
    $left = @((& nft -j list map ip virtualnetworking forward_any | ConvertFrom-Json).nftables |
        Where-Object { $_.PSObject.Properties['map'] -and $_.map.PSObject.Properties['elem'] } | ForEach-Object { $_.map.elem }).Count
    if ($left -ne 0) { throw "$left forward map elements left after removing every forward" }

    # The hand-kept peer: four rules per forward, one nft process each (bash, as a hook script runs them),
    # handles from --echo --handle; then one `nft delete rule … handle N` per rule. Into the same chains of the
    # network's table (where a forward's accept must be, ahead of the network's reject), after ours are gone.
    # A process per rule costs more as the ruleset grows (each nft reads what it needs of it), so 1,000 of them take
    # minutes: unless -NftTimed covers them all, the first and the last -NftTimed forwards are added (and removed)
    # one process per rule and timed, and the ones between are added and removed untimed in one `nft -f`, so the
    # timed ones see exactly the ruleset a per-rule script would see at that point.
    $timedAll = 2 * $NftTimed -ge $NftForwards
    Write-Host ("nft per rule: {0} forwards, 4 nft processes per forward to add and to remove (bash){1}" -f $NftForwards,
        $(if ($timedAll) { '' } else { "; timed: the first and last $NftTimed, the $($NftForwards - 2 * $NftTimed) between in one nft -f each way" }))
    $script = @'
set -u
n=$1; k=$2
t=(ip virtualnetworking)
declare -a hs
us() { local x=${EPOCHREALTIME/./}; echo "$x"; }
rule() { # chain and rule of forward $2's rule $1 (0-3)
    local p=$((10000 + $2)) c='comment "vnb-hand"'
    case $1 in
        0) echo "guest_dnat fib daddr type local tcp dport $p counter dnat to 10.77.0.10 $c" ;;
        1) echo "guest_dnat_output fib daddr type local ip daddr != 127.0.0.0/8 tcp dport $p counter dnat to 10.77.0.10 $c" ;;
        2) echo "guest_input oifname \"vpfbr0\" ip daddr 10.77.0.10 tcp dport $p ct status dnat counter accept $c" ;;
        3) echo "guest_nat oifname \"vpfbr0\" ip saddr 10.77.0.0/24 ip daddr 10.77.0.10 tcp dport $p ct status dnat counter masquerade $c" ;;
    esac
}
chains=(guest_dnat guest_dnat_output guest_input guest_nat)
add_one() { # one nft process per rule, as a script does it
    local i=$1 s e out r hh=()
    s=$(us)
    for r in 0 1 2 3; do
        out=$(nft --echo --handle "insert rule ${t[*]} $(rule $r $i)") || exit 1
        [[ $out =~ handle\ ([0-9]+) ]] || exit 1
        hh+=("${BASH_REMATCH[1]}")
    done
    hs[i]="${hh[*]}"; e=$(us); echo "add $i $(( e - s ))"
}
remove_one() {
    local i=$1 s e a b c d
    read -r a b c d <<<"${hs[i]}"; s=$(us)
    nft delete rule "${t[@]}" guest_dnat handle "$a" && nft delete rule "${t[@]}" guest_dnat_output handle "$b" &&
        nft delete rule "${t[@]}" guest_input handle "$c" && nft delete rule "${t[@]}" guest_nat handle "$d" || exit 1
    e=$(us); echo "remove $i $(( e - s ))"
}
bulk_add() { # forwards [$1, $2) in one transaction, handles from its echo (in command order)
    local i r f=$(mktemp) hh=() line
    for ((i = $1; i < $2; i++)); do for r in 0 1 2 3; do echo "insert rule ${t[*]} $(rule $r $i)"; done; done > "$f"
    while read -r line; do [[ $line =~ \#\ handle\ ([0-9]+)$ ]] && hh+=("${BASH_REMATCH[1]}"); done < <(nft --echo --handle -f "$f")
    rm -f "$f"
    (( ${#hh[@]} == 4 * ($2 - $1) )) || { echo "bulk add: ${#hh[@]} handles echoed" >&2; exit 1; }
    for ((i = $1; i < $2; i++)); do j=$((4 * (i - $1))); hs[i]="${hh[j]} ${hh[j+1]} ${hh[j+2]} ${hh[j+3]}"; done
}
bulk_remove() {
    local i r f=$(mktemp) h
    for ((i = $1; i < $2; i++)); do read -r -a h <<<"${hs[i]}"; for r in 0 1 2 3; do echo "delete rule ${t[*]} ${chains[r]} handle ${h[r]}"; done; done > "$f"
    nft -f "$f" || exit 1
    rm -f "$f"
}
if (( 2 * k >= n )); then
    for ((i = 0; i < n; i++)); do add_one $i; done
    for ((i = 0; i < n; i++)); do remove_one $i; done
else
    for ((i = 0; i < k; i++)); do add_one $i; done
    bulk_add $k $((n - k))
    for ((i = n - k; i < n; i++)); do add_one $i; done
    for ((i = 0; i < k; i++)); do remove_one $i; done
    bulk_remove $k $((n - k))
    for ((i = n - k; i < n; i++)); do remove_one $i; done
fi
'@
    Wait-VnetdIdle
    $cpu4 = Get-CpuMs $vnetd
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $nftLines = & bash -c $script bash $NftForwards $NftTimed
    if ($LASTEXITCODE) { throw "the nft-per-rule loop failed ($LASTEXITCODE)" }
    $nftWall = $sw.Elapsed.TotalSeconds
    $cpu5 = Get-CpuMs $vnetd
    $nftAdd = @($nftLines | Where-Object { $_ -like 'add *' } | ForEach-Object { [double]($_ -split ' ')[2] / 1000 })
    $nftRemove = @($nftLines | Where-Object { $_ -like 'remove *' } | ForEach-Object { [double]($_ -split ' ')[2] / 1000 })
    $timed = if ($timedAll) { $NftForwards } else { 2 * $NftTimed }
    if ($nftAdd.Count -ne $timed -or $nftRemove.Count -ne $timed) { throw 'the nft-per-rule loop did not time every forward it should' }
    $left = @(& nft list table ip virtualnetworking | Select-String 'vnb-hand').Count
    if ($left -ne 0) { throw "$left rules of the nft-per-rule peer left" }
    $result.scale = [ordered]@{
        ours_add = Get-Summary $oursAdd; ours_remove = Get-Summary $oursRemove; nft_add = Get-Summary $nftAdd ([math]::Min(100, $NftTimed)); nft_remove = Get-Summary $nftRemove ([math]::Min(100, $NftTimed))
        vnetd_cpu_ms = [ordered]@{ ours_add = $cpu1 - $cpu0; ours_remove = $cpu3 - $cpu2; nft_add_and_remove = $cpu5 - $cpu4 }
        nft_timed_per_rule = $timed; nft_wall_s = [math]::Round($nftWall, 1)
    }

    # ---------------------------------------------------------------- report
    $s = $result.scale
    $w = [math]::Min(100, $s.nft_add.n)
    if ($s.nft_timed_per_rule -lt $NftForwards) { $w = [math]::Min(100, $NftTimed) }
    $rows = foreach ($op in 'add', 'remove') {
        $o = $s["ours_$op"]; $b = $s["nft_$op"]
        [pscustomobject][ordered]@{
            'ms per forward' = $op; 'ours median' = $o.median; 'ours first 100' = $o.first100; 'ours last 100' = $o.last100
            'ours last/first' = [math]::Round($o.last100 / $o.first100, 2)
            "nft/rule first $w" = $b.first100; "nft/rule last $w" = $b.last100; 'nft last/first' = [math]::Round($b.last100 / $b.first100, 2)
            'nft/ours first' = [math]::Round($b.first100 / $o.first100, 1); 'nft/ours last' = [math]::Round($b.last100 / $o.last100, 1)
        }
    }
    $nftHow = if ($s.nft_timed_per_rule -ge $NftForwards) { "all $NftForwards timed" } else { "first and last $NftTimed of $NftForwards timed, the rest added/removed in one nft -f each way" }
    Write-Host "`n== $Forwards port forwards on one running network: ours = Add-/Remove-VNetworkPortForward in a warm session; nft/rule = bash, one nft process per rule (4 per forward; $nftHow) =="
    $rows | Format-Table -AutoSize | Out-String -Width 250 | Out-Host
    Write-Host ("  per-100 medians, ours add   : {0}" -f ($s.ours_add.per100 -join ' '))
    Write-Host ("  per-100 medians, ours remove: {0}" -f ($s.ours_remove.per100 -join ' '))
    Write-Host ("  totals: ours add {0} s, ours remove {1} s (all {2}); nft/rule peer {3} s wall for everything it did" -f $s.ours_add.total_s, $s.ours_remove.total_s, $Forwards, $s.nft_wall_s)
    Write-Host ("  vnetd CPU (its nft monitor sees every change): ours add {0} ms, ours remove {1} ms, nft/rule peer add+remove {2} ms" -f $s.vnetd_cpu_ms.ours_add, $s.vnetd_cpu_ms.ours_remove, $s.vnetd_cpu_ms.nft_add_and_remove)

    $conn = foreach ($k in 'connections_1', 'connections_n') {
        $c = $result[$k]
        [pscustomobject][ordered]@{
            'forwards present' = if ($k -eq 'connections_1') { 1 } else { $Forwards + 1 }
            'direct conn/s' = $c.direct_per_s; 'forwarded conn/s' = $c.forwarded_per_s; 'forwarded/direct' = $c.ratio; 'per-round ratios' = "$($c.ratio_min)..$($c.ratio_max)"; 'failed' = $c.failed
        }
    }
    Write-Host "`n== Short TCP connections from the upstream namespace: to the guest routed through the host (direct) vs to the host's 10.78.0.1:8080 (forwarded), median of $ConnRounds x $ConnSeconds s, $Clients threads =="
    $conn | Format-Table -AutoSize | Out-String -Width 250 | Out-Host

    $names = [ordered]@{
        cmdlet = 'Add / Remove-VNetworkPortForward (warm pwsh)'; service = 'PortForwardService.Add / Remove in process'
        runtime_live_only = 'NetworkRuntime live change only (no stored XML)'; libnftables_elements = 'libnftables: add / delete the elements'
        catalog_get = 'catalog.Get (reads live + stored XML)'; elements_twice = 'elements before + after (of all forwards)'
        live_xml_write = 'live XML write'; stored_xml_update = 'stored XML update (locked, validated)'
    }
    $p1 = $result.parts_1; $pn = $result.parts_n
    $parts = foreach ($k in $names.Keys) {
        $one = $p1[$k]; $many = $pn[$k]
        if ($one -is [Collections.IDictionary]) {
            [pscustomobject][ordered]@{ 'one change (ms, median)' = $names[$k]; "at $($p1.forwards)" = "$($one.do) / $($one.undo)"; "at $($pn.forwards)" = "$($many.do) / $($many.undo)" }
        }
        else { [pscustomobject][ordered]@{ 'one change (ms, median)' = $names[$k]; "at $($p1.forwards)" = "$one"; "at $($pn.forwards)" = "$many" } }
    }
    $parts += [pscustomobject][ordered]@{ 'one change (ms, median)' = 'vnetd CPU after a cmdlet add + remove (firewall watch)'; "at $($p1.forwards)" = "$($p1.cmdlet.vnetd_ms)"; "at $($pn.forwards)" = "$($pn.cmdlet.vnetd_ms)" }
    Write-Host "`n== Where one change goes (add / remove; single figures are one call), at 1 and at $($pn.forwards) forwards; each timed with vnetd idle =="
    $parts | Format-Table -AutoSize | Out-String -Width 250 | Out-Host
    Write-Host ("  sizes at 1 / {0}: definition XML {1} / {2} bytes, rules in our ip table {3} / {4}" -f $pn.forwards, $p1.definition_xml_bytes, $pn.definition_xml_bytes, $p1.nft_rules_in_table, $pn.nft_rules_in_table)
    $result.load_end = (Get-Content /proc/loadavg).Trim()
    Write-Host "load average at start: $($result.load); at end: $($result.load_end)"

    $outDir = Join-Path $RepoRoot 'out/bench'
    New-Item -ItemType Directory -Path $outDir -Force | Out-Null
    $json = $result | ConvertTo-Json -Depth 8
    Set-Content -Path (Join-Path $outDir "portforward-$(Get-Date -Format 'yyyyMMdd-HHmmss').json") -Value $json
    Set-Content -Path (Join-Path $outDir 'portforward-latest.json') -Value $json
}
finally {
    if ($server -and -not $server.HasExited) { kill -KILL $server.Id 2>$null; $server.WaitForExit(5000) | Out-Null }
    Get-VNetwork -ErrorAction SilentlyContinue | Where-Object State -EQ 'Active' | Stop-VNetwork -ErrorAction Continue
    ip netns delete $guestNs 2>$null
    ip netns delete $upNs 2>$null
    $pidFile = Join-Path $root 'run/virtualnetworking/vnetd.pid'
    if (Test-Path $pidFile) { kill -TERM ([int](Get-Content -Raw $pidFile)) 2>$null }
    Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
}
