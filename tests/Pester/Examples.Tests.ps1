# Namespace tier: examples/HostNetworks.Tests.ps1, the Pester suite users copy, run as a user would (Invoke-Pester in a
# fresh pwsh that imports the module by name) against networks started here: every test passes on a healthy host, the
# counts are what the networks give (2 tests each, one per health check, one per name), and breaking one network
# fails exactly the tests that say so.
BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Suite = Join-Path $env:VNET_REPO_ROOT 'examples/HostNetworks.Tests.ps1'
    $script:Pester = (Get-Module Pester).Path
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vex-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null

    # Runs the example suite in a fresh pwsh (the module found by name through PSModulePath) and returns its counts
    # and the names of the failed tests.
    function script:Invoke-ExampleSuite([hashtable] $Data) {
        $resultFile = Join-Path $Work 'result.json'
        $json = $Data | ConvertTo-Json -Depth 5 -Compress
        $script = @"
Import-Module '$Pester'
`$env:PSModulePath = '$(Split-Path -Parent $env:VNET_MODULE_PATH)' + [IO.Path]::PathSeparator + `$env:PSModulePath
`$data = '$($json -replace "'", "''")' | ConvertFrom-Json -AsHashtable
`$container = New-PesterContainer -Path '$Suite' -Data `$data
`$result = Invoke-Pester -Container `$container -PassThru -Output None
@{ Passed = `$result.PassedCount; Failed = `$result.FailedCount; Containers = `$result.FailedContainersCount
   FailedNames = @(`$result.Failed | ForEach-Object ExpandedName) } | ConvertTo-Json | Set-Content '$resultFile'
"@
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1
        if (-not (Test-Path $resultFile)) { throw "The example suite did not run: $($output | Out-String)" }
        Get-Content -Raw $resultFile | ConvertFrom-Json
    }

    # br_netfilter is per namespace and on in a new one when the module is loaded: off here, as on a host without Docker.
    foreach ($key in 'net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables') { sysctl -qw "$key=0" 2>$null }

    $script:Root = New-TestRoot
    New-VNetwork -Name exa -Subnet 10.234.0.0/24 -BridgeName vexbr0 -Autostart -Start | Out-Null
    Add-VNetworkDhcpReservation -Network exa -MacAddress 52:54:00:23:20:10 -IPAddress 10.234.0.10 -HostName web1 | Out-Null
    New-VNetwork -Name exb -Subnet 10.234.1.0/24 -BridgeName vexbr1 -Mode Isolated -Start | Out-Null
    $script:Checks = @{ exa = @(Test-VNetworkHealth -Name exa).Count; exb = @(Test-VNetworkHealth -Name exb).Count }
}

AfterAll {
    foreach ($n in 'exa', 'exb') { Stop-VNetwork -Name $n -ErrorAction Ignore; Remove-VNetwork -Name $n -ErrorAction Ignore }
    Remove-TestRoot $Root
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'The example Pester suite for a host' -Tag Namespace {
    It 'passes every test on a healthy host: 2 per network, one per health check, one per name' {
        $result = Invoke-ExampleSuite @{ Networks = @('exa', 'exb'); Names = @{ exa = @('web1') } }
        $result.Failed | Should -Be 0 -Because ($result.FailedNames -join '; ')
        $result.Containers | Should -Be 0
        $result.Passed | Should -Be (2 + $Checks.exa + 2 + $Checks.exb + 1)
    }

    It 'tests the networks that start at boot when none are named' {
        $result = Invoke-ExampleSuite @{}
        $result.Failed | Should -Be 0
        $result.Passed | Should -Be (2 + $Checks.exa)
    }

    It 'fails exactly what breaks: a bridge set down, a name that does not resolve, a network that is not defined' {
        ip link set vexbr1 down
        try { $result = Invoke-ExampleSuite @{ Networks = @('exa', 'exb', 'nosuch'); Names = @{ exa = @('web1', 'nosuch-host') } } }
        finally { ip link set vexbr1 up }
        @($result.FailedNames | Sort-Object) | Should -Be @('health check BridgeUp passes', 'is active', 'is defined', 'resolves nosuch-host')
    }
}
