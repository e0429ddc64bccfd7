BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # Runs a command, collecting its errors instead of failing: the ErrorIds in order.
    function Get-ErrorId {
        param([scriptblock] $Command)
        $ErrorActionPreference = 'Continue'  # Pester runs tests with Stop: collect every error instead
        $errs = @(try { & $Command 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } } catch { $_ })
        @($errs | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] })
    }
}

Describe 'Network definitions (virsh net-define / net-list / net-dumpxml / net-undefine)' {
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-TestRoot $root }

    It 'imports the seed''s default network unchanged and exports libvirt''s canonical XML' {
        $n = Import-VNetwork -Path (Get-FixturePath 'default.xml')
        $n.Name | Should -Be 'default'
        $n.Uuid | Should -Be '927f4393-3e4e-4a94-9e42-67c4ebe45555'
        $n.Mode | Should -Be 'Nat'
        $n.Bridge | Should -Be 'virbr0'
        $n.Subnet | Should -Be '192.168.122.0/24'
        $n.MacAddress | Should -Be '52:54:00:b8:c9:9d'
        $n.State | Should -Be 'Inactive'
        $n.Persistent | Should -BeTrue
        $n.PSObject.TypeNames[0] | Should -Be 'VirtualNetworking.VNetwork'

        $xml = Export-VNetwork default
        $xml | Should -BeExactly ((Get-Content -Raw (Get-FixturePath 'default.xml')))
        Test-Path (Join-Path $root 'etc/virtualnetworking/networks/default.xml') | Should -BeTrue
    }

    It 'exports to a file that imports back to the same definition' {
        Import-VNetwork -Path (Get-FixturePath 'default.xml') | Out-Null
        $file = Join-Path $root 'copy.xml'
        Export-VNetwork -Name default -Path $file
        Get-Content -Raw $file | Should -BeExactly (Export-VNetwork default)
        Remove-VNetwork default
        (Import-VNetwork -Path $file).Uuid | Should -Be '927f4393-3e4e-4a94-9e42-67c4ebe45555'
    }

    It 'takes files from the pipeline (Get-ChildItem *.xml | Import-VNetwork) and -Xml text' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $root 'in')
        foreach ($i in 1..3) {
            (Get-Content -Raw (Get-FixturePath 'default.xml')) -replace '<name>default</name>', "<name>net$i</name>" `
                -replace '<uuid>.*</uuid>', '' -replace "virbr0", "virbr$i" -replace '<mac .*/>', '' -replace '122', "$(130 + $i)" |
                Set-Content -Path (Join-Path $dir "net$i.xml")
        }
        $imported = Get-ChildItem (Join-Path $dir '*.xml') | Import-VNetwork
        $imported.Name | Should -Be @('net1', 'net2', 'net3')
        $imported | ForEach-Object { $_.Uuid | Should -Not -Be ([guid]::Empty) }
        ($imported.MacAddress | Sort-Object -Unique).Count | Should -Be 3

        $x = Import-VNetwork -Xml "<network><name>iso</name><bridge name='isobr'/><ip address='10.9.0.1' prefix='24'/></network>"
        $x.Mode | Should -Be 'Isolated'
        (Get-VNetwork).Count | Should -Be 4
    }

    It 'defines from parameters with libvirt''s defaults: gateway first host, DHCP to the last host' {
        $n = New-VNetwork -Name lab -Subnet 10.0.5.0/24 -BridgeName labbr0
        $n.Gateway | Should -Be '10.0.5.1'
        $n.DhcpRange | Should -Be @('10.0.5.2-10.0.5.254')
        $n.Addresses | Should -Be @('10.0.5.1/24')
        $n.MacAddress | Should -Match '^52:54:00(:[0-9a-f]{2}){3}$'
        $n.Uuid.ToString()[14] | Should -Be '4'  # a version 4 UUID
        $n.StpEnabled | Should -BeTrue
        $xml = [xml](Export-VNetwork lab)
        $xml.network.forward.mode | Should -Be 'nat'
        $xml.network.bridge.name | Should -Be 'labbr0'
        $xml.network.ip.dhcp.range.start | Should -Be '10.0.5.2'
    }

    It 'defines a dual-stack network from an IPv4 subnet and an IPv6 prefix: both first hosts, DHCP for IPv4 only' {
        $n = New-VNetwork -Name lab -Subnet 10.0.5.0/24, fd00:5::/64 -BridgeName labbr0
        $n.Addresses | Should -Be @('10.0.5.1/24', 'fd00:5::1/64')
        $n.Subnets | Should -Be @('10.0.5.0/24', 'fd00:5::/64')
        $n.DhcpRange | Should -Be @('10.0.5.2-10.0.5.254')
        $ips = ([xml](Export-VNetwork lab)).network.ip
        $ips[1].family | Should -Be 'ipv6'
        $ips[1].prefix | Should -Be '64'
        $ips[1].dhcp | Should -BeNullOrEmpty
    }

    It 'defines each mode' {
        (New-VNetwork -Name r -Mode Routed -Subnet 10.1.0.0/24 -BridgeName rbr).Mode | Should -Be 'Routed'
        (New-VNetwork -Name i -Mode Isolated -Subnet 10.2.0.0/24 -BridgeName ibr -NoDhcp).DhcpRange | Should -BeNullOrEmpty
        (New-VNetwork -Name o -Mode Open -Subnet 10.3.0.0/24 -BridgeName obr).Mode | Should -Be 'Open'
        $b = New-VNetwork -Name b -Mode Bridged -BridgeName br0 -ForwardDevice eth9
        $b.Mode | Should -Be 'Bridged'
        $b.ForwardDevice | Should -Be 'eth9'
        $xml = Export-VNetwork b
        $xml | Should -Match "<forward mode='bridge'/>"
        $xml | Should -Match "<bridge name='br0'/>"
        $xml | Should -Not -Match 'forward dev'
        (Get-VNetwork -Name i).Mode | Should -Be 'Isolated'
    }

    It 'lists with wildcards and -State, sorted by name' {
        New-VNetwork -Name web -Subnet 10.10.0.0/24 -BridgeName webbr | Out-Null
        New-VNetwork -Name db -Subnet 10.11.0.0/24 -BridgeName dbbr | Out-Null
        New-VNetwork -Name webtest -Subnet 10.12.0.0/24 -BridgeName wtbr | Out-Null
        (Get-VNetwork).Name | Should -Be @('db', 'web', 'webtest')
        (Get-VNetwork -Name 'web*').Name | Should -Be @('web', 'webtest')
        (Get-VNetwork -State Inactive).Count | Should -Be 3
        Get-VNetwork -State Active | Should -BeNullOrEmpty
        Get-ErrorId { Get-VNetwork -Name nosuch } | Should -Be @('VNetworkNotFound')
        Get-VNetwork -Name 'nosuch*' | Should -BeNullOrEmpty
    }

    It 'shows the net-list table: Name, State, Autostart, Persistent, Mode, Bridge, Subnet' {
        New-VNetwork -Name web -Subnet 10.10.0.0/24 -BridgeName webbr -Autostart | Out-Null
        $table = (Get-VNetwork | Format-Table | Out-String) -split "`n" | Where-Object { $_.Trim() }
        $table[0] | Should -Match '^Name\s+State\s+Autostart\s+Persistent\s+Mode\s+Bridge\s+Subnet\s*$'
        $table[2] | Should -Match '^web\s+Inactive\s+True\s+True\s+Nat\s+webbr\s+10\.10\.0\.0/24'
    }

    It 'sets autostart, MTU, DHCP range and domain (net-autostart / net-update)' {
        New-VNetwork -Name lab -Subnet 10.0.5.0/24 -BridgeName labbr | Out-Null
        $n = Set-VNetwork lab -Autostart $true -Mtu 9000 -DhcpRange 10.0.5.100, 10.0.5.199 -Domain lab.example -PassThru
        $n.Autostart | Should -BeTrue
        $n.Mtu | Should -Be 9000
        $n.DhcpRange | Should -Be @('10.0.5.100-10.0.5.199')
        $n.Domain | Should -Be 'lab.example'
        $link = Get-Item (Join-Path $root 'etc/virtualnetworking/networks/autostart/lab.xml')
        $link.LinkTarget | Should -Be '../lab.xml'
        (Get-VNetwork lab).Autostart | Should -BeTrue

        Set-VNetwork lab -Autostart $false -Mtu 0 -Domain ''
        $n = Get-VNetwork lab
        $n.Autostart | Should -BeFalse
        $n.Mtu | Should -BeNullOrEmpty
        $n.Domain | Should -BeNullOrEmpty
        Test-Path (Join-Path $root 'etc/virtualnetworking/networks/autostart/lab.xml') | Should -BeFalse
        Set-VNetwork lab -Autostart $true -WhatIf
        (Get-VNetwork lab).Autostart | Should -BeFalse
    }

    It 'chains through the pipeline by property name' {
        New-VNetwork -Name a -Subnet 10.20.0.0/24 -BridgeName abr | Out-Null
        New-VNetwork -Name b -Subnet 10.21.0.0/24 -BridgeName bbr | Out-Null
        (Get-VNetwork | Export-VNetwork).Count | Should -Be 2
        Get-VNetwork | Set-VNetwork -Autostart $true
        (Get-VNetwork).Autostart | Should -Be @($true, $true)
        Get-VNetwork | Remove-VNetwork
        Get-VNetwork | Should -BeNullOrEmpty
    }

    It 'removes a definition and its autostart link; -WhatIf removes nothing' {
        New-VNetwork -Name lab -Subnet 10.0.5.0/24 -BridgeName labbr -Autostart | Out-Null
        Remove-VNetwork lab -WhatIf
        Get-VNetwork lab | Should -Not -BeNullOrEmpty
        Remove-VNetwork lab
        Get-VNetwork | Should -BeNullOrEmpty
        Get-ChildItem -Recurse -File (Join-Path $root 'etc/virtualnetworking/networks') | Where-Object Name -ne '.lock' | Should -BeNullOrEmpty
        Get-ErrorId { Remove-VNetwork lab } | Should -Be @('VNetworkNotFound')
    }

    It 'redefines a network imported again with the same name and UUID' {
        Import-VNetwork -Path (Get-FixturePath 'default.xml') | Out-Null
        Set-VNetwork default -Autostart $true
        $changed = (Get-Content -Raw (Get-FixturePath 'default.xml')) -replace '192.168.122.254', '192.168.122.200'
        $n = Import-VNetwork -Xml $changed
        $n.DhcpRange | Should -Be @('192.168.122.2-192.168.122.200')
        $n.Autostart | Should -BeTrue
        (Get-VNetwork).Count | Should -Be 1
    }

    It 'completes network names' {
        New-VNetwork -Name 'lab one' -Subnet 10.0.5.0/24 -BridgeName labbr | Out-Null
        New-VNetwork -Name 'other' -Subnet 10.0.6.0/24 -BridgeName otherbr | Out-Null
        $completions = TabExpansion2 -inputScript 'Get-VNetwork -Name la' -cursorColumn 'Get-VNetwork -Name la'.Length
        $completions.CompletionMatches.CompletionText | Should -Be @("'lab one'")
    }
}

Describe 'Bad input is refused with a stable ErrorId and the store unchanged' {
    BeforeAll {
        $root = New-TestRoot
        Import-VNetwork -Path (Get-FixturePath 'default.xml') | Out-Null
        New-VNetwork -Name lab -Subnet 10.0.5.0/24 -BridgeName labbr | Out-Null
        $before = Get-StoreFingerprint $root
        $seed = Get-Content -Raw (Get-FixturePath 'default.xml')
        $bigFile = Join-Path ([IO.Path]::GetTempPath()) "vnet-big-$PID.xml"
        '<network><name>big</name><description>' + ('x' * 1100000) + '</description></network>' | Set-Content $bigFile
    }
    AfterAll {
        Remove-Item $bigFile -ErrorAction Ignore
        Remove-TestRoot $root
    }
    AfterEach { Get-StoreFingerprint $root | Should -BeExactly $before }

    It '<Case>' -ForEach @(
        @{ Case = 'empty name'; Command = { New-VNetwork -Name '' -Subnet 10.50.0.0/24 }; ErrorId = 'VNetworkNameMissing' }
        @{ Case = 'name with a slash'; Command = { New-VNetwork -Name 'a/b' -Subnet 10.50.0.0/24 }; ErrorId = 'VNetworkNameInvalid' }
        @{ Case = 'name with a newline'; Command = { New-VNetwork -Name "a`nb" -Subnet 10.50.0.0/24 }; ErrorId = 'VNetworkNameInvalid' }
        @{ Case = 'name longer than the store can name'; Command = { New-VNetwork -Name ('n' * 300) -Subnet 10.50.0.0/24 }; ErrorId = 'VNetworkNameTooLong' }
        @{ Case = 'subnet that is not CIDR'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0 }; ErrorId = 'VNetworkSubnetInvalid' }
        @{ Case = 'subnet with host bits set'; Command = { New-VNetwork -Name x -Subnet 10.50.0.1/24 }; ErrorId = 'VNetworkSubnetInvalid' }
        @{ Case = 'DHCP range outside the subnet'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -DhcpRange 10.50.1.2, 10.50.1.9 }; ErrorId = 'VNetworkDhcpRangeInvalid' }
        @{ Case = 'DHCP range reversed'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -DhcpRange 10.50.0.90, 10.50.0.10 }; ErrorId = 'VNetworkDhcpRangeInvalid' }
        @{ Case = 'DHCP range in the other family'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -DhcpRange fd00::2, fd00::9 }; ErrorId = 'VNetworkDhcpRangeInvalid' }
        @{ Case = 'two IPv4 subnets'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24, 10.51.0.0/24 }; ErrorId = 'VNetworkSubnetInvalid' }
        @{ Case = 'an IPv6 prefix with host bits set beside an IPv4 subnet'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24, fd00:50::1/64 }; ErrorId = 'VNetworkSubnetInvalid' }
        @{ Case = 'a second IPv4 DHCP block'; Command = { Import-VNetwork -Xml "<network><name>x</name><bridge name='xbr'/><ip address='10.60.0.1' prefix='24'><dhcp><range start='10.60.0.2' end='10.60.0.9'/></dhcp></ip><ip address='10.61.0.1' prefix='24'><dhcp><range start='10.61.0.2' end='10.61.0.9'/></dhcp></ip></network>" }; ErrorId = 'VNetworkDhcpMultiple' }
        @{ Case = 'a multicast MAC'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -MacAddress 01:00:5e:00:00:01 }; ErrorId = 'VNetworkMacAddressInvalid' }
        @{ Case = 'a malformed MAC'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -MacAddress 52:54:00:zz:00:01 }; ErrorId = 'VNetworkMacAddressInvalid' }
        @{ Case = 'a lease shorter than 2 minutes'; Command = { Import-VNetwork -Xml "<network><name>x</name><bridge name='xbr'/><ip address='10.60.0.1' prefix='24'><dhcp><range start='10.60.0.2' end='10.60.0.9'><lease expiry='1' unit='minutes'/></range></dhcp></ip></network>" }; ErrorId = 'VNetworkLeaseTooShort' }
        @{ Case = 'a duplicate name with another UUID'; Command = { Import-VNetwork -Xml ($seed -replace '927f4393-3e4e-4a94-9e42-67c4ebe45555', '11111111-2222-4333-8444-555555555555') }; ErrorId = 'VNetworkUuidMismatch' }
        @{ Case = 'a duplicate UUID with another name'; Command = { Import-VNetwork -Xml ($seed -replace '<name>default</name>', '<name>other</name>' -replace 'virbr0', 'virbr9') }; ErrorId = 'VNetworkUuidInUse' }
        @{ Case = 'a name already defined (New)'; Command = { New-VNetwork -Name lab -Subnet 10.50.0.0/24 }; ErrorId = 'VNetworkNameExists' }
        @{ Case = 'a bridge name used by another definition'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -BridgeName virbr0 }; ErrorId = 'VNetworkBridgeInUse' }
        @{ Case = 'an invalid bridge name'; Command = { New-VNetwork -Name x -Subnet 10.50.0.0/24 -BridgeName 'bridge-name-too-long' }; ErrorId = 'VNetworkBridgeNameInvalid' }
        @{ Case = 'a subnet in use by another definition'; Command = { New-VNetwork -Name x -Subnet 192.168.122.0/24 }; ErrorId = 'VNetworkSubnetInUse' }
        @{ Case = 'an unknown forward mode'; Command = { Import-VNetwork -Xml "<network><name>x</name><forward mode='bogus'/></network>" }; ErrorId = 'VNetworkForwardModeUnknown' }
        @{ Case = 'a file that is not XML'; Command = { Import-VNetwork -Xml 'this is not xml' }; ErrorId = 'VNetworkXmlMalformed' }
        @{ Case = 'another root element'; Command = { Import-VNetwork -Xml '<domain><name>x</name></domain>' }; ErrorId = 'VNetworkXmlWrongRoot' }
        @{ Case = 'a file over 1 MiB'; Command = { Import-VNetwork -Path $bigFile }; ErrorId = 'VNetworkXmlTooLarge' }
        @{ Case = 'text over 1 MiB'; Command = { Import-VNetwork -Xml ('<network><name>x</name><description>' + ('x' * 1100000) + '</description></network>') }; ErrorId = 'VNetworkXmlTooLarge' }
        @{ Case = 'an external entity (XXE)'; Command = { Import-VNetwork -Xml "<?xml version='1.0'?><!DOCTYPE network [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><network><name>&x;</name></network>" }; ErrorId = 'VNetworkXmlDtdProhibited' }
        @{ Case = 'billion laughs'; Command = { Import-VNetwork -Xml "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'><!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]><network><name>&lol3;</name></network>" }; ErrorId = 'VNetworkXmlDtdProhibited' }
        @{ Case = 'a missing file'; Command = { Import-VNetwork -Path (Join-Path $root 'nosuch.xml') }; ErrorId = 'VNetworkFileNotFound' }
        @{ Case = 'an unknown network in Set'; Command = { Set-VNetwork -Name nosuch -Autostart $true }; ErrorId = 'VNetworkNotFound' }
        @{ Case = 'a DHCP range outside the subnet in Set'; Command = { Set-VNetwork -Name lab -DhcpRange 10.9.9.1, 10.9.9.5 }; ErrorId = 'VNetworkDhcpRangeInvalid' }
    ) {
        $ids = Get-ErrorId $Command
        $ids | Should -Contain $ErrorId
    }

    It 'reports every problem at once' {
        $ids = Get-ErrorId { Import-VNetwork -Xml "<network><name>x</name><bridge name='xbr'/><mac address='01:00:5e:00:00:01'/><ip address='10.60.0.1' prefix='24'><dhcp><range start='10.60.0.9' end='10.60.0.2'><lease expiry='1' unit='minutes'/></range></dhcp></ip></network>" }
        $ids | Should -Contain 'VNetworkMacAddressInvalid'
        $ids | Should -Contain 'VNetworkDhcpRangeInvalid'
        $ids | Should -Contain 'VNetworkLeaseTooShort'
    }

    It 'gives advice and the right category' {
        $e = $null
        try { New-VNetwork -Name x -Subnet 192.168.122.0/24 -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be 'VNetworkSubnetInUse,VirtualNetworking.PowerShell.Commands.NewVNetworkCommand'
        $e.CategoryInfo.Category | Should -Be 'ResourceExists'
        $e.Exception.Message | Should -Match "network 'default' \(virbr0"
        $e.Exception.Message | Should -Match 'omit -Subnet'
    }
}

Describe 'Concurrent sessions never corrupt the store or lose a definition' {
    BeforeAll { $root = New-TestRoot }
    AfterAll { Remove-TestRoot $root }

    It 'two pwsh processes defining and removing at the same moment' {
        $pwsh = (Join-Path $PSHOME 'pwsh')
        $script = {
            param($module, $prefix)
            Import-Module $module
            foreach ($i in 1..15) {
                New-VNetwork -Name "$prefix-$i" -Subnet "10.$([int][char]$prefix[0] % 200).$i.0/24" -ErrorAction Stop | Out-Null
                if ($i % 3 -eq 0) { Remove-VNetwork -Name "$prefix-$i" -ErrorAction Stop }
            }
        }
        $jobs = 'a', 'b' | ForEach-Object {
            Start-Process -FilePath $pwsh -PassThru -NoNewWindow -ArgumentList @(
                '-NoProfile', '-Command', "& { $script } '$env:VNET_MODULE_PATH' '$_'")
        }
        $jobs | Wait-Process -Timeout 120
        $jobs | ForEach-Object { $_.ExitCode | Should -Be 0 }
        $names = (Get-VNetwork).Name
        $names.Count | Should -Be 20
        foreach ($p in 'a', 'b') { foreach ($i in 1..15) { if ($i % 3) { $names | Should -Contain "$p-$i" } } }
        ((Get-VNetwork).Bridge | Sort-Object -Unique).Count | Should -Be 20
        ((Get-VNetwork).MacAddress | Sort-Object -Unique).Count | Should -Be 20
        Get-ChildItem -Force (Join-Path $root 'etc/virtualnetworking/networks') -Filter '*.tmp' | Should -BeNullOrEmpty
    }
}
