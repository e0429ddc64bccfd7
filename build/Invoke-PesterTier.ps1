<#
.SYNOPSIS
    Runs one tier of the Pester suite in a fresh process and writes its counts as JSON.
.DESCRIPTION
    Unit: every test not tagged Namespace (no root needed). Namespace: the tests tagged Namespace,
    which build.ps1 runs inside a throwaway network namespace (build/netns-run.sh).
#>
param(
    [Parameter(Mandatory)] [ValidateSet('Unit', 'Namespace')] [string] $Tier,
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
$env:VNET_MODULE_PATH = (Resolve-Path $ModulePath).Path
$env:VNET_REPO_ROOT = Split-Path -Parent $PSScriptRoot

$config = New-PesterConfiguration
$config.Run.Path = Join-Path $env:VNET_REPO_ROOT 'tests/Pester'
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($Tier -eq 'Namespace') { $config.Filter.Tag = 'Namespace' } else { $config.Filter.ExcludeTag = 'Namespace' }

$result = Invoke-Pester -Configuration $config
$summary = [ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount  # NotRun = filtered out by tier, not skipped
}
$summary | ConvertTo-Json | Set-Content -Path $SummaryPath
if ($summary.Failed -gt 0) { exit 1 }
