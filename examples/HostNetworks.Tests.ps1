<#
    Pester 5 infrastructure tests for this host's virtual networks. Copy this file, then run it as root:

        Invoke-Pester ./HostNetworks.Tests.ps1 -Output Detailed

    By default it tests every network that starts at boot. To name the networks, and names their DNS must resolve:

        $container = New-PesterContainer -Path ./HostNetworks.Tests.ps1 -Data @{
            Networks = 'default', 'lab'
            Names    = @{ lab = 'web1', 'db1.lab.example' }
        }
        Invoke-Pester -Container $container -Output Detailed

    Each network gets one test per check of Test-VNetworkHealth (its Check id in the test's name); a failing one prints
    what breaks for guests and the remedy, a Warning is reported inconclusive with the same. Repair-VNetwork mends what
    is the network's own.
#>
param(
    # The networks this host must have running. Default: those that start at boot (Autostart).
    [string[]] $Networks,
    # Names that must resolve on a network's DNS, by network: @{ lab = 'web1', 'db1.lab.example' }.
    [hashtable] $Names = @{}
)

BeforeDiscovery {
    Import-Module VirtualNetworking
    if (-not $Networks) { $Networks = @(Get-VNetwork | Where-Object Autostart | ForEach-Object Name) }
    $cases = foreach ($name in $Networks) {
        @{
            Network = $name
            Checks  = @(Test-VNetworkHealth -Name $name -ErrorAction SilentlyContinue | ForEach-Object { @{ Check = $_.Check; Result = $_ } })
            Names   = @($Names[$name] | Where-Object { $_ } | ForEach-Object { @{ HostName = $_ } })
        }
    }
}

BeforeAll {
    Import-Module VirtualNetworking
}

Describe 'Network <Network>' -ForEach $cases {
    It 'is defined' {
        Get-VNetwork -Name $Network -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "New-VNetwork or Invoke-VNetworkConfiguration defines it"
    }

    It 'is active' {
        (Get-VNetwork -Name $Network -ErrorAction SilentlyContinue).State | Should -Be 'Active' -Because "Start-VNetwork -Name $Network starts it"
    }

    It 'health check <Check> passes' -ForEach $Checks {
        # A Warning works today with a risk (br_netfilter on, a rule the check could not read): shown, not failed.
        if ($Result.Status -eq 'Warning') { Set-ItResult -Inconclusive -Because "$($Result.Detail) Remedy: $($Result.Remedy)" }
        $Result.Status | Should -Be 'Pass' -Because "$($Result.Detail) Remedy: $($Result.Remedy)"
    }

    It 'resolves <HostName>' -ForEach $Names {
        $answers = @(Resolve-VNetworkName -Network $Network -Name $HostName -ErrorAction SilentlyContinue)
        $answers.Count | Should -BeGreaterThan 0 -Because "the network's DNS must answer for $HostName (Get-VNetworkDnsRecord -Network $Network lists what it serves)"
    }
}
