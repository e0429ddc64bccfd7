# Namespace tier: a guest's IPv6 traffic leaves a started network for an upstream router, routed (the guest's own
# address reaches upstream) or masqueraded with <nat ipv6='yes'/> (upstream sees the host's uplink address).
# Topology: the tier's namespace plays the host, with forwarding off until a start turns it on. Its uplink vr6up0
# (2001:db8:ff::2/64, default route via 2001:db8:ff::1) is a veth to the upstream namespace "vr6-<pid>-up" (eth0
# 2001:db8:ff::1/64, and 2001:db8:ee::1/128 on lo as its own address further away), where a socat listener answers
# every TCP connection with the source address it saw; upstream takes RAs as a SLAAC host does, so an RA of ours that
# left by the uplink would show there as a route or an address. Guests are namespaces "vr6-<pid>-<n>" (accept_ra=1,
# autoconf=1, forwarding 0) on a veth port of the network's bridge: they autoconfigure from our RA and route by the
# bridge. Every namespace holds this process's PID and is removed by name in AfterEach/AfterAll, whatever happened;
# the listener is killed by its PID; every wait is bounded.
# Needs: iproute2, socat, iputils-ping.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace
    foreach ($tool in 'ip', 'socat', 'ping', 'ss') {
        if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "Ipv6Routing tests need '$tool' (Debian: iproute2 socat iputils-ping)." }
    }

    $script:NsPrefix = "vr6-$PID-"
    $script:Seq = 0
    $script:Guests = [Collections.Generic.List[string]]::new()
    $script:Up = "${NsPrefix}up"
    $script:UpAddress = '2001:db8:ee::1'
    $script:UpLinkAddress = '2001:db8:ff::1'
    $script:HostUplinkAddress = '2001:db8:ff::2'
    $script:Port = 8080

    # A guest on the bridge: a namespace whose eth0 is a veth peer of a port of the bridge, set to autoconfigure from RAs.
    function script:New-Guest([string] $Bridge) {
        $n = ++$script:Seq
        $g = [pscustomobject]@{ Ns = "$NsPrefix$n"; Port = "vr6g$n" }
        $script:Guests.Add($g.Ns)
        $out = @"
set -e
ip netns add $($g.Ns)
ip link add $($g.Port) type veth peer name eth0 netns $($g.Ns)
ip netns exec $($g.Ns) sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1
ip -n $($g.Ns) link set lo up
ip -n $($g.Ns) link set eth0 up
ip link set $($g.Port) master $Bridge up
"@ | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create the guest: $out" }
        $g
    }

    function script:Remove-Guests {
        foreach ($ns in @($script:Guests)) { ip netns delete $ns 2>$null }
        $script:Guests.Clear()
    }

    # The guest's SLAAC address in the prefix once DAD is done (a tentative address is not used as a source).
    function script:Get-GuestAddress($Guest, [string] $Prefix) {
        @(ip -n $Guest.Ns -j -6 addr show dev eth0 scope global | ConvertFrom-Json | ForEach-Object { $_.addr_info } |
            Where-Object { $_.local -like "$Prefix*" -and -not $_.tentative } | ForEach-Object { $_.local })
    }

    function script:Get-GuestDefaultRoute($Guest) { @(ip -n $Guest.Ns -j -6 route show default | ConvertFrom-Json) }

    # A guest with its SLAAC address and its default route by the bridge: what the RA gave it, ready to send.
    function script:New-ConfiguredGuest([string] $Bridge, [string] $Prefix) {
        $g = New-Guest $Bridge
        Wait-Until -Seconds 30 -What "a SLAAC address in $Prefix/64 in the guest" { (Get-GuestAddress $g $Prefix).Count -eq 1 }
        Wait-Until -Seconds 10 -What 'the guest''s default route' { (Get-GuestDefaultRoute $g).Count -eq 1 }
        $g | Add-Member -NotePropertyName Address -NotePropertyValue @(Get-GuestAddress $g $Prefix)[0] -PassThru
    }

    # Connects from the namespace ('' for the host's) to [address]:port and returns the source address the listener saw,
    # in the usual compressed form (socat writes it in brackets, uncompressed), or $null when no connection was made.
    function script:Connect-Tcp6([string] $Ns, [string] $Target, [int] $Port = $script:Port) {
        $address = "TCP6:[${Target}]:$Port,connect-timeout=2"
        $out = if ($Ns) { ip netns exec $Ns timeout -k 1 5 socat -u $address STDOUT 2>$null } else { timeout -k 1 5 socat -u $address STDOUT 2>$null }
        if ($LASTEXITCODE -ne 0 -or -not $out) { return $null }
        [ipaddress]::Parse("$out".Trim().Trim('[', ']')).ToString()
    }

    # Upstream takes RAs as a SLAAC host does: an RA of ours that left by the uplink would have given it a route by the
    # host (proto ra) or an address in a guest prefix.
    function script:Assert-UpstreamHeardNoRa {
        @(ip -n $Up -6 route show proto ra) | Should -BeNullOrEmpty -Because 'no RA of ours may leave by the uplink'
        @(ip -n $Up -j -6 addr show dev eth0 scope global | ConvertFrom-Json | ForEach-Object { $_.addr_info } | Where-Object { $_.local -like 'fd00:*' }) |
            Should -BeNullOrEmpty -Because 'no RA of ours may leave by the uplink'
    }

    function script:Test-Ping6([string] $Ns, [string] $Target) {
        ip netns exec $Ns ping -6 -c 1 -W 2 -q $Target *> $null
        $LASTEXITCODE -eq 0
    }

    # A TCP listener in a namespace that answers each connection with the peer's address as it sees it. Started by
    # PID (ip netns exec execs socat in place), killed by that PID with its forks.
    # Upstream's listener lives for the whole file; a test's own (in a guest) go in its AfterEach.
    $script:Listeners = [Collections.Generic.List[Diagnostics.Process]]::new()
    function script:Start-Listener6([string] $Ns, [int] $Port = $script:Port) {
        $log = "/tmp/vr6-$PID-listener-$Ns.err"
        $argList = "netns exec $Ns socat TCP6-LISTEN:$Port,ipv6only=1,reuseaddr,fork ""SYSTEM:echo `$SOCAT_PEERADDR"""
        $p = Start-Process -FilePath (Get-Command ip).Source -ArgumentList $argList -PassThru -RedirectStandardError $log
        $script:Listeners.Add($p)
        Wait-Until -Seconds 5 -What "the listener on port $Port in $Ns" { [bool](ip netns exec $Ns ss -Hltn "sport = :$Port") }
        $p
    }

    function script:Stop-Listener([Diagnostics.Process] $p) { try { if ($p -and -not $p.HasExited) { $p.Kill($true) } } catch { } }
    function script:Stop-Listeners {
        foreach ($p in $script:Listeners) { Stop-Listener $p }
        $script:Listeners.Clear()
    }

    $script:Root = New-TestRoot
    # The host routes only once a start turns IPv6 forwarding on: the tests see that it does.
    sysctl -qw net.ipv6.conf.all.forwarding=0

    # The upstream router: its own addresses, the host's uplink on its link. nodad: the addresses are ours alone and
    # usable at once. A routed test adds upstream's route back to the guest prefix (as a real upstream router has for a
    # routed prefix); the NAT66 test must do without one.
    $out = @"
set -e
ip netns add $Up
ip -n $Up link set lo up
ip -n $Up addr add $UpAddress/128 dev lo
ip link add vr6up0 type veth peer name eth0 netns $Up
ip netns exec $Up sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1
ip -n $Up addr add $UpLinkAddress/64 dev eth0 nodad
ip -n $Up link set eth0 up
ip addr add $HostUplinkAddress/64 dev vr6up0 nodad
ip link set vr6up0 up
ip -6 route add default via $UpLinkAddress dev vr6up0
"@ | bash 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Could not create the upstream: $out" }
    Wait-Until -Seconds 10 -What 'the host to reach upstream over IPv6' { ping -6 -c 1 -W 1 -q $UpAddress *> $null; $LASTEXITCODE -eq 0 }
    $script:UpListener = Start-Listener6 $Up
    $script:Listeners.Clear()
}

AfterAll {
    Remove-Guests
    if (Get-Command Stop-Listeners -ErrorAction Ignore) { Stop-Listeners; Stop-Listener $script:UpListener }
    Remove-Item "/tmp/vr6-$PID-listener-*.err" -Force -ErrorAction Ignore
    if ($script:Root) {
        foreach ($n in 'vr6-rt', 'vr6-nat') { Stop-VNetwork -Name $n -ErrorAction Ignore 3>$null }
        Remove-TestRoot $script:Root
    }
    if ($script:Up) { ip netns delete $script:Up 2>$null }
    ip link delete vr6up0 2>$null
    # Any namespace of this file left by an interrupted creation (the prefix holds this process's PID).
    if ($script:NsPrefix) {
        foreach ($ns in @(ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_.StartsWith($script:NsPrefix) })) { ip netns delete $ns 2>$null }
    }
}

Describe 'A guest''s IPv6 reaches upstream, routed or NATed' -Tag Namespace {
    AfterEach {
        Stop-Listeners
        Remove-Guests
        foreach ($n in 'vr6-rt', 'vr6-nat') {
            Stop-VNetwork -Name $n -ErrorAction Ignore 3>$null
            Remove-VNetwork -Name $n -Force -Confirm:$false -ErrorAction Ignore
        }
        foreach ($prefix in 'fd00:61::/64', 'fd00:62::/64') { ip -n $Up -6 route del $prefix 2>$null }
        # A start never turns forwarding off again (as libvirt's): off for the next test, so it sees its own start do it.
        sysctl -qw net.ipv6.conf.all.forwarding=0
    }

    It 'routed: a guest autoconfigured from our RA reaches upstream with its own address, and upstream reaches it back' {
        Import-VNetwork -Xml @"
<network><name>vr6-rt</name><forward mode='route'/><bridge name='vr6rt0'/><ip family='ipv6' address='fd00:61::1' prefix='64'/></network>
"@ | Out-Null
        Start-VNetwork -Name vr6-rt -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        @($warned | Where-Object { "$_" -like 'VNetworkIpv6OpenInbound:*' }).Count | Should -Be 1
        Get-Content /proc/sys/net/ipv6/conf/all/forwarding | Should -Be 1
        # Upstream routes the prefix back to the host, as a real upstream router does for a routed prefix.
        ip -n $Up -6 route add fd00:61::/64 via $HostUplinkAddress

        $guest = New-ConfiguredGuest vr6rt0 'fd00:61:'
        Test-Ping6 $guest.Ns $UpAddress | Should -BeTrue
        # Upstream sees the guest's own SLAAC address: routed, not masqueraded.
        Connect-Tcp6 $guest.Ns $UpAddress | Should -Be $guest.Address

        # Routed IPv6 is open inbound (the start's warning says so): upstream opens a connection to the guest, which sees
        # upstream's own address (the one on its link to the host, by source selection), not the host's.
        Start-Listener6 $guest.Ns | Out-Null
        Connect-Tcp6 $Up $guest.Address | Should -Be $UpLinkAddress
        Assert-UpstreamHeardNoRa
    }

    It 'NAT66 (nat ipv6=yes): the guest reaches upstream, which sees the host''s uplink address and has no route to the guest prefix' {
        Import-VNetwork -Xml @"
<network><name>vr6-nat</name><forward mode='nat'><nat ipv6='yes'/></forward><bridge name='vr6nat0'/>
  <ip address='10.233.0.1' prefix='24'/>
  <ip family='ipv6' address='fd00:62::1' prefix='64'/>
</network>
"@ | Out-Null
        Start-VNetwork -Name vr6-nat -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        # The prefix is NATed: no warning that it is open inbound.
        @($warned | Where-Object { "$_" -like 'VNetworkIpv6OpenInbound:*' }) | Should -BeNullOrEmpty
        Get-Content /proc/sys/net/ipv6/conf/all/forwarding | Should -Be 1
        @(ip -n $Up -6 route show fd00:62::/64) | Should -BeNullOrEmpty
        @(ip -n $Up -6 route show default) | Should -BeNullOrEmpty

        $guest = New-ConfiguredGuest vr6nat0 'fd00:62:'
        Test-Ping6 $guest.Ns $UpAddress | Should -BeTrue
        # Upstream sees the host's uplink address: the guest's is masqueraded.
        Connect-Tcp6 $guest.Ns $UpAddress | Should -Be $HostUplinkAddress

        # Only replies come in: even with a route to the prefix, upstream cannot open a connection to the guest.
        Start-Listener6 $guest.Ns | Out-Null
        ip -n $Up -6 route add fd00:62::/64 via $HostUplinkAddress
        Connect-Tcp6 $Up $guest.Address | Should -BeNullOrEmpty
        # Control: the guest's listener answers, and the host reaches it from its address on the bridge.
        Connect-Tcp6 '' $guest.Address | Should -Be 'fd00:62::1'
        Assert-UpstreamHeardNoRa
    }
}
