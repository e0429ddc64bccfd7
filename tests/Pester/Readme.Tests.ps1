# Namespace tier: the README's PowerShell tour runs as written, every pipeline in it included, as root inside
# the tier's throwaway namespace with a sandbox VNET_ROOT. The tour reads ./default.xml and ./networks/*.xml,
# and defines a bridged network over an uplink "eth0": the test provides them in a scratch folder (eth0 is a
# veth of this namespace). Only two things are rewritten: the module path, and the namespace name
# "web1", which becomes a unique one (namespace names are shared with the whole machine).

BeforeDiscovery {
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
    $index = 0
    $blocks = [regex]::Matches($readme, '(?ms)^```powershell\n(.*?)\n```') | ForEach-Object { @{ Index = ++$index; Code = $_.Groups[1].Value } }
}

Describe 'The README' -Tag Namespace {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        Assert-TestNamespace
        function script:Get-NamespaceState {
            $links = ip -o address show | ForEach-Object { ($_ -replace '\s+valid_lft.*$', '').Trim() }
            (@($links) + '---' + @(nft list ruleset)) -join "`n"
        }
    }

    It 'has a PowerShell tour' -ForEach @(@{ Count = @($blocks).Count }) {
        $Count | Should -BeGreaterThan 0
    }

    It 'PowerShell block <Index> runs as written without an error and leaves the host as it was' -ForEach $blocks {
        $block = $Code
        $work = Join-Path ([IO.Path]::GetTempPath()) "vrt-$PID"
        $guestNs = "vrt-$PID-web1"
        New-Item -ItemType Directory -Path (Join-Path $work 'networks') -Force | Out-Null
        Copy-Item (Get-FixturePath 'default.xml') (Join-Path $work 'default.xml')
        foreach ($n in 1, 2) {
            Set-Content -Path (Join-Path $work "networks/tour$n.xml") -Value "<network><name>tour$n</name><forward mode='nat'/><ip address='10.216.$n.1' netmask='255.255.255.0'/></network>"
        }
        ip link add eth0 type veth peer name vrt-uplink-peer
        ip addr add 198.51.100.2/24 dev eth0  # no broadcast address: Stop must put it back exactly so
        ip link set eth0 up
        ip netns add $guestNs
        $before = Get-NamespaceState
        $root = New-TestRoot
        try {
            $code = $block -replace '(?m)^Import-Module \./out/VirtualNetworking\s*$', "Import-Module '$env:VNET_MODULE_PATH'" -replace '\bweb1\b', $guestNs
            $script = "`$ErrorActionPreference = 'Stop'; Set-Location '$work'; $code"
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
            ($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        }
        finally {
            & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$env:VNET_MODULE_PATH'; Get-VNetwork | Where-Object State -eq Active | Stop-VNetwork" 2>&1 | Out-Null
            Remove-TestRoot $root
            ip netns delete $guestNs 2>$null
            Get-NamespaceState | Should -BeExactly $before -Because 'stopping the tour''s networks leaves the links, addresses and firewall as they were'
            ip link delete eth0 2>$null
            Remove-Item -Recurse -Force $work -ErrorAction Ignore
        }
    }
}
