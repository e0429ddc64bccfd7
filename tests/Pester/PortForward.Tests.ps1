# Namespace tier: Add-/Get-/Remove-VNetworkPortForward with real packets. The test's namespace (build/netns-run.sh)
# plays the host: it runs one NAT network (vpfbr0, 10.236.0.0/24) and has an uplink vpfup0 (192.0.2.1) to an
# "upstream" namespace (192.0.2.2, default route via the host). Guest A (reservation 10.236.0.10) and guest B (a
# dynamic lease) are namespaces on veth ports from New-VNetworkPort, leased by udhcpc with this test's own event
# script. Guest A's socat services answer "A <client address> <port>" (TCP 80, 9000-9002) or log "<client address>
# <datagram>" (UDP 7000, 7100); guest B answers "B ..." on TCP 80. Every namespace, link and process made here is
# removed by name or process group in AfterAll, whatever happened; every wait is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Root = New-TestRoot
    # Outside the root, so the logs written here never count as a change of the store.
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vpf-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:Namespaces = [Collections.Generic.List[string]]::new()
    # Background commands run in sessions of their own (setsid): each is stopped as a process group, by its leader's PID.
    $script:Groups = [Collections.Generic.List[int]]::new()

    $script:UdhcpcScript = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $UdhcpcScript -Value @'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "$ip" > "$VPF_LEASE" ;;
esac
exit 0
'@
    chmod 755 $UdhcpcScript

    function script:New-Namespace([string] $Name) {
        ip netns add $Name
        if ($LASTEXITCODE) { throw "ip netns add $Name failed" }
        $script:Namespaces.Add($Name)
        ip -n $Name link set lo up
        $Name
    }

    # A shell command in the background (in namespace $Ns, or here when empty), as the leader of its own session.
    function script:Start-Group([string] $Ns, [string] $Command, [string] $Output = '/dev/null') {
        $in = if ($Ns) { "ip netns exec $Ns " } else { '' }
        $quoted = $Command -replace "'", "'\''"
        $leader = [int](bash -c "setsid ${in}sh -c '$quoted' >'$Output' 2>&1 </dev/null & echo `$!")
        $script:Groups.Add($leader)
        $leader
    }

    function script:Stop-Group([int] $Leader) {
        bash -c "kill -TERM -- -$Leader 2>/dev/null"
        $deadline = [DateTime]::UtcNow.AddSeconds(3)
        while ((Get-Process -Id $Leader -ErrorAction Ignore) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        bash -c "kill -KILL -- -$Leader 2>/dev/null"
        $script:Groups.Remove($Leader) | Out-Null
    }

    # The guest's veth port on the network and a lease by udhcpc (bounded); returns the leased address or throws.
    function script:Connect-Guest($Guest) {
        New-VNetworkPort -Network vpf -Namespace $Guest.Ns -MacAddress $Guest.Mac -ErrorAction Stop | Out-Null
        $lease = Join-Path $Work "$($Guest.Name).lease"
        Remove-Item $lease -ErrorAction Ignore
        $env:VPF_LEASE = $lease
        timeout -k 1 20 ip netns exec $Guest.Ns udhcpc -f -q -n -t 8 -T 1 -A 1 -i eth0 -s $UdhcpcScript *> (Join-Path $Work "$($Guest.Name).udhcpc.log")
        if (-not (Test-Path $lease)) { throw "no lease for guest $($Guest.Name): $(Get-Content -Raw (Join-Path $Work "$($Guest.Name).udhcpc.log"))" }
        (Get-Content -Raw $lease).Trim()
    }

    # What a TCP service answered ("A 192.0.2.2 80"), or $null when the connection failed (refused, or nothing within 2 s).
    function script:Invoke-Tcp([string] $From, [string] $Address, [int] $Port) {
        $client = @('timeout', '-k', '1', '4', 'socat', '-u', '-T2', "TCP:${Address}:$Port,connect-timeout=2", 'STDOUT')
        $out = if ($From) { ip netns exec $From @client 2>$null } else { & $client[0] $client[1..($client.Count - 1)] 2>$null }
        if ($LASTEXITCODE -ne 0 -or -not $out) { return $null }
        "$out".Trim()
    }

    # One datagram with a token of its own; returns the token.
    function script:Send-Udp([string] $From, [string] $Address, [int] $Port) {
        $token = 'tok' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        $in = if ($From) { "ip netns exec $From " } else { '' }
        bash -c "echo $token | timeout -k 1 3 ${in}socat -u - UDP-SENDTO:${Address}:$Port"
        $token
    }

    function script:Get-UdpLog([string] $Path) { if (Test-Path $Path) { Get-Content -Raw $Path } else { '' } }

    # Whether a datagram sent now from $From reaches guest A's UDP 7000 service (its log names the client it saw).
    function script:Test-Udp([string] $From, [string] $Address, [int] $Port, [string] $SeenAs) {
        $token = Send-Udp $From $Address $Port
        try { Wait-Until -Seconds 2 -What "datagram $token" { (Get-UdpLog $UdpLog) -match "(?m)^$([regex]::Escape($SeenAs)) $token$" }; $true }
        catch { $false }
    }

    # What a refused command must not change: the stored and live definitions, the store's files, the ruleset.
    function script:Get-ForwardSnapshot {
        @(
            Export-VNetwork -Name vpf
            Get-VNetworkPortForward | Out-String -Width 400
            Get-StoreFingerprint $Root
            nft list ruleset
            sysctl -n net.ipv4.conf.vpfbr0.route_localnet
        ) -join "`n"
    }

    function script:Get-RouteLocalnet { (Get-Content -Raw /proc/sys/net/ipv4/conf/vpfbr0/route_localnet).Trim() }

    # br_netfilter is per namespace and on in a new one when the module is loaded: off here, as on a host without Docker.
    foreach ($key in 'net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables') { sysctl -qw "$key=0" 2>$null }

    # Upstream: 192.0.2.2 behind the uplink vpfup0 (192.0.2.1), with its default route via the host.
    $script:Up = New-Namespace "vpf-$PID-up"
    ip link add vpfup0 type veth peer name eth0 netns $Up
    ip addr add 192.0.2.1/24 dev vpfup0
    ip link set vpfup0 up
    ip -n $Up addr add 192.0.2.2/24 dev eth0
    ip -n $Up link set eth0 up
    ip -n $Up route add default via 192.0.2.1

    New-VNetwork -Name vpf -Mode Nat -Subnet 10.236.0.0/24 -BridgeName vpfbr0 -Stp:$false -ErrorAction Stop | Out-Null
    $script:A = [pscustomobject]@{ Name = 'A'; Ns = (New-Namespace "vpf-$PID-a"); Mac = '52:54:00:36:00:0a'; Address = '10.236.0.10' }
    $script:B = [pscustomobject]@{ Name = 'B'; Ns = (New-Namespace "vpf-$PID-b"); Mac = '52:54:00:36:00:0b'; Address = $null }
    Add-VNetworkDhcpReservation -Network vpf -MacAddress $A.Mac -IPAddress $A.Address -HostName guest-a -ErrorAction Stop
    Start-VNetwork -Name vpf -WarningAction Ignore -ErrorAction Stop
    $script:AddressA = Connect-Guest $A
    $B.Address = Connect-Guest $B

    # Guest A's services: TCP 80 and 9000-9002 answer with the client address and port they saw; UDP 7000 logs the
    # client and the datagram; UDP 7100 logs what it receives (the stale-flow test).
    $script:UdpLog = Join-Path $Work 'a-udp7000.log'
    $script:GuestFlowLog = Join-Path $Work 'a-udp7100.log'
    $tcp = foreach ($port in 80, 9000, 9001, 9002) { "socat TCP-LISTEN:$port,fork,reuseaddr SYSTEM:'echo A `$SOCAT_PEERADDR `$SOCAT_SOCKPORT' &" }
    Start-Group $A.Ns (@($tcp) + @(
            "socat -u UDP-RECVFROM:7000,fork SYSTEM:'read x; echo `"`$SOCAT_PEERADDR `$x`" >> $UdpLog' &"
            "socat -u UDP-RECV:7100 OPEN:$GuestFlowLog,creat,append &"
            'wait') -join "`n") (Join-Path $Work 'a-services.log') | Out-Null
    Start-Group $B.Ns "socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo B `$SOCAT_PEERADDR `$SOCAT_SOCKPORT'" (Join-Path $Work 'b-services.log') | Out-Null
    Wait-Until -Seconds 10 -What "the guests' services to listen" {
        $a = @(ip netns exec $A.Ns ss -Hlntu | ForEach-Object { ($_ -split '\s+')[4] -replace '^.*:', '' })
        $b = @(ip netns exec $B.Ns ss -Hlnt | ForEach-Object { ($_ -split '\s+')[3] -replace '^.*:', '' })
        @('80', '9000', '9001', '9002', '7000', '7100' | Where-Object { $_ -notin $a }).Count -eq 0 -and $b -contains '80'
    }
}

AfterAll {
    foreach ($leader in @($script:Groups)) { Stop-Group $leader }
    foreach ($name in 'vpf', 'vpf-other', 'vpf-iso', 'vpf-open', 'vpf-bridged') { Stop-VNetwork -Name $name -ErrorAction Ignore 3>$null }
    foreach ($ns in $script:Namespaces) { ip netns delete $ns 2>$null }
    ip link delete vpfup0 2>$null
    # Stopping the last network deletes our tables; a failure half-way must not leave them to the next file.
    foreach ($family in 'ip', 'ip6') { nft delete table $family virtualnetworking 2>$null }
    Remove-TestRoot $script:Root
    if ($script:Work) { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }
}

Describe 'Port forwards carry real packets to guests' -Tag Namespace {
    It 'the guests have their addresses and services' {
        $AddressA | Should -Be $A.Address
        $B.Address | Should -Match '^10\.236\.0\.\d+$'
        Invoke-Tcp $B.Ns $A.Address 80 | Should -Be "A $($B.Address) 80"
        Get-VNetworkPortForward -Network vpf | Should -BeNullOrEmpty
    }

    It 'TCP 8080 -> A:80 reaches A from upstream (A sees the real client) and from the host, with no warning for a reserved guest' {
        $f = Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 8080 -GuestAddress $A.Address -GuestPort 80 -Description web -PassThru -WarningVariable warned
        $warned | Should -BeNullOrEmpty
        $f.HostEndpoint | Should -Be '*:8080'
        $f.GuestEndpoint | Should -Be '10.236.0.10:80'
        $f.Active | Should -BeTrue
        $f.Description | Should -Be 'web'

        Invoke-Tcp $Up 192.0.2.1 8080 | Should -Be 'A 192.0.2.2 80'
        Invoke-Tcp '' 192.0.2.1 8080 | Should -Be 'A 192.0.2.1 80' -Because "the host's own connection keeps its source address"
        Invoke-Tcp $Up $A.Address 80 | Should -BeNullOrEmpty -Because 'a NAT network lets only the forwarded flow in'
    }

    It 'guest B reaches A through the host address by hairpin: A sees the bridge address 10.236.0.1 as the client' {
        Invoke-Tcp $B.Ns 192.0.2.1 8080 | Should -Be 'A 10.236.0.1 80'
        Invoke-Tcp $B.Ns 10.236.0.1 8080 | Should -Be 'A 10.236.0.1 80'
    }

    It 'a port range 9000-9002 goes to the same guest ports, and 9100-9102 to the guest''s 9000-9002 (shifted)' {
        Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 9000-9002 -GuestAddress $A.Address
        Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 9100-9102 -GuestAddress $A.Address -GuestPort 9000-9002
        foreach ($offset in 0..2) {
            Invoke-Tcp $Up 192.0.2.1 (9000 + $offset) | Should -Be "A 192.0.2.2 $(9000 + $offset)"
            Invoke-Tcp $Up 192.0.2.1 (9100 + $offset) | Should -Be "A 192.0.2.2 $(9000 + $offset)"
        }
        Invoke-Tcp $Up 192.0.2.1 9103 | Should -BeNullOrEmpty
        $shifted = Get-VNetworkPortForward -Network vpf -HostPort 9101
        $shifted.HostPort, $shifted.HostPortEnd, $shifted.GuestPort, $shifted.GuestPortEnd | Should -Be @(9100, 9102, 9000, 9002)
        $shifted.GuestEndpoint | Should -Be '10.236.0.10:9000-9002'
    }

    It '-SourcePrefix 192.0.2.1/32 keeps upstream (192.0.2.2) out while the host still connects' {
        Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 8081 -GuestAddress $A.Address -GuestPort 80 -SourcePrefix 192.0.2.1/32
        (Get-VNetworkPortForward -Network vpf -HostPort 8081).SourcePrefix | Should -Be @('192.0.2.1/32')
        Invoke-Tcp $Up 192.0.2.1 8081 | Should -BeNullOrEmpty
        Invoke-Tcp '' 192.0.2.1 8081 | Should -Be 'A 192.0.2.1 80'
    }

    It 'UDP 7000 -> A:7000 carries datagrams from upstream (A sees the real client)' {
        Add-VNetworkPortForward -Network vpf -Protocol Udp -HostPort 7000 -GuestAddress $A.Address
        Test-Udp $Up 192.0.2.1 7000 '192.0.2.2' | Should -BeTrue -Because (Get-UdpLog $UdpLog)
    }

    It '127.0.0.1 is an opt-in: the host''s connections to 127.0.0.1:8180 reach A (seen as the bridge address); plain 127.0.0.1:8080 is not forwarded' {
        Get-RouteLocalnet | Should -Be '0'
        $f = Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostAddress 127.0.0.1 -HostPort 8180 -GuestAddress $A.Address -GuestPort 80 -PassThru
        $f.HostEndpoint | Should -Be '127.0.0.1:8180'
        Get-RouteLocalnet | Should -Be '1'
        Invoke-Tcp '' 127.0.0.1 8180 | Should -Be 'A 10.236.0.1 80'
        Invoke-Tcp '' 127.0.0.1 8080 | Should -BeNullOrEmpty -Because 'a forward without a host address leaves loopback alone'
        Invoke-Tcp $Up 192.0.2.1 8180 | Should -BeNullOrEmpty -Because 'the forward takes 127.0.0.1 only'
    }

    It 'the forwards survive Stop-VNetwork and Start-VNetwork (the guests'' ports are made again)' {
        Stop-VNetwork -Name vpf -ErrorAction Stop
        @(Get-VNetworkPortForward -Network vpf | Where-Object Active) | Should -BeNullOrEmpty
        @(Get-VNetworkPortForward -Network vpf).Count | Should -Be 6
        Start-VNetwork -Name vpf -WarningAction Ignore -ErrorAction Stop
        Connect-Guest $A | Should -Be $A.Address
        $B.Address = Connect-Guest $B
        @(Get-VNetworkPortForward -Network vpf | Where-Object Active).Count | Should -Be 6
        Get-RouteLocalnet | Should -Be '1'
        Invoke-Tcp $Up 192.0.2.1 8080 | Should -Be 'A 192.0.2.2 80'
        Invoke-Tcp $Up 192.0.2.1 9101 | Should -Be 'A 192.0.2.2 9001'
        Invoke-Tcp $Up 192.0.2.1 8081 | Should -BeNullOrEmpty
        Invoke-Tcp '' 127.0.0.1 8180 | Should -Be 'A 10.236.0.1 80'
        Test-Udp $Up 192.0.2.1 7000 '192.0.2.2' | Should -BeTrue
    }

    It 'the forwards survive Restart-VNetwork' {
        Restart-VNetwork -Name vpf -WarningAction Ignore -ErrorAction Stop
        Invoke-Tcp $Up 192.0.2.1 8080 | Should -Be 'A 192.0.2.2 80'
        Invoke-Tcp $B.Ns 192.0.2.1 8080 | Should -Be 'A 10.236.0.1 80'
        Invoke-Tcp $Up 192.0.2.1 9002 | Should -Be 'A 192.0.2.2 9002'
        Invoke-Tcp '' 127.0.0.1 8180 | Should -Be 'A 10.236.0.1 80'
        Test-Udp $Up 192.0.2.1 7000 '192.0.2.2' | Should -BeTrue
    }

    It 'after nft flush ruleset (this namespace''s only) vnetd''s watch puts the forwards back by itself' {
        Assert-TestNamespace
        nft flush ruleset
        Wait-Until -Seconds 5 -What 'the forward to work again' { (Invoke-Tcp $Up 192.0.2.1 8080) -eq 'A 192.0.2.2 80' }
        Invoke-Tcp $Up 192.0.2.1 9100 | Should -Be 'A 192.0.2.2 9000'
        Invoke-Tcp '' 127.0.0.1 8180 | Should -Be 'A 10.236.0.1 80'
        Test-Udp $Up 192.0.2.1 7000 '192.0.2.2' | Should -BeTrue
    }

    It 'with vnetd killed, nft flush ruleset stops the forwards and Repair-VNetwork brings them back' {
        Assert-TestNamespace
        $daemon = [int](Get-Content -Raw (Join-Path $Root 'run/virtualnetworking/vnetd.pid'))
        kill -KILL $daemon
        Wait-Until -Seconds 5 -What 'vnetd to die' { -not (Get-Process -Id $daemon -ErrorAction Ignore) }
        nft flush ruleset
        Invoke-Tcp $Up 192.0.2.1 8080 | Should -BeNullOrEmpty
        Invoke-Tcp '' 127.0.0.1 8180 | Should -BeNullOrEmpty
        $repairs = @(Repair-VNetwork -Name vpf)
        $repairs.Check | Should -Be @('FirewallRules', 'DaemonRunning')
        @($repairs | Where-Object Result -ne 'Repaired') | Should -BeNullOrEmpty -Because ($repairs | Format-List | Out-String)
        Invoke-Tcp $Up 192.0.2.1 8080 | Should -Be 'A 192.0.2.2 80'
        Invoke-Tcp $B.Ns 192.0.2.1 8080 | Should -Be 'A 10.236.0.1 80'
        Invoke-Tcp $Up 192.0.2.1 9100 | Should -Be 'A 192.0.2.2 9000'
        Invoke-Tcp $Up 192.0.2.1 8081 | Should -BeNullOrEmpty
        Invoke-Tcp '' 192.0.2.1 8081 | Should -Be 'A 192.0.2.1 80'
        Invoke-Tcp '' 127.0.0.1 8180 | Should -Be 'A 10.236.0.1 80'
        Test-Udp $Up 192.0.2.1 7000 '192.0.2.2' | Should -BeTrue
    }

    It 'a UDP flow to the host from before the forward moves to the guest within 2 s of Add, and back to the host after Remove' {
        # The host listens on 7100 too, so the flow is delivered here before the forward exists. Our running network's
        # rules (ct state, masquerade) have conntrack track it, and NAT is decided on a flow's first packet: without
        # the clearing Add and Remove do, the flow would keep its old path for as long as the client sends.
        $hostLog = Join-Path $Work 'host-udp7100.log'
        $listener = Start-Group '' "socat -u UDP-RECV:7100 OPEN:$hostLog,creat,append"
        $sender = Start-Group $Up 'while :; do echo tick; sleep 0.1; done | socat -u - UDP-SENDTO:192.0.2.1:7100,sourceport=40100,reuseaddr'
        try {
            Wait-Until -Seconds 5 -What 'the flow to reach the host' { (Get-UdpLog $hostLog) -match 'tick' }
            Add-VNetworkPortForward -Network vpf -Protocol Udp -HostPort 7100 -GuestAddress $A.Address -WarningVariable warned
            $warned | Should -BeNullOrEmpty
            Wait-Until -Seconds 2 -What 'the running flow to reach the guest' { (Get-UdpLog $GuestFlowLog) -match 'tick' }
            $atHost = (Get-Content $hostLog).Count

            Remove-VNetworkPortForward -Network vpf -Protocol Udp -HostPort 7100 -WarningVariable warned
            $warned | Should -BeNullOrEmpty
            Wait-Until -Seconds 2 -What 'the running flow to come back to the host' { (Get-Content $hostLog).Count -gt $atHost }
        }
        finally { Stop-Group $sender; Stop-Group $listener }
    }

    It 'a reservation from the pipeline binds -Network and -GuestAddress (Get-VNetworkDhcpReservation | Add-VNetworkPortForward)' {
        $f = Get-VNetworkDhcpReservation -Network vpf -MacAddress $A.Mac | Add-VNetworkPortForward -Protocol Tcp -HostPort 8200 -GuestPort 80 -PassThru -WarningVariable warned
        $warned | Should -BeNullOrEmpty
        $f.Network | Should -Be 'vpf'
        $f.GuestAddress | Should -Be $A.Address
        Invoke-Tcp $Up 192.0.2.1 8200 | Should -Be 'A 192.0.2.2 80'
    }

    It 'a lease from the pipeline binds too (Get-VNetworkDhcpLease | Add-VNetworkPortForward), with no warning for a leased guest' {
        $f = Get-VNetworkDhcpLease -Network vpf -MacAddress $B.Mac | Add-VNetworkPortForward -Protocol Tcp -HostPort 8201 -GuestPort 80 -PassThru -WarningVariable warned
        $warned | Should -BeNullOrEmpty
        $f.GuestAddress | Should -Be $B.Address
        Invoke-Tcp $Up 192.0.2.1 8201 | Should -Be 'B 192.0.2.2 80'
    }

    It 'a guest no lease or reservation holds gets VNetworkPortForwardGuestUnknown, and the forward is added' {
        Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 8400 -GuestAddress 10.236.0.250 -WarningVariable warned -WarningAction SilentlyContinue
        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -BeLike 'VNetworkPortForwardGuestUnknown:*10.236.0.250*'
        (Get-VNetworkPortForward -Network vpf -HostPort 8400).GuestAddress | Should -Be '10.236.0.250'
        Remove-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 8400
    }

    Context 'bad input changes nothing' {
        BeforeAll {
            New-VNetwork -Name vpf-other -Mode Nat -Subnet 10.237.0.0/24 -BridgeName vpfbr1 -ErrorAction Stop | Out-Null
            Add-VNetworkPortForward -Network vpf-other -Protocol Tcp -HostPort 8500 -GuestAddress 10.237.0.10 -WarningAction Ignore -ErrorAction Stop
            New-VNetwork -Name vpf-iso -Mode Isolated -Subnet 10.238.0.0/24 -BridgeName vpfbr2 -ErrorAction Stop | Out-Null
            New-VNetwork -Name vpf-open -Mode Open -Subnet 10.239.0.0/24 -BridgeName vpfbr3 -ErrorAction Stop | Out-Null
            New-VNetwork -Name vpf-bridged -Mode Bridged -BridgeName vpfbr4 -ErrorAction Stop | Out-Null
            # Two forwards of tcp 8300 on different host addresses: removing "8300" alone is ambiguous.
            Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostAddress 10.236.0.1 -HostPort 8300 -GuestAddress 10.236.0.10 -ErrorAction Stop
            Add-VNetworkPortForward -Network vpf -Protocol Tcp -HostAddress 192.0.2.1 -HostPort 8300 -GuestAddress 10.236.0.10 -ErrorAction Stop
        }
        AfterAll {
            foreach ($address in '10.236.0.1', '192.0.2.1') { Remove-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 8300 -HostAddress $address -ErrorAction Ignore }
            foreach ($name in 'vpf-other', 'vpf-iso', 'vpf-open', 'vpf-bridged') { Remove-VNetwork -Name $name -ErrorAction Ignore }
        }

        It 'Add <Case> gives <ErrorId>' -ForEach @(
            @{ Case = 'a port above 65535'; ErrorId = 'VNetworkPortForwardPortInvalid'; Arguments = @{ HostPort = '70000' } }
            @{ Case = 'port 0'; ErrorId = 'VNetworkPortForwardPortInvalid'; Arguments = @{ HostPort = '0' } }
            @{ Case = 'a guest port above 65535'; ErrorId = 'VNetworkPortForwardPortInvalid'; Arguments = @{ HostPort = '8600'; GuestPort = '65536' } }
            @{ Case = 'ranges of different lengths'; ErrorId = 'VNetworkPortForwardPortInvalid'; Arguments = @{ HostPort = '8600-8602'; GuestPort = '80-81' } }
            @{ Case = 'a range that ends before it starts'; ErrorId = 'VNetworkPortForwardPortInvalid'; Arguments = @{ HostPort = '8602-8600' } }
            @{ Case = 'a port that is no number'; ErrorId = 'VNetworkPortForwardPortInvalid'; Arguments = @{ HostPort = 'http' } }
            @{ Case = 'a guest address outside the subnet'; ErrorId = 'VNetworkPortForwardGuestOutsideSubnet'; Arguments = @{ GuestAddress = '10.99.0.5' } }
            @{ Case = 'the bridge''s own address as the guest'; ErrorId = 'VNetworkPortForwardGuestOutsideSubnet'; Arguments = @{ GuestAddress = '10.236.0.1' } }
            @{ Case = 'a host port this network forwards'; ErrorId = 'VNetworkPortForwardDuplicate'; Arguments = @{ HostPort = '8080'; GuestAddress = 'B' } }
            @{ Case = 'a range overlapping a forwarded port'; ErrorId = 'VNetworkPortForwardDuplicate'; Arguments = @{ HostPort = '8079-8081' } }
            @{ Case = 'a host port another network forwards'; ErrorId = 'VNetworkPortForwardDuplicate'; Arguments = @{ HostPort = '8500' } }
            @{ Case = 'an isolated network'; ErrorId = 'VNetworkPortForwardNotAllowed'; Arguments = @{ Network = 'vpf-iso'; GuestAddress = '10.238.0.10' } }
            @{ Case = 'an open network'; ErrorId = 'VNetworkPortForwardNotAllowed'; Arguments = @{ Network = 'vpf-open'; GuestAddress = '10.239.0.10' } }
            # A bridged network has no subnet of its own, so any guest address is also outside it.
            @{ Case = 'a bridged network'; ErrorId = 'VNetworkPortForwardNotAllowed'; Arguments = @{ Network = 'vpf-bridged'; GuestAddress = '10.240.0.10' }; Also = @('VNetworkPortForwardGuestOutsideSubnet') }
            @{ Case = 'a source prefix that is not CIDR'; ErrorId = 'VNetworkPortForwardSourceInvalid'; Arguments = @{ SourcePrefix = @('192.0.2.0/24', 'nonsense') } }
            @{ Case = 'a source prefix with host bits'; ErrorId = 'VNetworkPortForwardSourceInvalid'; Arguments = @{ SourcePrefix = @('192.0.2.1/24') } }
            @{ Case = 'a source prefix of the other family'; ErrorId = 'VNetworkPortForwardSourceInvalid'; Arguments = @{ SourcePrefix = @('2001:db8::/32') } }
            # ::1 against an IPv4 guest: one error, the family mismatch.
            @{ Case = 'host address ::1'; ErrorId = 'VNetworkPortForwardInvalid'; Arguments = @{ HostAddress = '::1' } }
            @{ Case = 'host address 0.0.0.0'; ErrorId = 'VNetworkPortForwardInvalid'; Arguments = @{ HostAddress = '0.0.0.0' } }
        ) {
            $call = @{ Network = 'vpf'; Protocol = 'Tcp'; HostPort = '8600'; GuestAddress = $A.Address }
            foreach ($key in $Arguments.Keys) { $call[$key] = if ($Arguments[$key] -eq 'B') { $B.Address } else { $Arguments[$key] } }
            $before = Get-ForwardSnapshot
            $other = Export-VNetwork -Name $call.Network
            $result = Add-VNetworkPortForward @call -PassThru -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            @($failed | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) | Should -Be (@($ErrorId) + @($Also | Where-Object { $_ })) -Because ($failed | Out-String)
            Get-ForwardSnapshot | Should -BeExactly $before
            Export-VNetwork -Name $call.Network | Should -BeExactly $other
        }

        It 'Remove <Case> gives <ErrorId>' -ForEach @(
            @{ Case = 'a port nothing forwards'; ErrorId = 'VNetworkPortForwardNotFound'; Arguments = @{ Protocol = 'Tcp'; HostPort = 9999 } }
            @{ Case = 'a forwarded port of the other protocol'; ErrorId = 'VNetworkPortForwardNotFound'; Arguments = @{ Protocol = 'Udp'; HostPort = 8080 } }
            @{ Case = 'a forwarded port on another host address'; ErrorId = 'VNetworkPortForwardNotFound'; Arguments = @{ Protocol = 'Tcp'; HostPort = 8080; HostAddress = '192.0.2.1' } }
            @{ Case = 'a port forwarded on two host addresses, without -HostAddress'; ErrorId = 'VNetworkPortForwardAmbiguous'; Arguments = @{ Protocol = 'Tcp'; HostPort = 8300 } }
        ) {
            $before = Get-ForwardSnapshot
            $result = Remove-VNetworkPortForward -Network vpf @Arguments -PassThru -ErrorAction SilentlyContinue -ErrorVariable failed
            $result | Should -BeNullOrEmpty
            @($failed).Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            Get-ForwardSnapshot | Should -BeExactly $before
        }
    }

    It 'removing 8080 stops each of its paths and leaves the other forwards working' {
        Remove-VNetworkPortForward -Network vpf -Protocol Tcp -HostPort 8080 -ErrorAction Stop
        Invoke-Tcp $Up 192.0.2.1 8080 | Should -BeNullOrEmpty
        Invoke-Tcp '' 192.0.2.1 8080 | Should -BeNullOrEmpty
        Invoke-Tcp $B.Ns 192.0.2.1 8080 | Should -BeNullOrEmpty
        Get-VNetworkPortForward -Network vpf -HostPort 8080 | Should -BeNullOrEmpty
        Invoke-Tcp $Up 192.0.2.1 8200 | Should -Be 'A 192.0.2.2 80'
    }

    It 'Get-VNetworkPortForward | Remove-VNetworkPortForward removes every forward: no path is left, nor route_localnet' {
        $all = @(Get-VNetworkPortForward -Network vpf)
        $all.Count | Should -Be 7
        (Get-VNetworkPortForward).Network | Sort-Object -Unique | Should -Be 'vpf'
        $removed = @(Get-VNetworkPortForward | Remove-VNetworkPortForward -PassThru -ErrorAction Stop)
        $removed.Count | Should -Be 7
        Get-VNetworkPortForward -Network vpf | Should -BeNullOrEmpty
        ([xml](Export-VNetwork -Name vpf)).network.metadata.portForward | Should -BeNullOrEmpty
        Get-RouteLocalnet | Should -Be '0'
        Invoke-Tcp $Up 192.0.2.1 9000 | Should -BeNullOrEmpty
        Invoke-Tcp $Up 192.0.2.1 9101 | Should -BeNullOrEmpty
        Invoke-Tcp '' 192.0.2.1 8081 | Should -BeNullOrEmpty
        Invoke-Tcp '' 127.0.0.1 8180 | Should -BeNullOrEmpty
        Invoke-Tcp $Up 192.0.2.1 8200 | Should -BeNullOrEmpty
        Invoke-Tcp $Up 192.0.2.1 8201 | Should -BeNullOrEmpty
        Test-Udp $Up 192.0.2.1 7000 '192.0.2.2' | Should -BeFalse
        # The guest's services still answer directly: it is the forwards that are gone.
        Invoke-Tcp $B.Ns $A.Address 80 | Should -Be "A $($B.Address) 80"
    }
}
