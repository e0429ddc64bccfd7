# Namespace tier: Test-VNetworkHealth and Repair-VNetwork on a running NAT network with a guest. The test's namespace
# (build/netns-run.sh) plays the host; the guest is a namespace of its own (vhl-<pid>-guest) on a veth port made by
# New-VNetworkPort, leased by udhcpc with an event script of the test's (never the system's, which rewrites
# /etc/resolv.conf). Each case breaks the running network one way behind the module's back, asserts the exact failing
# checks, repairs, asserts every check passes again and that the guest kept its link (it pings the bridge) and its
# address (a renewal gets the same one, from the lease file the daemon kept). Foreign firewalls and another link's route
# are reported, left alone by Repair-VNetwork, and pass once removed. Everything made here goes in AfterAll.
BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vhl-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:Guest = "vhl-$PID-guest"
    $script:GuestLog = Join-Path $Work 'guest.log'
    $script:UdhcpcScript = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $UdhcpcScript -Value @'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "event=$1 ip=$ip" >> "$VHL_LOG"
    ;;
  leasefail|nak) echo "event=$1" >> "$VHL_LOG" ;;
esac
exit 0
'@
    chmod 755 $UdhcpcScript


    # The guest's address from a fresh DHCP exchange (udhcpc in the foreground until it has a lease, bounded).
    function script:Get-GuestLease {
        Remove-Item $GuestLog -ErrorAction Ignore
        bash -c "timeout -k 2 30 ip netns exec $Guest env VHL_LOG='$GuestLog' udhcpc -f -q -n -t 8 -T 1 -A 1 -i eth0 -s '$UdhcpcScript' >/dev/null 2>&1"
        if (-not (Test-Path $GuestLog)) { return $null }
        (Get-Content $GuestLog | Where-Object { $_ -match 'event=(bound|renew) ip=(\S+)' } | Select-Object -Last 1) -replace '.*ip=', ''
    }

    function script:Get-Failing { @(Test-VNetworkHealth -Name hlth | Where-Object Status -ne 'Pass' | ForEach-Object Check) }

    function script:Get-DaemonPid { [int](Get-Content -Raw (Join-Path $Root 'run/virtualnetworking/vnetd.pid')) }

    function script:Stop-Daemon {
        $daemon = Get-DaemonPid
        kill -KILL $daemon
        Wait-Until -What 'the daemon to die' { -not (Get-Process -Id $daemon -ErrorAction Ignore) }
    }

    # br_netfilter is per namespace and on in a new one when the module is loaded: off here, as on a host without Docker.
    foreach ($key in 'net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables') { sysctl -qw "$key=0" 2>$null }

    $script:Root = New-TestRoot
    New-VNetwork -Name hlth -Subnet 10.231.0.0/24 -BridgeName vhlbr0 -Start | Out-Null
    ip netns add $Guest
    $script:Port = New-VNetworkPort -Network hlth -Namespace $Guest -MacAddress 52:54:00:23:10:01
    ip -n $Guest link set lo up
    Wait-Until -What 'the guest port to forward' { (bridge -j link show dev $Port.Name | ConvertFrom-Json).state -eq 'forwarding' }
    $script:Address = Get-GuestLease
}

AfterAll {
    Stop-VNetwork -Name hlth -ErrorAction Ignore
    Remove-VNetwork -Name hlth -ErrorAction Ignore
    ip netns delete $Guest 2>$null
    nft delete table ip filter 2>$null
    ip link delete vhldummy 2>$null
    Remove-TestRoot $Root
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Test-VNetworkHealth and Repair-VNetwork on a running network with a guest' -Tag Namespace {
    It 'the guest has a lease to keep' {
        $Address | Should -Match '^10\.231\.0\.\d+$'
    }

    It 'a healthy network passes every check, in a stable order' {
        $results = @(Test-VNetworkHealth -Name hlth)
        $results.Check | Should -Be @('NetworkActive', 'BridgePresent', 'BridgeUp', 'BridgeAddresses', 'BridgeMacAddress', 'FirewallRules',
            'Forwarding', 'DaemonRunning', 'DhcpServed', 'DnsServed', 'SubnetCollision', 'ForeignForwardDrop', 'BridgeNetfilter', 'ForeignInputDrop')
        @($results | Where-Object Status -ne 'Pass') | Should -BeNullOrEmpty -Because ($results | Where-Object Status -ne 'Pass' | Out-String)
        Repair-VNetwork -Name hlth | Should -BeNullOrEmpty -Because 'nothing needs repair'
    }

    It '<Case>: health fails <Failing>; repair mends it; the guest keeps its link and lease' -ForEach @(
        @{ Case = 'the bridge set down'; Break = { ip link set vhlbr0 down }; Failing = @('BridgeUp') }
        @{ Case = 'its address deleted'; Break = { ip address flush dev vhlbr0 }; Failing = @('BridgeAddresses') }
        @{ Case = 'forwarding turned off'; Break = { sysctl -qw net.ipv4.ip_forward=0 }; Failing = @('Forwarding') }
        @{ Case = 'the daemon killed'; Break = { Stop-Daemon }; Failing = @('DaemonRunning') }
        @{ Case = 'the daemon killed and the ruleset flushed (a firewall service reload)'; Break = { Stop-Daemon; nft flush ruleset }; Failing = @('FirewallRules', 'DaemonRunning') }
        @{ Case = 'the bridge deleted'; Break = { ip link delete vhlbr0 }; Failing = @('BridgePresent', 'BridgeUp', 'BridgeAddresses', 'BridgeMacAddress') }
    ) {
        & $Break
        Get-Failing | Should -Be $Failing

        $repairs = @(Repair-VNetwork -Name hlth)

        $repairs.Check | Should -Be $Failing
        @($repairs | Where-Object Result -ne 'Repaired') | Should -BeNullOrEmpty -Because ($repairs | Format-List | Out-String)
        Get-Failing | Should -BeNullOrEmpty
        (bridge -j link show dev $Port.Name | ConvertFrom-Json).master | Should -Be 'vhlbr0'
        Wait-Until -What 'the guest to reach the bridge' { ip netns exec $Guest ping -c 1 -W 1 10.231.0.1 *> $null; $LASTEXITCODE -eq 0 }
        Get-GuestLease | Should -Be $Address
    }

    It 'Repair-VNetwork -WhatIf changes nothing' {
        ip link set vhlbr0 down
        Repair-VNetwork -Name hlth -WhatIf | Should -BeNullOrEmpty
        Get-Failing | Should -Be @('BridgeUp')
        Repair-VNetwork -Name hlth | Out-Null
    }

    It '<Case> is reported as <Check>, left alone by repair, and passes once removed' -ForEach @(
        @{ Case = "Docker's FORWARD policy drop"; Check = 'ForeignForwardDrop'
            Add = { "table ip filter {`n chain FORWARD {`n  type filter hook forward priority 0; policy drop;`n }`n}" | nft -f - }
            Remove = { nft delete table ip filter } }
        @{ Case = "another link's route into the subnet"; Check = 'SubnetCollision'
            Add = { ip link add vhldummy type veth peer name vhldummy1; ip link set vhldummy up; ip route add 10.231.0.128/25 dev vhldummy }
            Remove = { ip link delete vhldummy } }
    ) {
        & $Add
        try {
            $failing = @(Test-VNetworkHealth -Name hlth | Where-Object Status -eq 'Fail')
            $failing.Check | Should -Be @($Check)
            $failing[0].Remedy | Should -Not -BeNullOrEmpty
            $repairs = @(Repair-VNetwork -Name hlth)
            $repairs.Check | Should -Be @($Check)
            $repairs[0].Result | Should -Be 'Skipped'
            Get-Failing | Should -Be @($Check)
        }
        finally { & $Remove }
        Get-Failing | Should -BeNullOrEmpty
    }
}
