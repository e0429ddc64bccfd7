# Namespace tier: ports (libvirt's net-port-*) on real bridges. Taps are real persistent tun devices; veth
# ports put their far end into guest namespaces "vpt-<pid>-<n>", where busybox udhcpc (always with this test's
# own -s script) gets a lease from our DHCP daemon. Every namespace and process made here is removed by name or
# PID in AfterEach/AfterAll, whatever happened; every wait is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vpt-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:Namespaces = [Collections.Generic.List[string]]::new()
    $script:Pids = [Collections.Generic.List[int]]::new()
    $script:Seq = 0

    # udhcpc's event script: configures only the guest's own interface and records the lease.
    $script:UdhcpcScript = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $UdhcpcScript -Value @'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "ip=$ip router=$router" > "$VPT_LEASE" ;;
esac
exit 0
'@
    chmod 755 $UdhcpcScript

    function script:New-GuestNamespace {
        $ns = "vpt-$PID-$(++$script:Seq)"
        ip netns add $ns
        if ($LASTEXITCODE) { throw "ip netns add $ns failed" }
        $script:Namespaces.Add($ns)
        ip -n $ns link set lo up
        $ns
    }

    # One lease for the guest's interface; returns "ip=… router=…" or throws.
    function script:Get-GuestLease([string] $Ns, [string] $Interface = 'eth0') {
        $lease = Join-Path $Work "$Ns.lease"
        Remove-Item $lease -ErrorAction Ignore
        $env:VPT_LEASE = $lease
        ip netns exec $Ns udhcpc -f -q -n -t 8 -T 1 -i $Interface -s $UdhcpcScript *> (Join-Path $Work "$Ns.udhcpc.log")
        if (-not (Test-Path $lease)) { throw "no lease in ${Ns}: $(Get-Content -Raw (Join-Path $Work "$Ns.udhcpc.log"))" }
        (Get-Content -Raw $lease).Trim()
    }

    function script:Get-LinkJson([string] $Name) { (ip -d -j link show dev $Name | ConvertFrom-Json)[0] }

    # What a refused command must not change: the links here and in the guests, and the store.
    function script:Get-PortSnapshot {
        $links = ip -o link show | ForEach-Object { ($_ -replace '\\.*$', '').Trim() }
        $guests = foreach ($ns in $script:Namespaces) { ip -n $ns -o link show 2>$null | ForEach-Object { "$ns $($_ -replace '\\.*$', '')" } }
        ((@($links) + @($guests)) -join "`n") + "`n" + (Get-StoreFingerprint $env:VNET_ROOT)
    }
}

AfterAll {
    foreach ($p in $script:Pids) { if (Get-Process -Id $p -ErrorAction Ignore) { kill -KILL $p 2>$null } }
    foreach ($ns in $script:Namespaces) { ip netns delete $ns 2>$null }
    Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore
}

Describe 'Ports attach guests to started networks' -Tag Namespace {
    BeforeEach {
        $script:Root = New-TestRoot
        New-VNetwork -Name lab -Mode Nat -Subnet 10.215.0.0/24 -BridgeName vptbr0 -Stp:$false -Start -WarningAction Ignore -ErrorAction Stop | Out-Null
    }
    AfterEach {
        Get-VNetwork -ErrorAction Ignore | Where-Object State -EQ 'Active' | Stop-VNetwork -ErrorAction Continue
        foreach ($ns in @($script:Namespaces)) { ip netns delete $ns 2>$null }
        $script:Namespaces.Clear()
        Remove-TestRoot $script:Root
    }

    It 'a tap is a persistent tun device on the bridge with a fe: host end, the bridge''s MTU and its owner' {
        Set-VNetwork lab -Mtu 9000 -WarningAction Ignore -ErrorAction Stop
        Restart-VNetwork lab -WarningAction Ignore -ErrorAction Stop
        $port = New-VNetworkPort -Network lab -Type Tap -Owner 4321 -ErrorAction Stop
        $port.Name | Should -Be 'vnet0'
        $port.MacAddress | Should -Match '^52:54:00(:[0-9a-f]{2}){3}$'
        $link = Get-LinkJson $port.Name
        $link.linkinfo.info_kind | Should -Be 'tun'
        $link.linkinfo.info_data.type | Should -Be 'tap'
        $link.linkinfo.info_data.persist | Should -BeTrue
        "$($link.linkinfo.info_data.user)" | Should -Be '4321'
        $link.master | Should -Be 'vptbr0'
        $link.address | Should -Be ('fe' + $port.MacAddress.Substring(2))
        $link.mtu | Should -Be 9000
        $link.flags | Should -Contain 'UP'
        $port.State | Should -Be 'NoCarrier' -Because 'no QEMU has opened the tap yet'
        $port.QemuArguments | Should -Be @('-netdev', 'tap,id=vnet0,ifname=vnet0,script=no,downscript=no', '-device', "virtio-net-pci,netdev=vnet0,mac=$($port.MacAddress)")
        (Get-VNetworkPort lab).Name | Should -Be 'vnet0'
    }

    It 'a veth''s far end is in the container''s namespace, renamed, with the guest MAC, and gets a lease' {
        $ns = New-GuestNamespace
        $port = New-VNetworkPort -Network lab -Namespace $ns -GuestInterfaceName eth1 -ErrorAction Stop
        $port.Type | Should -Be 'Veth'
        $guest = (ip -n $ns -d -j link show dev eth1 | ConvertFrom-Json)[0]
        $guest.address | Should -Be $port.MacAddress
        $guest.flags | Should -Contain 'UP'
        (Get-LinkJson $port.Name).master | Should -Be 'vptbr0'
        $lease = Get-GuestLease $ns eth1
        $lease | Should -Match '^ip=10\.215\.0\.\d+ router=10\.215\.0\.1$'
        ip netns exec $ns ping -c1 -W2 -q 10.215.0.1 *> $null
        $LASTEXITCODE | Should -Be 0
        $shown = Get-VNetworkPort -Network lab -Name $port.Name
        $shown.IPAddress | Should -Be ($lease -replace '^ip=(\S+).*$', '$1')
        $shown.State | Should -Be 'Up'
        $shown.Namespace | Should -Be $ns
    }

    It 'a veth can go into the namespace of a process (-ProcessId)' {
        $ns = New-GuestNamespace
        $sleeper = Start-Process -FilePath ip -ArgumentList 'netns', 'exec', $ns, 'sleep', '60' -PassThru
        $script:Pids.Add($sleeper.Id)
        # ip netns exec replaces itself with sleep, so the PID is the sleeper's once it runs inside the namespace.
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((Get-Item "/proc/$($sleeper.Id)/ns/net").LinkTarget -eq (Get-Item /proc/self/ns/net).LinkTarget -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $port = New-VNetworkPort -Network lab -ProcessId $sleeper.Id -ErrorAction Stop
        $port.Namespace | Should -Be "pid:$($sleeper.Id)"
        (ip -n $ns -j link show dev eth0 | ConvertFrom-Json)[0].address | Should -Be $port.MacAddress
        kill -KILL $sleeper.Id
    }

    It '-IPAddress reserves the address for the port''s MAC; removing the port removes that reservation' {
        $ns = New-GuestNamespace
        $port = New-VNetworkPort -Network lab -Namespace $ns -IPAddress 10.215.0.77 -ErrorAction Stop
        $port.IPAddress | Should -Be '10.215.0.77'
        (Get-VNetworkDhcpReservation -Network lab).MacAddress | Should -Be $port.MacAddress
        Get-GuestLease $ns | Should -Be 'ip=10.215.0.77 router=10.215.0.1'
        (Get-VNetworkDhcpLease -Network lab -MacAddress $port.MacAddress).IPAddress | Should -Be '10.215.0.77'

        Get-VNetworkPort lab | Remove-VNetworkPort -ErrorAction Stop
        Get-VNetworkPort lab | Should -BeNullOrEmpty
        ip link show dev $port.Name 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        ip -n $ns link show dev eth0 2>$null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the far end goes with the host end'
        Get-VNetworkDhcpReservation -Network lab | Should -BeNullOrEmpty
    }

    It 'a started network from the pipeline binds to -Network (New-VNetwork | Start-VNetwork -PassThru | New-VNetworkPort)' {
        $port = New-VNetwork -Name pipe -Subnet 10.215.1.0/24 -BridgeName vptbr1 -Stp:$false |
            Start-VNetwork -PassThru -WarningAction Ignore | New-VNetworkPort -Type Tap -ErrorAction Stop
        $port.Network | Should -Be 'pipe'
        $port.Name | Should -Be 'vnet0' -Because "the network's Name never binds to the port's -Name"
        (Get-LinkJson $port.Name).master | Should -Be 'vptbr1'
        (Get-VNetwork pipe | Get-VNetworkPort).Name | Should -Be 'vnet0'
    }

    It 'completes port names and bridge names, of the -Network already typed' {
        New-VNetwork -Name other -Subnet 10.215.3.0/24 -BridgeName vptbr3 -Stp:$false -Start -WarningAction Ignore -ErrorAction Stop | Out-Null
        $labPort = New-VNetworkPort -Network lab -Type Tap -ErrorAction Stop
        $otherPort = New-VNetworkPort -Network other -Type Tap -ErrorAction Stop
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }

        Complete 'Get-VNetworkPort -Network lab -Name ' | Should -Be @($labPort.Name)
        Complete 'Remove-VNetworkPort -Network other -Name ' | Should -Be @($otherPort.Name)
        Complete 'Get-VNetworkPort -Name vnet' | Should -Be @($labPort.Name, $otherPort.Name | Sort-Object)
        Complete 'Get-VNetworkBridge -Network other -Name ' | Should -Be @('vptbr3')
        # Without -Network: every bridge of the host, ours or not.
        ip link add vptfor0 type bridge
        try { Complete 'Get-VNetworkBridge -Name vpt' | Should -Be @('vptbr0', 'vptbr3', 'vptfor0') }
        finally { ip link delete vptfor0 }
        # An unknown network completes nothing rather than failing at the prompt.
        Complete 'Get-VNetworkPort -Network nosuch -Name ' | Should -BeNullOrEmpty
    }

    It 'Restart-VNetwork keeps the ports on the new bridge and the guest keeps working; Stop-VNetwork removes them' {
        $ns = New-GuestNamespace
        $veth = New-VNetworkPort -Network lab -Namespace $ns -ErrorAction Stop
        $tap = New-VNetworkPort -Network lab -Type Tap -ErrorAction Stop
        $tapIndex = (Get-LinkJson $tap.Name).ifindex
        $oldBridge = (Get-LinkJson vptbr0).ifindex
        Get-GuestLease $ns | Out-Null

        Restart-VNetwork lab -WarningAction Ignore -ErrorAction Stop
        (Get-LinkJson vptbr0).ifindex | Should -Not -Be $oldBridge
        (Get-LinkJson $tap.Name).ifindex | Should -Be $tapIndex -Because 'a running VM keeps its tap'
        (Get-LinkJson $tap.Name).master | Should -Be 'vptbr0'
        (Get-LinkJson $veth.Name).master | Should -Be 'vptbr0'
        ip netns exec $ns ping -c1 -W2 -q 10.215.0.1 *> $null
        $LASTEXITCODE | Should -Be 0
        (Get-VNetworkPort lab).Count | Should -Be 2

        Stop-VNetwork lab -ErrorAction Stop
        ip link show dev $tap.Name 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        ip -n $ns link show dev eth0 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        Get-VNetworkPort | Should -BeNullOrEmpty
        Test-Path (Join-Path $script:Root 'run/virtualnetworking/ports') | Should -BeFalse
    }

    It 'a port whose container went away shows as Missing until it is removed' {
        $ns = New-GuestNamespace
        $port = New-VNetworkPort -Network lab -Namespace $ns -ErrorAction Stop
        ip netns delete $ns
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((ip link show dev $port.Name 2>$null) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        (Get-VNetworkPort lab $port.Name).State | Should -Be 'Missing'
        Remove-VNetworkPort lab $port.Name -ErrorAction Stop
        Get-VNetworkPort lab | Should -BeNullOrEmpty
    }

    It 'bad input gets <ErrorId> and changes nothing (<Case>)' -ForEach @(
        @{ Case = 'unknown network'; ErrorId = 'VNetworkNotFound'; Arguments = @{ Network = 'nosuch' } }
        @{ Case = 'inactive network'; ErrorId = 'VNetworkNotActive'; Arguments = @{ Network = 'idle' } }
        @{ Case = 'name of a host link'; ErrorId = 'VNetworkPortNameInUse'; Arguments = @{ Network = 'lab'; Name = 'vptbr0' } }
        @{ Case = 'name of a taken port'; ErrorId = 'VNetworkPortNameInUse'; Arguments = @{ Network = 'lab'; Name = 'vnet0' } }
        @{ Case = 'malformed name'; ErrorId = 'VNetworkPortNameInvalid'; Arguments = @{ Network = 'lab'; Name = 'a name' } }
        @{ Case = 'missing namespace'; ErrorId = 'VNetworkNamespaceNotFound'; Arguments = @{ Network = 'lab'; Namespace = 'vpt-no-such-ns' } }
        @{ Case = 'not a namespace file'; ErrorId = 'VNetworkNamespaceNotFound'; Arguments = @{ Network = 'lab'; Namespace = '/etc/hostname' } }
        @{ Case = 'guest name taken in the namespace'; ErrorId = 'VNetworkGuestInterfaceInUse'; Arguments = @{ Network = 'lab'; Namespace = 'GUEST'; GuestInterfaceName = 'lo' } }
        @{ Case = 'MAC of another port'; ErrorId = 'VNetworkPortMacInUse'; Arguments = @{ Network = 'lab'; MacAddress = 'TAKEN' } }
        @{ Case = 'malformed MAC'; ErrorId = 'VNetworkMacAddressInvalid'; Arguments = @{ Network = 'lab'; MacAddress = '52:54:00:12:34' } }
        @{ Case = 'unknown owner'; ErrorId = 'VNetworkPortOwnerNotFound'; Arguments = @{ Network = 'lab'; Owner = 'vpt-nobody' } }
        @{ Case = 'address outside the subnet'; ErrorId = 'VNetworkReservationOutsideSubnet'; Arguments = @{ Network = 'lab'; IPAddress = '10.9.9.9' } }
        @{ Case = 'tap with a namespace'; ErrorId = 'VNetworkPortParameterInvalid'; Arguments = @{ Network = 'lab'; Type = 'Tap'; Namespace = 'GUEST' } }
        @{ Case = 'veth without a namespace'; ErrorId = 'VNetworkPortNamespaceRequired'; Arguments = @{ Network = 'lab'; Type = 'Veth' } }
    ) {
        New-VNetwork -Name idle -Subnet 10.215.2.0/24 -ErrorAction Stop | Out-Null
        $taken = New-VNetworkPort -Network lab -Type Tap -ErrorAction Stop
        $ns = New-GuestNamespace
        $call = @{}
        foreach ($key in $Arguments.Keys) {
            $call[$key] = switch ($Arguments[$key]) { 'GUEST' { $ns } 'TAKEN' { $taken.MacAddress } default { $_ } }
        }
        $before = Get-PortSnapshot
        $result = New-VNetworkPort @call -ErrorAction SilentlyContinue -ErrorVariable failed
        $result | Should -BeNullOrEmpty
        $failed.FullyQualifiedErrorId | Should -Contain "$ErrorId,VirtualNetworking.PowerShell.Commands.NewVNetworkPortCommand"
        Get-PortSnapshot | Should -BeExactly $before
    }

    It 'Remove-VNetworkPort of an unknown port is VNetworkPortNotFound' {
        Remove-VNetworkPort -Network lab -Name vnet42 -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'VNetworkPortNotFound,*'
        Get-VNetworkPort -Network lab -Name vnet42 -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'VNetworkPortNotFound,*'
    }

    It 'callers without CAP_NET_ADMIN get VNetworkPermissionDenied and no port' {
        $before = Get-PortSnapshot
        $script = "Import-Module '$env:VNET_MODULE_PATH'; try { New-VNetworkPort -Network lab -Type Tap -ErrorAction Stop; 'created' } catch { 'error=' + `$_.FullyQualifiedErrorId }"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $out = capsh --drop=cap_net_admin -- -c "'$Pwsh' -NoProfile -NonInteractive -EncodedCommand $encoded" 2>&1
        ($out | Where-Object { "$_" -like 'error=*' }) | Should -BeLike 'error=VNetworkPermissionDenied,*'
        Get-PortSnapshot | Should -BeExactly $before
    }
}
