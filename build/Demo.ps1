<#
.SYNOPSIS
    The main job: the seed's walkthrough, in a temporary VNET_ROOT (never the machine's own /etc, /run or /var/lib).
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
$root = Join-Path ([IO.Path]::GetTempPath()) ("vnet-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $root | Out-Null
$env:VNET_ROOT = $root
try {
    Import-Module $ModulePath
    $seedXml = Join-Path $root 'default.xml'
    @'
<network>
  <name>default</name>
  <uuid>927f4393-3e4e-4a94-9e42-67c4ebe45555</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:b8:c9:9d'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
'@ | Set-Content -Path $seedXml

    function Show([string] $command, [scriptblock] $action) {
        Write-Host "`nPS> $command" -ForegroundColor Cyan
        & $action | Out-Host
    }

    Write-Host "VNET_ROOT = $root (a sandbox: nothing of the machine's own state is touched)"
    Show "Import-VNetwork -Path default.xml          # virsh net-define /etc/libvirt/qemu/networks/default.xml" { Import-VNetwork -Path $seedXml }
    Show "Set-VNetwork default -Autostart `$true -PassThru   # virsh net-autostart default" { Set-VNetwork default -Autostart $true -PassThru }
    Show "New-VNetwork -Name lab -Mode Routed           # a free /24, a free virbrN, a fresh MAC" { New-VNetwork -Name lab -Mode Routed }
    Show "Get-VNetwork                               # virsh net-list --all" { Get-VNetwork }
    Show "Export-VNetwork default                    # virsh net-dumpxml default" { Export-VNetwork default }
    Show "Get-VNetwork lab | Format-List *           # virsh net-info lab, and more" { Get-VNetwork lab | Format-List * }
    Show "Get-VNetwork | Remove-VNetwork             # virsh net-undefine" { Get-VNetwork | Remove-VNetwork; Get-VNetwork }
}
finally {
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
