#Requires -Version 7.4
# DSC, tested without DSC installed. The class resources (VNetwork, VNetworkDhcpReservation in the module's root .psm1)
# as DSC's tools find them: parsed (DscResource attribute, Get/Test/Set and their return types, keys), created from the
# loaded module and from `using module`, and their Get/Test/Set called. The DSC v3 command resources: the manifests
# read as DSC reads them, and the entry point driven as DSC drives it (JSON on stdin, JSON lines on stdout, errors on
# stderr, exit codes), its states checked against the manifest's own schema.
# Unit tier: definitions only, in a sandbox VNET_ROOT. Namespace tier (tagged Namespace, inside build/netns-run.sh's
# namespace): a started network converges from absent, a reservation changes live (the bridge keeps its ifindex), a new
# subnet is refused without AllowRestart and made with it, and Ensure Absent removes it.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Module = Get-Module VirtualNetworking
    $script:ModuleFolder = $Module.ModuleBase
    $script:Pwsh = Join-Path $PSHOME 'pwsh'

    # An instance of a resource class, created where DSC's tools create it (the module's scope), with these properties.
    function New-Resource {
        param([string] $Class, [hashtable] $Property)
        $instance = & $script:Module { param($Name) ($Name -as [type])::new() } $Class
        foreach ($key in $Property.Keys) { $instance.$key = $Property[$key] }
        $instance
    }

    # The entry point run as DSC runs it: from the manifest's folder, the instance's JSON on stdin.
    function Invoke-DscEntry {
        param([string] $Operation, [string] $Resource, [string] $Json)
        $stderr = Join-Path ([IO.Path]::GetTempPath()) "vdsc-$PID-stderr"
        Push-Location $script:ModuleFolder
        try {
            $stdout = $Json | & $script:Pwsh -NoProfile -NonInteractive -File ./VirtualNetworking.dsc.ps1 $Operation $Resource 2>$stderr
            $exit = $LASTEXITCODE
        }
        finally { Pop-Location }
        [pscustomobject]@{ Exit = $exit; Lines = @($stdout | ForEach-Object { "$_" }); Errors = @(Get-Content $stderr); }
        Remove-Item $stderr
    }

    function Read-DscManifest([string] $Resource) {
        $file = if ($Resource -eq 'Network') { 'VirtualNetworking.dsc.resource.json' } else { "VirtualNetworking.$Resource.dsc.resource.json" }
        Get-Content -Raw (Join-Path $script:ModuleFolder $file) | ConvertFrom-Json -AsHashtable
    }

    # A state line is what DSC validates against the manifest's embedded schema.
    function Assert-State {
        param([string] $Resource, [string] $Line)
        $schema = (Read-DscManifest $Resource).schema.embedded | ConvertTo-Json -Depth 10
        Test-Json -Json $Line -Schema $schema -ErrorAction Stop | Should -BeTrue
        $Line | ConvertFrom-Json -AsHashtable
    }

    # A JSON property name of a class property, as the manifests spell them (DSC's camelCase; Ensure is _exist).
    function ConvertTo-JsonName([string] $Property) {
        switch ($Property) { 'Ensure' { '_exist' } 'IPAddress' { 'ipAddress' } default { $Property.Substring(0, 1).ToLowerInvariant() + $Property.Substring(1) } }
    }
}

Describe 'The class resources, as DSC finds them' {
    BeforeAll {
        $manifest = Import-PowerShellDataFile (Join-Path $ModuleFolder 'VirtualNetworking.psd1')
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $ModuleFolder $manifest.RootModule), [ref]$tokens, [ref]$errors)
        $classes = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.TypeDefinitionAst] }, $false))
        function Get-ClassAst([string] $Name) { $classes | Where-Object Name -EQ $Name }
        function Get-DscPropertyAst([string] $Class) {
            (Get-ClassAst $Class).Members | Where-Object { $_ -is [System.Management.Automation.Language.PropertyMemberAst] -and $_.Attributes.TypeName.Name -contains 'DscProperty' }
        }
    }

    It 'the root module is the .psm1 (DSC v3''s adapter parses it), the cmdlets come from the nested assembly' {
        $manifest.RootModule | Should -Be 'VirtualNetworking.psm1'
        $manifest.NestedModules | Should -Be @('VirtualNetworking.PowerShell.dll')
        $errors | Should -BeNullOrEmpty
        (Get-Command Get-VNetwork).ModuleName | Should -Be 'VirtualNetworking'
        { Test-ModuleManifest (Join-Path $ModuleFolder 'VirtualNetworking.psd1') -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the classes that carry [DscResource()]' {
        $resources = @($classes | Where-Object { $_.Attributes.TypeName.Name -contains 'DscResource' }).Name
        $resources | Should -Be @('VNetwork', 'VNetworkDhcpReservation')
        $manifest.DscResourcesToExport | Should -Be $resources
        @($Module.ExportedDscResources) | Should -Be $resources
    }

    It '<Class> has Get returning [<Class>], Test returning [bool], Set returning [void], and keys <Keys>' -ForEach @(
        @{ Class = 'VNetwork'; Keys = @('Name') }
        @{ Class = 'VNetworkDhcpReservation'; Keys = @('Network', 'MacAddress') }
    ) {
        $methods = @((Get-ClassAst $Class).Members | Where-Object { $_ -is [System.Management.Automation.Language.FunctionMemberAst] -and -not $_.IsHidden })
        @($methods | ForEach-Object { "$($_.Name):$($_.ReturnType.TypeName.Name):$($_.Parameters.Count)" } | Sort-Object) |
            Should -Be @("Get:${Class}:0", 'Set:void:0', 'Test:bool:0')
        $keys = @(Get-DscPropertyAst $Class | Where-Object { $_.Attributes.NamedArguments.ArgumentName -contains 'Key' }).Name
        $keys | Should -Be $Keys
        @(Get-DscPropertyAst $Class | Where-Object { $_.Attributes.NamedArguments.ArgumentName -contains 'Mandatory' }) | Should -BeNullOrEmpty
    }

    # Reservations have a resource of their own; port forwards are declared by documents (Invoke-VNetworkConfiguration).
    It 'VNetwork has a property for each key of a document''s network but Reservations and PortForwards, and AllowRestart' {
        $keys = [VirtualNetworking.Core.Desired.ConfigurationKeys]::Network | Where-Object { $_ -notin 'Reservations', 'PortForwards' }
        @(Get-DscPropertyAst VNetwork).Name | Should -Be (@($keys) + 'AllowRestart')
    }

    It 'the classes are created by `using module`, as Invoke-DscResource creates them' {
        $output = & $Pwsh -NoProfile -NonInteractive -Command "using module '$(Join-Path $ModuleFolder 'VirtualNetworking.psd1')'; [VNetwork]::new().Ensure; [VNetworkDhcpReservation]::new().GetType().Name"
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be @('Present', 'VNetworkDhcpReservation')
    }
}

Describe 'Get, Test and Set of the class resources (definitions only)' {
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-TestRoot $root }

    It 'VNetwork converges from absent, a second Set changes nothing, Ensure Absent removes it' {
        $lab = New-Resource VNetwork @{ Name = 'lab'; Mode = 'Nat'; Subnet = '10.60.0.0/24'; DhcpRange = '10.60.0.10', '10.60.0.99'; Mtu = 1400; Autostart = $true }
        $absent = $lab.Get()
        $absent.GetType().Name | Should -Be 'VNetwork'
        "$($absent.Name) $($absent.Ensure) $($absent.Subnet)" | Should -Be 'lab Absent '
        $lab.Test() | Should -BeFalse

        $lab.Set()

        $lab.Test() | Should -BeTrue
        $current = $lab.Get()
        "$($current.Ensure) $($current.State) $($current.Mode) $($current.Subnet) $($current.DhcpRange -join '-') $($current.Mtu) $($current.Autostart) $($current.NoDhcp)" |
            Should -Be 'Present Inactive Nat 10.60.0.0/24 10.60.0.10-10.60.0.99 1400 True False'
        (Get-VNetwork lab).Mtu | Should -Be 1400
        $fingerprint = Get-StoreFingerprint $root
        $lab.Set()
        Get-StoreFingerprint $root | Should -BeExactly $fingerprint

        $lab.Mtu = 9000
        $lab.Test() | Should -BeFalse
        $lab.Set()
        (Get-VNetwork lab).Mtu | Should -Be 9000

        $gone = New-Resource VNetwork @{ Name = 'lab'; Ensure = 'Absent' }
        $gone.Test() | Should -BeFalse
        $gone.Set()
        $gone.Test() | Should -BeTrue
        Get-VNetwork | Should -BeNullOrEmpty
        $lab.Get().Ensure | Should -Be 'Absent'
    }

    It 'VNetwork compares only the properties given' {
        New-VNetwork -Name lab -Subnet 10.60.0.0/24 -Mtu 1400 | Out-Null
        (New-Resource VNetwork @{ Name = 'lab' }).Test() | Should -BeTrue
        (New-Resource VNetwork @{ Name = 'lab'; Subnet = '10.60.0.0/24'; State = 'Inactive' }).Test() | Should -BeTrue
        (New-Resource VNetwork @{ Name = 'lab'; Autostart = $true }).Test() | Should -BeFalse
        (New-Resource VNetwork @{ Name = 'lab'; NoDhcp = $true }).Test() | Should -BeFalse
    }

    It 'a bad property is the module''s error record, with its ErrorId, from Test and Set alike' {
        $bad = New-Resource VNetwork @{ Name = 'lab'; Subnet = '10.60.0.1/24' }
        { $bad.Test() } | Should -Throw -ErrorId 'VNetworkSubnetInvalid,VirtualNetworking.PowerShell.Commands.TestVNetworkCommand'
        { $bad.Set() } | Should -Throw -ErrorId 'VNetworkSubnetInvalid,VirtualNetworking.PowerShell.Commands.InvokeVNetworkConfigurationCommand'
        Get-VNetwork | Should -BeNullOrEmpty
        { New-Resource VNetwork @{ Name = 'lab'; Mode = 'Bridge' } } | Should -Throw '*ValidateSet*'
    }

    It 'VNetworkDhcpReservation adds, changes and removes one reservation, leaving the others' {
        New-VNetwork -Name lab -Subnet 10.60.0.0/24 | Out-Null
        Add-VNetworkDhcpReservation -Network lab -MacAddress 52:54:00:00:60:01 -IPAddress 10.60.0.5 -HostName web
        $db = New-Resource VNetworkDhcpReservation @{ Network = 'lab'; MacAddress = '52:54:00:00:60:02'; IPAddress = '10.60.0.6'; HostName = 'db' }
        $db.Get().Ensure | Should -Be 'Absent'
        $db.Test() | Should -BeFalse

        $db.Set()

        $db.Test() | Should -BeTrue
        $current = $db.Get()
        "$($current.Network) $($current.MacAddress) $($current.Ensure) $($current.IPAddress) $($current.HostName)" | Should -Be 'lab 52:54:00:00:60:02 Present 10.60.0.6 db'
        # Another spelling of the same MAC is the same reservation.
        $same = New-Resource VNetworkDhcpReservation @{ Network = 'lab'; MacAddress = '52:54:00:00:60:02'.ToUpperInvariant(); IPAddress = '10.60.0.7' }
        $same.Test() | Should -BeFalse
        $same.Set()
        @(Get-VNetworkDhcpReservation -Network lab | ForEach-Object { "$($_.MacAddress) $($_.IPAddress) $($_.HostName)" }) |
            Should -Be @('52:54:00:00:60:01 10.60.0.5 web', '52:54:00:00:60:02 10.60.0.7 db')

        $gone = New-Resource VNetworkDhcpReservation @{ Network = 'lab'; MacAddress = '52:54:00:00:60:02'; Ensure = 'Absent' }
        $gone.Test() | Should -BeFalse
        $gone.Set()
        $gone.Test() | Should -BeTrue
        @(Get-VNetworkDhcpReservation -Network lab).MacAddress | Should -Be @('52:54:00:00:60:01')
    }

    It 'VNetworkDhcpReservation surfaces the module''s errors: a missing network, an address outside the subnet' {
        { (New-Resource VNetworkDhcpReservation @{ Network = 'nope'; MacAddress = '52:54:00:00:60:02' }).Get() } |
            Should -Throw -ErrorId 'VNetworkNotFound,VirtualNetworking.PowerShell.Commands.GetVNetworkDhcpReservationCommand'
        New-VNetwork -Name lab -Subnet 10.60.0.0/24 | Out-Null
        $before = Get-StoreFingerprint $root
        { (New-Resource VNetworkDhcpReservation @{ Network = 'lab'; MacAddress = '52:54:00:00:60:02'; IPAddress = '10.61.0.6' }).Set() } |
            Should -Throw -ErrorId 'VNetworkReservationOutsideSubnet,VirtualNetworking.PowerShell.Commands.InvokeVNetworkConfigurationCommand'
        Get-StoreFingerprint $root | Should -BeExactly $before
    }
}

Describe 'The DSC v3 command resources' {
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-TestRoot $root }

    It 'the manifest of VirtualNetworking/<Resource> reads as DSC reads it' -ForEach @(
        @{ Resource = 'Network'; Class = 'VNetwork'; Required = @('name') }
        @{ Resource = 'DhcpReservation'; Class = 'VNetworkDhcpReservation'; Required = @('network', 'macAddress') }
    ) {
        $manifest = Read-DscManifest $Resource
        $manifest['$schema'] | Should -Be 'https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json'
        $manifest.type | Should -Be "VirtualNetworking/$Resource"
        $manifest.version | Should -Be (Import-PowerShellDataFile (Join-Path $ModuleFolder 'VirtualNetworking.psd1')).ModuleVersion
        foreach ($operation in 'get', 'set', 'test') {
            $manifest[$operation].executable | Should -Be 'pwsh'
            $manifest[$operation].args | Should -Be @('-NoProfile', '-NonInteractive', '-File', './VirtualNetworking.dsc.ps1', $operation, $Resource)
            $manifest[$operation].input | Should -Be 'stdin'
        }
        $manifest.set.return | Should -Be 'stateAndDiff'
        $manifest.test.return | Should -Be 'stateAndDiff'
        $manifest.set.handlesExist | Should -BeTrue
        Test-Path (Join-Path $ModuleFolder 'VirtualNetworking.dsc.ps1') | Should -BeTrue
        $manifest.exitCodes.Keys | Sort-Object | Should -Be @('0', '1', '2')

        $schema = $manifest.schema.embedded
        $schema.required | Should -Be $Required
        $schema.additionalProperties | Should -BeFalse
        $properties = & $Module { param($Name) ($Name -as [type]).GetProperties() } $Class | Where-Object { $_.CustomAttributes.AttributeType.Name -contains 'DscPropertyAttribute' }
        @($schema.properties.Keys | Sort-Object) | Should -Be @(@($properties.Name | ForEach-Object { ConvertTo-JsonName $_ }) + '_inDesiredState' | Sort-Object)
    }

    It 'Network: get, test and set converge a network from absent, with JSON lines, _exist, _inDesiredState and the diff' {
        $desired = '{"name":"lab","subnet":"10.60.0.0/24","mtu":1400,"autostart":true}'

        $get = Invoke-DscEntry get Network '{"name":"lab"}'
        "$($get.Exit) $($get.Lines.Count) $($get.Errors.Count)" | Should -Be '0 1 0'
        (Assert-State Network $get.Lines[0])._exist | Should -BeFalse

        $test = Invoke-DscEntry test Network $desired
        "$($test.Exit) $($test.Lines.Count) $($test.Errors.Count)" | Should -Be '0 2 0'
        $state = Assert-State Network $test.Lines[0]
        "$($state.name) $($state._exist) $($state._inDesiredState)" | Should -Be 'lab False False'
        $test.Lines[1] | Should -Be '["_exist"]'

        $set = Invoke-DscEntry set Network $desired
        "$($set.Exit) $($set.Lines.Count) $($set.Errors.Count)" | Should -Be '0 2 0'
        $state = Assert-State Network $set.Lines[0]
        "$($state._exist) $($state.subnet) $($state.mtu) $($state.autostart) $($state.state) $($state.ContainsKey('_inDesiredState')) $($state.ContainsKey('allowRestart'))" |
            Should -Be 'True 10.60.0.0/24 1400 True Inactive False False'
        $set.Lines[1] | Should -Be '["_exist"]'
        (Get-VNetwork lab).Mtu | Should -Be 1400

        $test = Invoke-DscEntry test Network $desired
        (Assert-State Network $test.Lines[0])._inDesiredState | Should -BeTrue
        $test.Lines[1] | Should -Be '[]'
        $fingerprint = Get-StoreFingerprint $root
        $set = Invoke-DscEntry set Network $desired
        "$($set.Exit) $($set.Lines[1])" | Should -Be '0 []'
        Get-StoreFingerprint $root | Should -BeExactly $fingerprint

        $test = Invoke-DscEntry test Network '{"name":"lab","subnet":"10.60.0.0/24","mtu":9000,"autostart":false,"noDhcp":true}'
        (Assert-State Network $test.Lines[0])._inDesiredState | Should -BeFalse
        ($test.Lines[1] | ConvertFrom-Json) | Should -Be @('noDhcp', 'mtu', 'autostart')

        $set = Invoke-DscEntry set Network '{"name":"lab","_exist":false}'
        "$($set.Exit) $($set.Lines[1])" | Should -Be '0 ["_exist"]'
        (Assert-State Network $set.Lines[0])._exist | Should -BeFalse
        Get-VNetwork | Should -BeNullOrEmpty
    }

    It 'DhcpReservation: set adds one live, test finds a changed address' {
        New-VNetwork -Name lab -Subnet 10.60.0.0/24 | Out-Null
        $set = Invoke-DscEntry set DhcpReservation '{"network":"lab","macAddress":"52:54:00:00:60:02","ipAddress":"10.60.0.6","hostName":"db"}'
        "$($set.Exit) $($set.Lines[1]) $($set.Errors.Count)" | Should -Be '0 ["_exist"] 0'
        $state = Assert-State DhcpReservation $set.Lines[0]
        "$($state.network) $($state.macAddress) $($state._exist) $($state.ipAddress) $($state.hostName)" | Should -Be 'lab 52:54:00:00:60:02 True 10.60.0.6 db'
        (Get-VNetworkDhcpReservation -Network lab).IPAddress | Should -Be '10.60.0.6'

        $test = Invoke-DscEntry test DhcpReservation '{"network":"lab","macAddress":"52:54:00:00:60:02","ipAddress":"10.60.0.7"}'
        (Assert-State DhcpReservation $test.Lines[0])._inDesiredState | Should -BeFalse
        $test.Lines[1] | Should -Be '["ipAddress"]'
    }

    It 'refuses <Case> with exit code <Exit> and one JSON error line on stderr, nothing on stdout' -ForEach @(
        @{ Case = 'a bad subnet (the module''s ErrorId)'; Operation = 'set'; Resource = 'Network'; Json = '{"name":"lab","subnet":"10.60.0.1/24"}'; Exit = 1; Message = 'VNetworkSubnetInvalid: *' }
        @{ Case = 'a missing network'; Operation = 'get'; Resource = 'DhcpReservation'; Json = '{"network":"nope","macAddress":"52:54:00:00:60:02"}'; Exit = 1; Message = 'VNetworkNotFound: *' }
        @{ Case = 'an unknown property'; Operation = 'test'; Resource = 'Network'; Json = '{"name":"lab","colour":"blue"}'; Exit = 2; Message = "'colour' is not a property of VirtualNetworking/Network*" }
        @{ Case = 'a value not allowed'; Operation = 'test'; Resource = 'Network'; Json = '{"name":"lab","mode":"Bridge"}'; Exit = 2; Message = "Property 'mode' cannot be ""Bridge""*" }
        @{ Case = 'input that is not JSON'; Operation = 'get'; Resource = 'Network'; Json = 'lab'; Exit = 2; Message = 'The input is not JSON*' }
        @{ Case = 'a JSON array'; Operation = 'get'; Resource = 'Network'; Json = '[{"name":"lab"}]'; Exit = 2; Message = 'The input must be one JSON object*' }
    ) {
        $before = Get-StoreFingerprint $root
        $result = Invoke-DscEntry $Operation $Resource $Json
        $result.Exit | Should -Be $Exit
        $result.Lines | Should -BeNullOrEmpty
        $result.Errors.Count | Should -Be 1
        ($result.Errors[0] | ConvertFrom-Json).error | Should -BeLike $Message
        Get-StoreFingerprint $root | Should -BeExactly $before
    }
}

Describe 'DSC on a live host' -Tag Namespace {
    BeforeAll {
        Assert-TestNamespace
        foreach ($tool in 'ip', 'nft') { if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "DSC tests need '$tool' (Debian: iproute2 nftables)." } }
        function Set-Sysctl([string] $Path, [string] $Value) { [IO.File]::WriteAllText($Path, $Value) }
        $script:SavedForward = (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim()
        function Get-IfIndex([string] $Link) { (ip -j link show dev $Link | ConvertFrom-Json).ifindex }
        function Get-Address([string] $Link) { @((ip -j addr show dev $Link | ConvertFrom-Json).addr_info | Where-Object family -EQ inet).local }
    }
    BeforeEach {
        $script:Root = New-TestRoot
        Set-Sysctl /proc/sys/net/ipv4/ip_forward 0
    }
    AfterEach {
        Get-VNetwork -ErrorAction Ignore | Where-Object State -EQ 'Active' | ForEach-Object { Stop-VNetwork -Name $_.Name -ErrorAction Ignore }
        foreach ($link in (ip -j link show | ConvertFrom-Json)) { if ($link.ifname -like 'vdsc*') { ip link del $link.ifname 2>$null } }
        foreach ($family in 'ip', 'ip6') { nft delete table $family virtualnetworking 2>$null }
        Remove-TestRoot $script:Root
    }
    AfterAll {
        if ($script:SavedForward) { Set-Sysctl /proc/sys/net/ipv4/ip_forward $script:SavedForward }
    }

    It 'converges a started network from absent; a reservation changes live; a new subnet needs AllowRestart; Ensure Absent removes it' {
        $lab = New-Resource VNetwork @{ Name = 'lab'; Mode = 'Nat'; Subnet = '10.220.0.0/24'; BridgeName = 'vdsclab0'; State = 'Active'; Autostart = $true }
        $lab.Test() | Should -BeFalse
        $lab.Set()
        $lab.Test() | Should -BeTrue
        $lab.Get().State | Should -Be 'Active'
        Get-Address vdsclab0 | Should -Be '10.220.0.1'
        (nft list ruleset) -join "`n" | Should -Match '10\.220\.0\.0/24'

        # A reservation, then a new address for it: applied to the running network, its bridge untouched.
        ip link add vdscg1 type veth peer name vdscg1p
        ip link set vdscg1 master vdsclab0
        $index = Get-IfIndex vdsclab0
        $db = New-Resource VNetworkDhcpReservation @{ Network = 'lab'; MacAddress = '52:54:00:00:22:05'; IPAddress = '10.220.0.5'; HostName = 'db' }
        $db.Set()
        $db.IPAddress = '10.220.0.6'
        $db.Test() | Should -BeFalse
        $db.Set()
        $db.Test() | Should -BeTrue
        (Get-VNetworkDhcpReservation -Network lab).IPAddress | Should -Be '10.220.0.6'
        (Get-VNetworkDnsRecord -Network lab -Name db | Where-Object Type -EQ A).Data | Should -Be '10.220.0.6'
        Get-IfIndex vdsclab0 | Should -Be $index
        (ip -j link show dev vdscg1 | ConvertFrom-Json).master | Should -Be 'vdsclab0'
        # Out of the way of the new subnet below (a reservation outside its subnet is refused).
        $db.Ensure = 'Absent'
        $db.Set()
        Get-VNetworkDhcpReservation -Network lab | Should -BeNullOrEmpty
        Get-IfIndex vdsclab0 | Should -Be $index

        # A new subnet restarts the running network: refused with the module's ErrorId, the network as it was.
        $lab.Subnet = '10.221.0.0/24'
        $lab.Test() | Should -BeFalse
        { $lab.Set() } | Should -Throw -ErrorId 'VNetworkRestartRequired,VirtualNetworking.PowerShell.Commands.InvokeVNetworkConfigurationCommand'
        Get-IfIndex vdsclab0 | Should -Be $index
        Get-Address vdsclab0 | Should -Be '10.220.0.1'
        $lab.Get().Subnet | Should -Be '10.220.0.0/24'
        $lab.AllowRestart = $true
        $lab.Set()
        $lab.Test() | Should -BeTrue
        Get-Address vdsclab0 | Should -Be '10.221.0.1'

        $gone = New-Resource VNetwork @{ Name = 'lab'; Ensure = 'Absent' }
        $gone.Set()
        $gone.Test() | Should -BeTrue
        Get-VNetwork | Should -BeNullOrEmpty
        ip link show dev vdsclab0 2>$null | Should -BeNullOrEmpty
    }

    It 'the DSC v3 entry point starts a network, refuses a new subnet without allowRestart (exit 1, its ErrorId on stderr) and makes it with it' {
        $set = Invoke-DscEntry set Network '{"name":"lab","subnet":"10.220.0.0/24","bridgeName":"vdsclab0","state":"Active"}'
        "$($set.Exit) $($set.Lines[1])" | Should -Be '0 ["_exist","state"]'
        (Assert-State Network $set.Lines[0]).state | Should -Be 'Active'
        $index = Get-IfIndex vdsclab0

        $refused = Invoke-DscEntry set Network '{"name":"lab","subnet":"10.221.0.0/24","state":"Active"}'
        $refused.Exit | Should -Be 1
        $refused.Lines | Should -BeNullOrEmpty
        ($refused.Errors | ConvertFrom-Json).error | Should -BeLike "VNetworkRestartRequired: Network 'lab' is running and must be restarted to change Subnet*"
        Get-IfIndex vdsclab0 | Should -Be $index

        $set = Invoke-DscEntry set Network '{"name":"lab","subnet":"10.221.0.0/24","state":"Active","allowRestart":true}'
        "$($set.Exit) $($set.Lines[1])" | Should -Be '0 ["subnet","dhcpRange"]'
        (Assert-State Network $set.Lines[0]).subnet | Should -Be '10.221.0.0/24'
        Get-Address vdsclab0 | Should -Be '10.221.0.1'
    }

    It 'the DSC v3 entry point passes the module''s warnings to stderr as warn lines, stdout keeping its JSON lines' {
        # A started NAT network's IPv6 is routed, not masqueraded (as in libvirt): VNetworkIpv6OpenInbound says so.
        $set = Invoke-DscEntry set Network '{"name":"six","subnet":"fd00:220::/64","bridgeName":"vdscsix0","state":"Active"}'
        "$($set.Exit) $($set.Lines.Count) $($set.Lines[1])" | Should -Be '0 2 ["_exist","state"]'
        (Assert-State Network $set.Lines[0]).state | Should -Be 'Active'
        $warnings = @($set.Errors | ConvertFrom-Json | Where-Object { $_.PSObject.Properties.Name -contains 'warn' })
        $warnings.Count | Should -Be $set.Errors.Count
        @($warnings.warn | Where-Object { $_ -like "VNetworkIpv6OpenInbound: Network 'six': IPv6 fd00:220::/64 is routed, not NATed*" }).Count | Should -Be 1
    }
}
