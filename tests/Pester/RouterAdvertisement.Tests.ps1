# Namespace tier: router advertisements from vnetd against the kernel's own IPv6 stack. Every guest is a network
# namespace of its own (vra-<pid>-<n>, accept_ra=1, autoconf=1, forwarding 0) attached by a veth to the bridge of a
# network started in the test's namespace (which plays the host): its kernel forms a SLAAC address from our RA and
# takes the bridge's link-local as default router, or not on an isolated network (router lifetime 0). rdisc6 (ndisc6)
# solicits an RA and prints it. Every namespace is removed by name in AfterEach and AfterAll, whatever happened; every
# wait is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:NsPrefix = "vra-$PID-"
    $script:Seq = 0
    $script:Namespaces = [Collections.Generic.List[string]]::new()

    # A guest on the bridge: a namespace whose eth0 is a veth peer of a port of the bridge, set to autoconfigure from RAs.
    # Without a bridge, the host's end of the veth is a link of its own.
    function script:New-Guest([string] $Bridge) {
        $n = ++$script:Seq
        $g = [pscustomobject]@{ Ns = "$NsPrefix$n"; Port = "vra$n" }
        $script:Namespaces.Add($g.Ns)
        $out = @"
set -e
ip netns add $($g.Ns)
ip link add $($g.Port) type veth peer name eth0 netns $($g.Ns)
ip netns exec $($g.Ns) sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1
ip -n $($g.Ns) link set lo up
ip -n $($g.Ns) link set eth0 up
ip link set $($g.Port) $(if ($Bridge) { "master $Bridge" }) up
"@ | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create the guest: $out" }
        $g
    }

    function script:Remove-Guests {
        foreach ($ns in @($script:Namespaces)) { ip netns delete $ns 2>$null }
        # Also any namespace of this test left by an interrupted creation (the prefix holds this process's PID).
        foreach ($ns in @(ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_.StartsWith($NsPrefix) })) { ip netns delete $ns 2>$null }
        $script:Namespaces.Clear()
    }

    function script:Get-GuestAddress($Guest, [string] $Prefix) {
        @(ip -n $Guest.Ns -j -6 addr show dev eth0 scope global | ConvertFrom-Json | ForEach-Object { $_.addr_info } |
            Where-Object { $_.local -like "$Prefix*" } | ForEach-Object { $_.local })
    }

    function script:Get-GuestDefaultRoute($Guest) { @(ip -n $Guest.Ns -j -6 route show default | ConvertFrom-Json) }

    function script:Get-LinkLocal([string] $Bridge) {
        ip -j -6 addr show dev $Bridge scope link | ConvertFrom-Json | ForEach-Object { $_.addr_info } | Where-Object local | Select-Object -First 1 -ExpandProperty local
    }

    function script:Invoke-Rdisc6($Guest, [int] $Tries = 3) {
        # Each try waits 4 s: an answer may wait up to 3.5 s for the RA before it (RFC 4861 §6.2.6).
        (bash -c "timeout -k 2 30 ip netns exec $($Guest.Ns) rdisc6 -1 -n -w 4000 -r $Tries eth0 2>&1") -join "`n"
    }

    # The daemon's log from character $From on: what it wrote since the caller took the log's length.
    function script:Get-DaemonLog([int] $From = 0) { "$(Get-Content -Raw (Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.log'))".Substring($From) }

    $script:Root = New-TestRoot
    # The daemon the test's first start spawns inherits it: one log line per solicitation and per RA.
    $script:LogLevel = $env:VNET_DAEMON_LOG_LEVEL
    $env:VNET_DAEMON_LOG_LEVEL = 'debug'
}

AfterAll {
    $env:VNET_DAEMON_LOG_LEVEL = $script:LogLevel
    Remove-Guests
    if ($script:Root) {
        foreach ($n in 'vra-nat', 'vra-iso') { Stop-VNetwork -Name $n -ErrorAction Ignore }
        Remove-TestRoot $script:Root
    }
}

Describe 'Router advertisements on a started IPv6 network' -Tag Namespace {
    AfterEach {
        Remove-Guests
        foreach ($n in 'vra-nat', 'vra-iso') {
            Stop-VNetwork -Name $n -ErrorAction Ignore
            Remove-VNetwork -Name $n -Force -Confirm:$false -ErrorAction Ignore
        }
    }

    It 'a guest of a NAT network autoconfigures an address in the prefix, routes by the bridge and takes the MTU until the network stops' {
        Import-VNetwork -Xml @"
<network><name>vra-nat</name><forward mode='nat'/><bridge name='vra-nat0'/><mtu size='1400'/><domain name='ra.test'/>
  <ip address='10.231.0.1' prefix='24'><dhcp><range start='10.231.0.10' end='10.231.0.99'/></dhcp></ip>
  <ip family='ipv6' address='fd00:5::1' prefix='64'/>
</network>
"@ | Out-Null
        Start-VNetwork -Name vra-nat -WarningVariable warned -WarningAction SilentlyContinue
        # The RAs are served, and there is no DHCPv6 block: nothing about IPv6 goes unenforced. Without <nat ipv6='yes'/>
        # the IPv6 is routed, and the start says the guests are reachable from outside.
        @($warned | Where-Object { "$_" -match 'VNetworkFeatureNotEnforced' }) | Should -BeNullOrEmpty
        @($warned | Where-Object { "$_" -like "VNetworkIpv6OpenInbound: Network 'vra-nat': IPv6 fd00:5::/64 is routed, not NATed*<nat ipv6='yes'/>*" }).Count | Should -Be 1

        $guest = New-Guest vra-nat0
        Wait-Until -Seconds 30 -What 'a SLAAC address in fd00:5::/64 in the guest' { (Get-GuestAddress $guest 'fd00:5:').Count -eq 1 }
        Wait-Until -Seconds 10 -What 'the guest''s default route' { (Get-GuestDefaultRoute $guest).Count -eq 1 }
        $route = (Get-GuestDefaultRoute $guest)[0]
        $route.gateway | Should -Be (Get-LinkLocal vra-nat0)
        $route.dev | Should -Be 'eth0'
        $route.protocol | Should -Be 'ra'

        # The guest's kernel took the advertised MTU for IPv6 on its link.
        ip netns exec $guest.Ns cat /proc/sys/net/ipv6/conf/eth0/mtu | Should -Be 1400

        $logged = (Get-DaemonLog).Length
        $ra = Invoke-Rdisc6 $guest
        # Answered, not only overheard: the daemon read the solicitation's hop limit (255) and scheduled an answer.
        Get-DaemonLog $logged | Should -Match 'vra-nat: router solicitation from fe80::[0-9a-f:]+%\d+, hop limit 255'
        # rdisc6 may have taken an RA of the initial burst; the answer then leaves up to 3.5 s later (RFC 4861 §6.2.6).
        Wait-Until -Seconds 5 -What 'the answer to the solicitation' { (Get-DaemonLog $logged) -match 'vra-nat: Solicited router advertisement sent on vra-nat0 from fe80::' }
        $ra | Should -Match 'Stateful address conf\.\s*:\s*No'
        $ra | Should -Match 'Router lifetime\s*:\s*1800 '
        $ra | Should -Match 'Prefix\s*:\s*fd00:5::/64'
        $ra | Should -Match 'Autonomous address conf\.\s*:\s*Yes'
        $ra | Should -Match 'MTU\s*:\s*1400 bytes'
        # DNS is served (the network has an IPv4 address): the bridge's own IPv6 address and the domain (RFC 8106).
        $ra | Should -Match 'Recursive DNS server\s*:\s*fd00:5::1\b'
        $ra | Should -Match 'DNS search list\s*:\s*ra\.test'
        # and that server answers the guest over IPv6: the network's own name for its addresses.
        ip netns exec $guest.Ns dig +short +time=2 +tries=2 '@fd00:5::1' _gateway AAAA | Should -Be 'fd00:5::1'
        $ra | Should -Match "from $([regex]::Escape((Get-LinkLocal vra-nat0)))"

        # A link of the host that is not one of our bridges hears no RA, even when it asks.
        $outsider = New-Guest ''
        Wait-Until -Seconds 10 -What 'the outsider''s link-local address (rdisc6 sends from it)' {
            @(ip -n $outsider.Ns -j -6 addr show dev eth0 scope link | ConvertFrom-Json | ForEach-Object { $_.addr_info } | Where-Object { $_.local -and -not $_.tentative }).Count -eq 1
        }
        Invoke-Rdisc6 $outsider -Tries 1 | Should -Match 'Timed out'

        Stop-VNetwork -Name vra-nat
        # The last RA (router lifetime 0) takes the route away at once; the guest's link stays up.
        Wait-Until -Seconds 5 -What 'the guest to drop its default route' { (Get-GuestDefaultRoute $guest).Count -eq 0 }
        (Get-GuestAddress $guest 'fd00:5:').Count | Should -Be 1
    }

    It 'New-VNetwork -Subnet with an IPv4 subnet and an IPv6 prefix starts a bridge with both first hosts, and a guest autoconfigures IPv6' {
        $n = New-VNetwork -Name vra-nat -Subnet 10.232.0.0/24, fd00:8::/64 -BridgeName vra-nat0 -Start -WarningVariable warned -WarningAction SilentlyContinue
        $n.State | Should -Be 'Active'
        $n.Addresses | Should -Be @('10.232.0.1/24', 'fd00:8::1/64')
        $bridge = @(ip -j addr show dev vra-nat0 | ConvertFrom-Json)[0].addr_info | Where-Object scope -eq 'global'
        @($bridge | ForEach-Object { "$($_.local)/$($_.prefixlen)" }) | Should -Be @('10.232.0.1/24', 'fd00:8::1/64')
        # IPv4 has its whole DHCP range; IPv6 has none (SLAAC), so nothing about DHCPv6 goes unenforced.
        ([xml](Export-VNetwork -Name vra-nat)).network.ip[0].dhcp.range.start | Should -Be '10.232.0.2'
        ([xml](Export-VNetwork -Name vra-nat)).network.ip[1].dhcp | Should -BeNullOrEmpty
        @($warned | Where-Object { "$_" -match 'VNetworkFeatureNotEnforced' }) | Should -BeNullOrEmpty

        $guest = New-Guest vra-nat0
        Wait-Until -Seconds 30 -What 'a SLAAC address in fd00:8::/64 in the guest' { (Get-GuestAddress $guest 'fd00:8:').Count -eq 1 }
        Wait-Until -Seconds 10 -What 'the guest''s default route' { (Get-GuestDefaultRoute $guest).Count -eq 1 }
        (Get-GuestDefaultRoute $guest)[0].gateway | Should -Be (Get-LinkLocal vra-nat0)
        # The guest reaches the bridge's own IPv6 address from its SLAAC address.
        ip netns exec $guest.Ns ping -6 -c 1 -W 2 fd00:8::1 | Out-Null
        $LASTEXITCODE | Should -Be 0
    }

    It 'a guest of an isolated IPv6-only network gets the prefix and no default route' {
        Import-VNetwork -Xml @"
<network><name>vra-iso</name><bridge name='vra-iso0'/><ip family='ipv6' address='fd00:6::1' prefix='64'/></network>
"@ | Out-Null
        Start-VNetwork -Name vra-iso -WarningVariable warned -WarningAction SilentlyContinue
        # Everything is served, DNS too, on the network's only (IPv6) address; isolated IPv6 is not routed, so no warning at all.
        @($warned) | Should -BeNullOrEmpty

        $guest = New-Guest vra-iso0
        Wait-Until -Seconds 30 -What 'a SLAAC address in fd00:6::/64 in the guest' { (Get-GuestAddress $guest 'fd00:6:').Count -eq 1 }
        $ra = Invoke-Rdisc6 $guest
        $ra | Should -Match 'Router lifetime\s*:\s*0 '
        $ra | Should -Match 'Prefix\s*:\s*fd00:6::/64'
        Get-GuestDefaultRoute $guest | Should -BeNullOrEmpty
        # The RA names the bridge as DNS server (RDNSS), and it answers there, for local names only (isolated: nothing is forwarded).
        $ra | Should -Match 'Recursive DNS server\s*:\s*fd00:6::1\b'
        ip netns exec $guest.Ns dig +short +time=2 +tries=2 '@fd00:6::1' _gateway AAAA | Should -Be 'fd00:6::1'
        (ip netns exec $guest.Ns dig +time=2 +tries=2 '@fd00:6::1' example.com A) -join "`n" | Should -Match 'status: REFUSED|status: SERVFAIL|status: NXDOMAIN'
    }

    It 'a guest drops its default route when the daemon ends (SIGTERM), and gets it back from Repair-VNetwork' {
        Import-VNetwork -Xml @"
<network><name>vra-nat</name><forward mode='nat'/><bridge name='vra-nat0'/>
  <ip address='10.231.0.1' prefix='24'/><ip family='ipv6' address='fd00:5::1' prefix='64'/>
</network>
"@ | Out-Null
        Start-VNetwork -Name vra-nat -WarningAction SilentlyContinue
        $guest = New-Guest vra-nat0
        Wait-Until -Seconds 30 -What 'the guest''s default route' { (Get-GuestDefaultRoute $guest).Count -eq 1 }

        $logged = (Get-DaemonLog).Length
        (Test-VNetworkHealth -Name vra-nat | Where-Object Check -eq RouterAdvertisementsServed).Status | Should -Be 'Pass'

        Stop-TestDaemon $env:VNET_ROOT
        Wait-Until -Seconds 5 -What 'the guest to drop its default route' { (Get-GuestDefaultRoute $guest).Count -eq 0 }
        Get-DaemonLog $logged | Should -Match 'vra-nat: Final router advertisement sent on vra-nat0'

        # Repair-VNetwork starts the daemon again, and its first RA gives the guest its route back.
        (Repair-VNetwork -Name vra-nat | Where-Object Check -eq DaemonRunning).Result | Should -Be 'Repaired'
        (Test-VNetworkHealth -Name vra-nat | Where-Object Check -eq RouterAdvertisementsServed).Status | Should -Be 'Pass'
        Wait-Until -Seconds 10 -What 'the guest''s default route back' { (Get-GuestDefaultRoute $guest).Count -eq 1 }
    }
}

Describe 'The RA safety check before IPv6 forwarding goes on' -Tag Namespace {
    BeforeAll {
        # An uplink of the test's namespace (the host here) that learnt a route by RA, as a SLAAC host's does (a veth: this
        # kernel has no dummy links; its peer goes with it).
        $script:Uplink = 'vra-up0'
        $out = @"
set -e
ip link add $Uplink type veth peer name $($Uplink)p
sysctl -qw net.ipv6.conf.$Uplink.accept_ra=1 net.ipv6.conf.all.forwarding=0
ip link set $($Uplink)p up
ip link set $Uplink up
ip -6 route add 2001:db8:1::/64 dev $Uplink proto ra
"@ | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create the uplink: $out" }

        # What a refused start must leave exactly as it was: links, addresses, routes, rules, forwarding, the store.
        function script:Get-HostSnapshot {
            [ordered]@{
                links    = (ip -d link show) -join "`n"
                addrs    = (ip addr show) -join "`n"
                routes6  = (ip -6 route show table all) -join "`n"
                ruleset  = (nft list ruleset) -join "`n"
                forward6 = Get-Content /proc/sys/net/ipv6/conf/all/forwarding
                store    = Get-StoreFingerprint $script:Root
            }
        }
    }

    AfterAll {
        Stop-VNetwork -Name vra-rt -ErrorAction Ignore
        Remove-VNetwork -Name vra-rt -Force -Confirm:$false -ErrorAction Ignore
        ip link delete $Uplink 2>$null
    }

    It 'refuses to start a routed IPv6 network while the uplink has accept_ra=1, changing nothing, and starts with accept_ra=2' {
        Import-VNetwork -Xml "<network><name>vra-rt</name><forward mode='route'/><bridge name='vra-rt0'/><ip family='ipv6' address='fd00:7::1' prefix='64'/></network>" | Out-Null
        (ip -j -6 route show proto ra | ConvertFrom-Json).dev | Should -Be $Uplink
        $before = Get-HostSnapshot

        { Start-VNetwork -Name vra-rt -ErrorAction Stop } | Should -Throw -ErrorId 'VNetworkIpv6ForwardingUnsafe,*'
        $Error[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        "$($Error[0])" | Should -Match "sysctl -w net\.ipv6\.conf\.$Uplink\.accept_ra=2"
        $after = Get-HostSnapshot
        foreach ($key in $before.Keys) { $after[$key] | Should -BeExactly $before[$key] -Because "$key must be exactly as before" }
        (Get-VNetwork vra-rt).State | Should -Be 'Inactive'

        sysctl -qw "net.ipv6.conf.$Uplink.accept_ra=2"
        Start-VNetwork -Name vra-rt -WarningAction SilentlyContinue -ErrorAction Stop
        (Get-VNetwork vra-rt).State | Should -Be 'Active'
        Get-Content /proc/sys/net/ipv6/conf/all/forwarding | Should -Be 1
        # With accept_ra=2 the kernel keeps the RA-learned route while forwarding.
        (ip -j -6 route show proto ra | ConvertFrom-Json).dev | Should -Be $Uplink
    }
}
