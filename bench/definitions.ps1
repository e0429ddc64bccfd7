<#
.SYNOPSIS
    Definitions benchmark: Import-VNetwork of 1,000 files and Get-VNetwork over 1,000 definitions,
    in one warm pwsh session, in a temporary VNET_ROOT. Target: listing 1,000 under 200 ms.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Count = 1000, [int] $Runs = 10)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$root = Join-Path ([IO.Path]::GetTempPath()) ("vnet-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $root | Out-Null
$env:VNET_ROOT = $root
try {
    Import-Module $ModulePath
    $src = New-Item -ItemType Directory -Path (Join-Path $root 'xml')
    foreach ($i in 0..($Count - 1)) {
        $b = [math]::Floor($i / 250); $c = $i % 250
        @"
<network>
  <name>bench-$i</name>
  <forward mode='nat'/>
  <bridge name='vb$i' stp='on' delay='0'/>
  <ip address='10.$(100 + $b).$c.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.$(100 + $b).$c.2' end='10.$(100 + $b).$c.254'/>
    </dhcp>
  </ip>
</network>
"@ | Set-Content -Path (Join-Path $src "bench-$i.xml")
    }
    # Warm up the code paths once.
    Import-VNetwork -Xml "<network><name>warm</name><bridge name='warm0'/></network>" | Out-Null
    Get-VNetwork | Out-Null
    Remove-VNetwork warm

    $import = Measure-Command { Get-ChildItem (Join-Path $src '*.xml') | Import-VNetwork | Out-Null }
    $times = foreach ($r in 1..$Runs) { (Measure-Command { Get-VNetwork | Out-Null }).TotalMilliseconds }
    $sorted = $times | Sort-Object
    $median = $sorted[[math]::Floor($sorted.Count / 2)]
    $fmt = (Measure-Command { Get-VNetwork | Format-Table | Out-String | Out-Null }).TotalMilliseconds
    # Cold: a new pwsh process, against pwsh's own start (the module-import target is < 150 ms over it).
    $pwsh = Join-Path $PSHOME 'pwsh'
    $medianOf = { param($block) ($(foreach ($r in 1..5) { (Measure-Command $block).TotalMilliseconds }) | Sort-Object)[2] }
    $bare = & $medianOf { & $pwsh -NoProfile -Command 'exit 0' }
    $imported = & $medianOf { & $pwsh -NoProfile -Command "Import-Module '$ModulePath'; exit 0" }
    $coldList = & $medianOf { & $pwsh -NoProfile -Command "Import-Module '$ModulePath'; Get-VNetwork | Out-Null; exit 0" }
    [pscustomobject]@{
        Definitions            = (Get-VNetwork).Count
        'Import total (ms)'    = [math]::Round($import.TotalMilliseconds)
        'Import per file (ms)' = [math]::Round($import.TotalMilliseconds / $Count, 2)
        'Get-VNetwork median (ms)' = [math]::Round($median, 1)
        'Get-VNetwork min (ms)' = [math]::Round($sorted[0], 1)
        'Get-VNetwork max (ms)' = [math]::Round($sorted[-1], 1)
        'Get + Format-Table (ms)' = [math]::Round($fmt, 1)
        'pwsh start (ms)'      = [math]::Round($bare)
        'Module import over pwsh start (ms)' = [math]::Round($imported - $bare)
        'Cold Get-VNetwork of all, over import (ms)' = [math]::Round($coldList - $imported)
        'Target list (ms)'     = 200
    } | Format-List | Out-Host
}
finally {
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
