# Namespace tier: the DHCP server (vnetd) against real clients. Every guest is a network namespace of its
# own (vdt-<pid>-<n>) attached by a veth to the bridge of a network started in the test's namespace (which
# plays the host); an "upstream" namespace sits behind an uplink. Clients: busybox udhcpc (always with
# -s <this test's script>) and ISC dhclient (always with -sf/-lf/-pf/-cf of this test): their default
# scripts would rewrite the machine's /etc/resolv.conf. Every namespace and every process started here is
# removed by name / PID in AfterEach and AfterAll, whatever happened; every wait is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vdt-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:NsPrefix = "vdt-$PID-"
    $script:Seq = 0
    $script:Namespaces = [Collections.Generic.List[string]]::new()
    $script:Pids = [Collections.Generic.List[int]]::new()
    $script:KeptPids = [Collections.Generic.List[int]]::new()

    # udhcpc's event script: configures only the guest namespace's eth0 and logs what the client got.
    $script:UdhcpcScript = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $UdhcpcScript -Value @'
#!/bin/sh
log() { echo "$*" >> "$VDT_LOG"; }
case "$1" in
  deconfig) ip addr flush dev "$interface"; log "event=deconfig" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi
    log "event=$1 ip=$ip subnet=${subnet:-} router=${router:-} domain=${domain:-} mtu=${mtu:-} lease=${lease:-} serverid=${serverid:-}"
    ;;
  leasefail|nak) log "event=$1" ;;
esac
exit 0
'@
    # dhclient's event script: the same, with ISC's variable names.
    $script:DhclientScript = Join-Path $Work 'dhclient.sh'
    Set-Content -Path $DhclientScript -Value @'
#!/bin/sh
log() { echo "$*" >> "$VDT_LOG"; }
case "$reason" in
  PREINIT) ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    ip addr flush dev "$interface"
    ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface"
    if [ -n "$new_routers" ]; then ip route replace default via "${new_routers%% *}" dev "$interface"; fi
    log "event=$reason ip=$new_ip_address subnet=$new_subnet_mask router=${new_routers:-} domain=${new_domain_name:-} mtu=${new_interface_mtu:-} serverid=${new_dhcp_server_identifier:-}"
    ;;
  EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "$interface"; log "event=$reason" ;;
esac
exit 0
'@
    chmod 755 $UdhcpcScript $DhclientScript


    # Guests: a namespace each, eth0 (with a MAC of the test's) on a veth whose other end is a bridge port.
    function script:New-Guest([string] $Bridge, [int] $Count = 1) {
        $guests = foreach ($i in 1..$Count) {
            $n = ++$script:Seq
            $g = [pscustomobject]@{
                Ns = "$NsPrefix$n"; Port = "vdt$n"; Mac = '52:54:00:d7:{0:x2}:{1:x2}' -f ($n -shr 8), ($n -band 255)
                Name = "guest$n"; Log = Join-Path $Work "guest$n.log"; Dir = Join-Path $Work "guest$n"
            }
            $script:Namespaces.Add($g.Ns)
            New-Item -ItemType Directory -Path $g.Dir -Force | Out-Null
            $g
        }
        $lines = foreach ($g in $guests) {
            "ip netns add $($g.Ns)"
            "ip link add $($g.Port) type veth peer name eth0 netns $($g.Ns)"
            "ip -n $($g.Ns) link set eth0 address $($g.Mac)"
            "ip -n $($g.Ns) link set lo up"
            "ip -n $($g.Ns) link set eth0 up"
            "ip link set $($g.Port) master $Bridge up"
        }
        $out = ("set -e`n" + ($lines -join "`n")) | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create the guests: $out" }
        Wait-Until -Seconds 15 -What 'the guests'' bridge ports to forward' {
            $states = @(bridge -j link show master $Bridge | ConvertFrom-Json | Where-Object ifname -in $guests.Port | Where-Object state -eq 'forwarding')
            $states.Count -eq @($guests).Count
        }
        $guests
    }

    function script:Stop-Started {
        foreach ($p in @($script:Pids)) {
            if (Get-Process -Id $p -ErrorAction Ignore) { kill -TERM $p 2>$null }
        }
        foreach ($p in @($script:Pids)) {
            $deadline = [DateTime]::UtcNow.AddSeconds(3)
            while ((Get-Process -Id $p -ErrorAction Ignore) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            if (Get-Process -Id $p -ErrorAction Ignore) { kill -KILL $p 2>$null }
        }
        $script:Pids.Clear()
    }

    function script:Remove-Guests {
        Stop-Started
        # dhclient daemonizes: its pid files name the processes this test started.
        foreach ($pf in Get-ChildItem -Path $Work -Recurse -Filter 'dhclient.pid' -ErrorAction Ignore) {
            $p = [int](Get-Content -Raw $pf.FullName)
            if ($p -gt 0 -and (Get-Process -Id $p -ErrorAction Ignore)) { kill -KILL $p 2>$null }
            Remove-Item $pf.FullName -Force
        }
        foreach ($ns in @($script:Namespaces)) { ip netns delete $ns 2>$null }
        # Also any namespace of this test left by an interrupted creation (the prefix holds this process's PID).
        foreach ($ns in @(ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_.StartsWith($NsPrefix) })) { ip netns delete $ns 2>$null }
        $script:Namespaces.Clear()
    }

    # A background command in a guest; its PID (ip netns exec execs the command) is recorded for cleanup.
    function script:Start-InGuest($Guest, [string] $Command, [string] $Output = '/dev/null') {
        $p = [int](bash -c "ip netns exec $($Guest.Ns) env VDT_LOG='$($Guest.Log)' $Command >'$Output' 2>&1 </dev/null & echo `$!")
        $script:Pids.Add($p)
        $p
    }

    function script:Get-UdhcpcCommand($Guest, [string] $Options = '-q -n -t 8 -T 1 -A 1') {
        "udhcpc -f $Options -i eth0 -s '$UdhcpcScript' -O mtu -x hostname:$($Guest.Name)"
    }

    # udhcpc in the foreground until it has a lease (-q) or gives up (-n); bounded by its tries and by timeout.
    function script:Invoke-Udhcpc($Guest, [string] $Options = '-q -n -t 8 -T 1 -A 1') {
        $out = bash -c "timeout -k 2 30 ip netns exec $($Guest.Ns) env VDT_LOG='$($Guest.Log)' $(Get-UdhcpcCommand $Guest $Options) 2>&1"
        Get-GuestEvent $Guest | Select-Object -Last 1
    }

    # dhclient runs its script with an environment of its own: the guest's log path is written into a copy.
    function script:Get-DhclientArgs($Guest) {
        $cf = Join-Path $Guest.Dir 'dhclient.conf'
        $sf = Join-Path $Guest.Dir 'dhclient.sh'
        if (-not (Test-Path $cf)) {
            Set-Content -Path $sf -Value ((Get-Content -Raw $DhclientScript) -replace '\$VDT_LOG', $Guest.Log)
            chmod 755 $sf
            Set-Content -Path $cf -Value @"
send host-name "$($Guest.Name)";
request subnet-mask, broadcast-address, routers, domain-name, interface-mtu, dhcp-lease-time, dhcp-server-identifier;
timeout 20;
"@
        }
        "-cf '$cf' -sf '$sf' -lf '$(Join-Path $Guest.Dir 'dhclient.leases')' -pf '$(Join-Path $Guest.Dir 'dhclient.pid')' eth0"
    }

    function script:Get-GuestEvent($Guest) {
        if (-not (Test-Path $Guest.Log)) { return }
        foreach ($line in Get-Content $Guest.Log) {
            $e = [ordered]@{}
            foreach ($pair in $line -split ' ') { $k, $v = $pair -split '=', 2; $e[$k] = $v }
            [pscustomobject]$e
        }
    }

    function script:Get-DaemonPid { [int](Get-Content -Raw (Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.pid')) }

    # What a capture file holds, one line per packet with the link-level header (tcpdump -e).
    function script:Read-Capture([string] $Path, [string] $Filter = '') {
        if ($Filter) { @(tcpdump -r $Path -n -e -v $Filter 2>$null) } else { @(tcpdump -r $Path -n -e -v 2>$null) }
    }

    # A capture in a namespace (tcpdump -w); returns when tcpdump has opened the file.
    # -Keep: not stopped with the test's other processes (AfterEach), only by Stop-Capture or AfterAll.
    function script:Start-Capture([string] $Ns, [string] $Interface, [string] $Path, [string] $Filter = '', [switch] $Keep) {
        $p = [int](bash -c "ip netns exec $Ns tcpdump -i $Interface -n -U --immediate-mode -Z root -w '$Path' $Filter >'$Path.out' 2>&1 </dev/null & echo `$!")
        if ($Keep) { $script:KeptPids.Add($p) } else { $script:Pids.Add($p) }
        Wait-Until -Seconds 10 -What "tcpdump in $Ns to listen" { (Test-Path "$Path.out") -and ((Get-Content -Raw "$Path.out") -match 'listening on') }
        $p
    }

    function script:Stop-Capture([int] $CapturePid) {
        kill -INT $CapturePid 2>$null
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((Get-Process -Id $CapturePid -ErrorAction Ignore) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        if (Get-Process -Id $CapturePid -ErrorAction Ignore) { kill -KILL $CapturePid 2>$null }
    }

    $script:Root = New-TestRoot
    $PSDefaultParameterValues['*-VNetworkDhcpReservation:ErrorAction'] = 'Stop'
}

AfterAll {
    Remove-Guests
    foreach ($p in $script:KeptPids) { if (Get-Process -Id $p -ErrorAction Ignore) { kill -KILL $p 2>$null } }
    if ($script:Root) {
        foreach ($n in 'vdt-nat', 'vdt-iso') { Stop-VNetwork -Name $n -ErrorAction Ignore }
        Remove-TestRoot $script:Root
    }
    if ($script:Upstream) { ip netns delete $script:Upstream 2>$null }
    ip link del vdt-up0 2>$null
    if ($script:Work) { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }
}

Describe 'DHCP on a NAT network with real clients' -Tag Namespace {
    BeforeAll {
        # The outside world: an upstream namespace behind an uplink; a capture there sees what leaves the host.
        $script:Upstream = "vdu-$PID"
        ip netns add $Upstream
        ip link add vdt-up0 type veth peer name eth0 netns $Upstream
        ip addr add 203.0.113.2/24 dev vdt-up0
        ip link set vdt-up0 up
        ip route replace default via 203.0.113.1
        ip -n $Upstream addr add 203.0.113.1/24 dev eth0
        ip -n $Upstream link set eth0 up
        ip -n $Upstream link set lo up
        $script:UplinkCapture = Join-Path $Work 'uplink.pcap'
        $script:UplinkPid = Start-Capture -Ns $Upstream -Interface eth0 -Path $UplinkCapture -Keep  # stopped by the Describe's last test

        # Dynamic addresses from .2 to .199; the tests reserve addresses from .200 up, which no dynamic lease holds.
        New-VNetwork -Name vdt-nat -Subnet 10.231.10.0/24 -DhcpRange 10.231.10.2, 10.231.10.199 -BridgeName vdtbr0 | Out-Null
        Set-VNetwork -Name vdt-nat -Mtu 1400 -Domain vdt.example
        Start-VNetwork -Name vdt-nat -WarningAction SilentlyContinue
        $script:Bridge = 'vdtbr0'
        $script:Subnet = '10.231.10.'
    }
    AfterEach {
        Remove-Guests
        # A failed test must not leave its reservations to the next (the bad-input context keeps one of its own).
        Get-VNetworkDhcpReservation -Network vdt-nat | Where-Object MacAddress -ne '52:54:00:d7:ff:01' | Remove-VNetworkDhcpReservation
    }

    It 'udhcpc gets a lease in the range with the router, mask, MTU and domain' {
        $g = New-Guest $Bridge
        $bound = Invoke-Udhcpc $g
        $bound.event | Should -Be 'bound'
        $last = [int]($bound.ip -split '\.')[3]
        $bound.ip | Should -BeLike "$Subnet*"
        $last | Should -BeGreaterOrEqual 2
        $last | Should -BeLessOrEqual 254
        $bound.router | Should -Be "${Subnet}1"
        $bound.subnet | Should -Be '255.255.255.0'
        $bound.mtu | Should -Be '1400'
        $bound.domain | Should -Be 'vdt.example'
        $bound.serverid | Should -Be "${Subnet}1"
        # The guest is configured: the host answers it.
        ip netns exec $g.Ns ping -c 1 -W 2 "${Subnet}1" | Out-Null
        $LASTEXITCODE | Should -Be 0
    }

    It 'ISC dhclient gets a lease with the same options; Get-VNetworkDhcpLease shows its MAC and host name' {
        $g = New-Guest $Bridge
        bash -c "timeout -k 2 40 ip netns exec $($g.Ns) env VDT_LOG='$($g.Log)' dhclient -1 -v $(Get-DhclientArgs $g) >'$($g.Dir)/out' 2>&1"
        $LASTEXITCODE | Should -Be 0 -Because (Get-Content -Raw "$($g.Dir)/out")
        $bound = Get-GuestEvent $g | Where-Object event -eq 'BOUND' | Select-Object -Last 1
        $bound.ip | Should -BeLike "$Subnet*"
        $bound.router | Should -Be "${Subnet}1"
        $bound.subnet | Should -Be '255.255.255.0'
        $bound.mtu | Should -Be '1400'
        $bound.domain | Should -Be 'vdt.example'
        $lease = Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac
        $lease.IPAddress | Should -Be $bound.ip
        $lease.HostName | Should -Be $g.Name
        # dhclient -r releases and stops the daemonized client.
        bash -c "timeout -k 2 20 ip netns exec $($g.Ns) env VDT_LOG='$($g.Log)' dhclient -r $(Get-DhclientArgs $g) >>'$($g.Dir)/out' 2>&1"
        Wait-Until -Seconds 5 -What 'the release' { -not (Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac) }
    }

    It 'Get-VNetworkDhcpLease shows each client''s MAC and the host name it sent (udhcpc -x hostname:NAME)' {
        $guests = New-Guest $Bridge -Count 3
        foreach ($g in $guests) { (Invoke-Udhcpc $g).event | Should -Be 'bound' }
        foreach ($g in $guests) {
            $bound = Get-GuestEvent $g | Where-Object event -eq 'bound' | Select-Object -Last 1
            $lease = @(Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac)
            $lease.Count | Should -Be 1
            $lease[0].MacAddress | Should -Be $g.Mac
            $lease[0].IPAddress | Should -Be $bound.ip
            $lease[0].HostName | Should -Be $g.Name
            $lease[0].Network | Should -Be 'vdt-nat'
            $lease[0].ExpiryTime | Should -BeGreaterThan (Get-Date).AddMinutes(50)
        }
        (Get-VNetworkDhcpLease).MacAddress | Should -Contain $guests[0].Mac
    }

    It 'a renewal keeps the address and a release frees it' {
        $g = New-Guest $Bridge
        $p = Start-InGuest $g (Get-UdhcpcCommand $g '-t 8 -T 1 -A 1')
        Wait-Until -What 'the lease' { Get-GuestEvent $g | Where-Object event -eq 'bound' }
        $bound = Get-GuestEvent $g | Where-Object event -eq 'bound' | Select-Object -Last 1
        kill -USR1 $p   # udhcpc: renew now (a unicast REQUEST from the bound address)
        Wait-Until -What 'the renewal' { Get-GuestEvent $g | Where-Object event -eq 'renew' }
        $renewed = Get-GuestEvent $g | Where-Object event -eq 'renew' | Select-Object -Last 1
        $renewed.ip | Should -Be $bound.ip
        (Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac).IPAddress | Should -Be $bound.ip
        kill -USR2 $p   # udhcpc: release
        Wait-Until -Seconds 5 -What 'the release' { -not (Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac) }
    }

    It 'a foreign table whose input chain drops everything does not starve the guests: lease, unicast renewal and release still work' {
        # The daemon reads requests through a packet socket, before netfilter (as ISC dhcpd does); replies leave by output.
        'table inet vdt_foreign { chain input { type filter hook input priority 0; policy drop; }; }' | nft -f -
        $LASTEXITCODE | Should -Be 0
        try {
            $g = New-Guest $Bridge
            $p = Start-InGuest $g (Get-UdhcpcCommand $g '-t 8 -T 1 -A 1')
            Wait-Until -What 'the lease behind the foreign drop policy' { Get-GuestEvent $g | Where-Object event -eq 'bound' }
            $bound = Get-GuestEvent $g | Where-Object event -eq 'bound' | Select-Object -Last 1
            (Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac).IPAddress | Should -Be $bound.ip
            # The drop policy is really in force: the host no longer answers the guest's ping.
            ip netns exec $g.Ns ping -c 1 -W 1 "${Subnet}1" | Out-Null
            $LASTEXITCODE | Should -Not -Be 0
            kill -USR1 $p
            Wait-Until -What 'the unicast renewal' { Get-GuestEvent $g | Where-Object event -eq 'renew' }
            (Get-GuestEvent $g | Where-Object event -eq 'renew' | Select-Object -Last 1).ip | Should -Be $bound.ip
            kill -USR2 $p
            Wait-Until -Seconds 5 -What 'the release' { -not (Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $g.Mac) }
        }
        finally { nft delete table inet vdt_foreign }
    }

    It 'replies are unicast to the client''s MAC when its broadcast flag is clear, broadcast when it is set' {
        $g = New-Guest $Bridge
        $pcap = Join-Path $g.Dir 'guest.pcap'
        $cap = Start-Capture -Ns $g.Ns -Interface eth0 -Path $pcap -Filter 'udp port 67 or udp port 68'
        (Invoke-Udhcpc $g).event | Should -Be 'bound'          # busybox udhcpc leaves the flag clear
        ip netns exec $g.Ns ip addr flush dev eth0
        (Invoke-Udhcpc $g '-q -n -t 8 -T 1 -A 1 -B').event | Should -Be 'bound'   # -B: broadcast flag set
        Stop-Capture $cap
        $packets = Read-Capture $pcap
        $text = $packets -join "`n"
        # tcpdump -e -v: 'SRCMAC > DSTMAC, ...' then the BOOTP fields; one entry per packet.
        $entries = $text -split '(?m)^(?=\d\d:\d\d:\d\d\.)' | Where-Object { $_ -match 'BOOTP/DHCP' }
        $replies = @($entries | Where-Object { $_ -match 'BOOTP/DHCP, Reply' })
        $requests = @($entries | Where-Object { $_ -match 'BOOTP/DHCP, Request' })
        $replies.Count | Should -BeGreaterOrEqual 4 -Because $text
        $unicastPhase = @($requests | Where-Object { $_ -notmatch 'Flags \[Broadcast\]' })
        $unicastPhase.Count | Should -BeGreaterThan 0
        $toMac = @($replies | Where-Object { $_ -match "> $([regex]::Escape($g.Mac)), " })
        $toAll = @($replies | Where-Object { $_ -match '> ff:ff:ff:ff:ff:ff, ' })
        ($toMac.Count + $toAll.Count) | Should -Be $replies.Count
        $toMac.Count | Should -BeGreaterOrEqual 2 -Because 'the OFFER and ACK of the first exchange go to the MAC'
        $toAll.Count | Should -BeGreaterOrEqual 2 -Because 'with the broadcast flag set, the OFFER and ACK are broadcast'
        # The first exchange (flag clear) came entirely to the MAC, addressed to the offered IP.
        $firstTwo = $replies | Select-Object -First 2
        foreach ($r in $firstTwo) { $r | Should -Match "> $([regex]::Escape($g.Mac)), " }
    }

    It 'a reservation added while the network runs gives its fixed address, without a restart' {
        $daemon = Get-DaemonPid
        $ifindex = (ip -j link show vdtbr0 | ConvertFrom-Json).ifindex
        $a, $b = New-Guest $Bridge -Count 2
        # A runs with a dynamic lease; then both get reservations.
        $p = Start-InGuest $a (Get-UdhcpcCommand $a '-t 8 -T 1 -A 1')
        Wait-Until -What 'the dynamic lease' { Get-GuestEvent $a | Where-Object event -eq 'bound' }
        $dynamic = (Get-GuestEvent $a | Where-Object event -eq 'bound' | Select-Object -Last 1).ip
        $dynamic | Should -Not -Be "${Subnet}201"
        $r = Add-VNetworkDhcpReservation -Network vdt-nat -MacAddress $a.Mac -IPAddress "${Subnet}201" -HostName fixed-a -PassThru
        $r.IPAddress | Should -Be "${Subnet}201"
        Add-VNetworkDhcpReservation -Network vdt-nat -MacAddress $b.Mac.ToUpper() -IPAddress "${Subnet}202"
        # Not restarted: same daemon, same bridge, still active.
        Get-DaemonPid | Should -Be $daemon
        (ip -j link show vdtbr0 | ConvertFrom-Json).ifindex | Should -Be $ifindex
        (Get-VNetwork -Name vdt-nat).State | Should -Be 'Active'
        # A new client gets its reservation at once.
        (Invoke-Udhcpc $b).ip | Should -Be "${Subnet}202" -Because ((Get-Content -Raw (Join-Path $Root 'run/virtualnetworking/vnetd.log')) + (Get-Content -Raw $b.Log))
        # A running client is NAKed onto its reservation at its next renewal.
        kill -USR1 $p
        Wait-Until -What 'A to move to its reservation' { Get-GuestEvent $a | Where-Object { $_.event -in 'bound', 'renew' -and $_.ip -eq "${Subnet}201" } }
        (Get-VNetworkDhcpLease -Network vdt-nat -MacAddress $a.Mac).IPAddress | Should -Be "${Subnet}201"
        Get-VNetworkDhcpReservation -Network vdt-nat -MacAddress $b.Mac | ForEach-Object IPAddress | Should -Be "${Subnet}202"
        # Removed live too: B's next fresh request is served from the range (its old lease is released first).
        Remove-VNetworkDhcpReservation -Network vdt-nat -MacAddress $a.Mac
        Remove-VNetworkDhcpReservation -Network vdt-nat -MacAddress $b.Mac
        Get-DaemonPid | Should -Be $daemon
        Get-VNetworkDhcpReservation -Network vdt-nat | Should -BeNullOrEmpty
    }

    It 'Get-VNetworkDhcpLease | Add-VNetworkDhcpReservation turns dynamic leases into reservations' {
        $guests = New-Guest $Bridge -Count 3
        foreach ($g in $guests) { (Invoke-Udhcpc $g).event | Should -Be 'bound' }
        $leases = Get-VNetworkDhcpLease -Network vdt-nat | Where-Object MacAddress -in $guests.Mac
        @($leases).Count | Should -Be 3
        $pinned = $leases | Add-VNetworkDhcpReservation -PassThru
        @($pinned).Count | Should -Be 3
        foreach ($l in $leases) {
            $r = Get-VNetworkDhcpReservation -Network vdt-nat -MacAddress $l.MacAddress
            $r.IPAddress | Should -Be $l.IPAddress
            $r.HostName | Should -Be $l.HostName
        }
        # Stored (virsh net-dumpxml --inactive) and live.
        $xml = [xml](Export-VNetwork -Name vdt-nat)
        @($xml.network.ip.dhcp.host).Count | Should -Be 3
        # The guests keep their addresses through a fresh exchange.
        foreach ($g in $guests) {
            $before = (Get-GuestEvent $g | Select-Object -Last 1).ip
            ip netns exec $g.Ns ip addr flush dev eth0
            (Invoke-Udhcpc $g).ip | Should -Be $before
        }
        Get-VNetworkDhcpReservation -Network vdt-nat | Remove-VNetworkDhcpReservation
        Get-VNetworkDhcpReservation -Network vdt-nat | Should -BeNullOrEmpty
    }

    Context 'bad input for Add-VNetworkDhcpReservation' {
        BeforeAll {
            Add-VNetworkDhcpReservation -Network vdt-nat -MacAddress 52:54:00:d7:ff:01 -IPAddress "${Subnet}240" -HostName kept
        }
        AfterAll { Remove-VNetworkDhcpReservation -Network vdt-nat -MacAddress 52:54:00:d7:ff:01 -ErrorAction Ignore }

        It '<Case> gives <ErrorId> and changes nothing' -ForEach @(
            @{ Case = 'an address outside the subnet'; ErrorId = 'VNetworkReservationOutsideSubnet'; Network = 'vdt-nat'; Mac = '52:54:00:d7:ff:02'; Ip = '10.99.0.5' }
            @{ Case = 'the network address'; ErrorId = 'VNetworkReservationOutsideSubnet'; Network = 'vdt-nat'; Mac = '52:54:00:d7:ff:02'; Ip = '10.231.10.0' }
            @{ Case = 'the bridge''s own address'; ErrorId = 'VNetworkReservationOutsideSubnet'; Network = 'vdt-nat'; Mac = '52:54:00:d7:ff:02'; Ip = '10.231.10.1' }
            @{ Case = 'not an address'; ErrorId = 'VNetworkIpAddressInvalid'; Network = 'vdt-nat'; Mac = '52:54:00:d7:ff:02'; Ip = '10.231.10.0/24' }
            @{ Case = 'an address of another reservation'; ErrorId = 'VNetworkReservationExists'; Network = 'vdt-nat'; Mac = '52:54:00:d7:ff:02'; Ip = '10.231.10.240' }
            @{ Case = 'a malformed MAC'; ErrorId = 'VNetworkMacAddressInvalid'; Network = 'vdt-nat'; Mac = '52:54:00:zz:ff:02'; Ip = '10.231.10.241' }
            @{ Case = 'a multicast MAC'; ErrorId = 'VNetworkMacAddressInvalid'; Network = 'vdt-nat'; Mac = '01:00:5e:00:00:01'; Ip = '10.231.10.241' }
            @{ Case = 'a duplicate (same MAC, other address)'; ErrorId = 'VNetworkReservationExists'; Network = 'vdt-nat'; Mac = '52:54:00:D7:FF:01'; Ip = '10.231.10.241' }
            @{ Case = 'the same reservation again'; ErrorId = 'VNetworkReservationExists'; Network = 'vdt-nat'; Mac = '52:54:00:d7:ff:01'; Ip = '10.231.10.240' }
            @{ Case = 'an unknown network'; ErrorId = 'VNetworkNotFound'; Network = 'vdt-none'; Mac = '52:54:00:d7:ff:02'; Ip = '10.231.10.241' }
        ) {
            $daemon = Get-DaemonPid
            $before = Get-StoreFingerprint $Root
            $live = Get-Content -Raw (Join-Path $Root 'run/virtualnetworking/networks/vdt-nat.xml') -ErrorAction Ignore
            Add-VNetworkDhcpReservation -Network $Network -MacAddress $Mac -IPAddress $Ip -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            Get-StoreFingerprint $Root | Should -BeExactly $before
            Get-DaemonPid | Should -Be $daemon
            @(Get-VNetworkDhcpReservation -Network vdt-nat).Count | Should -Be 1
        }
    }

    It '50 guests at once all get distinct addresses' {
        $guests = @(New-Guest $Bridge -Count 50)
        $launch = ($guests | ForEach-Object {
                "ip netns exec $($_.Ns) env VDT_LOG='$($_.Log)' $(Get-UdhcpcCommand $_ '-q -n -t 15 -T 1 -A 1') >/dev/null 2>&1 </dev/null & echo `$!"
            }) -join "`n"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        foreach ($p in ($launch | bash)) { $script:Pids.Add([int]$p) }
        Wait-Until -Seconds 60 -What 'all 50 leases' { @($guests | Where-Object { Get-GuestEvent $_ | Where-Object event -eq 'bound' }).Count -eq 50 }
        $clock.Stop()
        Write-Host "    50 clients bound in $([math]::Round($clock.Elapsed.TotalSeconds, 2)) s"
        $ips = $guests | ForEach-Object { (Get-GuestEvent $_ | Where-Object event -eq 'bound' | Select-Object -Last 1).ip }
        @($ips | Sort-Object -Unique).Count | Should -Be 50
        $ips | ForEach-Object { $_ | Should -BeLike "$Subnet*" }
        $leases = Get-VNetworkDhcpLease -Network vdt-nat | Where-Object MacAddress -in $guests.Mac
        @($leases).Count | Should -Be 50
        foreach ($g in $guests) {
            ($leases | Where-Object MacAddress -eq $g.Mac).IPAddress | Should -Be (Get-GuestEvent $g | Where-Object event -eq 'bound' | Select-Object -Last 1).ip
        }
    }

    It 'leases survive kill -9 of the daemon and its restart' {
        $guests = @(New-Guest $Bridge -Count 2)
        $p = Start-InGuest $guests[0] (Get-UdhcpcCommand $guests[0] '-t 8 -T 1 -A 1')
        (Invoke-Udhcpc $guests[1]).event | Should -Be 'bound'
        Wait-Until -What 'the lease' { Get-GuestEvent $guests[0] | Where-Object event -eq 'bound' }
        $before = Get-VNetworkDhcpLease -Network vdt-nat | Sort-Object IPAddress | ForEach-Object { "$($_.MacAddress) $($_.IPAddress) $($_.HostName)" }
        $old = Get-DaemonPid
        kill -KILL $old
        Wait-Until -Seconds 5 -What 'the daemon to die' { -not (Get-Process -Id $old -ErrorAction Ignore) }
        # The lease file is read without a daemon.
        Get-VNetworkDhcpLease -Network vdt-nat | Sort-Object IPAddress | ForEach-Object { "$($_.MacAddress) $($_.IPAddress) $($_.HostName)" } | Should -Be $before
        # The next change respawns it; it restores the leases: a renewal keeps the address, a new client gets a new one.
        Add-VNetworkDhcpReservation -Network vdt-nat -MacAddress 52:54:00:d7:ff:10 -IPAddress "${Subnet}250"
        Get-DaemonPid | Should -Not -Be $old
        kill -USR1 $p
        Wait-Until -What 'the renewal' { Get-GuestEvent $guests[0] | Where-Object event -eq 'renew' }
        (Get-GuestEvent $guests[0] | Where-Object event -eq 'renew' | Select-Object -Last 1).ip | Should -Be (Get-GuestEvent $guests[0] | Where-Object event -eq 'bound' | Select-Object -Last 1).ip
        $held = (Get-GuestEvent $guests[1] | Select-Object -Last 1).ip
        $g3 = New-Guest $Bridge
        (Invoke-Udhcpc $g3).ip | Should -Not -BeIn @((Get-VNetworkDhcpLease -Network vdt-nat | Where-Object MacAddress -ne $g3.Mac).IPAddress)
        $after = Get-VNetworkDhcpLease -Network vdt-nat | Where-Object MacAddress -ne $g3.Mac | Sort-Object IPAddress | ForEach-Object { "$($_.MacAddress) $($_.IPAddress) $($_.HostName)" }
        $after | Should -Be $before
        $held | Should -BeIn (Get-VNetworkDhcpLease -Network vdt-nat).IPAddress
        Remove-VNetworkDhcpReservation -Network vdt-nat -MacAddress 52:54:00:d7:ff:10
    }

    It 'every ACK a client got before kill -9 under load is in the lease store, and all finish after the restart' {
        $guests = @(New-Guest $Bridge -Count 24)
        # Staggered, so that the kill lands while clients are mid-exchange.
        $launch = ($guests | ForEach-Object {
                # No -n: a client whose REQUEST the killed daemon never answered starts over instead of giving up.
                "ip netns exec $($_.Ns) env VDT_LOG='$($_.Log)' $(Get-UdhcpcCommand $_ '-q -t 40 -T 1 -A 1') >/dev/null 2>&1 </dev/null & echo `$!; sleep 0.05"
            }) -join "`n"
        $pidFile = Join-Path $Work 'load.pids'
        Set-Content -Path "$pidFile.sh" -Value $launch
        $launcher = [int](bash -c "bash '$pidFile.sh' >'$pidFile' 2>/dev/null </dev/null & echo `$!")
        $script:Pids.Add($launcher)
        $bound = { @($guests | Where-Object { Get-GuestEvent $_ | Where-Object event -eq 'bound' }) }
        Wait-Until -Seconds 20 -What 'the first ACKs' { (& $bound).Count -ge 4 }
        $old = Get-DaemonPid
        kill -KILL $old
        Wait-Until -Seconds 5 -What 'the daemon to die' { -not (Get-Process -Id $old -ErrorAction Ignore) }
        Wait-Until -Seconds 10 -What 'the launcher' { -not (Get-Process -Id $launcher -ErrorAction Ignore) }
        Get-Content $pidFile | ForEach-Object { $script:Pids.Add([int]$_) }
        Start-Sleep -Milliseconds 300   # replies in flight at the kill have arrived
        $acked = foreach ($g in (& $bound)) { $e = Get-GuestEvent $g | Where-Object event -eq 'bound' | Select-Object -Last 1; "$($g.Mac) $($e.ip)" }
        $stored = Get-VNetworkDhcpLease -Network vdt-nat | ForEach-Object { "$($_.MacAddress) $($_.IPAddress)" }
        Write-Host "    at kill -9: $(@($acked).Count) of 24 clients had an ACK"
        @($acked).Count | Should -BeLessThan 24 -Because 'the kill is meant to land mid-exchange'
        foreach ($a in $acked) { $a | Should -BeIn $stored -Because 'no ACK leaves before its lease is on disk' }
        # Restart (a reservation change respawns the daemon); the waiting clients finish.
        Add-VNetworkDhcpReservation -Network vdt-nat -MacAddress 52:54:00:d7:ff:11 -IPAddress "${Subnet}251"
        try { Wait-Until -Seconds 45 -What 'all 24 leases' { (& $bound).Count -eq 24 } }
        catch {
            $missing = $guests | Where-Object { -not (Get-GuestEvent $_ | Where-Object event -eq 'bound') }
            throw "$_ Without a lease: $($missing.Mac -join ', '); their logs: $(($missing | ForEach-Object { Get-Content -Raw $_.Log -ErrorAction Ignore }) -join ' | ') vnetd.log: $(Get-Content -Tail 40 (Join-Path $Root 'run/virtualnetworking/vnetd.log') | Out-String)"
        }
        $all = foreach ($g in $guests) { $e = Get-GuestEvent $g | Where-Object event -eq 'bound' | Select-Object -Last 1; "$($g.Mac) $($e.ip)" }
        @($all | ForEach-Object { ($_ -split ' ')[1] } | Sort-Object -Unique).Count | Should -Be 24
        $stored = Get-VNetworkDhcpLease -Network vdt-nat | ForEach-Object { "$($_.MacAddress) $($_.IPAddress)" }
        foreach ($a in $all) { $a | Should -BeIn $stored }
        Remove-VNetworkDhcpReservation -Network vdt-nat -MacAddress 52:54:00:d7:ff:11
    }

    It 'no DHCP packet ever appeared on the uplink to the upstream namespace' {
        Get-Process -Id $UplinkPid -ErrorAction Ignore | Should -Not -BeNullOrEmpty -Because 'the uplink capture runs for the whole Describe'
        # A ping to upstream proves the capture sees traffic that leaves by the uplink.
        ping -c 1 -W 2 203.0.113.1 | Out-Null
        Start-Sleep -Milliseconds 200
        Stop-Capture $UplinkPid
        @(Read-Capture $UplinkCapture 'icmp').Count | Should -BeGreaterThan 0 
        Read-Capture $UplinkCapture 'udp port 67 or udp port 68' | Should -BeNullOrEmpty
    }
}

Describe 'DHCP on an isolated network' -Tag Namespace {
    BeforeAll {
        New-VNetwork -Name vdt-iso -Mode Isolated -Subnet 10.231.20.0/24 -BridgeName vdtbr1 | Out-Null
        Start-VNetwork -Name vdt-iso -WarningAction SilentlyContinue
    }
    AfterEach { Remove-Guests }

    It 'gives a lease with no router' {
        $g = New-Guest vdtbr1
        $bound = Invoke-Udhcpc $g
        $bound.event | Should -Be 'bound'
        $bound.ip | Should -BeLike '10.231.20.*'
        $bound.subnet | Should -Be '255.255.255.0'
        $bound.router | Should -BeNullOrEmpty
        ip netns exec $g.Ns ip route show default | Should -BeNullOrEmpty
    }
}
