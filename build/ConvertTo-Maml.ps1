#Requires -Version 7.4
<#
.SYNOPSIS
    Builds MAML help (and about-topic text) from platyPS-schema markdown, without platyPS.
.DESCRIPTION
    Reads every <Cmdlet>.md in -DocsPath (platyPS 0.14 markdown, schema 2.0.0) and writes one MAML
    file with the structure platyPS's New-ExternalHelp produces: helpItems / command:command with
    command:details, maml:description, command:syntax, command:parameters, command:inputTypes,
    command:returnValues, maml:alertSet, command:examples and command:relatedLinks.

    It also renders each about_*.md found in -AboutPath (default: the parent folder of -DocsPath)
    as the plain-text about topic <name>.help.txt next to -OutputPath, in the layout platyPS gives
    about topics (TOPIC / SHORT DESCRIPTION / LONG DESCRIPTION ..., 4-space indent, 80 columns).

    The output is deterministic: files are read in ordinal name order, written as UTF-8 without a
    BOM with LF line ends, so the committed files can be compared with a fresh build.
    A file that breaks the schema stops the build with the file and line at fault.
.EXAMPLE
    dotnet pwsh build/ConvertTo-Maml.ps1 -DocsPath docs/cmdlets -OutputPath en-US/VirtualNetworking.PowerShell.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $DocsPath,

    [Parameter(Mandatory)]
    [string] $OutputPath,

    # Folder holding about_*.md; the about topics are written next to -OutputPath.
    [string] $AboutPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$NsMsHelp = 'http://msdn.microsoft.com/mshelp'
$NsMsh = 'http://msh'

#region markdown reading

# One markdown file as blocks: Heading (Level, Text), Paragraph (Lines), Code (Lang, Text), each with its line number.
function Read-MarkdownBlock {
    param([string] $Path)
    $lines = (Get-Content -LiteralPath $Path -Raw -Encoding utf8) -replace "`r`n", "`n" -split "`n"
    $blocks = [System.Collections.Generic.List[object]]::new()
    $front = [ordered]@{}
    $i = 0
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        $i = 1
        while ($i -lt $lines.Count -and $lines[$i] -ne '---') {
            if ($lines[$i] -match '^([^:]+):\s*(.*)$') { $front[$Matches[1].Trim()] = $Matches[2].Trim() }
            $i++
        }
        if ($i -ge $lines.Count) { throw "${Path}: the YAML front matter has no closing '---'." }
        $i++
    }
    $paragraph = $null
    while ($i -lt $lines.Count) {
        $line = $lines[$i]
        if ($line -match '^(\s*)(```+)\s*(\S*)\s*$') {
            $paragraph = $null
            $indent = $Matches[1].Length
            $fence = $Matches[2]
            $lang = $Matches[3]
            $start = $i + 1
            $code = [System.Collections.Generic.List[string]]::new()
            $i++
            while ($i -lt $lines.Count -and $lines[$i] -notmatch "^\s*$fence\s*$") {
                $text = $lines[$i]
                if ($indent -gt 0 -and $text.Length -ge $indent -and $text.Substring(0, $indent).Trim() -eq '') { $text = $text.Substring($indent) }
                $code.Add($text)
                $i++
            }
            if ($i -ge $lines.Count) { throw "${Path}:${start}: a code block is not closed." }
            $blocks.Add([pscustomobject]@{ Kind = 'Code'; Lang = $lang; Text = ($code -join "`n"); Line = $start })
        }
        elseif ($line -match '^(#{1,6})\s+(.*?)\s*#*\s*$') {
            $paragraph = $null
            $blocks.Add([pscustomobject]@{ Kind = 'Heading'; Level = $Matches[1].Length; Text = $Matches[2]; Line = $i + 1 })
        }
        elseif ($line.Trim() -eq '') {
            $paragraph = $null
        }
        else {
            if ($null -eq $paragraph) {
                $paragraph = [pscustomobject]@{ Kind = 'Paragraph'; Lines = [System.Collections.Generic.List[string]]::new(); Line = $i + 1 }
                $blocks.Add($paragraph)
            }
            $paragraph.Lines.Add($line)
        }
        $i++
    }
    [pscustomobject]@{ Front = $front; Blocks = $blocks }
}

# Markdown inline text to plain text: links lose their markup, code spans their backticks, escapes are undone.
function ConvertTo-PlainText {
    param([string] $Text)
    $Text = [regex]::Replace($Text, '(?<!\\)\[([^\]]+)\]\(([^)\s]+)\)', {
            param($m)
            if ($m.Groups[2].Value -match '^[a-z][a-z0-9+.-]*://') { "$($m.Groups[1].Value) ($($m.Groups[2].Value))" } else { $m.Groups[1].Value }
        })
    $Text = [regex]::Replace($Text, '(?<!\\)`([^`]+)`', '$1')
    $Text = [regex]::Replace($Text, '(?<!\\)\*\*([^*]+)\*\*', '$1')
    [regex]::Replace($Text, '\\([\\`*_{}\[\]()<>#+.!|-])', '$1')
}

# Paragraph lines to paragraphs of plain text: lines of one paragraph are joined with a space;
# every list item is a paragraph of its own (its continuation lines are joined to it).
function ConvertTo-Paragraph {
    param([object[]] $Blocks)
    $result = [System.Collections.Generic.List[string]]::new()
    foreach ($block in $Blocks) {
        if ($block.Kind -eq 'Code') {
            $result.Add($block.Text)
            continue
        }
        $current = $null
        foreach ($line in $block.Lines) {
            if ($line -match '^\s*([-*+]|\d+[.)])\s+') {
                if ($null -ne $current) { $result.Add((ConvertTo-PlainText $current)) }
                $current = $line.Trim()
            }
            elseif ($null -eq $current) { $current = $line.Trim() }
            else { $current = $current + ' ' + $line.Trim() }
        }
        if ($null -ne $current) { $result.Add((ConvertTo-PlainText $current)) }
    }
    $result.ToArray()
}

#endregion

#region cmdlet markdown to a help model

function Read-CommandHelp {
    param([string] $Path)
    $doc = Read-MarkdownBlock -Path $Path
    if ($doc.Front['schema'] -ne '2.0.0') { throw "${Path}: the front matter must say 'schema: 2.0.0' (platyPS markdown schema)." }
    $blocks = $doc.Blocks
    if ($blocks.Count -eq 0 -or $blocks[0].Kind -ne 'Heading' -or $blocks[0].Level -ne 1) {
        throw "${Path}: the first heading must be '# <Cmdlet name>'."
    }
    $help = [ordered]@{
        Name = $blocks[0].Text.Trim()
        Synopsis = @(); Description = @(); Syntax = [System.Collections.Generic.List[object]]::new()
        Examples = [System.Collections.Generic.List[object]]::new(); Parameters = [System.Collections.Generic.List[object]]::new()
        Inputs = [System.Collections.Generic.List[object]]::new(); Outputs = [System.Collections.Generic.List[object]]::new()
        Notes = @(); Links = [System.Collections.Generic.List[object]]::new(); OnlineVersion = $doc.Front['online version']
    }

    # Sections: '## NAME' with the blocks up to the next '## '.
    $sections = [ordered]@{}
    $current = $null
    for ($k = 1; $k -lt $blocks.Count; $k++) {
        $b = $blocks[$k]
        if ($b.Kind -eq 'Heading' -and $b.Level -le 2) {
            if ($b.Level -eq 1) { throw "${Path}:$($b.Line): only one '# ' heading (the cmdlet name) is allowed." }
            $current = $b.Text.Trim().ToUpperInvariant()
            if ($sections.Contains($current)) { throw "${Path}:$($b.Line): section '## $current' appears twice." }
            $sections[$current] = [System.Collections.Generic.List[object]]::new()
        }
        elseif ($null -eq $current) { throw "${Path}:$($b.Line): text before '## SYNOPSIS'." }
        else { $sections[$current].Add($b) }
    }
    foreach ($required in 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') {
        if (-not $sections.Contains($required)) { throw "${Path}: section '## $required' is missing." }
    }

    $help.Synopsis = @(ConvertTo-Paragraph @($sections['SYNOPSIS'] | Where-Object Kind -eq 'Paragraph'))
    $help.Description = @(ConvertTo-Paragraph @($sections['DESCRIPTION'] | Where-Object Kind -ne 'Heading'))
    $help.Notes = @(ConvertTo-Paragraph @($sections['NOTES'] | Where-Object Kind -ne 'Heading'))

    # SYNTAX: '### SetName [(Default)]' + code block per set; a single set may omit the heading.
    $setName = $null
    $isDefault = $false
    foreach ($b in $sections['SYNTAX']) {
        if ($b.Kind -eq 'Heading') {
            $setName = $b.Text.Trim()
            $isDefault = $setName -match '\s+\(Default\)$'
            $setName = $setName -replace '\s+\(Default\)$', ''
        }
        elseif ($b.Kind -eq 'Code') {
            $order = @([regex]::Matches($b.Text, '(?<=[\s\[])-([A-Za-z][A-Za-z0-9_]*)') | ForEach-Object { $_.Groups[1].Value })
            $help.Syntax.Add([pscustomobject]@{ Name = ($setName ?? '__AllParameterSets'); IsDefault = $isDefault; Text = $b.Text; Order = $order; Line = $b.Line })
            $setName = $null
        }
    }
    if ($help.Syntax.Count -eq 0) { throw "${Path}: '## SYNTAX' has no code block." }

    # EXAMPLES: '### Title', optional introduction, code blocks, remarks.
    $example = $null
    foreach ($b in $sections['EXAMPLES']) {
        if ($b.Kind -eq 'Heading') {
            $example = [pscustomobject]@{ Title = $b.Text.Trim(); Introduction = [System.Collections.Generic.List[object]]::new(); Code = [System.Collections.Generic.List[string]]::new(); Remarks = [System.Collections.Generic.List[object]]::new(); Line = $b.Line }
            $help.Examples.Add($example)
        }
        elseif ($null -eq $example) { throw "${Path}:$($b.Line): example text before its '### Example' heading." }
        elseif ($b.Kind -eq 'Code') { $example.Code.Add($b.Text) }
        elseif ($example.Code.Count -eq 0) { $example.Introduction.Add($b) }
        else { $example.Remarks.Add($b) }
    }

    # PARAMETERS: '### -Name', description paragraphs, one or more ```yaml blocks.
    $parameter = $null
    foreach ($b in $sections['PARAMETERS']) {
        if ($b.Kind -eq 'Heading') {
            $parameter = $null
            if ($b.Text.Trim() -eq 'CommonParameters') { $help.CommonParameters = $true; continue }
            if ($b.Text.Trim() -notmatch '^-(\S+)$') { throw "${Path}:$($b.Line): a parameter heading must be '### -Name', not '$($b.Text)'." }
            $parameter = [pscustomobject]@{ Name = $Matches[1]; DescriptionBlocks = [System.Collections.Generic.List[object]]::new(); Sets = [System.Collections.Generic.List[object]]::new(); Line = $b.Line }
            $help.Parameters.Add($parameter)
        }
        elseif ($null -eq $parameter) { continue }   # the CommonParameters text
        elseif ($b.Kind -eq 'Code' -and $b.Lang -eq 'yaml') { $parameter.Sets.Add((Read-ParameterYaml -Text $b.Text -Where "${Path}:$($b.Line)")) }
        else { $parameter.DescriptionBlocks.Add($b) }
    }
    foreach ($p in $help.Parameters) {
        if ($p.Sets.Count -eq 0) { throw "${Path}:$($p.Line): parameter -$($p.Name) has no yaml block." }
        $p | Add-Member Description @(ConvertTo-Paragraph @($p.DescriptionBlocks))
    }

    # INPUTS / OUTPUTS: '### TypeName' + description.
    foreach ($section in 'INPUTS', 'OUTPUTS') {
        $item = $null
        foreach ($b in $sections[$section]) {
            if ($b.Kind -eq 'Heading') {
                $item = [pscustomobject]@{ TypeName = $b.Text.Trim(); Blocks = [System.Collections.Generic.List[object]]::new() }
                $help[$section.Substring(0, 1) + $section.Substring(1).ToLowerInvariant()].Add($item)
            }
            elseif ($null -ne $item) { $item.Blocks.Add($b) }
        }
    }

    # RELATED LINKS: [text](uri) per line; plain lines are text links.
    foreach ($b in $sections['RELATED LINKS'] | Where-Object Kind -eq 'Paragraph') {
        foreach ($line in $b.Lines) {
            if ($line -match '^\s*\[([^\]]+)\]\(([^)]*)\)\s*$') {
                $help.Links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] })
            }
            elseif ($line.Trim()) { $help.Links.Add([pscustomobject]@{ Text = (ConvertTo-PlainText $line.Trim()); Uri = '' }) }
        }
    }
    [pscustomobject]$help
}

function Read-ParameterYaml {
    param([string] $Text, [string] $Where)
    $values = @{}
    foreach ($line in $Text -split "`n") {
        if ($line.Trim() -eq '') { continue }
        if ($line -notmatch '^([A-Za-z ]+):\s*(.*)$') { throw "${Where}: cannot read yaml line '$line'." }
        $values[$Matches[1].Trim()] = $Matches[2].Trim()
    }
    foreach ($key in 'Type', 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters') {
        if (-not $values.ContainsKey($key)) { throw "${Where}: the yaml block has no '${key}:'." }
    }
    $split = { param($s) @($s -split ',' | ForEach-Object Trim | Where-Object { $_ }) }
    [pscustomobject]@{
        Type = $values['Type']
        ParameterSets = @(& $split $values['Parameter Sets'])
        Aliases = @(& $split $values['Aliases'])
        AcceptedValues = @(if ($values.ContainsKey('Accepted values')) { & $split $values['Accepted values'] })
        Required = $values['Required'] -eq 'True'
        Position = $values['Position']
        DefaultValue = $values['Default value']
        PipelineInput = $values['Accept pipeline input']
        Globbing = $values['Accept wildcard characters'] -eq 'True'
    }
}

#endregion

#region MAML writing

function Write-Paragraphs {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    foreach ($para in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $NsMaml, $para) }
}

function Get-ExampleTitle {
    # platyPS pads titles with dashes to 64 characters.
    param([string] $Title)
    if ([string]::IsNullOrWhiteSpace($Title) -or $Title.Length -ge 62) { return $Title }
    $pad = [int][math]::Floor((64 - $Title.Length - 2) / 2)
    ('-' * $pad) + " $Title " + ('-' * $pad)
}

function Write-Parameter {
    param([System.Xml.XmlWriter] $Writer, [object] $Parameter, [object] $Set, [bool] $InSyntax)
    $isSwitch = $Set.Type -in 'SwitchParameter', 'switch', 'System.Management.Automation.SwitchParameter'
    $type = if ($isSwitch) { 'SwitchParameter' } else { $Set.Type }
    $Writer.WriteStartElement('command', 'parameter', $NsCommand)
    $Writer.WriteAttributeString('required', $Set.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Set.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Set.PipelineInput)
    $Writer.WriteAttributeString('position', $Set.Position.ToLowerInvariant())
    $Writer.WriteAttributeString('aliases', $(if ($Set.Aliases.Count) { $Set.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $NsMaml, $Parameter.Name)
    $Writer.WriteStartElement('maml', 'description', $NsMaml)
    Write-Paragraphs $Writer $Parameter.Description
    $Writer.WriteEndElement()
    if ($InSyntax -and $Set.AcceptedValues.Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $NsCommand)
        foreach ($value in $Set.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $NsCommand, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not ($InSyntax -and $isSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($type)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $NsDev)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $type)
    $Writer.WriteElementString('maml', 'uri', $NsMaml, '')
    $Writer.WriteEndElement()
    $default = if ($isSwitch -and ([string]::IsNullOrEmpty($Set.DefaultValue) -or $Set.DefaultValue -eq 'None')) { 'False' } else { $Set.DefaultValue }
    $Writer.WriteElementString('dev', 'defaultValue', $NsDev, $default)
    $Writer.WriteEndElement()
}

function Write-Command {
    param([System.Xml.XmlWriter] $Writer, [object] $Help)
    $verb, $noun = $Help.Name -split '-', 2
    $Writer.WriteStartElement('command', 'command', $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $NsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $NsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $NsMsHelp)

    $Writer.WriteStartElement('command', 'details', $NsCommand)
    $Writer.WriteElementString('command', 'name', $NsCommand, $Help.Name)
    $Writer.WriteElementString('command', 'verb', $NsCommand, $verb)
    $Writer.WriteElementString('command', 'noun', $NsCommand, $noun)
    $Writer.WriteStartElement('maml', 'description', $NsMaml)
    Write-Paragraphs $Writer $Help.Synopsis
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('maml', 'description', $NsMaml)
    Write-Paragraphs $Writer $Help.Description
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'syntax', $NsCommand)
    $singleSet = $Help.Syntax.Count -eq 1
    foreach ($syntax in $Help.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $NsCommand)
        $Writer.WriteElementString('maml', 'name', $NsMaml, $Help.Name)
        $members = foreach ($p in $Help.Parameters) {
            $set = $p.Sets | Where-Object { $singleSet -or '(All)' -in $_.ParameterSets -or $syntax.Name -in $_.ParameterSets } | Select-Object -First 1
            if ($set) {
                $rank = [array]::IndexOf($syntax.Order, $p.Name)
                [pscustomobject]@{ Parameter = $p; Set = $set; Rank = $(if ($rank -lt 0) { [int]::MaxValue } else { $rank }) }
            }
        }
        # Stable order: as the syntax line lists them, then the rest in document order.
        $index = 0
        $members = @($members | ForEach-Object { $_ | Add-Member Index ($index++) -PassThru } | Sort-Object Rank, Index)
        foreach ($m in $members) { Write-Parameter $Writer $m.Parameter $m.Set $true }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $NsCommand)
    foreach ($p in $Help.Parameters) { Write-Parameter $Writer $p $p.Sets[0] $false }
    $Writer.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Help.Inputs), @('returnValues', 'returnValue', $Help.Outputs))) {
        $Writer.WriteStartElement('command', $kind[0], $NsCommand)
        foreach ($item in $kind[2]) {
            $Writer.WriteStartElement('command', $kind[1], $NsCommand)
            $Writer.WriteStartElement('dev', 'type', $NsDev)
            $Writer.WriteElementString('maml', 'name', $NsMaml, $item.TypeName)
            $Writer.WriteEndElement()
            $Writer.WriteStartElement('maml', 'description', $NsMaml)
            Write-Paragraphs $Writer (ConvertTo-Paragraph @($item.Blocks))
            $Writer.WriteEndElement()
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $NsMaml)
    $Writer.WriteStartElement('maml', 'alert', $NsMaml)
    Write-Paragraphs $Writer $Help.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $NsCommand)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $NsCommand)
        $Writer.WriteElementString('maml', 'title', $NsMaml, (Get-ExampleTitle $example.Title))
        $Writer.WriteElementString('dev', 'code', $NsDev, ($example.Code -join "`n`n"))
        $Writer.WriteStartElement('dev', 'remarks', $NsDev)
        Write-Paragraphs $Writer (ConvertTo-Paragraph (@($example.Introduction) + @($example.Remarks)))
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $NsCommand)
    $links = @($Help.Links)
    if ($Help.OnlineVersion) { $links = @([pscustomobject]@{ Text = 'Online Version:'; Uri = $Help.OnlineVersion }) + $links }
    foreach ($link in $links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $NsMaml)
        $Writer.WriteElementString('maml', 'linkText', $NsMaml, $link.Text)
        # Like platyPS: only absolute URIs are kept (relative links between markdown files are not URIs to Get-Help).
        $uri = $null
        $absolute = [Uri]::TryCreate($link.Uri, [UriKind]::Absolute, [ref]$uri) -and $link.Uri -match '^[a-z][a-z0-9+.-]*://'
        $Writer.WriteElementString('maml', 'uri', $NsMaml, $(if ($absolute) { $link.Uri } else { '' }))
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

#endregion

#region about topics

function ConvertTo-WrappedLine {
    param([string] $Text, [string] $Indent, [string] $HangingIndent, [int] $Width = 80)
    $lines = [System.Collections.Generic.List[string]]::new()
    $current = $Indent
    $empty = $true
    foreach ($word in $Text -split ' ' | Where-Object { $_ -ne '' }) {
        if (-not $empty -and ($current.Length + 1 + $word.Length) -gt $Width) {
            $lines.Add($current)
            $current = $HangingIndent + $word
        }
        elseif ($empty) { $current += $word }
        else { $current += ' ' + $word }
        $empty = $false
    }
    if (-not $empty) { $lines.Add($current) }
    $lines
}

function ConvertTo-AboutText {
    param([string] $Path)
    $doc = Read-MarkdownBlock -Path $Path
    $blocks = $doc.Blocks
    if ($blocks.Count -lt 2 -or $blocks[0].Kind -ne 'Heading' -or $blocks[1].Kind -ne 'Heading' -or $blocks[1].Level -ne 2) {
        throw "${Path}: an about topic starts with '# <Topic title>' and '## about_<Name>' (platyPS about schema)."
    }
    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC')
    $out.Add('    ' + $blocks[1].Text.Trim().ToLowerInvariant())
    $out.Add('')
    for ($k = 2; $k -lt $blocks.Count; $k++) {
        $b = $blocks[$k]
        switch ($b.Kind) {
            'Heading' {
                if ($b.Level -eq 1) { $out.Add($b.Text.Trim().ToUpperInvariant()) }
                elseif ($b.Level -eq 2) { $out.Add($b.Text.Trim()) }
                else { $out.Add('    ' + $b.Text.Trim().ToUpperInvariant()) }
            }
            'Paragraph' {
                foreach ($para in ConvertTo-Paragraph @($b)) {
                    $bullet = [regex]::Match($para, '^([-*+]|\d+[.)])\s+')
                    $hanging = '    ' + (' ' * $bullet.Length)
                    foreach ($line in ConvertTo-WrappedLine -Text $para -Indent '    ' -HangingIndent $hanging) { $out.Add($line) }
                }
                $out.Add('')
            }
            'Code' {
                foreach ($line in $b.Text -split "`n") { $out.Add(('    ' + $line).TrimEnd()) }
                $out.Add('')
            }
        }
    }
    while ($out.Count -gt 0 -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }
    ($out -join "`n") + "`n"
}

#endregion

$utf8 = [System.Text.UTF8Encoding]::new($false)
$DocsPath = (Resolve-Path -LiteralPath $DocsPath).ProviderPath
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$outputFolder = Split-Path -Parent $OutputPath
New-Item -ItemType Directory -Path $outputFolder -Force | Out-Null

# Ordinal name order, whatever the culture: the output must not depend on the machine.
$files = [object[]]@(Get-ChildItem -LiteralPath $DocsPath -Filter '*.md' -File | Where-Object Name -notlike 'about_*')
[array]::Sort([string[]]@($files | ForEach-Object Name), $files, [StringComparer]::Ordinal)
if ($files.Count -eq 0) { throw "No cmdlet markdown (*.md) in '$DocsPath'." }

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.NewLineChars = "`n"
$settings.NewLineHandling = [System.Xml.NewLineHandling]::Replace
$settings.Encoding = $utf8
$stream = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($stream, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', $NsMsh)
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($file in $files) {
        $help = Read-CommandHelp -Path $file.FullName
        if ($help.Name -ne $file.BaseName) { throw "$($file.FullName): the heading '# $($help.Name)' does not match the file name." }
        Write-Command -Writer $writer -Help $help
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
$xml = $utf8.GetString($stream.ToArray()) + "`n"
[System.IO.File]::WriteAllText($OutputPath, $xml, $utf8)
Write-Verbose "Wrote $($files.Count) commands to $OutputPath"

if (-not $AboutPath) { $AboutPath = Split-Path -Parent $DocsPath }
$abouts = [object[]]@(Get-ChildItem -LiteralPath $AboutPath -Filter 'about_*.md' -File)
[array]::Sort([string[]]@($abouts | ForEach-Object Name), $abouts, [StringComparer]::Ordinal)
foreach ($about in $abouts) {
    $target = Join-Path $outputFolder ($about.BaseName + '.help.txt')
    [System.IO.File]::WriteAllText($target, (ConvertTo-AboutText -Path $about.FullName), $utf8)
    Write-Verbose "Wrote $target"
}
