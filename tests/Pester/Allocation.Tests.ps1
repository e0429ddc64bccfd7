# Namespace tier: allocation against host links, addresses and routes that the test controls.
BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace
}

Describe 'Allocation at define avoids what the host uses' -Tag Namespace {
    BeforeEach {
        $root = New-TestRoot
        ip link add vnt-a type veth peer name vnt-b
        ip link set vnt-a up
        ip link set vnt-b up
    }
    AfterEach {
        ip link del vnt-a 2>$null
        Remove-TestRoot $root
    }

    It 'picks the first /24 from 192.168.122.0/24 that collides with no address or route (a default route never counts)' {
        ip addr add 192.168.122.7/24 dev vnt-a
        ip route add 192.168.124.0/23 dev vnt-a
        ip route add 192.168.123.128/25 dev vnt-a
        ip route add default dev vnt-a
        $n = New-VNetwork -Name auto
        $n.Subnet | Should -Be '192.168.126.0/24'
        $n.Gateway | Should -Be '192.168.126.1'
        $n.DhcpRange | Should -Be @('192.168.126.2-192.168.126.254')
        (New-VNetwork -Name auto2).Subnet | Should -Be '192.168.127.0/24'
    }

    It 'picks the lowest virbrN used neither by a definition nor by a host link' {
        ip link add virbr0 type bridge
        try {
            (New-VNetwork -Name one -Subnet 10.1.0.0/24).Bridge | Should -Be 'virbr1'
            (New-VNetwork -Name two -Subnet 10.2.0.0/24).Bridge | Should -Be 'virbr2'
            Remove-VNetwork one
            (New-VNetwork -Name three -Subnet 10.3.0.0/24).Bridge | Should -Be 'virbr1'
        }
        finally { ip link del virbr0 }
    }

    It 'refuses an explicit subnet that overlaps a host address, naming the interface' {
        ip addr add 10.77.0.1/16 dev vnt-a
        $before = Get-StoreFingerprint $root
        { New-VNetwork -Name x -Subnet 10.77.5.0/24 -ErrorAction Stop } | Should -Throw -ErrorId 'VNetworkSubnetInUse,*'
        try { New-VNetwork -Name x -Subnet 10.77.5.0/24 -ErrorAction Stop } catch { $_.Exception.Message | Should -Match 'vnt-a' }
        Get-StoreFingerprint $root | Should -BeExactly $before
    }

    It 'gives concurrent New-VNetwork calls distinct bridges, MACs and subnets' {
        $pwsh = (Join-Path $PSHOME 'pwsh')
        $procs = 1..4 | ForEach-Object {
            Start-Process -FilePath $pwsh -PassThru -NoNewWindow -ArgumentList @('-NoProfile', '-Command',
                "Import-Module '$env:VNET_MODULE_PATH'; 1..5 | ForEach-Object { New-VNetwork -Name ('p$_-' + `$_) -ErrorAction Stop | Out-Null }")
        }
        $procs | Wait-Process -Timeout 120
        $procs | ForEach-Object { $_.ExitCode | Should -Be 0 }
        $all = Get-VNetwork
        $all.Count | Should -Be 20
        ($all.Bridge | Sort-Object -Unique).Count | Should -Be 20
        ($all.MacAddress | Sort-Object -Unique).Count | Should -Be 20
        ($all.Subnet | Sort-Object -Unique).Count | Should -Be 20
    }
}
