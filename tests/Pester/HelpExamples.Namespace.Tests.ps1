# The help examples that change the host's links and firewall: those whose code block begins with
#     # Requires root: changes the host's links and firewall
# (HelpExamples.Tests.ps1 runs all the others). They run as root inside the throwaway network namespace
# of build/netns-run.sh, each in a fresh pwsh with a sandbox VNET_ROOT, one after another in the same
# namespace. Each example must clean up after itself: afterwards, the namespace has the links and the
# nftables rules it had before, and no network is left active.
BeforeDiscovery {
    $RootMarker = "# Requires root: changes the host's links and firewall"
    $examples = foreach ($page in Get-ChildItem (Join-Path $PSScriptRoot '../../docs/cmdlets') -Filter '*.md') {
        $text = Get-Content -Raw $page.FullName
        foreach ($m in [regex]::Matches($text, '(?ms)^### (Example[^\n]*)\n+```powershell\n(.*?)\n```')) {
            $code = $m.Groups[2].Value
            if (($code -split "`n")[0].Trim() -ne $RootMarker) { continue }
            @{ Page = $page.BaseName; Title = $m.Groups[1].Value.Trim(); Code = $code }
        }
    }
}

Describe 'Help examples that need root run in a network namespace' -Tag Namespace {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        Assert-TestNamespace
        # What an example may not leave behind: links (with their addresses) and firewall rules.
        function script:Get-NamespaceState {
            $links = & ip -o address show | ForEach-Object { ($_ -replace '\s+valid_lft.*$', '').Trim() }
            $rules = & nft list ruleset
            (@($links) + '---' + @($rules)) -join "`n"
        }
    }

    It 'finds examples to run' -ForEach @(@{ Count = @($examples).Count }) {
        $Count | Should -BeGreaterThan 0
    }

    It '<Page>: <Title>' -ForEach $examples {
        $before = Get-NamespaceState
        $root = New-TestRoot
        try {
            $script = "Import-Module '$env:VNET_MODULE_PATH'; `$ErrorActionPreference = 'Stop'; $Code"
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
            $live = @(Get-ChildItem -Path (Join-Path $root 'run/virtualnetworking/networks') -ErrorAction Ignore | ForEach-Object Name)
            $live | Should -BeNullOrEmpty -Because 'an example must stop every network it starts'
            Get-NamespaceState | Should -BeExactly $before -Because 'an example must leave the links, addresses and firewall as it found them'
        }
        finally { Remove-TestRoot $root }
    }
}
