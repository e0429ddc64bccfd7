# Every example in the cmdlet help runs, in a sandbox VNET_ROOT, without an error.
# An example that changes the host's links and firewall (starting, stopping, New-VNetwork -Start or
# -Transient, Remove-VNetwork -Force, Initialize-VNetworkHost) starts with the line
#     # Requires root: changes the host's links and firewall
# The unit tier does not run those: VNET_ROOT moves only the module's files, not the links, and this
# tier may run as root on a real host. HelpExamples.Namespace.Tests.ps1 runs them in the namespace tier.
# An unmarked example that would change the host is refused here, without being run.
BeforeDiscovery {
    $RootMarker = "# Requires root: changes the host's links and firewall"
    $examples = foreach ($page in Get-ChildItem (Join-Path $PSScriptRoot '../../docs/cmdlets') -Filter '*.md') {
        $text = Get-Content -Raw $page.FullName
        foreach ($m in [regex]::Matches($text, '(?ms)^### (Example[^\n]*)\n+```powershell\n(.*?)\n```')) {
            $code = $m.Groups[2].Value
            if (($code -split "`n")[0].Trim() -eq $RootMarker) { continue }
            @{ Page = $page.BaseName; Title = $m.Groups[1].Value.Trim(); Code = $code }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # Lines that change the host's links and firewall unless they only preview (-WhatIf).
    $script:LiveLine = '\b(Start|Stop|Restart)-VNetwork\b|\bInitialize-VNetworkHost\b|\bNew-VNetwork\b.*\s-(Start|Transient)\b|\bRemove-VNetwork\b.*\s-Force\b'
}

Describe 'Help examples run' {
    It '<Page>: <Title>' -ForEach $examples {
        $live = @($Code -split "`n" | Where-Object { $_ -notmatch '^\s*#' -and $_ -match $LiveLine -and $_ -notmatch '\s-WhatIf\b' })
        $live | Should -BeNullOrEmpty -Because "these lines change the host's links or firewall: begin the example with the line `"# Requires root: changes the host's links and firewall`" so that only the namespace tier runs it"
        $root = New-TestRoot
        try {
            $code = ($Code -split "`n" | ForEach-Object { $_ -replace '^PS> ', '' }) -join "`n"
            $script = "Import-Module '$env:VNET_MODULE_PATH'; `$ErrorActionPreference = 'Stop'; $code"
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        }
        finally { Remove-TestRoot $root }
    }
}
