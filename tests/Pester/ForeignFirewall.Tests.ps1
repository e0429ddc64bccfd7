# Namespace tier: the foreign-firewall analysis (Core's ForeignFirewall.Analyze) against real rulesets and real packets.
# A NAT network of ours runs in the test's namespace, which plays the host; an "upstream" namespace sits behind an
# uplink, and two guests (namespaces on veths from New-VNetworkPort) have leases. Each layout the Core fixtures were
# captured from (tests/VirtualNetworking.Core.Tests/Health/Fixtures: Docker, ufw, firewalld) is applied next to our
# tables; what `nft -j list ruleset` and iptables-nft-save then show is fed to Analyze, and the guests show the
# verdict is true: the traffic is dropped, and passes once the Remedy (or its ufw/firewalld equivalent) is applied.
# Every namespace made here is deleted by name in AfterAll.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Root = New-TestRoot
    $script:Work = Join-Path $Root 'work'
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Layouts = Join-Path $PSScriptRoot '../VirtualNetworking.Core.Tests/Health/Fixtures'
    $script:Namespaces = [Collections.Generic.List[string]]::new()

    # The kernel turns bridge-nf-call-iptables on in every new namespace once br_netfilter is loaded; a clean
    # host here has it off (the setting is per namespace: the machine's own is not touched).
    function script:Set-BridgeNetfilter([int] $Value) {
        sysctl -q -w "net.bridge.bridge-nf-call-iptables=$Value" "net.bridge.bridge-nf-call-ip6tables=$Value"
        if ($LASTEXITCODE) { throw "sysctl bridge-nf-call-iptables=$Value failed" }
    }
    Set-BridgeNetfilter 0

    $script:Network = New-VNetwork -Name ff -Mode Nat -Subnet 10.231.0.0/24 -ErrorAction Stop |
        Start-VNetwork -PassThru -WarningAction Ignore -ErrorAction Stop
    $script:Bridge = $Network.Bridge
    $env:BRIDGE = $Bridge

    # Upstream: 10.232.0.2 behind the uplink ffup0 (10.232.0.1); guests reach it masqueraded.
    $script:Upstream = "vff-$PID-up"
    ip netns add $Upstream; $Namespaces.Add($Upstream)
    ip link add ffup0 type veth peer name eth0 netns $Upstream
    ip addr add 10.232.0.1/24 dev ffup0; ip link set ffup0 up
    ip -n $Upstream addr add 10.232.0.2/24 dev eth0; ip -n $Upstream link set eth0 up; ip -n $Upstream link set lo up

    $script:Udhcpc = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $Udhcpc -Value @'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "$ip" > "$VFF_LEASE" ;;
esac
exit 0
'@
    chmod 755 $Udhcpc

    # A guest namespace on a veth of ours; returns its leased address (udhcpc, bounded) or throws.
    function script:Get-GuestLease([string] $Ns) {
        $lease = Join-Path $Work "$Ns.lease"
        Remove-Item $lease -ErrorAction Ignore
        $env:VFF_LEASE = $lease
        timeout -k 1 20 ip netns exec $Ns udhcpc -f -q -n -t 6 -T 1 -i eth0 -s $Udhcpc *> (Join-Path $Work "$Ns.udhcpc.log")
        if (-not (Test-Path $lease)) { throw "no lease in ${Ns}: $(Get-Content -Raw (Join-Path $Work "$Ns.udhcpc.log"))" }
        (Get-Content -Raw $lease).Trim()
    }
    $script:Guests = foreach ($n in 1, 2) {
        $ns = "vff-$PID-g$n"
        ip netns add $ns; $Namespaces.Add($ns)
        ip -n $ns link set lo up
        New-VNetworkPort -Network ff -Namespace $ns -ErrorAction Stop | Out-Null
        [pscustomobject]@{ Ns = $ns; Address = Get-GuestLease $ns }
    }

    function script:Test-Ping([string] $Ns, [string] $Address) {
        timeout -k 1 10 ip netns exec $Ns ping -c 1 -W 2 -q $Address *> $null
        $LASTEXITCODE -eq 0
    }
    # A DNS answer of any kind (NXDOMAIN included) from our server on the bridge; dig exits 9 when none comes.
    function script:Test-Dns([string] $Ns, [switch] $Tcp) {
        $transport = if ($Tcp) { '+tcp' } else { '+notcp' }
        timeout -k 1 10 ip netns exec $Ns dig +time=2 +tries=1 $transport '@10.231.0.1' _gateway *> $null
        $LASTEXITCODE -eq 0
    }

    # Every table but ours goes: iptables-nft's tables are nft tables too.
    function script:Clear-Foreign {
        foreach ($table in (nft -j list tables | ConvertFrom-Json).nftables.table) {
            if ($table -and $table.name -ne 'virtualnetworking') { nft delete table $table.family $table.name }
        }
        Set-BridgeNetfilter 0
    }

    function script:Set-Layout([string] $Name) {
        Clear-Foreign
        bash -c "set -e; . '$Layouts/$Name.sh'"
        if ($LASTEXITCODE) { throw "layout $Name failed" }
    }

    # What the health probes gather, then the analysis.
    function script:Get-Finding([string] $Check) {
        $save = (iptables-nft-save 2>$null | Where-Object { $_ -notmatch '^#' }) -join "`n"
        $facts = [VirtualNetworking.Core.Health.ForeignFirewallInput]::new($Bridge,
            [VirtualNetworking.Core.Addressing.IpNetwork[]]@([VirtualNetworking.Core.Addressing.IpNetwork]::Parse('10.231.0.1/24')),
            $true, $true, ((nft -j list ruleset) -join "`n"))
        $facts.IptablesNftSave = if ($save) { $save } else { $null }
        $facts.BridgeNfCallIptables = (Get-Content /proc/sys/net/bridge/bridge-nf-call-iptables) -eq '1'
        $facts.BridgeNfCallIp6tables = (Get-Content /proc/sys/net/bridge/bridge-nf-call-ip6tables) -eq '1'
        $facts.OutsideInterface = 'ffup0'
        [VirtualNetworking.Core.Health.ForeignFirewall]::Analyze($facts) | Where-Object Check -eq $Check
    }

    # A Remedy's commands, as a user would paste them (the parenthesised advice left out).
    function script:Invoke-Remedy([string] $Remedy) {
        bash -c "set -e; $($Remedy -replace ' \(.*\)$', '')"
        if ($LASTEXITCODE) { throw "remedy failed: $Remedy" }
    }
}

AfterAll {
    # The namespace tier's files share one namespace: no foreign table may outlive this file.
    Clear-Foreign
    if ($script:Root) {
        Stop-VNetwork ff -ErrorAction Ignore -WarningAction Ignore
        Remove-TestRoot $script:Root
    }
    ip link delete ffup0 2>$null
    foreach ($ns in $script:Namespaces) { ip netns delete $ns 2>$null }
    Remove-Item Env:BRIDGE, Env:VFF_LEASE -ErrorAction Ignore
}

Describe 'Foreign firewalls, found and proven on real packets' -Tag Namespace {
    It 'a clean host passes every check, and guests reach outside, each other and DNS' {
        Clear-Foreign
        foreach ($check in 'ForeignForwardDrop', 'BridgeNetfilter', 'ForeignInputDrop') {
            $finding = Get-Finding $check
            $finding.Status | Should -Be 'Pass' -Because "$check`: $($finding.Detail)"
        }
        Test-Ping $Guests[0].Ns 10.232.0.2 | Should -BeTrue
        Test-Ping $Guests[0].Ns $Guests[1].Address | Should -BeTrue
        Test-Dns $Guests[0].Ns | Should -BeTrue
        Test-Dns $Guests[0].Ns -Tcp | Should -BeTrue
    }

    It 'Docker''s FORWARD drop fails and cuts guests off; its Remedy (DOCKER-USER accepts) run as written restores them' {
        Set-Layout docker
        $finding = Get-Finding ForeignForwardDrop
        $finding.Status | Should -Be 'Fail'
        $finding.Detail | Should -BeLike "table ip filter, chain FORWARD (Docker) has policy drop and no rule accepting $Bridge's traffic: guests on $Bridge cannot reach outside*"
        Test-Ping $Guests[0].Ns 10.232.0.2 | Should -BeFalse -Because 'the analysis says Fail: the packet must really be dropped'

        Invoke-Remedy $finding.Remedy
        (Get-Finding ForeignForwardDrop).Status | Should -Be 'Pass'
        Test-Ping $Guests[0].Ns 10.232.0.2 | Should -BeTrue
    }

    It 'br_netfilter is a Warning alone, a Fail with Docker''s drop (guests cannot reach each other), and its sysctl Remedy fixes that' {
        Clear-Foreign
        Set-BridgeNetfilter 1
        (Get-Finding BridgeNetfilter).Status | Should -Be 'Warning'
        Test-Ping $Guests[0].Ns $Guests[1].Address | Should -BeTrue

        Set-Layout docker
        Set-BridgeNetfilter 1
        $finding = Get-Finding BridgeNetfilter
        $finding.Status | Should -Be 'Fail'
        $finding.Detail | Should -BeLike "*guests on $Bridge cannot reach each other."
        Test-Ping $Guests[0].Ns $Guests[1].Address | Should -BeFalse -Because 'bridged traffic crosses Docker''s FORWARD drop'

        Invoke-Remedy ($finding.Remedy -replace ' \(and the same in.*$', '')
        (Get-Finding BridgeNetfilter).Status | Should -Be 'Pass'
        Test-Ping $Guests[0].Ns $Guests[1].Address | Should -BeTrue
    }

    It 'ufw''s defaults fail DNS (udp and tcp) but not DHCP; ufw''s allow rules for the bridge restore DNS' {
        Set-Layout ufw
        $finding = Get-Finding ForeignInputDrop
        $finding.Status | Should -Be 'Fail'
        $finding.Detail | Should -BeLike "table ip filter, chain INPUT (ufw) has policy drop*cannot resolve names through 10.231.0.1 (udp)*(tcp)."
        $finding.Remedy | Should -Be "ufw allow in on $Bridge to any port 53"
        Test-Dns $Guests[0].Ns | Should -BeFalse
        Test-Dns $Guests[0].Ns -Tcp | Should -BeFalse
        Get-GuestLease $Guests[1].Ns | Should -Be $Guests[1].Address -Because 'vnetd receives DHCP ahead of netfilter, so ufw''s drop of port 67 starves no guest'

        # What `ufw allow in on BRIDGE to any port 53` (and port 67, and route allow) adds to ufw's user chains.
        Set-Layout ufw-allow
        (Get-Finding ForeignInputDrop).Status | Should -Be 'Pass'
        (Get-Finding ForeignForwardDrop).Status | Should -Be 'Pass'
        Test-Dns $Guests[0].Ns | Should -BeTrue
        Test-Dns $Guests[0].Ns -Tcp | Should -BeTrue
    }

    It 'firewalld''s public zone fails DNS; the bridge in the trusted zone passes' {
        Set-Layout firewalld
        $finding = Get-Finding ForeignInputDrop
        $finding.Status | Should -Be 'Fail'
        $finding.Detail | Should -BeLike "table inet firewalld, chain filter_INPUT (firewalld) drops $Bridge's traffic in chain filter_IN_public*"
        $finding.Remedy | Should -BeLike "firewall-cmd --permanent --zone=trusted --add-interface=$Bridge*"
        Test-Dns $Guests[0].Ns | Should -BeFalse

        Set-Layout firewalld-trusted
        (Get-Finding ForeignInputDrop).Status | Should -Be 'Pass'
        Test-Dns $Guests[0].Ns | Should -BeTrue
    }

    It 'an xt match deciding the forward path is a Warning, not a guess' {
        Set-Layout xt
        $finding = Get-Finding ForeignForwardDrop
        $finding.Status | Should -Be 'Warning'
        $finding.Detail | Should -BeLike '*it depends on -m physdev --physdev-is-bridged*'
    }
}
