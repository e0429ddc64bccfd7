#Requires -Version 7.4
# The staged manifest is what a gallery and Test-ModuleManifest read: explicit exports that match the compiled
# cmdlets, the metadata a package needs, and release notes equal to CHANGELOG.md's section for the version.
# The runner sets $env:VNET_MODULE_PATH to the staged module folder (or its psd1).

BeforeAll {
    $script:ModuleFolder = if ($env:VNET_MODULE_PATH -like '*.psd1') { Split-Path -Parent $env:VNET_MODULE_PATH } else { $env:VNET_MODULE_PATH }
    $script:ManifestPath = Join-Path $ModuleFolder 'VirtualNetworking.psd1'
    $script:Manifest = Import-PowerShellDataFile $ManifestPath
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
}

Describe 'The module manifest' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop
        $info.Name | Should -Be 'VirtualNetworking'
        $info.Version | Should -Be ([version]$Manifest.ModuleVersion)
    }

    It 'declares <Key> explicitly, without wildcards' -ForEach @(
        @{ Key = 'CmdletsToExport' }, @{ Key = 'FunctionsToExport' }, @{ Key = 'AliasesToExport' }, @{ Key = 'VariablesToExport' }
    ) {
        $Manifest.ContainsKey($Key) | Should -BeTrue -Because 'a missing key exports everything'
        @($Manifest[$Key] | Where-Object { $_ -match '[*?]' }) | Should -BeNullOrEmpty
    }

    It 'exports exactly the cmdlets compiled into VirtualNetworking.PowerShell.dll' {
        # Read from the staged assembly, so a new cmdlet left out of CmdletsToExport fails here.
        $assembly = [Reflection.Assembly]::LoadFrom((Join-Path $ModuleFolder 'VirtualNetworking.PowerShell.dll'))
        $compiled = @($assembly.GetTypes() | Where-Object { $_.IsSubclassOf([Management.Automation.Cmdlet]) -and -not $_.IsAbstract } |
                ForEach-Object { $_.GetCustomAttributes([Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { "$($_.VerbName)-$($_.NounName)" })
        $compiled.Count | Should -BeGreaterThan 0
        Compare-Object ($compiled | Sort-Object) (@($Manifest.CmdletsToExport) | Sort-Object) | Should -BeNullOrEmpty `
            -Because '<= is a compiled cmdlet missing from CmdletsToExport, => a name in CmdletsToExport that no cmdlet has'
    }

    It 'makes Import-Module export those cmdlets and nothing else' {
        $module = Import-Module $ModuleFolder -Force -PassThru
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Count + $module.ExportedAliases.Count + $module.ExportedVariables.Count | Should -Be 0
    }

    It 'requires PowerShell 7.6 (the first on .NET 10, which the assemblies target), Core edition only' {
        $Manifest.PowerShellVersion | Should -Be '7.6'
        @($Manifest.CompatiblePSEditions) | Should -Be @('Core')
    }

    It 'has the package metadata a gallery shows: author, description, tags, project and license' {
        $data = $Manifest.PrivateData.PSData
        $Manifest.Author | Should -Not -BeNullOrEmpty
        $Manifest.Description | Should -Not -BeNullOrEmpty
        @($data.Tags) | Should -Contain 'Linux'
        @($data.Tags | Where-Object { $_ -match '\s' }) | Should -BeNullOrEmpty -Because 'a tag with a space is refused by galleries'
        [uri]::IsWellFormedUriString($data.ProjectUri, 'Absolute') | Should -BeTrue
        $data.LicenseUri | Should -Match 'MIT$'
        (Get-Content (Join-Path $ModuleFolder 'LICENSE') -TotalCount 1) | Should -Be 'MIT License' -Because 'the license ships with the module'
    }

    It 'has the release notes of CHANGELOG.md for its version (its own section, else [Unreleased])' {
        $changelog = Get-Content -Raw (Join-Path $RepoRoot 'CHANGELOG.md')
        $version = [regex]::Escape($Manifest.ModuleVersion)
        $section = [regex]::Match($changelog, "(?ms)^## \[$version\][^\n]*\n(.*?)(?=^## \[|\z)")
        if (-not $section.Success) { $section = [regex]::Match($changelog, '(?ms)^## \[Unreleased\][^\n]*\n(.*?)(?=^## \[|\z)') }
        $section.Success | Should -BeTrue -Because 'CHANGELOG.md needs a section for the version or [Unreleased]'
        $Manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
        $Manifest.PrivateData.PSData.ReleaseNotes.Trim() | Should -BeExactly $section.Groups[1].Value.Trim()
    }
}

Describe 'CHANGELOG.md' {
    It 'is in Keep a Changelog form: an [Unreleased] section first, then versions with dates, newest first' {
        $headings = @(Select-String -Path (Join-Path $RepoRoot 'CHANGELOG.md') -Pattern '^## ' | ForEach-Object { $_.Line })
        $headings[0] | Should -Be '## [Unreleased]'
        $versions = @($headings | Select-Object -Skip 1)
        foreach ($heading in $versions) { $heading | Should -Match '^## \[\d+\.\d+\.\d+\S*\] - \d{4}-\d{2}-\d{2}$' }
        $numbers = @($versions | ForEach-Object { [version]($_ -replace '^## \[(\d+\.\d+\.\d+).*$', '$1') })
        $numbers | Should -Be @($numbers | Sort-Object -Descending)
    }
}
