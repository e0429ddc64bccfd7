@{
    # The root is the DSC resources' script module (DSC finds class resources only in a root .psm1); the cmdlets come
    # from the nested assembly and are exported through it.
    RootModule           = 'VirtualNetworking.psm1'
    NestedModules        = @('VirtualNetworking.PowerShell.dll')
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '5d0f4a5e-2a8c-4f61-9d55-0c7d3b9a6e21'
    Author               = 'VirtualNetworking contributors'
    Copyright            = '(c) 2026 VirtualNetworking contributors. MIT License.'
    Description          = 'libvirt-class virtual networks (NAT, routed, isolated, open, bridged) on Linux bridges, with a built-in DHCP server and NAT through nftables.'
    # 7.6: the first PowerShell on .NET 10, which the assemblies target.
    PowerShellVersion    = '7.6'
    FormatsToProcess     = @('VirtualNetworking.Format.ps1xml')
    CmdletsToExport      = @(
        'New-VNetwork', 'Import-VNetwork', 'Export-VNetwork', 'Get-VNetwork', 'Set-VNetwork', 'Remove-VNetwork',
        'Start-VNetwork', 'Stop-VNetwork', 'Restart-VNetwork', 'Get-VNetworkBridge', 'Initialize-VNetworkHost',
        'Get-VNetworkDhcpLease', 'Add-VNetworkDhcpReservation', 'Get-VNetworkDhcpReservation', 'Remove-VNetworkDhcpReservation',
        'New-VNetworkPort', 'Get-VNetworkPort', 'Remove-VNetworkPort', 'Get-VNetworkDnsRecord', 'Resolve-VNetworkName',
        'Test-VNetwork', 'Invoke-VNetworkConfiguration', 'Test-VNetworkConfiguration', 'Test-VNetworkHealth', 'Repair-VNetwork',
        'Add-VNetworkPortForward', 'Get-VNetworkPortForward', 'Remove-VNetworkPortForward'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    DscResourcesToExport = @('VNetwork', 'VNetworkDhcpReservation')
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'PSEdition_Core', 'Networking', 'libvirt', 'virsh', 'Bridge', 'NAT', 'DHCP', 'DNS', 'IPv6',
                'nftables', 'QEMU', 'KVM', 'DSC')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://virtualnetworking.dev'
            # Build writes the staged manifest's notes from CHANGELOG.md (the section of ModuleVersion, else [Unreleased]).
            ReleaseNotes = ''
        }
    }
}
