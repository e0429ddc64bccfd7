# Namespace tier: vnetd puts our nftables rules back on its own when they go behind our back (nft flush ruleset, a
# deleted table), within 2 s, and logs it; afterwards each network's stop takes exactly its own rules.
# Topology: the tier's namespace is the host (uplink vfwup 203.0.113.2, default route via .1); "vfw-<pid>-up" is the
# upstream (203.0.113.1); "vfw-<pid>-g" is a guest of network vfw-a with a static address, whose pings to the
# upstream need the network's masquerade (the upstream has no route back to the guest's subnet).
# Needs: iproute2, nftables, iputils-ping, socat.
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

BeforeAll {
    Assert-TestNamespace
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    foreach ($tool in 'ip', 'nft', 'ping', 'socat') {
        if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "FirewallWatch tests need '$tool' (Debian: iproute2 nftables iputils-ping socat)." }
    }
    $script:Root = New-TestRoot
    $script:Log = Join-Path $Root 'run/virtualnetworking/vnetd.log'
    $script:Namespaces = [Collections.Generic.List[string]]::new()
    $script:SavedForwarding = (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim()

    function New-TestNetns([string] $Tag) {
        $ns = "vfw-$PID-$Tag"
        ip netns add $ns
        if ($LASTEXITCODE) { throw "ip netns add $ns failed" }
        $script:Namespaces.Add($ns)
        ip -n $ns link set lo up
        $ns
    }

    # Our tables' rules as nft lists them, without handles and counters' values: what must come back exactly.
    function Get-OurRules {
        $listing = nft -j list ruleset | ConvertFrom-Json
        @($listing.nftables | Where-Object { $_.rule -and $_.rule.table -eq 'virtualnetworking' } |
            ForEach-Object { "$($_.rule.family) $($_.rule.chain) $($_.rule.comment) $($_.rule.expr | ConvertTo-Json -Depth 20 -Compress)" -replace '"counter":\{[^}]*\}', '"counter":{}' } |
            Sort-Object)
    }

    function Get-TaggedRuleCount([string] $Tag) {
        $listing = nft -j list ruleset | ConvertFrom-Json
        @($listing.nftables | Where-Object { $_.rule -and $_.rule.table -eq 'virtualnetworking' -and $_.rule.comment -eq $Tag }).Count
    }

    # Polls until our rules are $Expected again; returns the milliseconds it took, or throws after 10 s.
    function Wait-Restored([string[]] $Expected, [Diagnostics.Stopwatch] $Clock) {
        while ($Clock.Elapsed.TotalSeconds -lt 10) {
            if (-not (Compare-Object $Expected @(Get-OurRules))) { return $Clock.Elapsed.TotalMilliseconds }
            Start-Sleep -Milliseconds 10
        }
        throw "our rules did not come back within 10 s; vnetd.log: $(Get-Content -Tail 20 $Log | Out-String)"
    }

    function Test-GuestNat { ip netns exec $Guest ping -c1 -W2 -q 203.0.113.1 *> $null; $LASTEXITCODE -eq 0 }

    $script:Up = New-TestNetns 'up'
    ip link add vfwup type veth peer name eth0 netns $Up
    ip -n $Up addr add 203.0.113.1/24 dev eth0
    ip -n $Up link set eth0 up
    ip addr add 203.0.113.2/24 dev vfwup
    ip link set vfwup up
    ip route add default via 203.0.113.1 dev vfwup

    $script:Latencies = [Collections.Generic.List[double]]::new()
}

AfterAll {
    foreach ($n in 'vfw-a', 'vfw-b', 'vfw-c', 'vfw-d') {
        Stop-VNetwork -Name $n -ErrorAction Ignore
        Remove-VNetwork -Name $n -ErrorAction Ignore
    }
    foreach ($ns in $script:Namespaces) { ip netns delete $ns 2>$null }
    ip link delete vfwup 2>$null
    Remove-TestRoot $script:Root
    [IO.File]::WriteAllText('/proc/sys/net/ipv4/ip_forward', $script:SavedForwarding)
    if ($script:Latencies.Count) { Write-Host "restore latency (ms) over $($script:Latencies.Count) deletions: $($script:Latencies -join ', ')" }
}

Describe 'A start after nft flush ruleset, with no vnetd to restore' -Tag Namespace {
    # DNS off and no DHCP: nothing for vnetd to serve, so none runs and nothing restores the first network's rules.
    BeforeAll {
        foreach ($n in @(@{ Name = 'vfw-c'; Net = '10.71.3'; Mac = '52:54:00:71:03:01' }, @{ Name = 'vfw-d'; Net = '10.71.4'; Mac = '52:54:00:71:04:01' })) {
            Import-VNetwork -Xml "<network><name>$($n.Name)</name><forward mode='nat'/><bridge name='$($n.Name -replace '-', '')'/><mac address='$($n.Mac)'/><dns enable='no'/><ip address='$($n.Net).1' prefix='24'/></network>" | Out-Null
        }
    }

    It 'leaves the first network''s stop unable to take the second''s rules' {
        Start-VNetwork -Name vfw-c -WarningAction SilentlyContinue
        nft flush ruleset
        Start-VNetwork -Name vfw-d -WarningAction SilentlyContinue # recreates our tables: its rules get the handles vfw-c's had
        Test-Path (Join-Path $Root 'run/virtualnetworking/vnetd.pid') | Should -BeFalse -Because 'no network here needs vnetd'
        $tagD = 'vnet:' + (Get-VNetwork -Name vfw-d).Uuid
        $countD = Get-TaggedRuleCount $tagD
        $countD | Should -BeGreaterThan 0

        Stop-VNetwork -Name vfw-c
        Get-TaggedRuleCount $tagD | Should -Be $countD

        Stop-VNetwork -Name vfw-d
        nft list ruleset | Out-String | Should -Not -Match 'virtualnetworking'
    }
}

Describe 'vnetd restores our firewall rules on its own' -Tag Namespace {
    BeforeAll {
        New-VNetwork -Name vfw-a -Subnet 10.71.1.0/24 -DhcpRange 10.71.1.100, 10.71.1.199 -BridgeName vfwbra | Out-Null
        New-VNetwork -Name vfw-b -Subnet 10.71.2.0/24 -BridgeName vfwbrb | Out-Null
        # b first: the restore applies them by name, a first, so both networks' handles change.
        Start-VNetwork -Name vfw-b -WarningAction SilentlyContinue
        Start-VNetwork -Name vfw-a -WarningAction SilentlyContinue
        $script:TagA = 'vnet:' + (Get-VNetwork -Name vfw-a).Uuid
        $script:TagB = 'vnet:' + (Get-VNetwork -Name vfw-b).Uuid

        $script:Guest = New-TestNetns 'g'
        ip link add vfwg type veth peer name eth0 netns $Guest
        ip -n $Guest addr add 10.71.1.50/24 dev eth0
        ip -n $Guest link set eth0 up
        ip -n $Guest route add default via 10.71.1.1
        ip link set vfwg master vfwbra
        ip link set vfwg up
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (-not (Test-GuestNat) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $script:Rules = Get-OurRules
    }

    It 'has both networks'' rules and NAT for the guest to begin with' {
        (Get-TaggedRuleCount $TagA) | Should -BeGreaterThan 0
        (Get-TaggedRuleCount $TagB) | Should -BeGreaterThan 0
        Test-GuestNat | Should -BeTrue
    }

    It 'puts every rule back within 2 s of nft flush ruleset and logs it' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        nft flush ruleset
        $ms = Wait-Restored $Rules $clock
        $Latencies.Add([math]::Round($ms))
        Write-Host "restored $([math]::Round($ms)) ms after nft flush ruleset"

        $ms | Should -BeLessThan 2000
        Get-Content -Raw $Log | Should -Match 'restored the firewall rules of networks vfw-a, vfw-b: tables ip and ip6 virtualnetworking were deleted'
        Test-GuestNat | Should -BeTrue -Because 'the guest reaches the upstream through the restored masquerade'
    }

    It 'puts the ip table back when it alone is deleted' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        nft delete table ip virtualnetworking
        $ms = Wait-Restored $Rules $clock
        $Latencies.Add([math]::Round($ms))

        $ms | Should -BeLessThan 2000
        Get-Content -Raw $Log | Should -Match 'vfw-b: table ip virtualnetworking was deleted'
        Test-GuestNat | Should -BeTrue
    }

    It 'stays within 2 s over repeated flushes' {
        foreach ($i in 1..5) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            nft flush ruleset
            $Latencies.Add([math]::Round((Wait-Restored $Rules $clock)))
        }
        ($Latencies | Measure-Object -Maximum).Maximum | Should -BeLessThan 2000
    }

    It 'counts the restores in its status' {
        $status = 'status' | socat -t 5 - "UNIX-CONNECT:$(Join-Path $Root 'run/virtualnetworking/vnetd.sock')"
        ($status -join "`n") | Should -Match "firewallRestores=$($Latencies.Count)\b"
    }

    It 'lets each network''s stop take exactly its own rules' {
        $countB = Get-TaggedRuleCount $TagB
        Stop-VNetwork -Name vfw-a
        Get-TaggedRuleCount $TagA | Should -Be 0
        Get-TaggedRuleCount $TagB | Should -Be $countB -Because 'a stale handle of vfw-a would name one of vfw-b''s rules in the recreated tables'

        Stop-VNetwork -Name vfw-b
        nft list ruleset | Out-String | Should -Not -Match 'virtualnetworking'
    }

    It 'logs nothing alarming about the deletions of its own stops' {
        Start-Sleep -Milliseconds 500 # the stops' deletions reach the watch; their check finds nothing to do
        Get-Content $Log | Where-Object { $_ -match 'firewall: (could not|restoring our rules failed|cannot)' } | Should -BeNullOrEmpty
        @(Get-Content $Log | Where-Object { $_ -match 'restored the firewall rules' }).Count | Should -Be $Latencies.Count
    }
}
