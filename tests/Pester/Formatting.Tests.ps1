# Namespace tier: every output type's default view as a user sees it in an 80-column terminal, rendered from real
# objects of a started network (bridges, ports, leases and health results need one). The table view keeps every
# column of the view (PowerShell drops the columns that do not fit) and none is cut to nothing; Format-List shows
# the type's list view, what a user asks first at the top.

BeforeDiscovery {
    # Per type: the cmdlet call that makes its objects, and the first labels its list view must show.
    $script:Cases = @(
        @{ Type = 'VNetwork'; Make = { Get-VNetwork -Name fmt-laboratory-net }; First = 'Name', 'State', 'Mode' }
        @{ Type = 'VNetworkBridge'; Make = { Get-VNetworkBridge -Network fmt-laboratory-net }; First = 'Name', 'Network', 'State' }
        @{ Type = 'VNetworkDhcpLease'; Make = { Get-VNetworkDhcpLease -Network fmt-laboratory-net }; First = 'Network', 'IPAddress' }
        @{ Type = 'VNetworkDhcpReservation'; Make = { Get-VNetworkDhcpReservation -Network fmt-laboratory-net }; First = 'Network' }
        @{ Type = 'VNetworkPortForward'; Make = { Get-VNetworkPortForward -Network fmt-laboratory-net }; First = 'Network', 'Protocol', 'HostEndpoint' }
        @{ Type = 'VNetworkPort'; Make = { Get-VNetworkPort -Network fmt-laboratory-net }; First = 'Name', 'Network', 'State' }
        @{ Type = 'VNetworkDnsRecord'; Make = { Get-VNetworkDnsRecord -Network fmt-laboratory-net }; First = 'Name', 'Type', 'Data' }
        @{ Type = 'VNetworkDnsAnswer'; Make = { Resolve-VNetworkName -Network fmt-laboratory-net -Name _gateway }; First = 'Name', 'Type', 'Data' }
        @{ Type = 'VNetworkHealthResult'; Make = { Test-VNetworkHealth -Name fmt-laboratory-net }; First = 'Check', 'Status', 'Detail' }
        # A healthy network has nothing to repair: its bridge is set down first.
        @{ Type = 'VNetworkRepairResult'; Make = { ip link set vfmt0 down; Repair-VNetwork -Name fmt-laboratory-net }; First = 'Check', 'Action', 'Result' }
        @{ Type = 'VNetworkDifference'; Make = { Test-VNetworkConfiguration -Configuration $script:Desired -Detailed }; First = 'Network', 'Property', 'Current' }
        @{ Type = 'VNetworkConfigurationResult'; Make = { Invoke-VNetworkConfiguration -Configuration $script:Second }; First = 'Network', 'Property', 'Action' }
    )
}

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace
    $script:Root = New-TestRoot
    $script:FormatFile = [xml](Get-Content -Raw (Join-Path $env:VNET_REPO_ROOT 'src/VirtualNetworking.PowerShell/VirtualNetworking.Format.ps1xml'))

    New-VNetwork -Name fmt-laboratory-net -Subnet 10.219.40.0/24, fd00:219:40::/64 -BridgeName vfmt0 -Domain lab.example.test -Start `
        -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
    Add-VNetworkDhcpReservation -Network fmt-laboratory-net -MacAddress 52:54:00:f0:00:01 -IPAddress 10.219.40.50 -HostName database-primary -ErrorAction Stop
    Add-VNetworkDhcpReservation -Network fmt-laboratory-net -Duid 00:01:00:01:2e:6b:0a:11:52:54:00:f0:00:01 -IPAddress fd00:219:40::50 -HostName database-primary -ErrorAction Stop
    Add-VNetworkPortForward -Network fmt-laboratory-net -Protocol tcp -HostPort 8080 -GuestAddress 10.219.40.50 -GuestPort 80 -Description 'web front end' -ErrorAction Stop
    New-VNetworkPort -Network fmt-laboratory-net -Type Tap -ErrorAction Stop | Out-Null
    # A lease as vnetd writes it (the daemon appends to the file it has open; this one replaces it for the readers).
    $lease = [VirtualNetworking.Core.Dhcp.DhcpLease]::new([ipaddress]'10.219.40.77', [System.Net.NetworkInformation.PhysicalAddress]::Parse('52-54-00-F0-00-02'),
        $null, 'build-agent-7', [DateTimeOffset]::UtcNow.AddHours(1), [VirtualNetworking.Core.Dhcp.DhcpLeaseState]::Bound)
    Set-Content -NoNewline -Path (Join-Path $env:VNET_ROOT 'var/lib/virtualnetworking/fmt-laboratory-net.leases') `
        -Value ([VirtualNetworking.Core.Dhcp.LeaseFileFormat]::Serialize([VirtualNetworking.Core.Dhcp.DhcpLease[]]@($lease)))
    # And a DHCPv6 one (dhclient's DUID-LLT, 14 octets): a dual-stack table keeps its columns in 80.
    $lease6 = [VirtualNetworking.Core.Dhcp6.Dhcp6Lease]::new([ipaddress]'fd00:219:40::1a2', [VirtualNetworking.Core.Dhcp6.Duid]::Parse('00:01:00:01:2e:6b:0a:11:52:54:00:f0:00:02'),
        [uint32]4042260482, 'build-agent-7', [DateTimeOffset]::UtcNow.AddHours(1), [VirtualNetworking.Core.Dhcp6.Dhcp6LeaseState]::Bound)
    Set-Content -NoNewline -Path (Join-Path $env:VNET_ROOT 'var/lib/virtualnetworking/fmt-laboratory-net.leases6') `
        -Value ([VirtualNetworking.Core.Dhcp6.Dhcp6LeaseFileFormat]::Serialize([VirtualNetworking.Core.Dhcp6.Dhcp6Lease[]]@($lease6)))
    $script:Desired = @{ Networks = @( @{ Name = 'fmt-laboratory-net'; Mtu = 1400; DhcpRange = '10.219.40.100', '10.219.40.150' } ) }
    # Converged for real: a second network, defined and left inactive (the results of a -WhatIf run are not written).
    $script:Second = @{ Networks = @( @{ Name = 'fmt-second-network'; Mode = 'Isolated'; Subnet = '10.219.41.0/24'; Mtu = 1400 } ) }

    # The labels of a type's view of one kind (TableControl or ListControl), in order.
    function script:Get-ViewLabels([string] $Type, [string] $Control) {
        $view = @($FormatFile.Configuration.ViewDefinitions.View | Where-Object { $_.ViewSelectedBy.TypeName -eq "VirtualNetworking.$Type" -and $_.$Control })[0]
        if ($Control -eq 'TableControl') { @($view.TableControl.TableHeaders.TableColumnHeader | ForEach-Object Label) }
        else { @($view.ListControl.ListEntries.ListEntry.ListItems.ListItem | ForEach-Object { if ($_.Label) { $_.Label } else { $_.PropertyName } }) }
    }
}

AfterAll {
    Stop-VNetwork -Name fmt-laboratory-net -ErrorAction Ignore
    if ($script:Root) { Remove-TestRoot $script:Root }
}

Describe 'Default views of <Type> at 80 columns' -Tag Namespace -ForEach $Cases {
    BeforeAll {
        $objects = @(& $Make | Where-Object { $_.GetType().FullName -eq "VirtualNetworking.$Type" })
    }

    It 'has objects to show' {
        $objects.Count | Should -BeGreaterThan 0
    }

    It 'shows every column of its table view, none cut to nothing, no line over 80' {
        $labels = Get-ViewLabels $Type 'TableControl'
        $labels.Count | Should -BeGreaterThan 0
        $lines = @(($objects | Out-String -Width 80) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because "'$_' must fit" }
        # A table per group (health and repair results are grouped by network): each rule line is under its header line.
        $rules = @(for ($i = 1; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^[- ]+$') { $i } })
        $rules.Count | Should -BeGreaterThan 0 -Because "the default view is a table:`n$($lines -join "`n")"
        foreach ($at in $rules) {
            $header = $lines[$at - 1]
            # One run of dashes per column: as many as the view has, each under its full label, none shorter than 3.
            $columns = [regex]::Matches($lines[$at], '-+')
            $columns.Count | Should -Be $labels.Count -Because "every column of the view is shown:`n$($lines -join "`n")"
            for ($i = 0; $i -lt $labels.Count; $i++) {
                $columns[$i].Length | Should -BeGreaterOrEqual ([Math]::Min(3, $labels[$i].Length))
                $header.Substring($columns[$i].Index).TrimStart() | Should -BeLike "$($labels[$i])*" -Because 'the label is not cut'
            }
            foreach ($row in $lines[($at + 1)..($lines.Count - 1)]) {
                if ($row -match '^\s*\w+: ') { break } # the next group's heading
                foreach ($column in $columns) {
                    $end = [Math]::Min($row.Length, $column.Index + $column.Length)
                    $cell = if ($column.Index -lt $row.Length) { $row.Substring($column.Index, $end - $column.Index).Trim() } else { '' }
                    $cell | Should -Not -Be '…' -Because "a value is cut to nothing in '$row'"
                }
            }
        }
    }

    It 'shows its list view with what a user asks first at the top' {
        $expected = Get-ViewLabels $Type 'ListControl'
        $expected[0..($First.Count - 1)] | Should -Be $First
        $text = $objects[0] | Format-List | Out-String -Width 80
        $shown = @($text -split "`n" | Where-Object { $_ -match '^(\w+)\s*: ' } | ForEach-Object { $Matches[1] })
        $shown | Should -Be $expected
    }
}
