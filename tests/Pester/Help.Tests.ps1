#Requires -Version 7.4
# Help is part of the public surface: every exported cmdlet has real help (synopsis, description,
# every parameter, examples), the help matches Get-Command, and the committed MAML and about topic
# are what build/ConvertTo-Maml.ps1 makes of docs/.
# The runner sets $env:VNET_MODULE_PATH to the staged module folder (or its psd1).

BeforeDiscovery {
    Import-Module $env:VNET_MODULE_PATH -Force
    $script:Commands = @(Get-Command -Module VirtualNetworking -CommandType Cmdlet | Sort-Object Name |
            ForEach-Object { @{ CommandName = $_.Name } })
}

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters
    # What Get-Help makes up when a command has no help: the syntax as synopsis, an empty description.
    function script:Test-Placeholder([string] $Text, [string] $CommandName) {
        [string]::IsNullOrWhiteSpace($Text) -or
        $Text.Trim().StartsWith($CommandName + ' ') -or
        $Text.Trim() -eq $CommandName -or
        $Text -match '\{\{.*\}\}'   # platyPS's template placeholders
    }
}

Describe 'Help of <CommandName>' -ForEach $Commands {
    BeforeAll {
        $command = Get-Command -Name $CommandName -Module VirtualNetworking
        $help = Get-Help -Name $CommandName -Full
        $documented = @($help.parameters.parameter | Where-Object { $_ } | ForEach-Object { [string]$_.name })
        $actual = @($command.Parameters.Keys | Where-Object { $_ -notin $CommonParameters })
    }

    It 'comes from the module''s MAML, not generated from the command' {
        $help.GetType().Name | Should -Not -Be 'String'
        $help.ModuleName | Should -Be 'VirtualNetworking'
        $help.details.name | Should -Be $CommandName
    }

    It 'has a synopsis that is not a placeholder' {
        Test-Placeholder -Text $help.Synopsis -CommandName $CommandName | Should -BeFalse -Because "the synopsis is '$($help.Synopsis)'"
    }

    It 'has a description that is not a placeholder' {
        $text = ($help.description | ForEach-Object Text) -join "`n"
        Test-Placeholder -Text $text -CommandName $CommandName | Should -BeFalse
        $text.Length | Should -BeGreaterThan 80
    }

    It 'has at least two examples with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty -Because $example.title
            (($example.remarks | ForEach-Object Text) -join '') | Should -Not -BeNullOrEmpty -Because $example.title
        }
    }

    It 'names its input and output types, the outputs as the cmdlet declares them' {
        @($help.inputTypes.inputType | ForEach-Object { $_.type.name } | Where-Object { $_ }) | Should -Not -BeNullOrEmpty
        $outputs = (@($help.returnValues.returnValue | ForEach-Object { $_.type.name }) -join "`n")
        $outputs | Should -Not -BeNullOrEmpty
        foreach ($type in $command.OutputType.Name) { $outputs | Should -Match ([regex]::Escape($type)) -Because 'every [OutputType] is documented' }
    }

    It 'has related links' {
        @($help.relatedLinks.navigationLink | Where-Object { $_.linkText -or $_.uri }).Count | Should -BeGreaterOrEqual 1
    }

    It 'documents every parameter of Get-Command' {
        $missing = @($actual | Where-Object { $_ -notin $documented })
        $missing | Should -BeNullOrEmpty -Because 'every parameter needs a ### -Name entry in docs/cmdlets'
    }

    It 'documents no parameter that does not exist' {
        $extra = @($documented | Where-Object { $_ -notin $actual })
        $extra | Should -BeNullOrEmpty
    }

    It 'has a description for every parameter' {
        foreach ($parameter in @($help.parameters.parameter | Where-Object { $_ })) {
            $text = ($parameter.description | ForEach-Object Text) -join ''
            $text | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
        }
    }

    It 'documents each parameter''s metadata as Get-Command has it' {
        foreach ($parameter in @($help.parameters.parameter | Where-Object { $_ -and $_.name -in $actual })) {
            $meta = $command.Parameters[$parameter.name]
            $sets = @($meta.ParameterSets.Values)
            $because = "-$($parameter.name) in docs/cmdlets/$CommandName.md"
            [bool]::Parse($parameter.required) | Should -Be ([bool]($sets | Where-Object IsMandatory)) -Because $because
            $position = @($sets | Where-Object { $_.Position -ge 0 } | ForEach-Object { [string]$_.Position })
            $parameter.position | Should -Be $(if ($position) { $position[0] } else { 'named' }) -Because $because
            $byValue = [bool]($sets | Where-Object ValueFromPipeline)
            $byName = [bool]($sets | Where-Object ValueFromPipelineByPropertyName)
            $parameter.pipelineInput -match 'ByValue' | Should -Be $byValue -Because $because
            $parameter.pipelineInput -match 'ByPropertyName' | Should -Be $byName -Because $because
            $wildcards = [bool]($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            [bool]::Parse($parameter.globbing) | Should -Be $wildcards -Because $because
            $aliases = @($parameter.aliases -split ',\s*' | Where-Object { $_ -and $_ -ne 'none' })
            ($aliases | Sort-Object) -join ',' | Should -Be (($meta.Aliases | Sort-Object) -join ',') -Because $because
        }
    }

    It 'has one syntax block per parameter set' {
        @($help.syntax.syntaxItem).Count | Should -Be @($command.ParameterSets).Count
    }
}

Describe 'Committed help' {
    It 'en-US matches what build/ConvertTo-Maml.ps1 makes of docs/' {
        $temp = Join-Path ([System.IO.Path]::GetTempPath()) ("vnet-help-" + [guid]::NewGuid().ToString('n'))
        try {
            $maml = Join-Path $temp 'VirtualNetworking.PowerShell.dll-Help.xml'
            & (Join-Path $RepoRoot 'build/ConvertTo-Maml.ps1') -DocsPath (Join-Path $RepoRoot 'docs/cmdlets') -OutputPath $maml
            $generated = @(Get-ChildItem -LiteralPath $temp -File | ForEach-Object Name | Sort-Object)
            $committed = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'en-US') -File | ForEach-Object Name | Sort-Object)
            $committed | Should -Be $generated -Because 'en-US/ holds exactly the generated files'
            foreach ($name in $generated) {
                $expected = [System.IO.File]::ReadAllText((Join-Path $temp $name))
                $actual = [System.IO.File]::ReadAllText((Join-Path $RepoRoot "en-US/$name"))
                $actual | Should -BeExactly $expected -Because "en-US/$name is out of date: run ./build.ps1 Docs and commit it"
            }
        }
        finally {
            Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'the MAML is well-formed XML with one command per exported cmdlet' {
        $xml = [xml][System.IO.File]::ReadAllText((Join-Path $RepoRoot 'en-US/VirtualNetworking.PowerShell.dll-Help.xml'))
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $names = @($xml.SelectNodes('//command:command/command:details/command:name', $ns) | ForEach-Object InnerText | Sort-Object)
        $names | Should -Be @(Get-Command -Module VirtualNetworking -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
    }

    It 'every exported cmdlet has its page in docs/cmdlets, and every page a cmdlet' {
        $pages = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'docs/cmdlets') -Filter '*.md' | ForEach-Object BaseName | Sort-Object)
        $pages | Should -Be @(Get-Command -Module VirtualNetworking -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
    }

    It 'about_VirtualNetworking is available to Get-Help' {
        $about = Get-Help -Name about_VirtualNetworking | Out-String
        $about | Should -Match 'SHORT DESCRIPTION'
        $about | Should -Match 'VNET_ROOT'
    }
}
