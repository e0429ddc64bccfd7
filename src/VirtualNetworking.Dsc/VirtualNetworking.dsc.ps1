#Requires -Version 7.4
<#
.SYNOPSIS
    DSC v3's entry point for the VirtualNetworking/Network and VirtualNetworking/DhcpReservation command resources.
.DESCRIPTION
    DSC runs it as the *.dsc.resource.json manifests beside it say, with an instance's JSON on stdin:
        pwsh -NoProfile -NonInteractive -File ./VirtualNetworking.dsc.ps1 get|test|set Network|DhcpReservation
    It imports the module from its own folder and calls the module's DSC classes (VNetwork, VNetworkDhcpReservation),
    which converge by Core's plan, the same as Invoke-DscResource and Invoke-VNetworkConfiguration. Output, JSON lines
    on stdout: get: the state; test: the state with _inDesiredState, then the properties that differ; set: the state
    after, then the properties it changed. Warnings and errors go to stderr as DSC's trace lines ({"warn": ...},
    {"error": "ErrorId: message"}). Exit code: 0 done, 1 the module refused or failed, 2 the input is not an instance.
#>
param(
    [Parameter(Mandatory)]
    [ValidateSet('get', 'test', 'set')]
    [string] $Operation,

    [Parameter(Mandatory)]
    [ValidateSet('Network', 'DhcpReservation')]
    [string] $Resource
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Each resource's class, and its JSON properties (DSC's camelCase, _exist for Ensure) with the class's names.
$class, $properties = switch ($Resource) {
    'Network' {
        'VNetwork', [ordered]@{
            name = 'Name'; _exist = 'Ensure'; state = 'State'; mode = 'Mode'; subnet = 'Subnet'; dhcpRange = 'DhcpRange'; noDhcp = 'NoDhcp'
            bridgeName = 'BridgeName'; forwardDevice = 'ForwardDevice'; stp = 'Stp'; mtu = 'Mtu'; domain = 'Domain'; macAddress = 'MacAddress'
            autostart = 'Autostart'; allowRestart = 'AllowRestart'
        }
    }
    'DhcpReservation' {
        'VNetworkDhcpReservation', [ordered]@{ network = 'Network'; macAddress = 'MacAddress'; _exist = 'Ensure'; ipAddress = 'IPAddress'; hostName = 'HostName' }
    }
}
# Input only: how Set may go about it, not a property of the state.
$writeOnly = @('allowRestart')

function Write-Trace([string] $Level, [string] $Message) {
    [Console]::Error.WriteLine((@{ $Level = $Message } | ConvertTo-Json -Compress))
}

function Exit-WithError([int] $Code, [string] $Message) {
    Write-Trace error $Message
    exit $Code
}

# The instance as DSC's JSON: the class's values under their JSON names; none where a property has no value.
function ConvertTo-State($Instance) {
    $state = [ordered]@{}
    foreach ($json in $properties.Keys) {
        $value = $Instance.($properties[$json])
        if ($json -eq '_exist') { $state[$json] = $value -eq 'Present' }
        elseif ($json -notin $writeOnly -and $null -ne $value) { $state[$json] = $value }
    }
    $state
}

function ConvertTo-JsonName([string[]] $Names) {
    , @(foreach ($name in $Names) { $properties.Keys | Where-Object { $properties[$_] -eq $name } })
}

# The module's warnings (VNetworkFeatureNotEnforced, ...) become DSC's warn lines; stdout carries JSON only.
function Invoke-Method([scriptblock] $Call) {
    & $Call 3>&1 | ForEach-Object {
        if ($_ -is [System.Management.Automation.WarningRecord]) { Write-Trace warn $_.Message } else { $_ }
    }
}

$text = [Console]::In.ReadToEnd()
try { $desired = ConvertFrom-Json -InputObject $text -AsHashtable -NoEnumerate }
catch { Exit-WithError 2 "The input is not JSON: $($_.Exception.Message)" }
if ($desired -isnot [System.Collections.IDictionary]) { Exit-WithError 2 "The input must be one JSON object (an instance of VirtualNetworking/$Resource)." }

try {
    $module = Import-Module (Join-Path $PSScriptRoot 'VirtualNetworking.psd1') -PassThru -WarningAction SilentlyContinue
    $instance = & $module { param($Name) ($Name -as [type])::new() } $class
}
catch { Exit-WithError 1 "VirtualNetworking could not be loaded from ${PSScriptRoot}: $($_.Exception.Message)" }

foreach ($key in $desired.Keys) {
    # DSC's other canonical properties (_inDesiredState, _name, ...) say nothing about the instance.
    if ($key -ne '_exist' -and $key.StartsWith('_')) { continue }
    if (-not $properties.Contains($key)) {
        Exit-WithError 2 "'$key' is not a property of VirtualNetworking/$Resource. Use one of: $($properties.Keys -join ', ')."
    }
    try { $instance.($properties[$key]) = if ($key -eq '_exist') { if ($desired[$key]) { 'Present' } else { 'Absent' } } else { $desired[$key] } }
    catch { Exit-WithError 2 "Property '$key' cannot be $($desired[$key] | ConvertTo-Json -Compress): $($_.Exception.InnerException.Message ?? $_.Exception.Message)" }
}

try {
    switch ($Operation) {
        'get' {
            ConvertTo-State (Invoke-Method { $instance.Get() }) | ConvertTo-Json -Compress -Depth 3
        }
        'test' {
            $differences = Invoke-Method { $instance.Differences() }
            $state = ConvertTo-State (Invoke-Method { $instance.Get() })
            $state._inDesiredState = @($differences).Count -eq 0
            $state | ConvertTo-Json -Compress -Depth 3
            ConvertTo-Json -Compress -InputObject (ConvertTo-JsonName $differences)
        }
        'set' {
            $differences = Invoke-Method { $instance.Differences() }
            if (@($differences).Count -gt 0) { Invoke-Method { $instance.Set() } }
            ConvertTo-State (Invoke-Method { $instance.Get() }) | ConvertTo-Json -Compress -Depth 3
            ConvertTo-Json -Compress -InputObject (ConvertTo-JsonName $differences)
        }
    }
}
catch {
    $errorId = ($_.FullyQualifiedErrorId -split ',')[0]
    Exit-WithError 1 "${errorId}: $($_.Exception.Message)"
}
