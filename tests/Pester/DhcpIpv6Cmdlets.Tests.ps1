# IPv6 in the lease and reservation cmdlets: reservations by DUID (libvirt's <host id='DUID' ip='v6'/>) or by name
# alone, and DHCPv6 leases read from the .leases6 file. Unit tier: a sandbox VNET_ROOT, no root, no links, no daemon;
# a lease file is written with the module's own Dhcp6LeaseFileFormat, as the daemon keeps it. (Leases a real
# dhclient -6 gets from the daemon are the namespace tier's.)
BeforeDiscovery {
    # Also in the -ForEach data, which is built before BeforeAll runs.
    $Guest1 = '00:03:00:01:52:54:00:00:79:01'
    $Guest2 = '00:03:00:01:52:54:00:00:79:02'
}

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    $script:Commands = 'VirtualNetworking.PowerShell.Commands'
    $script:Guest1 = '00:03:00:01:52:54:00:00:79:01'
    $script:Guest2 = '00:03:00:01:52:54:00:00:79:02'

    # The stored definition's IPv6 ip element, as written to disk.
    function script:Get-StoredIpv6 {
        $stored = [xml](Get-Content -Raw (Join-Path $env:VNET_ROOT 'etc/virtualnetworking/networks/dual.xml'))
        $stored.network.ip | Where-Object family -eq 'ipv6'
    }

    function script:New-Lease6 {
        param([string] $Address, [string] $Duid, [uint32] $Iaid, [string] $HostName, [DateTimeOffset] $Expires,
              [VirtualNetworking.Core.Dhcp6.Dhcp6LeaseState] $State = 'Bound')
        [VirtualNetworking.Core.Dhcp6.Dhcp6Lease]::new([ipaddress]$Address, [VirtualNetworking.Core.Dhcp6.Duid]::Parse($Duid),
            $Iaid, $HostName, $Expires, $State)
    }

    function script:Write-LeaseFiles {
        param([VirtualNetworking.Core.Dhcp.DhcpLease[]] $Leases, [VirtualNetworking.Core.Dhcp6.Dhcp6Lease[]] $Leases6)
        $directory = New-Item -ItemType Directory -Path (Join-Path $env:VNET_ROOT 'var/lib/virtualnetworking') -Force
        if ($Leases) { [IO.File]::WriteAllText((Join-Path $directory 'dual.leases'), [VirtualNetworking.Core.Dhcp.LeaseFileFormat]::Serialize($Leases)) }
        [IO.File]::WriteAllText((Join-Path $directory 'dual.leases6'), [VirtualNetworking.Core.Dhcp6.Dhcp6LeaseFileFormat]::Serialize($Leases6))
    }
}

Describe 'IPv6 reservations by DUID or by name' {
    BeforeEach {
        $root = New-TestRoot
        New-VNetwork -Name dual -Subnet 10.79.0.0/24, fd00:79::/64 -BridgeName dualbr | Out-Null
    }
    AfterEach { Remove-TestRoot $root }

    It 'a reservation by DUID is a host id in the IPv6 ip element on disk, and survives export and import' {
        # dnsmasq's short form of Guest1: stored as two hex digits an octet.
        $added = Add-VNetworkDhcpReservation -Network dual -Duid 0:3:0:1:52:54:0:0:79:1 -IPAddress fd00:79::10 -HostName web6 -PassThru

        $added.Duid | Should -BeExactly $Guest1
        $added.MacAddress | Should -BeNullOrEmpty
        $host6 = (Get-StoredIpv6).dhcp.host
        ($host6.id, $host6.ip, $host6.name) | Should -Be @($Guest1, 'fd00:79::10', 'web6')
        $host6.mac | Should -BeNullOrEmpty

        $xml = Export-VNetwork -Name dual -Inactive
        Remove-VNetwork -Name dual
        Import-VNetwork -Xml $xml | Out-Null

        $reservation = Get-VNetworkDhcpReservation -Network dual
        ($reservation.Network, $reservation.Duid, $reservation.IPAddress, $reservation.HostName) | Should -Be @('dual', $Guest1, 'fd00:79::10', 'web6')
    }

    It 'an IPv4 and an IPv6 reservation of one guest share its name; -MacAddress and -Duid each select their family' {
        Add-VNetworkDhcpReservation -Network dual -MacAddress 52:54:00:00:79:01 -IPAddress 10.79.0.10 -HostName web
        Add-VNetworkDhcpReservation -Network dual -Duid $Guest1 -IPAddress fd00:79::10 -HostName web
        Add-VNetworkDhcpReservation -Network dual -HostName db -IPAddress fd00:79::11

        (Get-VNetworkDhcpReservation -Network dual).IPAddress | Should -Be @('10.79.0.10', 'fd00:79::10', 'fd00:79::11')
        (Get-VNetworkDhcpReservation -Network dual -MacAddress 52:54:00:00:79:01).IPAddress | Should -Be '10.79.0.10'
        (Get-VNetworkDhcpReservation -Network dual -Duid $Guest1.ToUpperInvariant()).IPAddress | Should -Be 'fd00:79::10'
        $byName = Get-VNetworkDhcpReservation -Network dual | Where-Object HostName -eq 'db'
        ($byName.MacAddress, $byName.Duid) | Should -Be @($null, $null)
    }

    It 'Remove-VNetworkDhcpReservation takes a DUID, an address, and every reservation from the pipeline' {
        Add-VNetworkDhcpReservation -Network dual -MacAddress 52:54:00:00:79:01 -IPAddress 10.79.0.10
        Add-VNetworkDhcpReservation -Network dual -Duid $Guest1 -IPAddress fd00:79::10
        Add-VNetworkDhcpReservation -Network dual -Duid $Guest2 -IPAddress fd00:79::12
        Add-VNetworkDhcpReservation -Network dual -HostName db -IPAddress fd00:79::11

        (Remove-VNetworkDhcpReservation -Network dual -Duid $Guest2 -PassThru).IPAddress | Should -Be 'fd00:79::12'
        (Remove-VNetworkDhcpReservation -Network dual -IPAddress fd00:79::11 -PassThru).HostName | Should -BeExactly 'db'
        Get-VNetworkDhcpReservation -Network dual | Remove-VNetworkDhcpReservation

        Get-VNetworkDhcpReservation -Network dual | Should -BeNullOrEmpty
        (Get-StoredIpv6).dhcp.host | Should -BeNullOrEmpty
    }

    It 'an IPv6 prefix without DHCP gets a dhcp element with the host' {
        (Get-StoredIpv6).dhcp | Should -BeNullOrEmpty
        Add-VNetworkDhcpReservation -Network dual -Duid $Guest1 -IPAddress fd00:79::10
        (Get-StoredIpv6).dhcp.host.id | Should -BeExactly $Guest1
    }

    Context 'bad input' {
        BeforeEach {
            Add-VNetworkDhcpReservation -Network dual -Duid $Guest1 -IPAddress fd00:79::10 -HostName web6
            $before = Get-StoreFingerprint $root
        }

        It '<Case> gives <ErrorId> (<Category>) and changes nothing' -ForEach @(
            @{ Case = 'a MAC address with an IPv6 address'; ErrorId = 'VNetworkReservationFamilyMismatch'; Category = 'InvalidArgument'
               Arguments = @{ MacAddress = '52:54:00:00:79:05'; IPAddress = 'fd00:79::15' } }
            @{ Case = 'a DUID with an IPv4 address'; ErrorId = 'VNetworkReservationFamilyMismatch'; Category = 'InvalidArgument'
               Arguments = @{ Duid = $Guest2; IPAddress = '10.79.0.15' } }
            @{ Case = 'a MAC address and a DUID'; ErrorId = 'VNetworkReservationFamilyMismatch'; Category = 'InvalidArgument'
               Arguments = @{ MacAddress = '52:54:00:00:79:05'; Duid = $Guest2; IPAddress = 'fd00:79::15' } }
            @{ Case = 'an IPv6 address with neither DUID nor name'; ErrorId = 'VNetworkReservationIdentityMissing'; Category = 'InvalidArgument'
               Arguments = @{ IPAddress = 'fd00:79::15' } }
            @{ Case = 'an IPv4 address without a MAC address'; ErrorId = 'VNetworkReservationIdentityMissing'; Category = 'InvalidArgument'
               Arguments = @{ IPAddress = '10.79.0.15'; HostName = 'x' } }
            @{ Case = 'a DUID that is not hex'; ErrorId = 'VNetworkDuidInvalid'; Category = 'InvalidArgument'
               Arguments = @{ Duid = '00:03:00:01:zz'; IPAddress = 'fd00:79::15' } }
            @{ Case = 'a DUID too short for its type'; ErrorId = 'VNetworkDuidInvalid'; Category = 'InvalidArgument'
               Arguments = @{ Duid = '00:03:00:01'; IPAddress = 'fd00:79::15' } }
            @{ Case = 'an address outside the IPv6 prefix'; ErrorId = 'VNetworkReservationOutsideSubnet'; Category = 'InvalidArgument'
               Arguments = @{ Duid = $Guest2; IPAddress = 'fd00:80::15' } }
            @{ Case = 'the bridge''s IPv6 address'; ErrorId = 'VNetworkReservationOutsideSubnet'; Category = 'InvalidArgument'
               Arguments = @{ Duid = $Guest2; IPAddress = 'fd00:79::1' } }
            @{ Case = 'a DUID already reserved'; ErrorId = 'VNetworkReservationExists'; Category = 'ResourceExists'
               Arguments = @{ Duid = $Guest1; IPAddress = 'fd00:79::15' } }
            @{ Case = 'an IPv6 name already reserved'; ErrorId = 'VNetworkReservationExists'; Category = 'ResourceExists'
               Arguments = @{ Duid = $Guest2; IPAddress = 'fd00:79::15'; HostName = 'web6' } }
        ) {
            Add-VNetworkDhcpReservation -Network dual @Arguments -ErrorVariable failed -ErrorAction SilentlyContinue

            @($failed).Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeExactly "$ErrorId,$Commands.AddVNetworkDhcpReservationCommand"
            $failed[0].CategoryInfo.Category | Should -Be $Category
            $failed[0].Exception.Message | Should -Match '\. (Give|Reserve|Write|Remove)\b' -Because 'the message says what to do'
            Get-StoreFingerprint $root | Should -Be $before
        }

        It 'a removal that names no reservation, or mixes the families, gives <ErrorId> and changes nothing' -ForEach @(
            @{ ErrorId = 'VNetworkReservationIdentityMissing'; Arguments = @{} }
            @{ ErrorId = 'VNetworkReservationFamilyMismatch'; Arguments = @{ Duid = $Guest1; IPAddress = '10.79.0.10' } }
            @{ ErrorId = 'VNetworkDuidInvalid'; Arguments = @{ Duid = 'nope' } }
            @{ ErrorId = 'VNetworkReservationNotFound'; Arguments = @{ Duid = $Guest2 } }
        ) {
            Remove-VNetworkDhcpReservation -Network dual @Arguments -ErrorVariable failed -ErrorAction SilentlyContinue

            $failed[0].FullyQualifiedErrorId | Should -BeExactly "$ErrorId,$Commands.RemoveVNetworkDhcpReservationCommand"
            Get-StoreFingerprint $root | Should -Be $before
        }
    }
}

Describe 'Get-VNetworkDhcpLease lists the IPv6 leases of the .leases6 file' {
    BeforeEach {
        $root = New-TestRoot
        New-VNetwork -Name dual -Subnet 10.79.0.0/24, fd00:79::/64 -BridgeName dualbr | Out-Null
        $in1Hour = [DateTimeOffset]::UtcNow.AddHours(1)
        $v4 = [VirtualNetworking.Core.Dhcp.DhcpLease]::new([ipaddress]'10.79.0.9',
            [System.Net.NetworkInformation.PhysicalAddress]::Parse('52-54-00-00-79-01'), $null, 'web', $in1Hour,
            [VirtualNetworking.Core.Dhcp.DhcpLeaseState]::Bound)
        Write-LeaseFiles -Leases $v4 -Leases6 @(
            New-Lease6 -Address fd00:79::120 -Duid $Guest2 -Iaid 2 -Expires $in1Hour
            New-Lease6 -Address fd00:79::100 -Duid $Guest1 -Iaid 1 -HostName web -Expires $in1Hour
            New-Lease6 -Address fd00:79::130 -Duid $Guest2 -Iaid 3 -Expires ([DateTimeOffset]::UtcNow.AddMinutes(-1))
            New-Lease6 -Address fd00:79::140 -Duid $Guest2 -Iaid 4 -Expires $in1Hour -State Declined
        )
    }
    AfterEach { Remove-TestRoot $root }

    It 'bound, unexpired IPv6 leases follow the IPv4 one, with Duid and Iaid and no MacAddress' {
        $leases = Get-VNetworkDhcpLease -Network dual

        $leases.IPAddress | Should -Be @('10.79.0.9', 'fd00:79::100', 'fd00:79::120')
        $ipv6 = $leases[1]
        ($ipv6.Network, $ipv6.Duid, $ipv6.Iaid, $ipv6.HostName) | Should -Be @('dual', $Guest1, 1, 'web')
        $ipv6.MacAddress | Should -BeNullOrEmpty
        $ipv6.ExpiryTime | Should -BeOfType [datetime]
        ($leases[0].MacAddress, $leases[0].Duid, $leases[0].Iaid) | Should -Be @('52:54:00:00:79:01', $null, $null)
    }

    It 'the table names each client by its MAC address or its DUID, a long DUID by its tail' {
        $table = Get-VNetworkDhcpLease -Network dual | Out-String -Width 200

        $table | Should -Match '(?m)^Network\s+IPAddress\s+Client\s+HostName\s+ExpiryTime'
        $table | Should -Match '10\.79\.0\.9\s+52:54:00:00:79:01\s+web'
        # 00:03:00:01:52:54:00:00:79:01 is 29 characters: its last 17 are the MAC address in it.
        $table | Should -Match 'fd00:79::100\s+…52:54:00:00:79:01\s+web'
    }

    It '-Duid lists that client''s IPv6 leases only, -MacAddress the IPv4 ones only' {
        (Get-VNetworkDhcpLease -Network dual -Duid 0:3:0:1:52:54:0:0:79:2).IPAddress | Should -Be 'fd00:79::120'
        (Get-VNetworkDhcpLease -Network dual -MacAddress 52:54:00:00:79:01).IPAddress | Should -Be '10.79.0.9'
    }

    It 'completes lease MAC addresses and reserved addresses, of the -Network typed' {
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }
        New-VNetwork -Name other -Subnet 10.79.1.0/24 -BridgeName otherbr | Out-Null
        Add-VNetworkDhcpReservation -Network dual -Duid $Guest1 -IPAddress fd00:79::55 | Out-Null
        Add-VNetworkDhcpReservation -Network other -MacAddress 52:54:00:00:79:77 -IPAddress 10.79.1.77 | Out-Null

        Complete 'Get-VNetworkDhcpLease -Network dual -MacAddress ' | Should -Be @('52:54:00:00:79:01')
        Complete 'Add-VNetworkDhcpReservation -Network dual -MacAddress 52:54:00:00:7' | Should -Be @('52:54:00:00:79:01')
        Complete 'Get-VNetworkDhcpLease -Network other -MacAddress ' | Should -BeNullOrEmpty
        Complete 'Remove-VNetworkDhcpReservation -Network dual -IPAddress ' | Should -Be @('fd00:79::55')
        Complete 'Remove-VNetworkDhcpReservation -Network other -IPAddress 10.' | Should -Be @('10.79.1.77')
    }

    It 'a malformed -Duid is VNetworkDuidInvalid and lists nothing' {
        $leases = Get-VNetworkDhcpLease -Network dual -Duid 00:03 -ErrorVariable failed -ErrorAction SilentlyContinue

        $leases | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeExactly "VNetworkDuidInvalid,$Commands.GetVNetworkDhcpLeaseCommand"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'Get-VNetworkDhcpLease | Add-VNetworkDhcpReservation pins the IPv6 leases by DUID and the IPv4 one by MAC' {
        Get-VNetworkDhcpLease -Network dual | Add-VNetworkDhcpReservation

        $reservations = Get-VNetworkDhcpReservation -Network dual
        $reservations.IPAddress | Should -Be @('10.79.0.9', 'fd00:79::100', 'fd00:79::120')
        $reservations.Duid | Should -Be @($null, $Guest1, $Guest2)
        $reservations[0].MacAddress | Should -BeExactly '52:54:00:00:79:01'
    }
}

# Namespace tier: a started dual-stack network, changed live like an IPv4 reservation (the daemon gets the new XML
# through DaemonDhcpService.Update). What a DHCPv6 client then gets is the daemon's end-to-end test.
Describe 'IPv6 reservations on a running network' -Tag Namespace {
    BeforeAll {
        Assert-TestNamespace
        $script:NsRoot = New-TestRoot
        New-VNetwork -Name dual -Subnet 10.79.0.0/24, fd00:79::/64 -BridgeName dualbr | Out-Null
        Start-VNetwork -Name dual -WarningAction SilentlyContinue
        function script:Get-LiveIpv6 { ([xml](Export-VNetwork -Name dual)).network.ip | Where-Object family -eq 'ipv6' }
        function script:Get-DaemonPid { [int](Get-Content -Raw (Join-Path $NsRoot 'run/virtualnetworking/vnetd.pid')) }
    }
    AfterAll {
        Stop-VNetwork -Name dual -ErrorAction Ignore
        Remove-TestRoot $script:NsRoot
    }

    It 'a DUID reservation reaches the live definition without a restart, and is removed the same way' {
        $daemon = Get-DaemonPid
        $ifindex = (ip -j link show dualbr | ConvertFrom-Json).ifindex

        Add-VNetworkDhcpReservation -Network dual -Duid $Guest1 -IPAddress fd00:79::10 -HostName web6

        (Get-LiveIpv6).dhcp.host.id | Should -BeExactly $Guest1
        (Get-StoredIpv6).dhcp.host.id | Should -BeExactly $Guest1
        Get-DaemonPid | Should -Be $daemon
        (ip -j link show dualbr | ConvertFrom-Json).ifindex | Should -Be $ifindex
        (Get-VNetwork -Name dual).State | Should -Be 'Active'

        Remove-VNetworkDhcpReservation -Network dual -Duid $Guest1

        (Get-LiveIpv6).dhcp.host | Should -BeNullOrEmpty
        (Get-StoredIpv6).dhcp.host | Should -BeNullOrEmpty
        Get-DaemonPid | Should -Be $daemon
    }

    It 'a refused reservation leaves the running network as it was' {
        $before = Export-VNetwork -Name dual

        Add-VNetworkDhcpReservation -Network dual -MacAddress 52:54:00:00:79:05 -IPAddress fd00:79::15 -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -BeExactly "VNetworkReservationFamilyMismatch,$Commands.AddVNetworkDhcpReservationCommand"
        Export-VNetwork -Name dual | Should -BeExactly $before
    }
}
