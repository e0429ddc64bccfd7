# Every example in the cmdlet help runs, in a sandbox VNET_ROOT, without an error.
BeforeDiscovery {
    $examples = foreach ($page in Get-ChildItem (Join-Path $PSScriptRoot '../../docs/cmdlets') -Filter '*.md') {
        $text = Get-Content -Raw $page.FullName
        $i = 0
        foreach ($m in [regex]::Matches($text, '(?ms)^### (Example[^\n]*)\n+```powershell\n(.*?)\n```')) {
            $i++
            @{ Page = $page.BaseName; Title = $m.Groups[1].Value.Trim(); Code = $m.Groups[2].Value }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'Help examples run' {
    It '<Page>: <Title>' -ForEach $examples {
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
