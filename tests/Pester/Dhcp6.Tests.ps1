# Namespace tier: the DHCPv6 server (vnetd) against ISC dhclient -6 (Debian's busybox has no udhcpc6). Every guest is a
# network namespace of its own (vd6-<pid>-<n>) attached by a veth to the bridge of a network started in the test's
# namespace (which plays the host); its eth0 has a MAC of the test's, so `dhclient -6 -D LL` sends a DUID-LL we know
# (00:03:00:01 and the MAC). dhclient always runs with -cf/-sf/-lf/-pf of this test: its default script would rewrite the
# machine's /etc/resolv.conf. It daemonizes once bound; its pid file names the process, which is killed in AfterEach.
# Every namespace is removed by name in AfterEach and AfterAll, whatever happened; every wait is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vd6-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:NsPrefix = "vd6-$PID-"
    $script:Seq = 0
    $script:Namespaces = [Collections.Generic.List[string]]::new()

    # dhclient's event script: logs what the client got (one line per event); a bound address goes on eth0 as on-link /64
    # (the prefix length comes from the RA, which these guests do not take), so the guest can ask the bridge's DNS.
    $script:DhclientScript = @'
#!/bin/sh
case "$reason" in
  BOUND6) ip -6 addr add "$new_ip6_address/64" dev "$interface" nodad ;;
esac
case "$reason" in
  BOUND6|RENEW6|REBIND6|RELEASE6|EXPIRE6|STOP6|DEPREF6)
    echo "event=$reason ip=${new_ip6_address:-} prefixlen=${new_ip6_prefixlen:-} old=${old_ip6_address:-} preferred=${new_preferred_life:-} valid=${new_max_life:-} dns=${new_dhcp6_name_servers:-} search=${new_dhcp6_domain_search:-}" >> "$VD6_LOG" ;;
esac
exit 0
'@

    # A guest: a namespace whose eth0 (MAC 52:54:00:d6:00:<n>, no DAD so dhclient can bind its link-local at once) is a
    # veth peer of a port of the bridge. Without a bridge, the host's end is a link of its own.
    function script:New-Guest([string] $Bridge) {
        $n = ++$script:Seq
        $g = [pscustomobject]@{
            Ns = "$NsPrefix$n"; Port = "vd6p$n"; Mac = '52:54:00:d6:00:{0:x2}' -f $n; Name = "guest$n"
            Dir = Join-Path $Work "guest$n"; Log = Join-Path $Work "guest$n/events.log"
        }
        $g | Add-Member Duid ('00:03:00:01:' + $g.Mac)
        $script:Namespaces.Add($g.Ns)
        New-Item -ItemType Directory -Path $g.Dir -Force | Out-Null
        Set-Content -Path (Join-Path $g.Dir 'dhclient.sh') -Value ($DhclientScript -replace '\$VD6_LOG', $g.Log)
        chmod 755 (Join-Path $g.Dir 'dhclient.sh')
        Set-Content -Path (Join-Path $g.Dir 'dhclient.conf') -Value @"
send fqdn.fqdn "$($g.Name)";
also request dhcp6.name-servers, dhcp6.domain-search;
timeout 20;
"@
        $out = @"
set -e
ip netns add $($g.Ns)
ip link add $($g.Port) type veth peer name eth0 netns $($g.Ns)
ip -n $($g.Ns) link set eth0 address $($g.Mac)
ip netns exec $($g.Ns) sysctl -qw net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.accept_ra=0
ip -n $($g.Ns) link set lo up
ip -n $($g.Ns) link set eth0 up
ip link set $($g.Port) $(if ($Bridge) { "master $Bridge" }) up
"@ | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create the guest: $out" }
        if ($Bridge) {
            Wait-Until -Seconds 15 -What 'the guest''s bridge port to forward' {
                @(bridge -j link show dev $g.Port | ConvertFrom-Json | Where-Object state -eq 'forwarding').Count -eq 1
            }
        }
        $g
    }

    function script:Get-DhclientArgs($Guest) {
        "-6 -D LL -cf '$($Guest.Dir)/dhclient.conf' -sf '$($Guest.Dir)/dhclient.sh' -lf '$($Guest.Dir)/dhclient.leases' -pf '$($Guest.Dir)/dhclient.pid' eth0"
    }

    # dhclient -6 once: returns when bound (it then goes on in the background) or when it gave up; the last event logged.
    function script:Invoke-Dhclient6($Guest, [int] $Seconds = 40) {
        bash -c "timeout -k 2 $Seconds ip netns exec $($Guest.Ns) dhclient -1 $(Get-DhclientArgs $Guest) 2>&1" | Out-Null
        Get-GuestEvent $Guest | Select-Object -Last 1
    }

    # Releases the lease and ends the guest's dhclient (dhclient -r).
    function script:Invoke-Dhclient6Release($Guest) {
        bash -c "timeout -k 2 20 ip netns exec $($Guest.Ns) dhclient -r $(Get-DhclientArgs $Guest) 2>&1" | Out-Null
    }

    function script:Get-GuestEvent($Guest) {
        if (-not (Test-Path $Guest.Log)) { return }
        foreach ($line in Get-Content $Guest.Log) {
            $e = [ordered]@{}
            foreach ($pair in $line -split ' ') { $k, $v = $pair -split '=', 2; $e[$k] = $v }
            [pscustomobject]$e
        }
    }

    function script:Remove-Guests {
        # dhclient daemonizes: its pid files name the processes this test started.
        foreach ($pf in Get-ChildItem -Path $Work -Recurse -Filter 'dhclient.pid' -ErrorAction Ignore) {
            $p = [int](Get-Content -Raw $pf.FullName)
            if ($p -gt 0 -and (Get-Process -Id $p -ErrorAction Ignore)) { kill -KILL $p 2>$null }
            Remove-Item $pf.FullName -Force
        }
        foreach ($ns in @($script:Namespaces)) { ip netns delete $ns 2>$null }
        foreach ($ns in @(ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_.StartsWith($NsPrefix) })) { ip netns delete $ns 2>$null }
        $script:Namespaces.Clear()
    }

    function script:Get-Lease6([string] $Network) { @(Get-VNetworkDhcpLease -Network $Network | Where-Object Duid) }

    $script:Root = New-TestRoot
}

AfterAll {
    Remove-Guests
    if ($script:Root) {
        Stop-VNetwork -Name vd6-nat -ErrorAction Ignore
        Remove-TestRoot $script:Root
    }
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'DHCPv6 from vnetd on a started network' -Tag Namespace {
    AfterEach {
        Remove-Guests
        Stop-VNetwork -Name vd6-nat -ErrorAction Ignore
        Remove-VNetwork -Name vd6-nat -Force -Confirm:$false -ErrorAction Ignore
    }

    It 'dhclient -6 gets a lease from the range and its reserved address by DUID; renew, release and a daemon killed -9 show in the lease list' {
        Import-VNetwork -Xml @"
<network><name>vd6-nat</name><forward mode='nat'><nat ipv6='yes'/></forward><bridge name='vd6-nat0'/><domain name='six.test'/>
  <ip address='10.236.0.1' prefix='24'/>
  <ip family='ipv6' address='fd00:d6::1' prefix='64'>
    <dhcp>
      <range start='fd00:d6::100' end='fd00:d6::1ff'><lease expiry='2' unit='minutes'/></range>
      <host id='00:03:00:01:52:54:00:d6:00:02' name='fixed' ip='fd00:d6::50'/>
    </dhcp>
  </ip>
</network>
"@ | Out-Null
        Start-VNetwork -Name vd6-nat -WarningVariable warned -WarningAction SilentlyContinue
        # DHCPv6 is served now: nothing in this definition goes unenforced.
        @($warned | Where-Object { "$_" -match 'VNetworkFeatureNotEnforced' }) | Should -BeNullOrEmpty

        # From the range: the address, /128 (the prefix comes from the RA), DNS at the bridge and the domain; 2-minute lifetimes.
        $a = New-Guest vd6-nat0
        $bound = Invoke-Dhclient6 $a
        $bound.event | Should -Be 'BOUND6'
        $addressA = [ipaddress]$bound.ip
        $bytes = $addressA.GetAddressBytes()
        "$($bound.ip)" | Should -BeLike 'fd00:d6::1*'
        $bytes[0..13] | Should -Be ([ipaddress]'fd00:d6::100').GetAddressBytes()[0..13] -Because 'the address is in fd00:d6::100-1ff'
        $bound.valid | Should -Be 120
        $bound.dns | Should -Be 'fd00:d6::1'
        $bound.search | Should -Be 'six.test.'
        $leaseA = Get-Lease6 vd6-nat | Where-Object IPAddress -eq $bound.ip
        $leaseA.Duid | Should -Be $a.Duid
        $leaseA.HostName | Should -Be $a.Name
        $leaseA.MacAddress | Should -BeNullOrEmpty
        $leaseA.ExpiryTime | Should -BeGreaterThan (Get-Date).AddSeconds(90)
        # Its name (Client FQDN) resolves at the network's DNS server, under the domain and bare, and back.
        ip netns exec $a.Ns dig +short +time=2 +tries=2 '@fd00:d6::1' "$($a.Name).six.test" AAAA | Should -Be $bound.ip
        ip netns exec $a.Ns dig +short +time=2 +tries=2 '@fd00:d6::1' $a.Name AAAA | Should -Be $bound.ip
        ip netns exec $a.Ns dig +short +time=2 +tries=2 '@fd00:d6::1' -x $bound.ip | Should -Be "$($a.Name).six.test."
        (Get-VNetworkDnsRecord -Network vd6-nat -Name "$($a.Name).six.test" | Where-Object Type -eq AAAA).Data | Should -Be $bound.ip

        # The reserved address, by DUID.
        $b = New-Guest vd6-nat0
        $fixed = Invoke-Dhclient6 $b
        $fixed.event | Should -Be 'BOUND6'
        $fixed.ip | Should -Be 'fd00:d6::50'
        (Get-Lease6 vd6-nat | Where-Object Duid -eq $b.Duid).IPAddress | Should -Be 'fd00:d6::50'

        # Released: gone from the list.
        Invoke-Dhclient6Release $b
        Wait-Until -Seconds 10 -What 'the released lease to leave the list' { -not (Get-Lease6 vd6-nat | Where-Object Duid -eq $b.Duid) }

        # The daemon killed -9 right after binding lost nothing: the lease was durable before the Reply left. The restarted
        # daemon restores it, and the guest's Renew at T1 (half the 2-minute preferred lifetime) keeps its address.
        $daemon = [int](Get-Content (Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.pid'))
        kill -KILL $daemon
        (Get-Lease6 vd6-nat | Where-Object Duid -eq $a.Duid).IPAddress | Should -Be $bound.ip
        (Test-VNetworkHealth -Name vd6-nat | Where-Object Check -eq DaemonRunning).Status | Should -Be 'Fail'
        (Repair-VNetwork -Name vd6-nat | Where-Object Check -eq DaemonRunning).Result | Should -Be 'Repaired'
        (Test-VNetworkHealth -Name vd6-nat | Where-Object Check -eq Dhcp6Served).Status | Should -Be 'Pass'
        Wait-Until -Seconds 80 -What 'the guest''s Renew at T1' { @(Get-GuestEvent $a | Where-Object event -eq 'RENEW6').Count -ge 1 }
        (Get-GuestEvent $a | Where-Object event -eq 'RENEW6' | Select-Object -Last 1).ip | Should -Be $bound.ip
        Wait-Until -Seconds 5 -What 'the renewal in the lease list' {
            (Get-Lease6 vd6-nat | Where-Object Duid -eq $a.Duid).ExpiryTime -gt $leaseA.ExpiryTime.AddSeconds(30)
        }
    }

    It 'a host id too short to be a DUID refuses the start, leaving no bridge behind' {
        # libvirt's rule (hex digits and ':') accepts it; no DUID type is 2 octets long, so the server could never match it.
        Import-VNetwork -Xml @"
<network><name>vd6-nat</name><bridge name='vd6-nat0'/>
  <ip family='ipv6' address='fd00:d8::1' prefix='64'><dhcp><host id='0:1' ip='fd00:d8::5'/></dhcp></ip>
</network>
"@ | Out-Null
        { Start-VNetwork -Name vd6-nat -ErrorAction Stop } | Should -Throw -ErrorId 'VNetworkDhcpUnavailable,*'
        "$($Error[0])" | Should -Match "unusable IPv6 DHCP block: Host id '0:1': a DUID of 2 bytes is outside 3-130"
        (Get-VNetwork vd6-nat).State | Should -Be 'Inactive'
        ip link show dev vd6-nat0 2>$null | Should -BeNullOrEmpty
    }

    It 'the router advertisement says stateful, and a link that is not our bridge gets no DHCPv6 answer' {
        Import-VNetwork -Xml @"
<network><name>vd6-nat</name><forward mode='nat'/><bridge name='vd6-nat0'/>
  <ip family='ipv6' address='fd00:d7::1' prefix='64'><dhcp><range start='fd00:d7::100' end='fd00:d7::1ff'/></dhcp></ip>
</network>
"@ | Out-Null
        Start-VNetwork -Name vd6-nat -WarningAction SilentlyContinue
        $guest = New-Guest vd6-nat0
        $ra = (bash -c "timeout -k 2 30 ip netns exec $($guest.Ns) rdisc6 -1 -n -w 4000 -r 3 eth0 2>&1") -join "`n"
        $ra | Should -Match 'Stateful address conf\.\s*:\s*Yes'
        $ra | Should -Match 'Prefix\s*:\s*fd00:d7::/64'
        $ra | Should -Match 'Autonomous address conf\.\s*:\s*No'
        (Invoke-Dhclient6 $guest).event | Should -Be 'BOUND6'

        # A link of the host that is not one of our bridges: its dhclient hears nothing and gives up.
        $outsider = New-Guest ''
        Invoke-Dhclient6 $outsider -Seconds 8 | Should -BeNullOrEmpty
    }

    It 'a reservation by DUID added while the network runs is served at once, without a restart, and its removal too' {
        Import-VNetwork -Xml @"
<network><name>vd6-nat</name><forward mode='nat'/><bridge name='vd6-nat0'/>
  <ip family='ipv6' address='fd00:d9::1' prefix='64'><dhcp><range start='fd00:d9::100' end='fd00:d9::1ff'/></dhcp></ip>
</network>
"@ | Out-Null
        Start-VNetwork -Name vd6-nat -WarningAction SilentlyContinue
        $daemon = [int](Get-Content (Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.pid'))
        $guest = New-Guest vd6-nat0

        Add-VNetworkDhcpReservation -Network vd6-nat -Duid $guest.Duid -IPAddress fd00:d9::60 -HostName fixed6

        (Invoke-Dhclient6 $guest).ip | Should -Be 'fd00:d9::60'
        (Get-VNetworkDhcpLease -Network vd6-nat -Duid $guest.Duid).IPAddress | Should -Be 'fd00:d9::60'
        [int](Get-Content (Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.pid')) | Should -Be $daemon

        # Released and no longer reserved: the guest's next lease comes from the range (dhclient still asks for the old
        # address too, from its lease file, and is told it with lifetime 0: an event of its own).
        Invoke-Dhclient6Release $guest
        Remove-VNetworkDhcpReservation -Network vd6-nat -Duid $guest.Duid
        Invoke-Dhclient6 $guest | Out-Null
        $bound = Get-GuestEvent $guest | Where-Object { $_.event -eq 'BOUND6' -and $_.valid -ne '0' } | Select-Object -Last 1
        "$($bound.ip)" | Should -BeLike 'fd00:d9::1*' -Because (Get-Content -Raw $guest.Log)
        [int](Get-Content (Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.pid')) | Should -Be $daemon
    }
}
