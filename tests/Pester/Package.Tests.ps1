#Requires -Version 7.4
# Namespace tier: the package (out/VirtualNetworking.<version>.nupkg, made by build.ps1 Package) as a user installs it.
# Each step runs in a fresh pwsh with a HOME, XDG folders and PSModulePath of its own, in this namespace, which has no
# way out of the machine (netns-run.sh made it with a loopback only; other files join it only to namespaces of their
# own), so nothing can come from a gallery: a file repository on a copy of the package folder, Install-PSResource,
# Import-Module by name, a network defined, started (with its own VNET_ROOT), listed, stopped and removed by the
# installed copy, its help, and Uninstall-PSResource. Twice: pwsh started in the repository, and in a folder outside
# the build tree.
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

BeforeDiscovery {
    $script:Places = @(
        @{ Place = 'the repository'; Index = 0 }
        @{ Place = 'a folder outside the build tree'; Index = 1 }
    )
}

Describe 'The package installed with Install-PSResource by a pwsh started in <Place>' -Tag Namespace -ForEach $Places {
    BeforeAll {
        Assert-TestNamespace
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $staged = if ($env:VNET_MODULE_PATH -like '*.psd1') { Split-Path -Parent $env:VNET_MODULE_PATH } else { $env:VNET_MODULE_PATH }
        $stagedManifest = Join-Path $staged 'VirtualNetworking.psd1'
        $version = (Import-PowerShellDataFile $stagedManifest).ModuleVersion
        $nupkg = Join-Path (Split-Path -Parent $staged) "VirtualNetworking.$version.nupkg"
        if (-not (Test-Path $nupkg)) { throw "$nupkg is missing: build.ps1 Package makes it (build.ps1 Test does too)." }
        if ((Get-Item $nupkg).LastWriteTimeUtc -lt (Get-Item $stagedManifest).LastWriteTimeUtc) {
            throw "$nupkg is older than the staged module: run build.ps1 Package again."
        }
        # The installed copy's commands are compared with the staged module's.
        Import-Module $staged -Force

        $work = Join-Path ([IO.Path]::GetTempPath()) "vpk-$PID-$Index"
        $userHome = Join-Path $work 'home'
        $repository = Join-Path $work 'repository'
        $startIn = if ($Index -eq 0) { $env:VNET_REPO_ROOT } else { Join-Path $work 'elsewhere' }
        # PSResourceGet asks GetFolderPath for its settings folder, which answers '' for a folder that does not exist.
        foreach ($folder in $repository, "$userHome/.local/share", "$userHome/.config", "$userHome/.cache", $startIn) {
            New-Item -ItemType Directory -Path $folder -Force | Out-Null
        }
        Copy-Item $nupkg $repository
        $installed = Join-Path $userHome ".local/share/powershell/Modules/VirtualNetworking/$version"
        $root = New-TestRoot
        $network = "pkg$Index"
        $bridge = "vpkgbr$Index"

        # Runs $Script in a fresh pwsh as the user whose HOME is $userHome; its last output line is JSON, returned as an object.
        function Invoke-UserPwsh([string] $Script) {
            $psi = [Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
            $prelude = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'`n"
            foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', ($prelude + $Script)) { $psi.ArgumentList.Add($argument) }
            $psi.WorkingDirectory = $startIn
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            # Nothing may lead it to the build tree: no inherited module path, no VNET_* but the state root and the namespace's name.
            foreach ($name in @($psi.Environment.Keys)) {
                if ($name -eq 'PSModulePath' -or ($name -like 'VNET_*' -and $name -notin 'VNET_ROOT', 'VNET_TEST_NETNS')) { $psi.Environment.Remove($name) | Out-Null }
            }
            $psi.Environment['HOME'] = $userHome
            $psi.Environment['XDG_DATA_HOME'] = "$userHome/.local/share"
            $psi.Environment['XDG_CONFIG_HOME'] = "$userHome/.config"
            $psi.Environment['XDG_CACHE_HOME'] = "$userHome/.cache"
            $process = [Diagnostics.Process]::Start($psi)
            $stderr = $process.StandardError.ReadToEndAsync()
            $stdout = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            $process.ExitCode | Should -Be 0 -Because "pwsh said:`n$stdout`n$($stderr.Result)"
            ($stdout.Trim() -split "`n")[-1] | ConvertFrom-Json
        }
    }

    AfterAll {
        # A failed step may leave the network running: stop it with the staged module (same state root).
        Get-VNetwork -ErrorAction Ignore | Where-Object State -eq Active | Stop-VNetwork -ErrorAction Ignore
        Remove-TestRoot $root
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }

    It 'Install-PSResource installs it for the current user from a file repository on the package folder, with every staged file' {
        $result = Invoke-UserPwsh @"
Register-PSResourceRepository -Name Local -Uri '$repository'
Install-PSResource VirtualNetworking -Repository Local -Scope CurrentUser -TrustRepository
Get-InstalledPSResource VirtualNetworking | Select-Object Name, @{ n = 'Version'; e = { `$_.Version.ToString() } }, InstalledLocation | ConvertTo-Json -Compress
"@
        $result.Version | Should -Be $version
        $result.InstalledLocation | Should -Be "$userHome/.local/share/powershell/Modules"
        function Get-RelativeFiles([string] $Folder) {
            Get-ChildItem -LiteralPath $Folder -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($Folder, $_.FullName) } | Sort-Object
        }
        $files = @(Get-RelativeFiles $installed | Where-Object { $_ -ne 'PSGetModuleInfo.xml' })  # the install's own record
        $files | Should -Be @(Get-RelativeFiles $staged)
        foreach ($file in 'vnetd', 'VirtualNetworking.Format.ps1xml', 'en-US/VirtualNetworking.PowerShell.dll-Help.xml',
            'en-US/about_VirtualNetworking.help.txt', 'VirtualNetworking.psm1', 'VirtualNetworking.dsc.resource.json', 'LICENSE') {
            $files | Should -Contain $file
        }
    }

    It 'leaves vnetd without an execute bit, as NuGet''s packer keeps no Unix modes (the module restores it at the first start)' {
        # Should this start failing, installs keep the bit and DaemonDhcpService.EnsureExecutable has nothing left to do.
        [int]([IO.File]::GetUnixFileMode("$installed/vnetd") -band [IO.UnixFileMode]'UserExecute, GroupExecute, OtherExecute') | Should -Be 0
    }

    It 'Import-Module by name loads the installed copy, which defines, starts, lists, stops and removes a network' {
        $result = Invoke-UserPwsh @"
Import-Module VirtualNetworking
`$module = Get-Module VirtualNetworking
New-VNetwork -Name $network -Mode Isolated -Subnet 10.248.$Index.0/24 -BridgeName $bridge | Out-Null
Start-VNetwork -Name $network
`$listed = Get-VNetwork -Name $network
`$bridgeName = (Get-VNetworkBridge -Name $bridge).Name
`$daemon = [int](Get-Content -Raw (Join-Path `$env:VNET_ROOT 'run/virtualnetworking/vnetd.pid'))
`$daemonExe = (Get-Item "/proc/`$daemon/exe").LinkTarget
`$mode = [IO.File]::GetUnixFileMode((Join-Path `$module.ModuleBase 'vnetd')).ToString()
Stop-VNetwork -Name $network
`$stopped = (Get-VNetwork -Name $network).State.ToString()
Remove-VNetwork -Name $network -Confirm:`$false
[pscustomobject]@{
    ModuleBase = `$module.ModuleBase; Commands = @(`$module.ExportedCommands.Keys | Sort-Object)
    State = `$listed.State.ToString(); Bridge = `$bridgeName; DaemonExe = `$daemonExe; Mode = `$mode
    Stopped = `$stopped; Left = @(Get-VNetwork).Count
} | ConvertTo-Json -Compress
"@
        $result.ModuleBase | Should -Be $installed
        $result.Commands | Should -Be @((Get-Module VirtualNetworking).ExportedCommands.Keys | Sort-Object)
        $result.State | Should -Be 'Active'
        $result.Bridge | Should -Be $bridge
        $result.DaemonExe | Should -Be "$installed/vnetd" -Because 'the started network is served by the installed daemon'
        $result.Mode | Should -Match 'UserExecute' -Because 'the first start makes the installed vnetd executable'
        $result.Stopped | Should -Be 'Inactive'
        $result.Left | Should -Be 0
        ip link show $bridge 2>$null | Should -BeNullOrEmpty -Because 'the stop removed the bridge'
        Stop-TestDaemon $root
    }

    It 'Get-Help Start-VNetwork and Get-Help about_VirtualNetworking work from the installed copy' {
        $result = Invoke-UserPwsh @'
$help = Get-Help Start-VNetwork -Full
[pscustomobject]@{
    ModuleName = $help.ModuleName; Synopsis = $help.Synopsis; Examples = @($help.examples.example).Count
    About = (Get-Help about_VirtualNetworking | Out-String)
} | ConvertTo-Json -Compress
'@
        $expected = Get-Help Start-VNetwork -Full
        $result.ModuleName | Should -Be 'VirtualNetworking'
        $result.Synopsis | Should -Be $expected.Synopsis
        $result.Examples | Should -Be @($expected.examples.example).Count
        $result.Examples | Should -BeGreaterThan 0
        $result.About | Should -Match 'SHORT DESCRIPTION'
        $result.About | Should -Match 'virtual networks'
    }

    It 'Uninstall-PSResource removes it' {
        $result = Invoke-UserPwsh @'
Uninstall-PSResource VirtualNetworking -Scope CurrentUser
[pscustomobject]@{ Available = @(Get-Module -ListAvailable VirtualNetworking).Count } | ConvertTo-Json -Compress
'@
        $result.Available | Should -Be 0
        Test-Path $installed | Should -BeFalse
    }
}
