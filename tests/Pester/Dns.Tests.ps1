# Namespace tier: the DNS server of vnetd against real clients (dig, and getent through the guest's own resolv.conf).
# Guests are network namespaces of their own (vdn-<pid>-<n>) on veth ports of networks started in the test's
# namespace (which plays the host). An "upstream" namespace behind the uplink runs two dnsmasq of this test's: the
# host's resolver (named by a resolv.conf of the test's, given to the daemon through VNET_RESOLV_CONF) and a per-domain
# forwarder. The machine's /etc/resolv.conf is never read or written; a guest's resolv.conf is
# /etc/netns/<its namespace>/resolv.conf (bind-mounted by ip netns exec), made and removed here. Every namespace, file
# and process made here is removed by name or PID in AfterEach / AfterAll; every wait is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vdn-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:NsPrefix = "vdn-$PID-"
    $script:Seq = 0
    $script:Namespaces = [Collections.Generic.List[string]]::new()
    $script:Pids = [Collections.Generic.List[int]]::new()
    $script:KeptPids = [Collections.Generic.List[int]]::new()
    # /etc/netns goes again at the end only if this test made it (another test may be using it).
    $script:MadeNetnsDir = -not (Test-Path /etc/netns)

    # udhcpc's event script: configures only the guest namespace's eth0 and logs what the client got.
    $script:UdhcpcScript = Join-Path $Work 'udhcpc.sh'
    Set-Content -Path $UdhcpcScript -Value @'
#!/bin/sh
log() { echo "$*" >> "$VDN_LOG"; }
case "$1" in
  deconfig) ip addr flush dev "$interface"; log "event=deconfig" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi
    log "event=$1 ip=$ip dns=${dns:-} domain=${domain:-}"
    ;;
  leasefail|nak) log "event=$1" ;;
esac
exit 0
'@
    chmod 755 $UdhcpcScript


    # A guest: a namespace with eth0 on a veth port of the bridge, and a resolv.conf of its own naming the bridge.
    function script:New-Guest([string] $Bridge, [string] $Name, [string] $Server, [string] $Search = '') {
        $n = ++$script:Seq
        $g = [pscustomobject]@{
            Ns = "$NsPrefix$n"; Port = "vdn$n"; Mac = '52:54:00:d8:{0:x2}:{1:x2}' -f ($n -shr 8), ($n -band 255)
            Name = $Name; Log = Join-Path $Work "guest$n.log"
        }
        $script:Namespaces.Add($g.Ns)
        $out = @"
set -e
ip netns add $($g.Ns)
ip link add $($g.Port) type veth peer name eth0 netns $($g.Ns)
ip -n $($g.Ns) link set eth0 address $($g.Mac)
ip -n $($g.Ns) link set lo up
ip -n $($g.Ns) link set eth0 up
ip link set $($g.Port) master $Bridge up
"@ | bash 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Could not create guest $($g.Ns): $out" }
        New-Item -ItemType Directory -Path "/etc/netns/$($g.Ns)" -Force | Out-Null
        Set-Content -Path "/etc/netns/$($g.Ns)/resolv.conf" -Value ("nameserver $Server`n" + $(if ($Search) { "search $Search`n" } else { '' }) + "options timeout:2 attempts:1`n")
        Wait-Until -What "port $($g.Port) to forward" {
            (bridge -j link show master $Bridge | ConvertFrom-Json | Where-Object ifname -eq $g.Port).state -eq 'forwarding'
        }
        $g
    }

    function script:Stop-Started {
        foreach ($p in @($script:Pids)) { if (Get-Process -Id $p -ErrorAction Ignore) { kill -TERM $p 2>$null } }
        foreach ($p in @($script:Pids)) {
            $deadline = [DateTime]::UtcNow.AddSeconds(3)
            while ((Get-Process -Id $p -ErrorAction Ignore) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            if (Get-Process -Id $p -ErrorAction Ignore) { kill -KILL $p 2>$null }
        }
        $script:Pids.Clear()
    }

    function script:Remove-Guests {
        Stop-Started
        foreach ($ns in @($script:Namespaces) + @(ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_.StartsWith($NsPrefix) })) {
            ip netns delete $ns 2>$null
            Remove-Item -Recurse -Force "/etc/netns/$ns" -ErrorAction Ignore
        }
        $script:Namespaces.Clear()
    }

    # A background command in a namespace; its PID (ip netns exec execs it) is recorded for cleanup.
    function script:Start-In([string] $Ns, [string] $Command, [string] $Log = '/dev/null', [switch] $Keep) {
        $p = [int](bash -c "ip netns exec $Ns $Command >'$Log' 2>&1 </dev/null & echo `$!")
        if ($Keep) { $script:KeptPids.Add($p) } else { $script:Pids.Add($p) }
        $p
    }

    # udhcpc sending the guest's name, in the foreground until it has a lease (-q), or kept running with -R: release
    # the lease when it ends.
    function script:Get-Lease($Guest, [switch] $Background) {
        $command = "env VDN_LOG='$($Guest.Log)' udhcpc -f -t 8 -T 1 -A 1 -i eth0 -s '$UdhcpcScript' -x hostname:$($Guest.Name)"
        if ($Background) {
            $p = Start-In $Guest.Ns "$command -R"
            Wait-Until -What "$($Guest.Name)'s lease" { (Get-GuestEvent $Guest | Where-Object event -eq 'bound') }
            $Guest | Add-Member -NotePropertyName Udhcpc -NotePropertyValue $p -Force
        }
        else { bash -c "timeout -k 2 30 ip netns exec $($Guest.Ns) $command -q -n >/dev/null 2>&1" }
        $bound = Get-GuestEvent $Guest | Where-Object event -eq 'bound' | Select-Object -Last 1
        if (-not $bound) { throw "$($Guest.Name) got no lease." }
        $Guest | Add-Member -NotePropertyName Ip -NotePropertyValue $bound.ip -Force
        $bound
    }

    function script:Get-GuestEvent($Guest) {
        if (-not (Test-Path $Guest.Log)) { return }
        foreach ($line in Get-Content $Guest.Log) {
            $e = [ordered]@{}
            foreach ($pair in $line -split ' ') { $k, $v = $pair -split '=', 2; $e[$k] = $v }
            [pscustomobject]$e
        }
    }

    # dig from a namespace: the whole reply (+noall +comments +answer) as text; bounded by its own timeout.
    function script:Invoke-Dig([string] $Ns, [string] $Arguments) {
        (bash -c "timeout -k 1 15 ip netns exec $Ns dig +time=2 +tries=1 +noall +comments +answer $Arguments 2>&1") -join "`n"
    }

    function script:Get-DigAnswer([string] $Ns, [string] $Arguments) {
        @(bash -c "timeout -k 1 15 ip netns exec $Ns dig +time=2 +tries=1 +short $Arguments 2>&1")
    }

    function script:Get-DigStatus([string] $Text) { if ($Text -match 'status: (\w+)') { $Matches[1] } }

    # libvirt's conformance data, never copied here: $VNET_CONFORMANCE_DIR, else shared/conformance/libvirt beside the
    # repository or an ancestor of it (as the Core suite finds it).
    $script:Conformance = if ($env:VNET_CONFORMANCE_DIR) { $env:VNET_CONFORMANCE_DIR } else {
        $dir = Get-Item $env:VNET_REPO_ROOT
        while ($dir -and -not (Test-Path (Join-Path $dir.FullName 'shared/conformance/libvirt/cases.tsv'))) { $dir = $dir.Parent }
        if ($dir) { Join-Path $dir.FullName 'shared/conformance/libvirt' }
    }

    # A case's document, renamed onto a bridge of ours and without its forward dev (eth0/eth1, absent here).
    function script:Get-ConformanceXml([string] $Case, [string] $Name, [string] $Bridge) {
        if (-not $Conformance) { throw 'libvirt conformance data not found: set VNET_CONFORMANCE_DIR.' }
        $xml = Get-Content -Raw (Join-Path $Conformance "networkxmlconfdata/$Case.xml")
        $xml = $xml -replace '<name>[^<]*</name>', "<name>$Name</name>" -replace '<uuid>[^<]*</uuid>', '' -replace "<bridge name='[^']*'", "<bridge name='$Bridge'"
        $xml -replace "<interface dev='eth\d'/>", '' -replace " dev='eth\d'", ''
    }

    # The dnsmasq configuration libvirt wrote for the case.
    function script:Get-ConformanceConf([string] $Case) { Get-Content (Join-Path $Conformance "networkxmlconfdata/$Case.conf") }

    $script:Root = New-TestRoot

    # The outside world: an upstream namespace behind the uplink, with two resolvers of this test's.
    $script:Upstream = "vdnu-$PID"
    ip netns add $Upstream
    ip link add vdn-up0 type veth peer name eth0 netns $Upstream
    ip addr add 198.51.100.2/24 dev vdn-up0
    ip link set vdn-up0 up
    ip -n $Upstream addr add 198.51.100.1/24 dev eth0
    ip -n $Upstream addr add 198.51.100.3/24 dev eth0
    ip -n $Upstream link set eth0 up
    ip -n $Upstream link set lo up
    $script:UpLog = Join-Path $Work 'upstream.log'
    $script:CorpLog = Join-Path $Work 'corp.log'
    foreach ($u in @(@{ Address = '198.51.100.1'; Log = $UpLog; Record = '/up.example/10.99.0.5' }, @{ Address = '198.51.100.3'; Log = $CorpLog; Record = '/corp.example/10.99.0.7' })) {
        Start-In $Upstream "dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --pid-file= --bind-interfaces --listen-address=$($u.Address) --address=$($u.Record) --log-queries --log-facility=$($u.Log)" -Keep | Out-Null
    }
    Wait-Until -What 'the upstream resolvers' { (Test-Path $UpLog) -and (Test-Path $CorpLog) -and ((ip netns exec $Upstream ss -Hlun 'sport = 53') -match '198\.51\.100\.3') }

    # The host's resolv.conf, as the daemon sees it: this test's file, inherited from this process's environment.
    $script:ResolvConf = Join-Path $Work 'resolv.conf'
    Set-Content -Path $ResolvConf -Value "# the test's host resolvers`nnameserver 198.51.100.1"
    $env:VNET_RESOLV_CONF = $ResolvConf
    # A daemon left by an earlier file in this root would hold another resolv.conf: this root is new, so none is.

    # Our networks are in 172.30/16: the conformance cases hold 10.24.10.1 without a netmask, a classful 10.0.0.0/8.
    # A big TXT record (four strings of 200 octets: about 830 octets of answer) for truncation.
    $script:BigTxt = (1..4 | ForEach-Object { [string][char](96 + $_) * 200 }) -join ','
    Import-VNetwork -Xml @"
<network>
  <name>vdn-nat</name>
  <forward mode='nat'/>
  <bridge name='vdnbr0'/>
  <domain name='vdn.example'/>
  <dns>
    <forwarder domain='corp.example' addr='198.51.100.3'/>
    <txt name='big' value='$BigTxt'/>
  </dns>
  <ip address='172.30.10.1' netmask='255.255.255.0'>
    <dhcp><range start='172.30.10.10' end='172.30.10.99'/></dhcp>
  </ip>
</network>
"@ | Out-Null
    Start-VNetwork -Name vdn-nat -WarningAction SilentlyContinue
    New-VNetwork -Name vdn-iso -Mode Isolated -Subnet 172.30.20.0/24 -DhcpRange 172.30.20.10, 172.30.20.99 -BridgeName vdnbr1 | Out-Null
    Start-VNetwork -Name vdn-iso -WarningAction SilentlyContinue
}

AfterAll {
    Remove-Guests
    foreach ($p in $script:KeptPids) { if (Get-Process -Id $p -ErrorAction Ignore) { kill -KILL $p 2>$null } }
    if ($script:Root) {
        foreach ($n in 'vdn-nat', 'vdn-iso', 'vdn-hosts', 'vdn-srv', 'vdn-txt', 'vdn-busy') { Stop-VNetwork -Name $n -ErrorAction Ignore }
        Remove-TestRoot $script:Root
    }
    Remove-Item Env:VNET_RESOLV_CONF -ErrorAction Ignore
    if ($script:MadeNetnsDir -and -not (Get-ChildItem /etc/netns -ErrorAction Ignore)) { Remove-Item /etc/netns -ErrorAction Ignore }
    if ($script:Upstream) { ip netns delete $script:Upstream 2>$null }
    ip link del vdn-up0 2>$null
    if ($script:Work) { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }
}

Describe 'DNS for guests, served by vnetd' -Tag Namespace {
    AfterEach { Remove-Guests }

    It 'guests resolve each other by the names they sent in DHCP, bare and under the domain, with dig and getent' {
        $web = New-Guest vdnbr0 -Name web1 -Server 172.30.10.1 -Search vdn.example
        $db = New-Guest vdnbr0 -Name db1 -Server 172.30.10.1 -Search vdn.example
        $bound = Get-Lease $web
        Get-Lease $db | Out-Null
        # DHCP names the bridge as the DNS server and gives the domain.
        $bound.domain | Should -Be 'vdn.example'

        Get-DigAnswer $db.Ns "@172.30.10.1 web1" | Should -Be $web.Ip
        Get-DigAnswer $db.Ns "@172.30.10.1 web1.vdn.example" | Should -Be $web.Ip
        Get-DigAnswer $web.Ns "@172.30.10.1 db1.vdn.example" | Should -Be $db.Ip
        # Local answers carry TTL 0 (dnsmasq's local-ttl) and the AA bit.
        $full = Invoke-Dig $db.Ns "@172.30.10.1 web1.vdn.example"
        $full | Should -Match 'flags: qr aa rd ra'
        $full | Should -Match "web1\.vdn\.example\.\s+0\s+IN\s+A\s+$([regex]::Escape($web.Ip))"
        # The C library's resolver in the guest, through its own resolv.conf.
        (ip netns exec $db.Ns getent hosts web1) | Should -Match "^$([regex]::Escape($web.Ip))\s"
        (ip netns exec $web.Ns getent hosts db1.vdn.example) | Should -Match "^$([regex]::Escape($db.Ip))\s+db1\.vdn\.example"
        # A reverse lookup names the guest under the domain.
        Get-DigAnswer $db.Ns "@172.30.10.1 -x $($web.Ip)" | Should -Be 'web1.vdn.example.'
        # The bridge's own name.
        Get-DigAnswer $db.Ns "@172.30.10.1 _gateway.vdn.example" | Should -Be '172.30.10.1'
    }

    It 'a name goes when its lease is released, without a restart' {
        $daemon = [int](Get-Content -Raw (Join-Path $Root 'run/virtualnetworking/vnetd.pid'))
        $g = New-Guest vdnbr0 -Name gone1 -Server 172.30.10.1
        $probe = New-Guest vdnbr0 -Name probe1 -Server 172.30.10.1
        Get-Lease $g -Background | Out-Null
        Get-Lease $probe | Out-Null
        Get-DigAnswer $probe.Ns "@172.30.10.1 gone1.vdn.example" | Should -Be $g.Ip
        kill -TERM $g.Udhcpc   # udhcpc -R: a DHCPRELEASE on its way out
        Wait-Until -Seconds 10 -What 'the release' { -not (Get-VNetworkDhcpLease -Network vdn-nat -MacAddress $g.Mac) }
        Get-DigAnswer $probe.Ns "@172.30.10.1 gone1.vdn.example" | Should -BeNullOrEmpty
        Get-DigAnswer $probe.Ns "@172.30.10.1 -x $($g.Ip)" | Where-Object { $_ -match 'gone1' } | Should -BeNullOrEmpty
        [int](Get-Content -Raw (Join-Path $Root 'run/virtualnetworking/vnetd.pid')) | Should -Be $daemon
    }

    It 'a name the network does not hold is forwarded to the host''s resolver (VNET_RESOLV_CONF), and a per-domain forwarder gets its domain' {
        $g = New-Guest vdnbr0 -Name fwd1 -Server 172.30.10.1
        Get-Lease $g | Out-Null
        $name = "www-$PID.up.example"
        Get-DigAnswer $g.Ns "@172.30.10.1 $name" | Should -Be '10.99.0.5'
        (ip netns exec $g.Ns getent hosts $name) | Should -Match '^10\.99\.0\.5\s'
        Get-Content -Raw $UpLog | Should -Match ([regex]::Escape("query[A] $name from 198.51.100.2"))
        # <forwarder domain='corp.example' addr='198.51.100.3'/>: that domain goes there, and only there.
        $corp = "db-$PID.corp.example"
        Get-DigAnswer $g.Ns "@172.30.10.1 $corp" | Should -Be '10.99.0.7'
        Get-Content -Raw $CorpLog | Should -Match ([regex]::Escape("query[A] $corp from 198.51.100.2"))
        Get-Content -Raw $UpLog | Should -Not -Match ([regex]::Escape($corp))
    }

    It 'the host''s resolvers are read again when the file changes' {
        $g = New-Guest vdnbr0 -Name rr1 -Server 172.30.10.1
        Get-Lease $g | Out-Null
        try {
            # The corp resolver becomes the host's only nameserver: names of up.example now go there (and fail there).
            Set-Content -Path $ResolvConf -Value 'nameserver 198.51.100.3'
            $script:Attempt = 0
            Wait-Until -Seconds 5 -What 'the daemon to use the new nameserver' {
                $name = "rr$((++$script:Attempt))-$PID.up.example"
                Invoke-Dig $g.Ns "@172.30.10.1 $name" | Out-Null
                (Get-Content -Raw $CorpLog) -match [regex]::Escape("query[A] $name")
            }
            # From then on, only there.
            $name = "after-$PID.up.example"
            Get-DigStatus (Invoke-Dig $g.Ns "@172.30.10.1 $name") | Should -Be 'REFUSED'
            Get-Content -Raw $CorpLog | Should -Match ([regex]::Escape("query[A] $name"))
            Get-Content -Raw $UpLog | Should -Not -Match ([regex]::Escape($name))
        }
        finally { Set-Content -Path $ResolvConf -Value 'nameserver 198.51.100.1' }
        Wait-Until -Seconds 5 -What 'the daemon to use the first nameserver again' { (Get-DigAnswer $g.Ns "@172.30.10.1 back-$PID.up.example") -eq '10.99.0.5' }
    }

    It 'an isolated network answers its own names and never forwards: REFUSED, and the upstream sees nothing' {
        $a = New-Guest vdnbr1 -Name iso1 -Server 172.30.20.1
        $b = New-Guest vdnbr1 -Name iso2 -Server 172.30.20.1
        Get-Lease $a | Out-Null
        Get-Lease $b | Out-Null
        Get-DigAnswer $b.Ns "@172.30.20.1 iso1" | Should -Be $a.Ip
        $name = "iso-$PID.up.example"
        $reply = Invoke-Dig $b.Ns "@172.30.20.1 $name"
        Get-DigStatus $reply | Should -Be 'REFUSED' -Because $reply
        $reply | Should -Not -Match 'flags:[^;]* ra'   # no recursion offered
        Start-Sleep -Milliseconds 300
        Get-Content -Raw $UpLog | Should -Not -Match ([regex]::Escape($name))
        Get-Content -Raw $CorpLog | Should -Not -Match ([regex]::Escape($name))
    }

    It 'answers over TCP, and a large answer over UDP is truncated (TC) within the client''s 512 octets' {
        $g = New-Guest vdnbr0 -Name tcp1 -Server 172.30.10.1
        Get-Lease $g | Out-Null
        Get-DigAnswer $g.Ns "+tcp @172.30.10.1 tcp1.vdn.example" | Should -Be $g.Ip
        # Forwarded over TCP too (the upstream sees a TCP query: dnsmasq logs it the same way).
        Get-DigAnswer $g.Ns "+tcp @172.30.10.1 tcpfwd-$PID.up.example" | Should -Be '10.99.0.5'
        $udp = Invoke-Dig $g.Ns "+ignore +bufsize=512 @172.30.10.1 TXT big"
        $udp | Should -Match 'flags: qr aa tc' -Because $udp
        # Without +ignore dig retries over TCP and gets all four strings.
        $txt = Get-DigAnswer $g.Ns "+bufsize=512 @172.30.10.1 TXT big"
        $txt | Should -Be (($BigTxt -split ',' | ForEach-Object { "`"$_`"" }) -join ' ')
    }

    It 'a TCP client that sends its query in pieces is answered once the query is whole' {
        $g = New-Guest vdnbr0 -Name part1 -Server 172.30.10.1
        Get-Lease $g | Out-Null
        # A query for part1.vdn.example A, length-prefixed, written in three pieces with pauses between them.
        $q = python3 -c @'
import struct
name = b''.join(bytes([len(l)]) + l for l in b'part1.vdn.example'.split(b'.')) + b'\0'
m = struct.pack('>HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0) + name + struct.pack('>HH', 1, 1)
print((struct.pack('>H', len(m)) + m).hex())
'@
        $script = @"
import socket, time, sys
q = bytes.fromhex('$q')
s = socket.create_connection(('172.30.10.1', 53), timeout=5)
for piece in (q[:1], q[1:9], q[9:]):
    s.sendall(piece); time.sleep(0.3)
data = b''
while len(data) < 2 or len(data) < 2 + int.from_bytes(data[:2], 'big'):
    data += s.recv(4096)
print('.'.join(str(b) for b in data[-4:]))
"@
        (bash -c "timeout -k 1 15 ip netns exec $($g.Ns) python3 -c `"$script`"") | Should -Be $g.Ip
    }
}

Describe 'the dns host, txt and srv records of libvirt''s conformance cases answer as its dnsmasq lines say' -Tag Namespace {
    AfterEach { Remove-Guests }

    It 'nat-network-dns-hosts: a network without DHCP serves its host names, bare and under the domain, and forwardPlainNames=no keeps plain names local' {
        Import-VNetwork -Xml (Get-ConformanceXml 'nat-network-dns-hosts' 'vdn-hosts' 'vdnbr2') | Out-Null
        Start-VNetwork -Name vdn-hosts -WarningAction SilentlyContinue
        try {
            $conf = Get-ConformanceConf 'nat-network-dns-hosts'
            $conf | Should -Contain 'domain=example.com'
            $conf | Should -Contain 'expand-hosts'
            $conf | Should -Contain 'local=//'
            $g = New-Guest vdnbr2 -Name c1 -Server 192.168.122.1
            ip -n $g.Ns addr add 192.168.122.77/24 dev eth0
            $doc = [xml](Get-ConformanceXml 'nat-network-dns-hosts' 'vdn-hosts' 'vdnbr2')
            foreach ($h in $doc.network.dns.host) {
                $type = if ($h.ip.Contains(':')) { 'AAAA' } else { 'A' }
                foreach ($hostname in $h.hostname) {
                    foreach ($qname in $hostname, "$hostname.example.com") {
                        Get-DigAnswer $g.Ns "@192.168.122.1 $type $qname" | Should -Contain $h.ip -Because "$qname $type (addn-hosts line '$($h.ip) $($h.hostname -join ' ')')"
                    }
                }
            }
            # domain-needed + local=//: an unknown plain name is NXDOMAIN here and never goes upstream.
            $plain = "nosuch$PID"
            Get-DigStatus (Invoke-Dig $g.Ns "@192.168.122.1 $plain") | Should -Be 'NXDOMAIN'
            Start-Sleep -Milliseconds 300
            Get-Content -Raw $UpLog | Should -Not -Match $plain
        }
        finally { Stop-VNetwork -Name vdn-hosts -ErrorAction Ignore; Remove-VNetwork -Name vdn-hosts -ErrorAction Ignore }
    }

    It '<Case>: every <Kind> line of the dnsmasq configuration answers, on every IPv4 address of the network' -ForEach @(
        @{ Case = 'nat-network-dns-srv-record'; Kind = 'srv-host'; Name = 'vdn-srv' }
        @{ Case = 'nat-network-dns-txt-record'; Kind = 'txt-record'; Name = 'vdn-txt' }
    ) {
        Import-VNetwork -Xml (Get-ConformanceXml $Case $Name 'vdnbr3') | Out-Null
        Start-VNetwork -Name $Name -WarningAction SilentlyContinue
        try {
            $g = New-Guest vdnbr3 -Name c2 -Server 192.168.122.1
            Get-Lease $g | Out-Null
            $lines = @(Get-ConformanceConf $Case | Where-Object { $_.StartsWith("$Kind=") } | ForEach-Object { $_.Substring($Kind.Length + 1) })
            $lines.Count | Should -BeGreaterThan 0
            foreach ($server in '192.168.122.1', '192.168.123.1', '10.24.10.1') {
                foreach ($line in $lines) {
                    $f = $line -split ','
                    if ($Kind -eq 'txt-record') {
                        Get-DigAnswer $g.Ns "@$server TXT $($f[0])" | Should -Be (($f | Select-Object -Skip 1 | ForEach-Object { "`"$_`"" }) -join ' ') -Because $line
                    }
                    else {
                        # srv-host=NAME[,TARGET[,PORT[,PRIORITY[,WEIGHT]]]]: no target is ".", port 1 (libvirt writes 1 for a missing port).
                        $target = if ($f.Count -gt 1) { "$($f[1])." } else { '.' }
                        $port = if ($f.Count -gt 2) { $f[2] } else { 1 }
                        $priority = if ($f.Count -gt 3) { $f[3] } else { 0 }
                        $weight = if ($f.Count -gt 4) { $f[4] } else { 0 }
                        Get-DigAnswer $g.Ns "@$server SRV $($f[0])" | Should -Be "$priority $weight $port $target" -Because "$line asked at $server"
                    }
                }
            }
        }
        finally { Stop-VNetwork -Name $Name -ErrorAction Ignore; Remove-VNetwork -Name $Name -ErrorAction Ignore }
    }
}

Describe 'port 53 already taken on a bridge address' -Tag Namespace {
    It 'Start-VNetwork fails with VNetworkDnsPortInUse naming the process, and leaves nothing behind' {
        # socat holds 172.30.40.1:53 before the bridge (and so the address) exists: IP_FREEBIND, as a server started at boot would.
        $holder = [int](bash -c "socat -u UDP4-RECV:53,bind=172.30.40.1,freebind /dev/null >/dev/null 2>&1 </dev/null & echo `$!")
        $script:Pids.Add($holder)
        Wait-Until -What 'socat to bind' { (ss -Hlun 'sport = 53') -match '172\.30\.40\.1:53' }
        New-VNetwork -Name vdn-busy -Subnet 172.30.40.0/24 -DhcpRange 172.30.40.10, 172.30.40.99 -BridgeName vdnbr4 | Out-Null
        $before = Get-StoreFingerprint $Root
        try {
            $err = $null
            Start-VNetwork -Name vdn-busy -ErrorAction SilentlyContinue -ErrorVariable err -WarningAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'VNetworkDnsPortInUse,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].Exception.Message | Should -Match "socat \(pid $holder\)"
            $err[0].Exception.Message | Should -Match '172\.30\.40\.1'
            # All or nothing: no bridge, not active, the store as it was, and DHCP not served either.
            ip link show vdnbr4 2>$null | Should -BeNullOrEmpty
            (Get-VNetwork -Name vdn-busy).State | Should -Be 'Inactive'
            Get-StoreFingerprint $Root | Should -Be $before
        }
        finally {
            Stop-Started
            Remove-VNetwork -Name vdn-busy -ErrorAction Ignore
        }
        # Once the port is free the same network starts and answers.
        New-VNetwork -Name vdn-busy -Subnet 172.30.40.0/24 -DhcpRange 172.30.40.10, 172.30.40.99 -BridgeName vdnbr4 | Out-Null
        try {
            Start-VNetwork -Name vdn-busy -WarningAction SilentlyContinue
            (dig +time=2 +tries=1 +short '@172.30.40.1' _gateway) | Should -Be '172.30.40.1'
        }
        finally { Stop-VNetwork -Name vdn-busy -ErrorAction Ignore; Remove-VNetwork -Name vdn-busy -ErrorAction Ignore }
    }
}

Describe 'the TTL of local answers' -Tag Namespace {
    It 'is what VNET_DNS_LOCAL_TTL says for the daemon a session starts, and Get-VNetworkDnsRecord shows it' {
        # A root of its own: the file's shared daemon was started without the variable, with TTL 0 (tested above).
        $savedRoot = $env:VNET_ROOT
        $env:VNET_ROOT = Join-Path $Work 'ttl-root'
        $env:VNET_DNS_LOCAL_TTL = '60'
        try {
            New-VNetwork -Name vdn-ttl -Mode Isolated -Subnet 172.30.50.0/24 -BridgeName vdnbr5 | Out-Null
            Start-VNetwork -Name vdn-ttl -WarningAction SilentlyContinue
            (dig +time=2 +tries=1 +noall +answer '@172.30.50.1' _gateway) | Should -Match '^_gateway\.\s+60\s+IN\s+A\s+172\.30\.50\.1$'
            $records = @(Get-VNetworkDnsRecord -Network vdn-ttl | Where-Object Type -eq 'A')
            $records.Count | Should -BeGreaterThan 0
            $records.Ttl | Sort-Object -Unique | Should -Be 60
        }
        finally {
            Stop-VNetwork -Name vdn-ttl -ErrorAction Ignore
            Remove-VNetwork -Name vdn-ttl -ErrorAction Ignore
            $pidFile = Join-Path $env:VNET_ROOT 'run/virtualnetworking/vnetd.pid'
            if (Test-Path $pidFile) {
                $daemon = [int](Get-Content -Raw $pidFile)
                kill -TERM $daemon 2>$null
                Wait-Until -What 'the daemon of the TTL root to exit' { -not (Test-Path "/proc/$daemon") }
            }
            Remove-Item Env:VNET_DNS_LOCAL_TTL
            $env:VNET_ROOT = $savedRoot
        }
    }
}
