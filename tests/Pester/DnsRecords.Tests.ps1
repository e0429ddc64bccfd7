# Namespace tier: a network's DNS as guests see it. One NAT network (vdns-lab, bridge vdnsbr0, domain lab.test kept
# local, a reservation db1, <dns> host and TXT records) started in the test's namespace, and guest namespaces
# (vdns-<pid>-<n>) on veths into its bridge asking for leases with busybox udhcpc. udhcpc always runs with this
# test's event script, which only logs what the client got: its default script would rewrite /etc/resolv.conf.
# Everything started here is removed by name in AfterAll.
#
# The Context 'asked over the wire' needs the daemon to answer DNS on the bridge (issue 11's daemon part): until
# then its tests fail with VNetworkDnsNoResponse, which is what they would say about a daemon that stopped serving.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vdns-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:NsPrefix = "vdns-$PID-"
    $script:Seq = 0
    $script:Namespaces = [Collections.Generic.List[string]]::new()

    $script:UdhcpcScript = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $UdhcpcScript -Value @'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "event=$1 ip=$ip dns=${dns:-} domain=${domain:-} search=${search:-}" >> "$VDNS_LOG"
    ;;
esac
exit 0
'@
    chmod 755 $UdhcpcScript

    # A guest namespace with eth0 on a veth whose other end is a port of the bridge, forwarding.
    function script:New-Guest([string] $Mac, [string] $Bridge = 'vdnsbr0') {
        $n = ++$script:Seq
        $g = [pscustomobject]@{ Ns = "$NsPrefix$n"; Port = "vdns$n"; Log = Join-Path $Work "guest$n.log" }
        $script:Namespaces.Add($g.Ns)
        $out = @"
set -e
ip netns add $($g.Ns)
ip link add $($g.Port) type veth peer name eth0 netns $($g.Ns)
ip -n $($g.Ns) link set eth0 address $Mac
ip -n $($g.Ns) link set lo up
ip -n $($g.Ns) link set eth0 up
ip link set $($g.Port) master $Bridge up
"@ | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create the guest: $out" }
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while (-not (bridge -j link show master $Bridge | ConvertFrom-Json | Where-Object { $_.ifname -eq $g.Port -and $_.state -eq 'forwarding' })) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The guest's bridge port $($g.Port) never forwarded." }
            Start-Sleep -Milliseconds 100
        }
        $g
    }

    # udhcpc in the foreground until it has a lease (-q) or gives up (-n), asking for the search list (option 119).
    function script:Invoke-Udhcpc($Guest, [string] $HostName) {
        bash -c "timeout -k 2 30 ip netns exec $($Guest.Ns) env VDNS_LOG='$($Guest.Log)' udhcpc -f -q -n -t 8 -T 1 -A 1 -i eth0 -s '$UdhcpcScript' -O search -x hostname:$HostName 2>&1" | Out-Null
        if (Test-Path $Guest.Log) {
            $e = [ordered]@{}
            foreach ($pair in (Get-Content $Guest.Log | Select-Object -Last 1) -split ' ') { $k, $v = $pair -split '=', 2; $e[$k] = $v }
            [pscustomobject]$e
        }
    }

    $script:Root = New-TestRoot
    Import-VNetwork -Xml @"
<network><name>vdns-lab</name><forward mode='nat'/><bridge name='vdnsbr0'/><domain name='lab.test' localOnly='yes'/>
<dns><txt name='info' value='hello world'/><host ip='10.231.0.5'><hostname>printer</hostname></host></dns>
<ip address='10.231.0.1' prefix='24'><dhcp><range start='10.231.0.100' end='10.231.0.200'/>
<host mac='52:54:00:23:10:20' name='db1' ip='10.231.0.20'/></dhcp></ip></network>
"@ -ErrorAction Stop | Out-Null
    Import-VNetwork -Xml "<network><name>vdns-quiet</name><forward mode='nat'/><bridge name='vdnsbr1'/><dns enable='no'/><ip address='10.231.1.1' prefix='24'><dhcp><range start='10.231.1.100' end='10.231.1.200'/></dhcp></ip></network>" -ErrorAction Stop | Out-Null
    Import-VNetwork -Xml "<network><name>vdns-down</name><forward mode='nat'/><bridge name='vdnsbr2'/><ip address='10.231.2.1' prefix='24'/></network>" -ErrorAction Stop | Out-Null
    Start-VNetwork -Name vdns-lab, vdns-quiet -ErrorAction Stop -WarningAction SilentlyContinue
    $script:Web = New-Guest -Mac '52:54:00:23:10:99'
    $script:WebLease = Invoke-Udhcpc $Web -HostName web1
}

AfterAll {
    foreach ($ns in @($script:Namespaces)) { ip netns delete $ns 2>$null }
    if ($script:Root) {
        foreach ($n in 'vdns-lab', 'vdns-quiet') { Stop-VNetwork -Name $n -ErrorAction Ignore }
        Remove-TestRoot $script:Root
    }
    if ($script:Work) { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }
}

Describe 'What a network''s DNS answers' -Tag Namespace {
    It 'DHCP gives the guest the bridge address as DNS server, the domain and the search list' {
        $WebLease.event | Should -Be 'bound'
        $WebLease.dns | Should -Be '10.231.0.1'
        $WebLease.domain | Should -Be 'lab.test'
        $WebLease.search | Should -Be 'lab.test'
    }

    It 'DHCP on a network with DNS disabled (dns enable=no) gives no DNS server' {
        $g = New-Guest -Mac '52:54:00:23:10:97' -Bridge vdnsbr1
        $lease = Invoke-Udhcpc $g -HostName quiet1
        $lease.event | Should -Be 'bound'
        $lease.dns | Should -BeNullOrEmpty
    }

    It 'Get-VNetworkDnsRecord lists the guest''s name, the reservation, the host and TXT records and the gateway' {
        $records = Get-VNetworkDnsRecord -Network vdns-lab -ErrorAction Stop
        $rows = $records | ForEach-Object { '{0} {1} {2} {3}' -f $_.Name, $_.Type, $_.Data, $_.Source }
        $rows | Should -Contain "web1.lab.test A $($WebLease.ip) Lease"
        $rows | Should -Contain "web1 A $($WebLease.ip) Lease"
        $rows | Should -Contain "db1.lab.test A 10.231.0.20 Reservation"
        $rows | Should -Contain 'printer.lab.test A 10.231.0.5 Host'
        $rows | Should -Contain '_gateway A 10.231.0.1 Gateway'
        $rows | Should -Contain 'info TXT hello world Txt'
        $records | ForEach-Object Ttl | Sort-Object -Unique | Should -Be 0
    }

    It 'Get-VNetworkDnsRecord takes wildcards and network objects from the pipeline; a network without DNS lists nothing' {
        (Get-VNetwork vdns-lab | Get-VNetworkDnsRecord -Name '*.in-addr.arpa' -ErrorAction Stop).Type | Sort-Object -Unique | Should -Be 'PTR'
        (Get-VNetworkDnsRecord -Network 'vdns-*' -Name db1 -ErrorAction Stop).Data | Should -Be '10.231.0.20'
        Get-VNetworkDnsRecord -Network vdns-quiet -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'a guest''s name goes when its lease is released' {
        $g = New-Guest -Mac '52:54:00:23:10:98'
        # udhcpc stays in the foreground, bound, until USR2 makes it release the lease.
        $p = [int](bash -c "ip netns exec $($g.Ns) env VDNS_LOG='$($g.Log)' udhcpc -f -t 8 -T 1 -A 1 -i eth0 -s '$UdhcpcScript' -x hostname:gone1 >/dev/null 2>&1 </dev/null & echo `$!")
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (-not (Get-VNetworkDnsRecord -Network vdns-lab -Name gone1 -ErrorAction Stop) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            (Get-VNetworkDnsRecord -Network vdns-lab -Name gone1 -ErrorAction Stop).Type | Should -Be 'A'
            kill -USR2 $p
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while ((Get-VNetworkDnsRecord -Network vdns-lab -Name gone1 -ErrorAction Stop) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Get-VNetworkDnsRecord -Network vdns-lab -Name gone1 -ErrorAction Stop | Should -BeNullOrEmpty
        }
        finally { kill -KILL $p 2>$null }
    }

    It 'Resolve-VNetworkName and Get-VNetworkDnsRecord refuse networks that answer nothing: <Network> gives <ErrorId>' -ForEach @(
        @{ Network = 'vdns-down'; ErrorId = 'VNetworkNotActive' }
        @{ Network = 'vdns-quiet'; ErrorId = 'VNetworkDnsDisabled' }
        @{ Network = 'vdns-nosuch'; ErrorId = 'VNetworkNotFound' }
    ) {
        { Resolve-VNetworkName -Network $Network -Name web1 -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,VirtualNetworking.PowerShell.Commands.ResolveVNetworkNameCommand"
    }

    It 'a domain to register with the host''s resolver starts with a warning where systemd-resolved does not run (a sandbox root)' {
        Import-VNetwork -Xml "<network><name>vdns-reg</name><forward mode='nat'/><bridge name='vdnsbr3'/><domain name='reg.test' localOnly='yes' register='yes'/><ip address='10.231.3.1' prefix='24'/></network>" -ErrorAction Stop | Out-Null
        try {
            Start-VNetwork -Name vdns-reg -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue
            @($warned | Where-Object { "$_" -match '^VNetworkFeatureNotEnforced: .*register=''yes''.*systemd-resolved does not run' }).Count | Should -Be 1
        }
        finally { Stop-VNetwork -Name vdns-reg -ErrorAction Ignore }
        { Import-VNetwork -Xml "<network><name>vdns-loop</name><forward mode='nat'/><domain name='loop.test' register='yes'/><ip address='10.231.4.1' prefix='24'/></network>" -ErrorAction Stop } |
            Should -Throw -ErrorId 'VNetworkDomainRegisterInvalid,VirtualNetworking.PowerShell.Commands.ImportVNetworkCommand'
    }

    Context 'asked over the wire (needs the daemon to serve DNS on the bridge)' {
        It 'a guest''s name resolves bare and under the domain, over UDP and TCP' {
            (Resolve-VNetworkName -Network vdns-lab -Name web1 -ErrorAction Stop).Data | Should -Be $WebLease.ip
            (Resolve-VNetworkName -Network vdns-lab -Name web1.lab.test -Tcp -ErrorAction Stop).Data | Should -Be $WebLease.ip
        }

        It 'an address resolves to its name (PTR), and records come back as Get-VNetworkDnsRecord lists them' {
            (Resolve-VNetworkName -Network vdns-lab -Name 10.231.0.20 -ErrorAction Stop).Data | Should -Be 'db1.lab.test'
            (Resolve-VNetworkName -Network vdns-lab -Name info -Type TXT -ErrorAction Stop).Data | Should -Be 'hello world'
            $answer = Resolve-VNetworkName -Network vdns-lab -Name printer.lab.test -ErrorAction Stop
            $answer.Server | Should -Be '10.231.0.1:53'
            $answer.Section | Should -Be 'Answer'
        }

        It 'a name the local domain does not hold is VNetworkDnsNameNotFound, and nothing is output' {
            $out = Resolve-VNetworkName -Network vdns-lab -Name nosuch.lab.test -ErrorAction SilentlyContinue -ErrorVariable failed
            $out | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -Be 'VNetworkDnsNameNotFound,VirtualNetworking.PowerShell.Commands.ResolveVNetworkNameCommand'
        }
    }
}
