# Namespace tier: started networks carry REAL traffic between throwaway namespaces, and every way a start
# can end (stop, injected failure at each step, kill -9, races, no CAP_NET_ADMIN) leaves the host as it was.
# Topology: the tier's namespace plays the host; "vlt-<pid>-up" is the upstream (203.0.113.1, host uplink
# vltup = 203.0.113.2, default route via .1); guests are namespaces "vlt-<pid>-<tag>" attached by veth.
# Needs: iproute2 (ip, bridge, ss), nftables, socat, iputils-ping, libcap2-bin (capsh).
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

BeforeAll {
    Assert-TestNamespace
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    foreach ($tool in 'ip', 'bridge', 'ss', 'nft', 'socat', 'ping', 'capsh') {
        if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "LiveNetworks tests need '$tool' (Debian: iproute2 nftables socat iputils-ping libcap2-bin)." }
    }
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:Namespaces = [Collections.Generic.List[string]]::new()
    $script:Processes = [Collections.Generic.List[Diagnostics.Process]]::new()
    # This namespace is the "host": forwarding starts off so the tests see who turns it on; no IPv6 DAD noise.
    $script:SavedSysctls = @{}
    # Set-Content does not reach /proc/sys; a plain write does.
    function Set-Sysctl([string] $Path, [string] $Value) { [IO.File]::WriteAllText($Path, $Value) }
    foreach ($key in 'net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding', 'net/ipv6/conf/default/accept_dad', 'net/ipv6/conf/all/accept_dad') {
        $path = "/proc/sys/$key"
        if (Test-Path $path) { $script:SavedSysctls[$path] = (Get-Content $path -Raw).Trim(); Set-Sysctl $path 0 }
    }

    function Invoke-Bounded {
        # Polls $Condition until it is true or $Seconds pass; returns whether it became true.
        param([scriptblock] $Condition, [double] $Seconds = 10)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            if (& $Condition) { return $true }
            Start-Sleep -Milliseconds 50
        }
        [bool](& $Condition)
    }

    function New-TestNetns {
        param([string] $Tag)
        $ns = "vlt-$PID-$Tag"
        ip netns add $ns
        if ($LASTEXITCODE) { throw "ip netns add $ns failed" }
        $script:Namespaces.Add($ns)
        ip -n $ns link set lo up
        $ns
    }

    function New-Upstream {
        $script:Up = New-TestNetns 'up'
        ip link add vltup type veth peer name eth0 netns $script:Up
        ip -n $script:Up addr add 203.0.113.1/24 dev eth0
        ip -n $script:Up link set eth0 up
        ip addr add 203.0.113.2/24 brd + dev vltup  # with a broadcast, as DHCP clients and NetworkManager set it
        ip link set vltup up
        ip route add default via 203.0.113.1 dev vltup
        if (-not (Invoke-Bounded { ping -c1 -W1 -q 203.0.113.1 *> $null; $LASTEXITCODE -eq 0 } 5)) { throw 'upstream not reachable from the host' }
    }

    function Wait-Forwarding {
        param([string] $Port)
        $ok = Invoke-Bounded { (bridge -j link show dev $Port | ConvertFrom-Json).state -eq 'forwarding' } 10
        if (-not $ok) { throw "bridge port $Port did not reach forwarding: $(bridge link show dev $Port)" }
    }

    # A guest: its own namespace, a veth whose host end (vlt<Tag>) is a port of $Bridge, a static address, default route.
    function Add-Guest {
        param([string] $Tag, [string] $Bridge, [string] $Address, [string] $Gateway)
        $ns = New-TestNetns $Tag
        $hostEnd = "vlt$Tag"
        ip link add $hostEnd type veth peer name eth0 netns $ns
        ip -n $ns addr add $Address dev eth0
        ip -n $ns link set eth0 up
        if ($Gateway) { ip -n $ns route add default via $Gateway }
        ip link set $hostEnd master $Bridge
        ip link set $hostEnd up
        Wait-Forwarding $hostEnd
        $ns
    }

    function Test-Ping {
        param([string] $Ns, [string] $Target)
        if ($Ns) { ip netns exec $Ns ping -c1 -W1 -q $Target *> $null } else { ping -c1 -W1 -q $Target *> $null }
        $LASTEXITCODE -eq 0
    }

    # A TCP listener that answers every connection with one line: the peer's address and port as it sees them.
    function Start-Listener {
        param([string] $Ns, [int] $Port)
        $log = "/tmp/vlt-$PID-listener-$Port.err"
        # Start-Process joins arguments with spaces: the SYSTEM address is quoted for the command line.
        $argList = "netns exec $Ns socat TCP-LISTEN:$Port,reuseaddr,fork ""SYSTEM:echo `$SOCAT_PEERADDR `$SOCAT_PEERPORT"""
        $p = Start-Process -FilePath (Get-Command ip).Source -ArgumentList $argList -PassThru -RedirectStandardError $log
        $script:Processes.Add($p)
        if (-not (Invoke-Bounded { [bool](ip netns exec $Ns ss -Hltn "sport = :$Port") } 5)) { throw "listener on port $Port in $Ns did not start: $(Get-Content $log -Raw)" }
        $p
    }

    # Connects and returns the listener's line (peer address and port), or $null when no connection was made.
    function Connect-Tcp {
        param([string] $Ns, [string] $Target, [int] $Port, [int] $SourcePort)
        $address = "TCP:${Target}:$Port,connect-timeout=2"
        if ($SourcePort) { $address += ",sourceport=$SourcePort,reuseaddr" }
        $out = if ($Ns) { ip netns exec $Ns timeout 5 socat -u $address STDOUT 2>$null } else { timeout 5 socat -u $address STDOUT 2>$null }
        if ($LASTEXITCODE -ne 0 -or -not $out) { return $null }
        "$out".Trim()
    }

    function Get-NftTables {
        @((nft -j list ruleset | ConvertFrom-Json).nftables | Where-Object { $_.table } | ForEach-Object { "$($_.table.family) $($_.table.name)" })
    }

    # Everything of the host a network may touch, as text, so before/after compare byte for byte.
    function Get-HostSnapshot {
        $store = (Get-StoreFingerprint $script:Root) -split "`n" |
            # Lock files are created on first use and kept (flock needs a file); they hold no state.
            Where-Object { $_ -notmatch '(^|/)[^/ ]*\.lock( |$)' }
        # Our own topology's fresh IPv6 link-local addresses finish DAD on their own: wait for that first.
        Invoke-Bounded { -not ((ip addr show) -match 'tentative') } 5 | Out-Null
        [ordered]@{
            # Bridge timers (hello, gc, ...) tick by themselves; everything else of a link must stay.
            'ip -d link'   = ((ip -d link show) -join "`n") -replace '(\w+_timer)\s+[\d.]+', '$1 *'
            'ip addr'      = (ip addr show) -join "`n"
            'ip route'     = (ip route show table all) -join "`n"
            'ip -6 route'  = (ip -6 route show table all) -join "`n"
            'nft ruleset'  = (nft list ruleset) -join "`n"
            'ip_forward'   = (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim()
            'ipv6 forwarding' = if (Test-Path /proc/sys/net/ipv6/conf/all/forwarding) { (Get-Content /proc/sys/net/ipv6/conf/all/forwarding -Raw).Trim() } else { '' }
            'store'        = $store -join "`n"
        }
    }

    function Assert-SameHost {
        param($Before, [string[]] $Except = @())
        $after = Get-HostSnapshot
        foreach ($key in $Before.Keys) {
            if ($key -in $Except) { continue }
            $after[$key] | Should -BeExactly $Before[$key] -Because "$key must be exactly as before"
        }
    }

    # Whatever a failed test left: networks, bridges, rules, listeners, namespaces. Never fails.
    function Reset-LiveHost {
        try { Get-VNetwork -ErrorAction Ignore | Where-Object State -eq 'Active' | ForEach-Object { Stop-VNetwork -Name $_.Name -ErrorAction Ignore } } catch { }
        foreach ($p in $script:Processes) { try { if (-not $p.HasExited) { $p.Kill($true) } } catch { } }
        $script:Processes.Clear()
        foreach ($ns in $script:Namespaces) { ip netns delete $ns 2>$null }
        $script:Namespaces.Clear()
        foreach ($link in (ip -j link show | ConvertFrom-Json)) {
            if ($link.ifname -like 'vlt*' -or $link.ifname -like 'virbr*') { ip link del $link.ifname 2>$null }
        }
        foreach ($t in 'ip virtualnetworking', 'ip6 virtualnetworking', 'inet vltforeign') { nft delete table $t.Split(' ') 2>$null }
        Remove-Item "/tmp/vlt-$PID-*" -Recurse -Force -ErrorAction Ignore
        Set-Sysctl /proc/sys/net/ipv4/ip_forward 0
        if (Test-Path /proc/sys/net/ipv6/conf/all/forwarding) { Set-Sysctl /proc/sys/net/ipv6/conf/all/forwarding 0 }
        Remove-Item Env:VNET_TEST_FAULT -ErrorAction Ignore
    }

    function New-LiveRoot { $script:Root = New-TestRoot; $script:Root }
}

AfterAll {
    if (Get-Command Reset-LiveHost -ErrorAction Ignore) { Reset-LiveHost }
    if ($script:SavedSysctls) { foreach ($path in $script:SavedSysctls.Keys) { Set-Sysctl $path $script:SavedSysctls[$path] } }
}

Describe 'Started networks carry real traffic' -Tag Namespace {
    BeforeEach {
        $root = New-LiveRoot
        New-Upstream
    }
    AfterEach {
        Reset-LiveHost
        Remove-TestRoot $root
    }

    It 'Nat: the guest reaches upstream as 203.0.113.2 from a port >= 1024; upstream cannot connect to the guest' {
        New-VNetwork -Name n -Mode Nat -Subnet 10.201.0.0/24 -BridgeName vltnat0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        $g = Add-Guest -Tag g1 -Bridge vltnat0 -Address 10.201.0.10/24 -Gateway 10.201.0.1
        Start-Listener -Ns $Up -Port 8080 | Out-Null
        Test-Ping $g 203.0.113.1 | Should -BeTrue
        $seen = Connect-Tcp -Ns $g -Target 203.0.113.1 -Port 8080
        $seen | Should -Match '^203\.0\.113\.2 \d+$'
        # A guest source port below 1024 (an NFS "privileged" port) is remapped into 1024-65535.
        $low = Connect-Tcp -Ns $g -Target 203.0.113.1 -Port 8080 -SourcePort 700
        $low | Should -Match '^203\.0\.113\.2 \d+$'
        [int]($low -split ' ')[1] | Should -BeGreaterOrEqual 1024
        # Upstream, even with a route to the guest subnet, cannot open a connection in; the host itself can (control).
        ip -n $Up route add 10.201.0.0/24 via 203.0.113.2
        Start-Listener -Ns $g -Port 8081 | Out-Null
        Connect-Tcp -Target 10.201.0.10 -Port 8081 | Should -Match '^10\.201\.0\.1 \d+$'
        Connect-Tcp -Ns $Up -Target 10.201.0.10 -Port 8081 | Should -BeNullOrEmpty
    }

    It 'Routed: the guest reaches upstream with its own address' {
        New-VNetwork -Name r -Mode Routed -Subnet 10.202.0.0/24 -BridgeName vltrt0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        ip -n $Up route add 10.202.0.0/24 via 203.0.113.2
        $g = Add-Guest -Tag g1 -Bridge vltrt0 -Address 10.202.0.10/24 -Gateway 10.202.0.1
        Start-Listener -Ns $Up -Port 8080 | Out-Null
        Test-Ping $g 203.0.113.1 | Should -BeTrue
        Connect-Tcp -Ns $g -Target 203.0.113.1 -Port 8080 | Should -Match '^10\.202\.0\.10 \d+$'
    }

    It 'Isolated: the guest reaches the bridge and another guest, not upstream' {
        New-VNetwork -Name i -Mode Isolated -Subnet 10.203.0.0/24 -BridgeName vltiso0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        ip -n $Up route add 10.203.0.0/24 via 203.0.113.2
        $g1 = Add-Guest -Tag g1 -Bridge vltiso0 -Address 10.203.0.10/24 -Gateway 10.203.0.1
        $g2 = Add-Guest -Tag g2 -Bridge vltiso0 -Address 10.203.0.11/24 -Gateway 10.203.0.1
        Start-Listener -Ns $g2 -Port 8082 | Out-Null
        Start-Listener -Ns $Up -Port 8080 | Out-Null
        Test-Ping $g1 10.203.0.1 | Should -BeTrue
        Test-Ping $g1 10.203.0.11 | Should -BeTrue
        Connect-Tcp -Ns $g1 -Target 10.203.0.11 -Port 8082 | Should -Match '^10\.203\.0\.10 \d+$'
        Test-Ping $g1 203.0.113.1 | Should -BeFalse
        Connect-Tcp -Ns $g1 -Target 203.0.113.1 -Port 8080 | Should -BeNullOrEmpty
        (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim() | Should -Be '0' -Because 'an isolated network forwards nothing, so it does not turn forwarding on'
    }

    It 'Open: no rules of ours, and traffic is forwarded with the guest''s address' {
        New-VNetwork -Name o -Mode Open -Subnet 10.204.0.0/24 -BridgeName vltopen0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        Get-NftTables | Should -Not -Contain 'ip virtualnetworking'
        Get-NftTables | Should -Not -Contain 'ip6 virtualnetworking'
        ip -n $Up route add 10.204.0.0/24 via 203.0.113.2
        $g = Add-Guest -Tag g1 -Bridge vltopen0 -Address 10.204.0.10/24 -Gateway 10.204.0.1
        Start-Listener -Ns $Up -Port 8080 | Out-Null
        Test-Ping $g 203.0.113.1 | Should -BeTrue
        Connect-Tcp -Ns $g -Target 203.0.113.1 -Port 8080 | Should -Match '^10\.204\.0\.10 \d+$'
    }

    It 'Bridged to an existing bridge: the guest shares that bridge''s L2' {
        $lan = New-TestNetns 'lan'
        ip link add vltlan0 type bridge stp_state 0
        ip link set vltlan0 up
        ip link add vltlanp type veth peer name eth0 netns $lan
        ip link set vltlanp master vltlan0
        ip link set vltlanp up
        ip -n $lan addr add 198.51.100.1/24 dev eth0
        ip -n $lan link set eth0 up
        Wait-Forwarding vltlanp
        Invoke-Bounded { (ip -j link show vltlan0 | ConvertFrom-Json).operstate -eq 'UP' } 5 | Should -BeTrue
        $before = Get-HostSnapshot
        New-VNetwork -Name b -Mode Bridged -BridgeName vltlan0 | Start-VNetwork -WarningAction Ignore
        (Get-VNetwork b).State | Should -Be 'Active'
        $g = Add-Guest -Tag g1 -Bridge vltlan0 -Address 198.51.100.10/24
        Test-Ping $g 198.51.100.1 | Should -BeTrue
        $guestMac = (ip -n $g -j link show eth0 | ConvertFrom-Json).address
        (ip -n $lan -j neigh show 198.51.100.10 | ConvertFrom-Json).lladdr | Should -Be $guestMac -Because 'the LAN sees the guest''s own MAC: same L2'
        ip netns delete $g; $script:Namespaces.Remove($g) | Out-Null
        Stop-VNetwork b
        ip link show vltlan0 *> $null; $LASTEXITCODE | Should -Be 0 -Because 'a bridge we did not create is not ours to delete'
        Assert-SameHost $before -Except 'store'
    }

    It 'Bridged with -ForwardDevice: Start moves the uplink''s address and default route into a new bridge; Stop puts them back' {
        $beforeAddr = (ip -j addr show) -join ''
        $beforeRoute = (ip -j route show) -join ''
        $n = New-VNetwork -Name b -Mode Bridged -BridgeName vltbr1 -ForwardDevice vltup -WarningAction Ignore
        $before = Get-HostSnapshot
        $n | Start-VNetwork -WarningAction Ignore -ErrorAction Stop
        $br = ip -j -d link show vltbr1 | ConvertFrom-Json
        $br.linkinfo.info_kind | Should -Be 'bridge'
        (ip -j link show vltup | ConvertFrom-Json).master | Should -Be 'vltbr1'
        (ip -j -4 addr show dev vltbr1 | ConvertFrom-Json).addr_info.local | Should -Contain '203.0.113.2'
        (ip -j -4 addr show dev vltup | ConvertFrom-Json).addr_info | Should -BeNullOrEmpty
        (ip -j route show default | ConvertFrom-Json).dev | Should -Be 'vltbr1'
        Test-Ping '' 203.0.113.1 | Should -BeTrue -Because 'the host still reaches upstream through the bridge'
        $g = Add-Guest -Tag g1 -Bridge vltbr1 -Address 203.0.113.50/24 -Gateway 203.0.113.1
        Test-Ping $g 203.0.113.1 | Should -BeTrue -Because 'a guest on the bridge is on the uplink''s L2'
        ip netns delete $g; $script:Namespaces.Remove($g) | Out-Null
        Stop-VNetwork b -ErrorAction Stop
        (ip -j addr show) -join '' | Should -BeExactly $beforeAddr
        (ip -j route show) -join '' | Should -BeExactly $beforeRoute
        Assert-SameHost $before
        Test-Ping '' 203.0.113.1 | Should -BeTrue
    }

    It 'Two Nat networks: a guest of one cannot open connections into the other' {
        New-VNetwork -Name a -Mode Nat -Subnet 10.205.0.0/24 -BridgeName vlta0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        New-VNetwork -Name b -Mode Nat -Subnet 10.206.0.0/24 -BridgeName vltb0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        $ga = Add-Guest -Tag ga -Bridge vlta0 -Address 10.205.0.10/24 -Gateway 10.205.0.1
        $gb = Add-Guest -Tag gb -Bridge vltb0 -Address 10.206.0.10/24 -Gateway 10.206.0.1
        Start-Listener -Ns $ga -Port 8083 | Out-Null
        Start-Listener -Ns $gb -Port 8083 | Out-Null
        Start-Listener -Ns $Up -Port 8080 | Out-Null
        # Controls: each guest is up and reaches upstream.
        Connect-Tcp -Ns $ga -Target 203.0.113.1 -Port 8080 | Should -Match '^203\.0\.113\.2 '
        Connect-Tcp -Ns $gb -Target 203.0.113.1 -Port 8080 | Should -Match '^203\.0\.113\.2 '
        Connect-Tcp -Ns $ga -Target 10.206.0.10 -Port 8083 | Should -BeNullOrEmpty
        Connect-Tcp -Ns $gb -Target 10.205.0.10 -Port 8083 | Should -BeNullOrEmpty
    }
}

Describe 'Stop and failed starts leave the host as it was' -Tag Namespace {
    BeforeAll {
        $managedSteps = 'bridge', 'sysctl-bridge', 'firewall', 'addresses', 'link-up', 'routes', 'ip-forward', 'dhcp', 'dns-register', 'status'
    }
    BeforeEach {
        $root = New-LiveRoot
        New-Upstream
    }
    AfterEach {
        Reset-LiveHost
        Remove-TestRoot $root
    }

    It 'fail:<Step> in <Mode> mode undoes everything (links, addresses, routes, rules, sysctls, state files)' -ForEach @(
        foreach ($mode in 'Nat', 'Routed', 'Isolated', 'Open') {
            foreach ($step in 'bridge', 'sysctl-bridge', 'firewall', 'addresses', 'link-up', 'routes', 'ip-forward', 'dhcp', 'dns-register', 'status') { @{ Mode = $mode; Step = $step } }
        }
        foreach ($step in 'bridge', 'uplink', 'link-up', 'routes', 'status') { @{ Mode = 'Bridged'; Step = $step } }
    ) {
        if ($Mode -eq 'Bridged') {
            New-VNetwork -Name f -Mode Bridged -BridgeName vltbf0 -ForwardDevice vltup -WarningAction Ignore | Out-Null
        }
        else {
            New-VNetwork -Name f -Mode $Mode -Subnet 10.210.0.0/24 -BridgeName vltf0 -Stp:$false -WarningAction Ignore | Out-Null
        }
        $before = Get-HostSnapshot
        $env:VNET_TEST_FAULT = "fail:$Step"
        try { { Start-VNetwork f -ErrorAction Stop -WarningAction Ignore } | Should -Throw -ErrorId 'VNetworkTestFault,*' }
        finally { Remove-Item Env:VNET_TEST_FAULT }
        Assert-SameHost $before
        (Get-VNetwork f).State | Should -Be 'Inactive'
        Test-Ping '' 203.0.113.1 | Should -BeTrue
        # ... and the host is fit for a real start.
        Start-VNetwork f -ErrorAction Stop -WarningAction Ignore
        (Get-VNetwork f).State | Should -Be 'Active'
    }

    It 'Start then Stop in <Mode> mode: everything goes but ip_forward, which stays <Forward>' -ForEach @(
        @{ Mode = 'Nat'; Forward = '1' }, @{ Mode = 'Routed'; Forward = '1' }, @{ Mode = 'Open'; Forward = '1' },
        @{ Mode = 'Isolated'; Forward = '0' }, @{ Mode = 'Bridged'; Forward = '0' }
    ) {
        if ($Mode -eq 'Bridged') { New-VNetwork -Name s -Mode Bridged -BridgeName vltbs0 -ForwardDevice vltup -WarningAction Ignore | Out-Null }
        else { New-VNetwork -Name s -Mode $Mode -Subnet 10.211.0.0/24 -BridgeName vlts0 -Stp:$false -WarningAction Ignore | Out-Null }
        $before = Get-HostSnapshot
        $before['ip_forward'] | Should -Be '0'
        Start-VNetwork s -ErrorAction Stop -WarningAction Ignore
        $during = Get-HostSnapshot
        $during['ip -d link'] | Should -Not -BeExactly $before['ip -d link']
        $during['store'] | Should -Not -BeExactly $before['store']
        if ($Mode -in 'Nat', 'Routed', 'Isolated') { Get-NftTables | Should -Contain 'ip virtualnetworking' }
        Stop-VNetwork s -ErrorAction Stop
        Assert-SameHost $before -Except 'ip_forward'
        (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim() | Should -Be $Forward -Because 'libvirt never switches forwarding back off at stop'
    }

    It 'a start killed at hang:<Step> is cleaned up by the next <Then>-VNetwork' -ForEach @(
        @{ Step = 'firewall'; Then = 'Stop' }, @{ Step = 'firewall'; Then = 'Start' },
        @{ Step = 'dhcp'; Then = 'Stop' }, @{ Step = 'dhcp'; Then = 'Start' }
    ) {
        New-VNetwork -Name k -Mode Nat -Subnet 10.212.0.0/24 -BridgeName vltk0 -Stp:$false -WarningAction Ignore | Out-Null
        $before = Get-HostSnapshot
        $env:VNET_TEST_FAULT = "hang:$Step"
        try {
            $child = Start-Process -FilePath $Pwsh -PassThru -RedirectStandardOutput "/tmp/vlt-$PID-hang.out" -RedirectStandardError "/tmp/vlt-$PID-hang.err" `
                -ArgumentList @('-NoProfile', '-Command', "Import-Module '$env:VNET_MODULE_PATH'; Start-VNetwork k")
            $script:Processes.Add($child)
        }
        finally { Remove-Item Env:VNET_TEST_FAULT }
        $marker = "/tmp/vnet-hang-$($child.Id)"
        try {
            Invoke-Bounded { Test-Path $marker } 30 | Should -BeTrue -Because "the child must reach step $Step ($(Get-Content "/tmp/vlt-$PID-hang.err" -Raw -ErrorAction Ignore))"
            Get-Content $marker -Raw | Should -Be $Step
            kill -9 $child.Id
            $child.WaitForExit(10000) | Should -BeTrue
        }
        finally { Remove-Item $marker -ErrorAction Ignore }
        # Half made: the bridge exists, the network is not active.
        ip link show vltk0 *> $null; $LASTEXITCODE | Should -Be 0
        (Get-VNetwork k).State | Should -Be 'Inactive'
        if ($Then -eq 'Stop') {
            { Stop-VNetwork k -ErrorAction Stop } | Should -Throw -ErrorId 'VNetworkNotActive,*'
            Assert-SameHost $before
            Start-VNetwork k -ErrorAction Stop -WarningAction Ignore
            (Get-VNetwork k).State | Should -Be 'Active'
            Stop-VNetwork k -ErrorAction Stop
            Assert-SameHost $before -Except 'ip_forward'
        }
        else {
            Start-VNetwork k -ErrorAction Stop -WarningAction Ignore
            (Get-VNetwork k).State | Should -Be 'Active'
            (ip -j -4 addr show dev vltk0 | ConvertFrom-Json).addr_info.local | Should -Be '10.212.0.1'
            Get-NftTables | Should -Contain 'ip virtualnetworking'
            Stop-VNetwork k -ErrorAction Stop
            Assert-SameHost $before -Except 'ip_forward'
        }
    }

    It 'callers without CAP_NET_ADMIN get VNetworkPermissionDenied and nothing changes (start and stop)' {
        New-VNetwork -Name p -Mode Nat -Subnet 10.213.0.0/24 -BridgeName vltp0 -Stp:$false -WarningAction Ignore | Out-Null
        function Invoke-WithoutNetAdmin([string] $Command) {
            $script = "`$c = [Convert]::ToUInt64(((Get-Content /proc/self/status | Select-String '^CapEff:').Line -split '\s+')[1], 16); 'capeff-netadmin=' + [bool](`$c -band (1 -shl 12)); Import-Module '$env:VNET_MODULE_PATH'; $Command"
            $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
            capsh --drop=cap_net_admin -- -c "'$Pwsh' -NoProfile -NonInteractive -EncodedCommand $encoded" 2>&1
        }
        $probe = "try { VERB-VNetwork p -ErrorAction Stop -WarningAction Ignore; 'done' } catch { 'error=' + `$_.FullyQualifiedErrorId + '|' + `$_.CategoryInfo.Category }"
        $before = Get-HostSnapshot
        $out = Invoke-WithoutNetAdmin ($probe -replace 'VERB', 'Start')
        $out | Should -Contain 'capeff-netadmin=False'
        ($out | Where-Object { $_ -like 'error=*' }) | Should -Match '^error=VNetworkPermissionDenied,[^|]*\|PermissionDenied$'
        Assert-SameHost $before
        (Get-VNetwork p).State | Should -Be 'Inactive'

        Start-VNetwork p -ErrorAction Stop -WarningAction Ignore
        $active = Get-HostSnapshot
        $out = Invoke-WithoutNetAdmin ($probe -replace 'VERB', 'Stop')
        ($out | Where-Object { $_ -like 'error=*' }) | Should -Match '^error=VNetworkPermissionDenied,[^|]*\|PermissionDenied$'
        Assert-SameHost $active
        (Get-VNetwork p).State | Should -Be 'Active' -Because 'a stop that could change nothing must not forget the network'
        Stop-VNetwork p -ErrorAction Stop
        Assert-SameHost $before -Except 'ip_forward'
    }

    It 'eight processes starting and stopping at once, and racing on one network, end consistent' {
        1..4 | ForEach-Object { New-VNetwork -Name "c$_" -Mode Nat -Subnet "10.22$_.0.0/24" -BridgeName "vltc$_" -Stp:$false -WarningAction Ignore | Out-Null }
        New-VNetwork -Name race -Mode Nat -Subnet 10.229.0.0/24 -BridgeName vltrace -Stp:$false -WarningAction Ignore | Out-Null
        $before = Get-HostSnapshot
        $dir = "/tmp/vlt-$PID-race"
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        function Start-Racers([hashtable] $Actions, [string] $Round) {
            $children = foreach ($i in $Actions.Keys) {
                $cmd = "`$ErrorActionPreference = 'Stop'; Import-Module '$env:VNET_MODULE_PATH'; New-Item '$dir/$Round-ready-$i' | Out-Null; " +
                       "`$deadline = [DateTime]::UtcNow.AddSeconds(60); while (-not (Test-Path '$dir/$Round-go') -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 10 }; " +
                       "try { $($Actions[$i]) } catch { `$_.FullyQualifiedErrorId }"
                $p = Start-Process -FilePath $Pwsh -PassThru -ArgumentList @('-NoProfile', '-Command', $cmd) -RedirectStandardOutput "$dir/$Round-out-$i" -RedirectStandardError "$dir/$Round-err-$i"
                $script:Processes.Add($p)
                $p
            }
            Invoke-Bounded { @(Get-ChildItem "$dir/$Round-ready-*").Count -eq $Actions.Count } 90 | Should -BeTrue
            New-Item "$dir/$Round-go" | Out-Null
            $children | Wait-Process -Timeout 120
            $results = @{}
            foreach ($i in $Actions.Keys) { $results[$i] = ((Get-Content "$dir/$Round-out-$i" -Raw) + (Get-Content "$dir/$Round-err-$i" -Raw)).Trim() }
            $results
        }
        $actions = @{}
        foreach ($i in 1..4) { $actions[$i] = "foreach (`$k in 1..2) { Start-VNetwork c$i -WarningAction Ignore; Stop-VNetwork c$i }; 'ok'" }
        foreach ($i in 5..8) { $actions[$i] = "Start-VNetwork race -WarningAction Ignore; 'won'" }
        $r = Start-Racers $actions 'one'
        foreach ($i in 1..4) { $r[$i] | Should -Be 'ok' }
        $raceResults = 5..8 | ForEach-Object { $r[$_] }
        @($raceResults | Where-Object { $_ -eq 'won' }).Count | Should -Be 1
        @($raceResults | Where-Object { $_ -like 'VNetworkAlreadyActive,*' }).Count | Should -Be 3
        (Get-VNetwork race).State | Should -Be 'Active'
        1..4 | ForEach-Object { (Get-VNetwork "c$_").State | Should -Be 'Inactive' }

        $stops = @{}
        foreach ($i in 1..4) { $stops[$i] = "Stop-VNetwork race; 'stopped'" }
        $r = Start-Racers $stops 'two'
        @($r.Values | Where-Object { $_ -eq 'stopped' }).Count | Should -Be 1
        @($r.Values | Where-Object { $_ -like 'VNetworkNotActive,*' }).Count | Should -Be 3
        (Get-VNetwork race).State | Should -Be 'Inactive'
        Assert-SameHost $before -Except 'ip_forward'
    }
}

Describe 'Lifecycle cmdlets on a live host' -Tag Namespace {
    BeforeEach { $root = New-LiveRoot }
    AfterEach {
        Reset-LiveHost
        Remove-TestRoot $root
    }

    It 'New-VNetwork -Start defines and starts; -Transient starts without a definition and is gone after Stop' {
        $n = New-VNetwork -Name ns -Subnet 10.231.0.0/24 -BridgeName vltns0 -Stp:$false -Start -WarningAction Ignore
        $n.State | Should -Be 'Active'
        $n.Persistent | Should -BeTrue
        ip link show vltns0 *> $null; $LASTEXITCODE | Should -Be 0
        $before = Get-HostSnapshot
        $t = New-VNetwork -Name tr -Subnet 10.232.0.0/24 -BridgeName vlttr0 -Stp:$false -Transient -WarningAction Ignore
        $t.State | Should -Be 'Active'
        $t.Persistent | Should -BeFalse
        (ip -j -4 addr show dev vlttr0 | ConvertFrom-Json).addr_info.local | Should -Be '10.232.0.1'
        Stop-VNetwork tr -ErrorAction Stop
        { Get-VNetwork tr -ErrorAction Stop } | Should -Throw
        Assert-SameHost $before
    }

    It 'Remove-VNetwork of an active network leaves it running as transient; -Force stops it' {
        New-VNetwork -Name rm -Subnet 10.233.0.0/24 -BridgeName vltrm0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        Remove-VNetwork rm -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Match 'transient'
        $n = Get-VNetwork rm
        $n.State | Should -Be 'Active'
        $n.Persistent | Should -BeFalse
        ip link show vltrm0 *> $null; $LASTEXITCODE | Should -Be 0
        Stop-VNetwork rm
        { Get-VNetwork rm -ErrorAction Stop } | Should -Throw
        ip link show vltrm0 *> $null; $LASTEXITCODE | Should -Not -Be 0

        New-VNetwork -Name rf -Subnet 10.234.0.0/24 -BridgeName vltrf0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        Remove-VNetwork rf -Force
        { Get-VNetwork rf -ErrorAction Stop } | Should -Throw
        ip link show vltrf0 *> $null; $LASTEXITCODE | Should -Not -Be 0
        Get-NftTables | Should -Not -Contain 'ip virtualnetworking'
    }

    It 'Get-VNetwork in another pwsh process sees the state; Export -Inactive shows a pending Set-VNetwork change until Restart applies it' {
        New-VNetwork -Name ex -Subnet 10.235.0.0/24 -BridgeName vltex0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        $state = & $Pwsh -NoProfile -Command "Import-Module '$env:VNET_MODULE_PATH'; (Get-VNetwork ex).State.ToString()"
        $state | Should -Be 'Active'
        Set-VNetwork ex -Mtu 1400 -WarningAction Ignore
        (Export-VNetwork ex -Inactive) | Should -Match "<mtu size='1400'"
        (Export-VNetwork ex) | Should -Not -Match '<mtu'
        (ip -j link show vltex0 | ConvertFrom-Json).mtu | Should -Be 1500
        Restart-VNetwork ex -WarningAction Ignore -ErrorAction Stop
        (Export-VNetwork ex) | Should -Match "<mtu size='1400'"
        (ip -j link show vltex0 | ConvertFrom-Json).mtu | Should -Be 1400
        Stop-VNetwork ex
        $state = & $Pwsh -NoProfile -Command "Import-Module '$env:VNET_MODULE_PATH'; (Get-VNetwork ex).State.ToString()"
        $state | Should -Be 'Inactive'
    }

    It 'Start-VNetwork -Autostart starts every autostart network and only those' {
        New-VNetwork -Name a1 -Subnet 10.236.0.0/24 -BridgeName vlta1 -Stp:$false -Autostart | Out-Null
        New-VNetwork -Name a2 -Subnet 10.237.0.0/24 -BridgeName vlta2 -Stp:$false -Autostart | Out-Null
        New-VNetwork -Name a3 -Subnet 10.238.0.0/24 -BridgeName vlta3 -Stp:$false | Out-Null
        Start-VNetwork -Autostart -WarningAction Ignore
        (Get-VNetwork a1).State | Should -Be 'Active'
        (Get-VNetwork a2).State | Should -Be 'Active'
        (Get-VNetwork a3).State | Should -Be 'Inactive'
        ip link show vlta3 *> $null; $LASTEXITCODE | Should -Not -Be 0
        Start-VNetwork -Autostart -WarningAction Ignore -ErrorAction Stop  # running ones are left alone
    }

    It 'Initialize-VNetworkHost twice is idempotent and handles the boot unit honestly' {
        New-Item -ItemType Directory -Path (Join-Path $root 'run/systemd/system') -Force | Out-Null
        $first = Initialize-VNetworkHost -WarningVariable w1 -WarningAction SilentlyContinue
        $first.Name | Should -Be 'default'
        $first.State | Should -Be 'Active'
        $first.Autostart | Should -BeTrue
        (ip -j -4 addr show dev $first.Bridge | ConvertFrom-Json).addr_info.local | Should -Be $first.Gateway
        $afterFirst = Get-HostSnapshot
        $second = Initialize-VNetworkHost -WarningVariable w2 -WarningAction SilentlyContinue
        $second.Uuid | Should -Be $first.Uuid
        Assert-SameHost $afterFirst
        $unit = Join-Path $root 'etc/systemd/system/virtualnetworking.service'
        $installed = '/usr/bin/pwsh', '/usr/local/bin/pwsh', '/opt/microsoft/powershell/7/pwsh' | Where-Object { Test-Path $_ } | Select-Object -First 1
        if ($installed) {
            Test-Path $unit | Should -BeTrue
            Get-Content $unit -Raw | Should -Match ([regex]::Escape($installed))
            (Get-Item (Join-Path $root 'etc/systemd/system/multi-user.target.wants/virtualnetworking.service')).LinkTarget | Should -Not -BeNullOrEmpty
        }
        else {
            "$w1" | Should -Match 'VNetworkBootUnitSkipped'
            "$w2" | Should -Match 'VNetworkBootUnitSkipped'
            Test-Path $unit | Should -BeFalse
        }
    }

    It 'Get-VNetworkBridge lists a foreign bridge without a network, and works from Start-VNetwork -PassThru' {
        ip link add vltforeign type bridge
        $foreign = Get-VNetworkBridge vltforeign
        $foreign.Name | Should -Be 'vltforeign'
        $foreign.Network | Should -BeNullOrEmpty
        $b = New-VNetwork -Name gb -Subnet 10.239.0.0/24 -BridgeName vltgb0 -Stp:$false | Start-VNetwork -PassThru -WarningAction Ignore | Get-VNetworkBridge
        $b.Name | Should -Be 'vltgb0'
        $b.Network | Should -Be 'gb'
        $b.Addresses | Should -Contain '10.239.0.1/24'
        (Get-VNetworkBridge).Name | Should -Contain 'vltforeign'
    }
}

Describe 'A foreign default-drop input firewall' -Tag Namespace {
    BeforeEach { $root = New-LiveRoot }
    AfterEach {
        Reset-LiveHost
        Remove-TestRoot $root
    }

    It 'drops a guest''s DNS query to the bridge address (our daemon answers on port 53) whatever our table accepts' {
        New-VNetwork -Name fd -Mode Nat -Subnet 10.240.0.0/24 -BridgeName vltfd0 -Stp:$false -Start -WarningAction Ignore | Out-Null
        $g = Add-Guest -Tag g1 -Bridge vltfd0 -Address 10.240.0.10/24 -Gateway 10.240.0.1
        # A real query over UDP to vnetd's DNS server on the bridge address: the name of the bridge itself.
        function Test-Query { (ip netns exec $g dig +time=1 +tries=1 +short '@10.240.0.1' _gateway 2>$null) -eq '10.240.0.1' }
        Invoke-Bounded { Test-Query } 3 | Should -BeTrue -Because 'control: without a foreign firewall the query is answered'

        'table inet vltforeign { chain input { type filter hook input priority 0; policy drop; udp dport 53 counter; }; }' | nft -f -
        $LASTEXITCODE | Should -Be 0
        Test-Query | Should -BeFalse -Because 'the foreign policy drops the query before the daemon sees it'
        $counter = ((nft -j list table inet vltforeign | ConvertFrom-Json).nftables | Where-Object { $_.rule }).rule.expr | Where-Object { $_.counter }
        $counter.counter.packets | Should -BeGreaterOrEqual 1 -Because 'the datagram reached the host and was dropped by the foreign policy'
        # Our own input chain accepts udp 53 on the bridge (it counted the first query), but nftables drops a packet that
        # any base chain drops, whatever another table accepts. At equal priority (0) the foreign chain may even run first,
        # so our accept rule need not see the dropped query at all.
        $ourRule = ((nft -j list chain ip virtualnetworking input | ConvertFrom-Json).nftables | Where-Object { $_.rule }).rule |
            Where-Object { ($_.expr | ConvertTo-Json -Depth 10 -Compress) -match '"dport"' -and ($_.expr | ConvertTo-Json -Depth 10 -Compress) -match '"right":53' }
        $ourRule | Should -Not -BeNullOrEmpty -Because 'our table accepts DNS (udp 53) in on the bridge'
        # Two rules match port 53 (tcp and udp): the udp one counted the query.
        $ourCount = (($ourRule.expr | Where-Object { $_.counter }).counter.packets | Measure-Object -Sum).Sum
        $ourCount | Should -BeGreaterOrEqual 1 -Because 'the first query was accepted by our rule'
        Write-Host "foreign-drop: our udp/53 accept counted $ourCount packet(s); foreign table counted $($counter.counter.packets) and dropped it"
    }
}
