# The one error path (VNetworkCommandBase: ForTarget, ForAll, Unexpected, WriteWarnings) as a user sees it.
# Unit tier: a sandbox VNET_ROOT, no root, no links. A running network is simulated in the live store's own layout.
BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    $script:Commands = 'VirtualNetworking.PowerShell.Commands'

    function script:Get-NetworksDirectory { Join-Path $env:VNET_ROOT 'etc/virtualnetworking/networks' }

    # A definition file that is a symbolic link to itself: opening it fails with ELOOP, an IOException no adapter
    # expects (a permission bit would not do: the tests may run as root, who reads anything).
    function script:New-UnreadableDefinition {
        param([string] $Name)
        $path = Join-Path (Get-NetworksDirectory) "$Name.xml"
        [IO.File]::CreateSymbolicLink($path, $path) | Out-Null
    }

    # What a start leaves in the live store (FileLiveNetworkStore: NAME.xml, then the NAME.active marker), without
    # the bridge a real start needs root for. Commands that only read or change definitions then see it running.
    function script:Set-NetworkRunning {
        param([string] $Name)
        $run = Join-Path $env:VNET_ROOT 'run/virtualnetworking/networks'
        New-Item -ItemType Directory -Path $run -Force | Out-Null
        Copy-Item (Join-Path (Get-NetworksDirectory) "$Name.xml") (Join-Path $run "$Name.xml")
        [IO.File]::WriteAllText((Join-Path $run "$Name.active"), 'persistent')
    }

    # The error record a command throws, or $null when it throws none.
    function script:Get-ThrownError {
        param([scriptblock] $Command)
        try { & $Command | Out-Null; $null } catch { $_ }
    }
}

BeforeDiscovery {
    # SystemdBootUnitHost looks for an installed pwsh here; the notice below only comes where there is none.
    $script:InstalledPwsh = @('/usr/bin/pwsh', '/usr/local/bin/pwsh', '/opt/microsoft/powershell/7/pwsh') | Where-Object { Test-Path $_ }
}

Describe 'A stray I/O failure becomes an error record with an ErrorId, never a raw exception' {
    BeforeEach {
        $root = New-TestRoot
        New-VNetwork -Name good -Subnet 10.71.0.0/24 -BridgeName goodbr | Out-Null
        New-UnreadableDefinition loop
    }
    AfterEach { Remove-TestRoot $root }

    It 'in what the whole command needs (Get-VNetwork lists every file): a terminating VNetworkHostOperationFailed, ReadError' {
        $before = Get-StoreFingerprint $root
        # Terminating: -ErrorAction SilentlyContinue does not silence it.
        { Get-VNetwork -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId "VNetworkHostOperationFailed,$Commands.GetVNetworkCommand"

        $e = Get-ThrownError { Get-VNetwork }
        $e.FullyQualifiedErrorId | Should -BeExactly "VNetworkHostOperationFailed,$Commands.GetVNetworkCommand"
        $e.CategoryInfo.Category | Should -Be 'ReadError'
        $e.Exception | Should -BeOfType ([VirtualNetworking.PowerShell.Infrastructure.VNetworkException])
        $e.Exception.Problem.ErrorId | Should -BeExactly 'VNetworkHostOperationFailed'
        $e.Exception.InnerException | Should -BeOfType ([System.IO.IOException])  # kept for diagnosis, not shown raw
        $e.Exception.Message | Should -Match 'loop\.xml'
        Get-StoreFingerprint $root | Should -BeExactly $before
    }

    It 'for one target (Export-VNetwork loop, good): that target''s error record, and the other target is still exported' {
        $xml = Export-VNetwork loop, good -ErrorVariable failures -ErrorAction SilentlyContinue

        @($xml).Count | Should -Be 1
        ([xml]$xml).network.name | Should -BeExactly 'good'
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly "VNetworkHostOperationFailed,$Commands.ExportVNetworkCommand"
        $failures[0].CategoryInfo.Category | Should -Be 'ReadError'
        $failures[0].TargetObject | Should -BeExactly 'loop'
        $failures[0].Exception | Should -BeOfType ([VirtualNetworking.PowerShell.Infrastructure.VNetworkException])
        $failures[0].Exception.InnerException | Should -BeOfType ([System.IO.IOException])
    }

    It 'for one target with -ErrorAction Stop: terminating, with the id still ours' {
        $e = Get-ThrownError { Export-VNetwork good, loop -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeExactly "VNetworkHostOperationFailed,$Commands.ExportVNetworkCommand"
        $e.TargetObject | Should -BeExactly 'loop'
    }

    # "Not a directory" must not read as "no networks yet".
    It 'a networks path that is a regular file makes Get-VNetwork fail instead of listing nothing' {
        Remove-Item -Recurse -Force (Get-NetworksDirectory)
        Set-Content -Path (Get-NetworksDirectory) -Value 'not a directory'

        $e = Get-ThrownError { Get-VNetwork }

        $e.FullyQualifiedErrorId | Should -BeExactly "VNetworkHostOperationFailed,$Commands.GetVNetworkCommand"
        $e.CategoryInfo.Category | Should -Be 'ReadError'
    }

    # Only a lock held elsewhere is "busy"; a lock file that cannot be made is reported at once as what it is.
    It 'a networks path that is a regular file is reported as such, not as a store another session holds' {
        Remove-Item -Recurse -Force (Get-NetworksDirectory)
        Set-Content -Path (Get-NetworksDirectory) -Value 'not a directory'

        $e = Get-ThrownError { New-VNetwork -Name other -Subnet 10.72.0.0/24 -ErrorAction Stop }

        $e.FullyQualifiedErrorId | Should -BeLike "VNetwork*,$Commands.NewVNetworkCommand"
        $e.FullyQualifiedErrorId | Should -Not -BeLike 'VNetworkStoreBusy,*'
    }
}

Describe 'Warnings carry their ErrorId in front' {
    BeforeEach {
        $root = New-TestRoot
        New-VNetwork -Name lab -Subnet 10.73.0.0/24 -BridgeName labbr | Out-Null
    }
    AfterEach { Remove-TestRoot $root }

    It 'Set-VNetwork: none for an inactive network, VNetworkRestartPending for a running one' {
        Set-VNetwork lab -Mtu 1400 -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 0

        Set-NetworkRunning lab
        Set-VNetwork lab -Mtu 9000 -WarningVariable warnings -WarningAction SilentlyContinue

        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "VNetworkRestartPending: Network 'lab' is active: its changed Mtu *"
    }

    It 'Remove-VNetwork: none for an inactive network, VNetworkNowTransient for a running one' {
        New-VNetwork -Name idle -Subnet 10.74.0.0/24 -BridgeName idlebr | Out-Null
        Remove-VNetwork idle -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 0

        Set-NetworkRunning lab
        Remove-VNetwork lab -WarningVariable warnings -WarningAction SilentlyContinue

        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "VNetworkNowTransient: Network 'lab' is still active and is now transient*"
        $n = Get-VNetwork lab
        $n.State | Should -Be 'Active'
        $n.Persistent | Should -BeFalse
    }

    It 'Initialize-VNetworkHost -WhatIf where systemd runs but no pwsh is installed: VNetworkBootUnitSkipped, and nothing written' -Skip:([bool]$InstalledPwsh) {
        New-Item -ItemType Directory -Path (Join-Path $root 'run/systemd/system') -Force | Out-Null  # sd_booted, in the sandbox
        $before = Get-StoreFingerprint $root

        Initialize-VNetworkHost -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null

        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike 'VNetworkBootUnitSkipped: No installed pwsh was found*'
        Get-StoreFingerprint $root | Should -BeExactly $before
    }
}

Describe '-ErrorAction Stop and PowerShell''s own flow control pass through the base class' {
    BeforeEach {
        $root = New-TestRoot
        New-VNetwork -Name lab -Subnet 10.75.0.0/24 -BridgeName labbr | Out-Null
        New-VNetwork -Name lab2 -Subnet 10.76.0.0/24 -BridgeName lab2br | Out-Null
    }
    AfterEach { Remove-TestRoot $root }

    It 'a per-target error goes on to the next target without -ErrorAction Stop' {
        $xml = Export-VNetwork nosuch, lab -ErrorVariable failures -ErrorAction SilentlyContinue
        ([xml]$xml).network.name | Should -BeExactly 'lab'
        $failures[0].FullyQualifiedErrorId | Should -BeExactly "VNetworkNotFound,$Commands.ExportVNetworkCommand"
    }

    It '-ErrorAction Stop makes it terminating, its FullyQualifiedErrorId still ours, and the next target is not reached' {
        $exported = [Collections.Generic.List[object]]::new()
        $e = Get-ThrownError { Export-VNetwork nosuch, lab -ErrorAction Stop | ForEach-Object { $exported.Add($_) } }

        $e.FullyQualifiedErrorId | Should -BeExactly "VNetworkNotFound,$Commands.ExportVNetworkCommand"
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -BeExactly 'nosuch'
        $e.Exception | Should -BeOfType ([VirtualNetworking.PowerShell.Infrastructure.VNetworkException])
        $exported.Count | Should -Be 0
    }

    It '-WarningAction Stop inside a target''s work stops the command as PowerShell''s ActionPreferenceStop, not as our internal error' {
        Set-NetworkRunning lab
        $e = Get-ThrownError { Set-VNetwork lab, lab2 -Mtu 1400 -WarningAction Stop }

        # Were the stop caught as an unexpected exception, it would be VNetworkInternalError for 'lab', and 'lab2' would follow.
        $e.FullyQualifiedErrorId | Should -BeExactly "ActionPreferenceStop,$Commands.SetVNetworkCommand"
        $e.Exception | Should -BeOfType ([System.Management.Automation.ActionPreferenceStopException])
        (Export-VNetwork lab2 -Inactive) | Should -Not -Match '<mtu'
    }

    It 'a downstream Select-Object -First stops the command without any error record' {
        $ErrorActionPreference = 'Continue'
        $first = Export-VNetwork lab, lab2 -ErrorVariable failures | Select-Object -First 1

        ([xml]$first).network.name | Should -BeExactly 'lab'
        @($failures).Count | Should -Be 0
    }
}

Describe 'Get-VNetworkDhcpLease reports per target' {
    BeforeEach {
        $root = New-TestRoot
        New-VNetwork -Name a -Subnet 10.77.0.0/24 -BridgeName abr | Out-Null
        New-VNetwork -Name b -Subnet 10.78.0.0/24 -BridgeName bbr | Out-Null
    }
    AfterEach { Remove-TestRoot $root }

    It 'an unknown network among known ones is that target''s VNetworkNotFound, with no terminating error' {
        # No daemon runs in the sandbox, so no network has leases: the error is all there is to see.
        { Get-VNetworkDhcpLease -Network a, nosuch, b -ErrorAction SilentlyContinue } | Should -Not -Throw

        $leases = Get-VNetworkDhcpLease -Network a, nosuch, b -ErrorVariable failures -ErrorAction SilentlyContinue

        $leases | Should -BeNullOrEmpty
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly "VNetworkNotFound,$Commands.GetVNetworkDhcpLeaseCommand"
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -BeExactly 'nosuch'
    }

    It 'the networks after the unknown one are still listed' {
        # A lease file as the daemon keeps it, written with the module's own format.
        $lease = [VirtualNetworking.Core.Dhcp.DhcpLease]::new([ipaddress]'10.78.0.9',
            [System.Net.NetworkInformation.PhysicalAddress]::Parse('52-54-00-00-00-09'), $null, 'guest', $null,
            [VirtualNetworking.Core.Dhcp.DhcpLeaseState]::Bound)
        $leaseDirectory = New-Item -ItemType Directory -Path (Join-Path $root 'var/lib/virtualnetworking') -Force
        [IO.File]::WriteAllText((Join-Path $leaseDirectory 'b.leases'),
            [VirtualNetworking.Core.Dhcp.LeaseFileFormat]::Serialize([VirtualNetworking.Core.Dhcp.DhcpLease[]]@($lease)))

        $leases = Get-VNetworkDhcpLease -Network a, nosuch, b -ErrorVariable failures -ErrorAction SilentlyContinue

        @($leases).Count | Should -Be 1
        $leases[0].Network | Should -BeExactly 'b'
        $leases[0].IPAddress | Should -Be '10.78.0.9'
        $leases[0].MacAddress | Should -BeExactly '52:54:00:00:00:09'
        ($failures | ForEach-Object FullyQualifiedErrorId) | Should -Be @("VNetworkNotFound,$Commands.GetVNetworkDhcpLeaseCommand")
    }

    It 'an invalid -MacAddress is its own error and lists nothing' {
        $leases = Get-VNetworkDhcpLease -Network a -MacAddress 'not-a-mac' -ErrorVariable failures -ErrorAction SilentlyContinue
        $leases | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeExactly "VNetworkMacAddressInvalid,$Commands.GetVNetworkDhcpLeaseCommand"
    }
}
