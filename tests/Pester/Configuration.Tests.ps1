# Desired state: Test-VNetwork, Test-VNetworkConfiguration and Invoke-VNetworkConfiguration.
# Unit tier (no root, sandbox VNET_ROOT, nothing started): a bad document is refused whole, with the key's path, and
# changes nothing; .psd1 files are read without running them; definitions converge and a second run does nothing.
# Namespace tier (tagged Namespace, inside the throwaway namespace build/netns-run.sh makes): networks converge on
# a live host; reservation and DHCP-range changes keep the bridge (same ifindex, a guest's port stays attached); a
# new subnet needs -AllowRestart; -Prune; -WhatIf changes nothing (ip -d link, nft ruleset and the store compared).
BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # Runs a command and returns its error records (terminating or not) instead of failing.
    function Get-ErrorRecord {
        param([scriptblock] $Command)
        $ErrorActionPreference = 'Continue'  # Pester runs tests with Stop: collect every error instead
        @(try { & $Command 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } } catch { $_ })
    }

    $script:Invoke = 'VirtualNetworking.PowerShell.Commands.InvokeVNetworkConfigurationCommand'
}

Describe 'A bad configuration document is refused before anything changes' {
    BeforeEach {
        $root = New-TestRoot
        # A network the document does not declare: -Prune would remove it if the document were applied.
        New-VNetwork -Name keep -Subnet 10.99.0.0/24 | Out-Null
        $before = Get-StoreFingerprint $root
    }
    AfterEach { Remove-TestRoot $root }

    It 'refuses <Case> with <ErrorId> at <Path>' -ForEach @(
        @{ Case = 'an unknown key'; ErrorId = 'VNetworkConfigurationKeyUnknown'; Path = 'Networks[1].Colour'
            Document = @{ Networks = @( @{ Name = 'a'; Subnet = '10.1.0.0/24' }, @{ Name = 'b'; Colour = 'blue' } ) } }
        @{ Case = 'a value of the wrong type'; ErrorId = 'VNetworkConfigurationValueInvalid'; Path = 'Networks[0].Mtu'
            Document = @{ Networks = @( @{ Name = 'a'; Mtu = 'big' } ) } }
        @{ Case = 'two networks with one name'; ErrorId = 'VNetworkConfigurationNameDuplicate'; Path = 'Networks[0] and Networks[2]'
            Document = @{ Networks = @( @{ Name = 'a' }, @{ Name = 'b' }, @{ Name = 'a' } ) } }
        @{ Case = 'a bad CIDR'; ErrorId = 'VNetworkSubnetInvalid'; Path = 'Networks[0].Subnet'
            Document = @{ Networks = @( @{ Name = 'a'; Subnet = '10.1.0.1/24' } ) } }
        @{ Case = 'a DHCP range outside its subnet'; ErrorId = 'VNetworkDhcpRangeInvalid'; Path = 'Networks[0]'
            Document = @{ Networks = @( @{ Name = 'a'; Subnet = '10.1.0.0/24'; DhcpRange = '10.2.0.10', '10.2.0.20' } ) } }
        @{ Case = 'a reservation outside its subnet'; ErrorId = 'VNetworkReservationOutsideSubnet'; Path = 'Networks[0].Reservations[0]'
            Document = @{ Networks = @( @{ Name = 'a'; Subnet = '10.1.0.0/24'; Reservations = @( @{ MacAddress = '52:54:00:00:00:01'; IPAddress = '10.2.0.5' } ) } ) } }
        @{ Case = 'DNS records, not supported yet'; ErrorId = 'VNetworkConfigurationNotSupported'; Path = 'Networks[0].DnsRecords'
            Document = @{ Networks = @( @{ Name = 'a'; DnsRecords = @() } ) } }
        @{ Case = 'a port forward to a guest outside its subnet'; ErrorId = 'VNetworkPortForwardGuestOutsideSubnet'; Path = 'Networks[0].PortForwards[0]'
            Document = @{ Networks = @( @{ Name = 'a'; Subnet = '10.1.0.0/24'; PortForwards = @( @{ Protocol = 'Tcp'; HostPort = 8080; GuestAddress = '10.2.0.5' } ) } ) } }
        @{ Case = 'a host port two networks forward'; ErrorId = 'VNetworkPortForwardDuplicate'; Path = 'Networks[1].PortForwards'
            Document = @{ Networks = @( @{ Name = 'a'; Subnet = '10.1.0.0/24'; PortForwards = @( @{ Protocol = 'Tcp'; HostPort = 8080; GuestAddress = '10.1.0.5' } ) }
                                        @{ Name = 'b'; Subnet = '10.2.0.0/24'; PortForwards = @( @{ Protocol = 'Tcp'; HostPort = '8000-8090'; GuestAddress = '10.2.0.5' } ) } ) } }
        @{ Case = 'no Networks key'; ErrorId = 'VNetworkConfigurationKeyMissing'; Path = 'The document has no Networks key'
            Document = @{ Network = @() } }
    ) {
        foreach ($cmdlet in 'Invoke-VNetworkConfiguration', 'Test-VNetworkConfiguration') {
            $errors = Get-ErrorRecord { & $cmdlet -Configuration $Document -Prune }
            $match = @($errors | Where-Object { $_.FullyQualifiedErrorId -like "$ErrorId,*" })
            $match.Count | Should -Be 1 -Because "$cmdlet reports ($($errors.FullyQualifiedErrorId -join ', '))"
            $match[0].Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($Path))*"
            $match[0].CategoryInfo.Category | Should -BeIn 'InvalidData', 'InvalidArgument', 'NotImplemented'
        }
        Get-StoreFingerprint $root | Should -BeExactly $before
        (Get-VNetwork).Name | Should -Be @('keep')
    }

    It 'reports every problem of a document, not just the first, and terminates' {
        $document = @{ Networks = @( @{ Name = 'a'; Colour = 'blue' }, @{ Name = 'b'; Autostart = 'yes'; Mode = 'Bridge' } ) }
        $errors = Get-ErrorRecord { Invoke-VNetworkConfiguration -Configuration $document }
        ($errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Sort-Object) |
            Should -Be @('VNetworkConfigurationKeyUnknown', 'VNetworkConfigurationValueInvalid', 'VNetworkConfigurationValueInvalid')
        { Invoke-VNetworkConfiguration -Configuration $document -ErrorAction SilentlyContinue } | Should -Throw
    }

    It 'reads a .psd1 file without running it: code in it is refused and never runs' {
        # Outside the root, whose fingerprint must not change.
        $marker = Join-Path ([IO.Path]::GetTempPath()) "vcfg-$PID-ran"
        $file = Join-Path ([IO.Path]::GetTempPath()) "vcfg-$PID.psd1"
        Set-Content -Path $file -Value "@{ Networks = @( @{ Name = `"`$(New-Item -ItemType File '$marker')`" } ) }"
        { Invoke-VNetworkConfiguration -Path $file } | Should -Throw -ErrorId "VNetworkConfigurationFileInvalid,$Invoke"
        Test-Path $marker | Should -BeFalse
        Set-Content -Path $file -Value '@{ Networks = @( @{ Name = ''a'' ) }'
        { Invoke-VNetworkConfiguration -Path $file } | Should -Throw -ErrorId "VNetworkConfigurationFileInvalid,$Invoke"
        { Invoke-VNetworkConfiguration -Path (Join-Path $root 'missing.psd1') } | Should -Throw -ErrorId "VNetworkFileNotFound,$Invoke"
        Remove-Item $file
        Get-StoreFingerprint $root | Should -BeExactly $before
    }

    It 'refuses Test-VNetwork parameters the way a document is refused, naming the parameter' {
        { Test-VNetwork -Name keep -Subnet 10.99.0.1/24 } | Should -Throw -ErrorId 'VNetworkSubnetInvalid,VirtualNetworking.PowerShell.Commands.TestVNetworkCommand'
        $errors = Get-ErrorRecord { Test-VNetwork -Name keep -Subnet 10.99.0.0/24 -DhcpRange 10.98.0.1, 10.98.0.9 }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VNetworkDhcpRangeInvalid,*'
    }
}

Describe 'Definitions converge from a document (no network started)' {
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-TestRoot $root }

    It 'a .psd1 document converges, a second run writes nothing, and Test answers True' {
        $file = Join-Path $root 'host.psd1'
        Set-Content -Path $file -Value @'
@{
    Networks = @(
        @{ Name = 'lab'; Mode = 'Nat'; Subnet = '10.10.0.0/24'; DhcpRange = '10.10.0.10', '10.10.0.200'; Autostart = $true
           Reservations = @( @{ MacAddress = '52:54:00:00:10:01'; IPAddress = '10.10.0.5'; HostName = 'db' } ) }
        @{ Name = 'iso'; Mode = 'Isolated'; Subnet = '10.20.0.0/24'; NoDhcp = $true; Mtu = 9000 }
    )
}
'@
        Test-VNetworkConfiguration -Path $file | Should -BeFalse
        $results = Invoke-VNetworkConfiguration -Path $file
        $results | ForEach-Object { $_.PSObject.TypeNames[0] } | Select-Object -Unique | Should -Be 'VirtualNetworking.VNetworkConfigurationResult'
        $lines = ($results | Out-String -Width 80) -split "`n"
        $lines | Where-Object { $_.TrimEnd().Length -gt 80 } | Should -BeNullOrEmpty
        $lines[1] | Should -Match '^Network\s+Property\s+Action\s+Result'
        @($results | ForEach-Object { "$($_.Network) $($_.Property) $($_.Action) $($_.Result)" }) |
            Should -Be @('lab Ensure Create Done', 'lab Reservations[52:54:00:00:10:01] AddReservation Done', 'iso Ensure Create Done')
        (Get-VNetwork lab).DhcpRange | Should -Be '10.10.0.10-10.10.0.200'
        (Get-VNetwork lab).Autostart | Should -BeTrue
        (Get-VNetworkDhcpReservation -Network lab).IPAddress | Should -Be '10.10.0.5'
        (Get-VNetwork iso).Mtu | Should -Be 9000

        $fingerprint = Get-StoreFingerprint $root
        Invoke-VNetworkConfiguration -Path $file | Should -BeNullOrEmpty
        Get-StoreFingerprint $root | Should -BeExactly $fingerprint
        Test-VNetworkConfiguration -Path $file | Should -BeTrue
        Test-VNetworkConfiguration -Path $file -Detailed | Should -BeNullOrEmpty
    }

    It 'a JSON document is the same document' {
        $file = Join-Path $root 'host.json'
        Set-Content -Path $file -Value '{ "Networks": [ { "Name": "lab", "Subnet": "10.10.0.0/24", "Autostart": true, "Mtu": 1400 } ] }'
        (Invoke-VNetworkConfiguration -Path $file).Action | Should -Be 'Create'
        (Get-VNetwork lab).Mtu | Should -Be 1400
        Test-VNetworkConfiguration -Configuration (Get-Content -Raw $file | ConvertFrom-Json -AsHashtable) | Should -BeTrue
    }

    It 'Test-VNetwork compares only what it is given, and -Detailed reads well at 80 columns' {
        New-VNetwork -Name lab -Subnet 10.10.0.0/24 -Autostart | Out-Null
        Test-VNetwork -Name lab | Should -BeTrue
        Test-VNetwork -Name lab -Mode Nat -Subnet 10.10.0.0/24 -Autostart -State Inactive | Should -BeTrue
        Test-VNetwork -Name lab -State Active | Should -BeFalse
        Test-VNetwork -Name gone | Should -BeFalse
        Test-VNetwork -Name gone -Ensure Absent | Should -BeTrue
        Get-VNetwork lab | Test-VNetwork -Ensure Absent | Should -BeFalse

        $differences = Test-VNetwork -Name lab -Subnet 10.11.0.0/24 -Mtu 9000 -Autostart:$false -Detailed
        @($differences | ForEach-Object { "$($_.Property)|$($_.Current)|$($_.Desired)|$($_.Action)|$($_.Cost)" }) | Should -Be @(
            'Subnet|10.10.0.0/24|10.11.0.0/24|Update|Live'
            'DhcpRange|10.10.0.2-10.10.0.254|10.11.0.2-10.11.0.254|Update|Live'
            'Mtu|0|9000|Update|Live'
            'Autostart|True|False|Autostart|Live')
        $lines = ($differences | Out-String -Width 80) -split "`n"
        $lines | Where-Object { $_.TrimEnd().Length -gt 80 } | Should -BeNullOrEmpty
        $lines[1] | Should -Match '^Network\s+Property\s+Current\s+Desired\s+Action'
    }

    It '-WhatIf prints one line per action and changes nothing' {
        New-VNetwork -Name old -Subnet 10.30.0.0/24 | Out-Null
        $before = Get-StoreFingerprint $root
        $document = @{ Networks = @( @{ Name = 'lab'; Subnet = '10.10.0.0/24'; Reservations = @( @{ MacAddress = '52:54:00:00:10:01'; IPAddress = '10.10.0.5' } ) } ) }
        $script = "Import-Module '$env:VNET_MODULE_PATH'; Invoke-VNetworkConfiguration -Configuration @{ Networks = @( @{ Name = 'lab'; Subnet = '10.10.0.0/24'; Reservations = @( @{ MacAddress = '52:54:00:00:10:01'; IPAddress = '10.10.0.5' } ) } ) } -Prune -WhatIf"
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0
        @($output | ForEach-Object { "$_" } | Where-Object { $_ -like 'What if:*' }) | Should -Be @(
            'What if: Performing the operation "Create Ensure: Absent -> Nat 10.10.0.0/24" on target "lab".'
            'What if: Performing the operation "AddReservation Reservations[52:54:00:00:10:01]: (none) -> 10.10.0.5" on target "lab".'
            'What if: Performing the operation "Remove Ensure: Present -> Absent" on target "old".')
        Invoke-VNetworkConfiguration -Configuration $document -Prune -WhatIf | Should -BeNullOrEmpty
        Get-StoreFingerprint $root | Should -BeExactly $before
    }
}

Describe 'Converging a live host' -Tag Namespace {
    BeforeAll {
        Assert-TestNamespace
        foreach ($tool in 'ip', 'nft') { if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "Configuration tests need '$tool' (Debian: iproute2 nftables)." } }
        # Set-Content does not reach /proc/sys; a plain write does.
        function Set-Sysctl([string] $Path, [string] $Value) { [IO.File]::WriteAllText($Path, $Value) }
        $script:SavedForward = (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim()

        # Everything of the host a network may touch, as text, so before/after compare byte for byte.
        function Get-HostSnapshot {
            $store = (Get-StoreFingerprint $script:Root) -split "`n" | Where-Object { $_ -notmatch '(^|/)[^/ ]*\.lock( |$)' }
            [ordered]@{
                # Bridge timers (hello, gc, ...) tick by themselves; everything else of a link must stay.
                'ip -d link'  = ((ip -d link show) -join "`n") -replace '(\w+_timer)\s+[\d.]+', '$1 *'
                'ip addr'     = ((ip addr show) -join "`n") -replace 'valid_lft \S+ preferred_lft \S+', ''
                'ip route'    = (ip route show table all) -join "`n"
                'nft ruleset' = (nft list ruleset) -join "`n"
                'ip_forward'  = (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim()
                'store'       = $store -join "`n"
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

        function Get-IfIndex([string] $Link) { (ip -j link show dev $Link | ConvertFrom-Json).ifindex }

        # lab (Nat, with a reservation), iso (Isolated) and spare (Routed, not started): the document tests start from.
        function New-Document {
            @{
                Networks = @(
                    @{ Name = 'lab'; Mode = 'Nat'; Subnet = '10.210.0.0/24'; BridgeName = 'vcfglab0'; DhcpRange = '10.210.0.10', '10.210.0.200'
                        Autostart = $true; State = 'Active'
                        Reservations = @( @{ MacAddress = '52:54:00:00:21:05'; IPAddress = '10.210.0.5'; HostName = 'db' } ) }
                    @{ Name = 'iso'; Mode = 'Isolated'; Subnet = '10.211.0.0/24'; BridgeName = 'vcfgiso0'; State = 'Active' }
                    @{ Name = 'spare'; Mode = 'Routed'; Subnet = '10.212.0.0/24'; BridgeName = 'vcfgsp0'; NoDhcp = $true; State = 'Inactive' }
                )
            }
        }

        function Invoke-Quietly {
            param([hashtable] $Document, [switch] $AllowRestart, [switch] $Prune)
            Invoke-VNetworkConfiguration -Configuration $Document -AllowRestart:$AllowRestart -Prune:$Prune -WarningAction SilentlyContinue
        }
    }
    BeforeEach {
        $script:Root = New-TestRoot
        Set-Sysctl /proc/sys/net/ipv4/ip_forward 0
    }
    AfterEach {
        Get-VNetwork -ErrorAction Ignore | Where-Object State -eq 'Active' | ForEach-Object { Stop-VNetwork -Name $_.Name -ErrorAction Ignore }
        foreach ($link in (ip -j link show | ConvertFrom-Json)) { if ($link.ifname -like 'vcfg*') { ip link del $link.ifname 2>$null } }
        foreach ($family in 'ip', 'ip6') { nft delete table $family virtualnetworking 2>$null }
        Remove-TestRoot $script:Root
    }
    AfterAll {
        if ($script:SavedForward) { Set-Sysctl /proc/sys/net/ipv4/ip_forward $script:SavedForward }
    }

    It 'converges a three-network document from empty; a second run reports no change' {
        $results = Invoke-Quietly (New-Document)

        $results | Where-Object Result -ne 'Done' | Should -BeNullOrEmpty
        @($results | Where-Object Action -eq 'Create').Network | Should -Be @('lab', 'iso', 'spare')
        @($results | Where-Object Action -eq 'Start').Network | Should -Be @('lab', 'iso')
        (Get-VNetwork lab).State | Should -Be 'Active'
        (Get-VNetwork iso).State | Should -Be 'Active'
        (Get-VNetwork spare).State | Should -Be 'Inactive'
        (ip -j addr show dev vcfglab0 | ConvertFrom-Json).addr_info.local | Should -Contain '10.210.0.1'
        (Get-VNetworkDhcpReservation -Network lab).IPAddress | Should -Be '10.210.0.5'
        (nft list ruleset) -join "`n" | Should -Match '10\.210\.0\.0/24'

        $before = Get-HostSnapshot
        Invoke-Quietly (New-Document) | Should -BeNullOrEmpty
        Test-VNetworkConfiguration -Configuration (New-Document) | Should -BeTrue
        Assert-SameHost $before
    }

    It 'changes a reservation and the DHCP range live: the bridge keeps its ifindex and a guest port stays attached' {
        Invoke-Quietly (New-Document) | Out-Null
        ip link add vcfgg1 type veth peer name vcfgg1p
        ip link set vcfgg1 master vcfglab0
        ip link set vcfgg1 up
        $index = Get-IfIndex vcfglab0
        $document = New-Document
        $document.Networks[0].DhcpRange = '10.210.0.100', '10.210.0.150'
        $document.Networks[0].Reservations = @( @{ MacAddress = '52:54:00:00:21:05'; IPAddress = '10.210.0.6'; HostName = 'db' } )

        $results = Invoke-Quietly $document

        @($results | ForEach-Object { "$($_.Network) $($_.Property) $($_.Action) $($_.Cost) $($_.Result)" }) | Should -Be @(
            'lab DhcpRange Update Live Done'
            'lab Reservations[52:54:00:00:21:05] ChangeReservation Live Done')
        Get-IfIndex vcfglab0 | Should -Be $index
        (ip -j link show dev vcfgg1 | ConvertFrom-Json).master | Should -Be 'vcfglab0'
        (Get-VNetwork lab).DhcpRange | Should -Be '10.210.0.100-10.210.0.150'
        (Get-VNetworkDhcpReservation -Network lab).IPAddress | Should -Be '10.210.0.6'
        Export-VNetwork lab -Inactive | Should -Match "range start='10\.210\.0\.100' end='10\.210\.0\.150'"
        Test-VNetworkConfiguration -Configuration $document | Should -BeTrue
    }

    It 'adds, changes and removes port forwards live: only their map elements change, the bridge keeps its ifindex' {
        function Get-ForwardMap([string] $Name) { (nft list map ip virtualnetworking $Name) -join "`n" }
        $document = New-Document
        $document.Networks[0].PortForwards = @( @{ Protocol = 'Tcp'; HostPort = 8080; GuestAddress = '10.210.0.5'; GuestPort = 80 } )
        Invoke-Quietly $document | Out-Null
        $index = Get-IfIndex vcfglab0
        Get-ForwardMap forward_any | Should -Match 'tcp \. 8080 : 10\.210\.0\.5'
        Get-ForwardMap forward_any_ports | Should -Match 'tcp \. 8080 : 80\b'

        $document.Networks[0].PortForwards = @(
            @{ Protocol = 'Tcp'; HostPort = 8080; GuestAddress = '10.210.0.5'; GuestPort = 8000 }
            @{ Protocol = 'Udp'; HostPort = '5000-5009'; GuestAddress = '10.210.0.5'; SourcePrefix = '198.51.100.0/24' })
        $results = Invoke-Quietly $document

        @($results | ForEach-Object { "$($_.Network) $($_.Property) $($_.Action) $($_.Cost) $($_.Result)" }) | Should -Be @(
            'lab PortForwards[tcp 8080] ChangePortForward Live Done'
            'lab PortForwards[udp 5000] AddPortForward Live Done')
        Get-IfIndex vcfglab0 | Should -Be $index
        Get-ForwardMap forward_any_ports | Should -Match 'tcp \. 8080 : 8000\b'
        Get-ForwardMap forward_any_ports | Should -Not -Match ': 80\b'
        $sourced = Get-ForwardMap forward_sourced
        foreach ($port in 5000..5009) { $sourced | Should -Match "198\.51\.100\.0/24 \. \S+ \. udp \. $port : 10\.210\.0\.5" }
        (Test-VNetworkHealth -Name lab | Where-Object Check -eq FirewallRules).Status | Should -Be 'Pass'
        @(Get-VNetworkPortForward -Network lab).Count | Should -Be 2
        Test-VNetworkConfiguration -Configuration $document | Should -BeTrue

        $document.Networks[0].PortForwards = @()
        Invoke-Quietly $document | Out-Null
        foreach ($map in 'forward_any', 'forward_any_ports', 'forward_sourced', 'forward_sourced_ports', 'forwarded') { Get-ForwardMap $map | Should -Not -Match 'elements' }
        Get-VNetworkPortForward -Network lab | Should -BeNullOrEmpty
    }

    It 'refuses a new subnet of a running network without -AllowRestart, leaving it as it was, and makes it with it' {
        Invoke-Quietly (New-Document) | Out-Null
        $index = Get-IfIndex vcfglab0
        $document = New-Document
        $document.Networks[0].Subnet = '10.213.0.0/24'
        $document.Networks[0].Remove('DhcpRange')
        $document.Networks[0].Reservations = @( @{ MacAddress = '52:54:00:00:21:05'; IPAddress = '10.213.0.5'; HostName = 'db' } )
        $document.Networks[2].Mtu = 9000  # a change to another network of the same document, made all the same
        $before = Get-HostSnapshot

        $results = Invoke-VNetworkConfiguration -Configuration $document -WarningAction SilentlyContinue -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be "VNetworkRestartRequired,$Invoke"
        $refused[0].TargetObject | Should -Be 'lab'
        $refused[0].Exception.Message | Should -BeLike "Network 'lab' is running and must be restarted to change Subnet, DhcpRange*-AllowRestart*"
        @($results | Where-Object Network -eq 'lab').Result | Select-Object -Unique | Should -Be 'Refused'
        ($results | Where-Object Network -eq 'spare').Result | Should -Be 'Done'
        (Get-VNetwork spare).Mtu | Should -Be 9000
        Assert-SameHost $before -Except 'store'
        Get-IfIndex vcfglab0 | Should -Be $index
        Export-VNetwork lab -Inactive | Should -Match "10\.210\.0\.1"

        $results = Invoke-Quietly $document -AllowRestart
        ($results | Where-Object Action -eq 'Restart').Result | Should -Be 'Done'
        (ip -j addr show dev vcfglab0 | ConvertFrom-Json).addr_info.local | Should -Contain '10.213.0.1'
        (Get-VNetwork lab).DhcpRange | Should -Be '10.213.0.2-10.213.0.254'
        (Get-VNetworkDhcpReservation -Network lab).IPAddress | Should -Be '10.213.0.5'
        Test-VNetworkConfiguration -Configuration $document | Should -BeTrue
    }

    It '-Prune stops and removes the networks the document does not declare' {
        Invoke-Quietly (New-Document) | Out-Null
        $document = New-Document
        $document.Networks = @($document.Networks[0])

        $results = Invoke-Quietly $document -Prune

        @($results | ForEach-Object { "$($_.Network) $($_.Action) $($_.Result)" }) | Should -Be @('iso Remove Done', 'spare Remove Done')
        (Get-VNetwork).Name | Should -Be @('lab')
        ip link show dev vcfgiso0 2>$null | Should -BeNullOrEmpty
        (Get-VNetwork lab).State | Should -Be 'Active'
        Invoke-Quietly $document -Prune | Should -BeNullOrEmpty
    }

    It '-WhatIf changes nothing, from empty or with every kind of change' {
        $before = Get-HostSnapshot
        Invoke-VNetworkConfiguration -Configuration (New-Document) -WhatIf | Should -BeNullOrEmpty
        Assert-SameHost $before

        Invoke-Quietly (New-Document) | Out-Null
        $document = New-Document
        $document.Networks[0].Subnet = '10.213.0.0/24'
        $document.Networks[0].Remove('DhcpRange')
        $document.Networks[0].Reservations = @()
        $document.Networks[1].State = 'Inactive'
        $document.Networks[2] = @{ Name = 'new'; Subnet = '10.214.0.0/24'; BridgeName = 'vcfgnew0'; State = 'Active' }
        $before = Get-HostSnapshot
        Invoke-VNetworkConfiguration -Configuration $document -AllowRestart -Prune -WhatIf | Should -BeNullOrEmpty
        Assert-SameHost $before
        @(Test-VNetworkConfiguration -Configuration $document -Prune -Detailed).Count | Should -Be 7
    }
}
