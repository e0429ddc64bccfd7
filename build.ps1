#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, documents, tests, demonstrates and benchmarks VirtualNetworking.
.DESCRIPTION
    Tasks: Bootstrap (installs what is missing for Test: dotnet tools, Pester from NuGet, Debian packages; unpacks
    the guest VM's kernel and busybox into out/cache/guest-vm),
    Build (stages the module at out/VirtualNetworking), Test (every suite; the last line is
    "N passed, N failed, N skipped"), Docs (MAML help from docs/), Package (out/VirtualNetworking.<version>.nupkg
    for Install-PSResource; Test makes it too, for the namespace tier installs it), Demo, Bench, Clean.
    Every task but Docs and Clean first installs what it needs and is missing (Build: the dotnet tools and the
    daemon's compiler; Demo: also iproute2, nftables, a DHCP client; Test: also Pester, the namespace tier's tools
    and the guest VM; Bench: also the peers).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Docs', 'Package', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'VirtualNetworking'
$ResultsDir = Join-Path $Out 'test-results'
$PesterVersion = '5.9.1'
# Debian packages per task, so each installs only what it needs. Build: clang + zlib for the daemon's NativeAOT
# build. Demo: ip/bridge, nft, a DHCP client and ping. Test: those, plus dhclient, tcpdump, socat, capsh and rdisc6
# (ndisc6: solicits a router advertisement) for the namespace tier, QEMU, kmod and cpio to build and boot its guest
# VM, and iptables to lay out foreign firewalls.
$BuildPackages = @('clang', 'zlib1g-dev')
$DemoPackages = $BuildPackages + @('iproute2', 'nftables', 'udhcpc', 'iputils-ping')
$TestPackages = $DemoPackages + @('isc-dhcp-client', 'tcpdump', 'socat', 'libcap2-bin', 'qemu-system-x86', 'kmod', 'cpio', 'dnsutils', 'dnsmasq-base', 'iptables', 'ndisc6')
# The guest VM's kernel and static busybox are unpacked here, never installed: installing the kernel pulls udev
# and a systemd upgrade, and busybox-static removes busybox.
$GuestVmCache = Join-Path $Out 'cache/guest-vm'
# The peers the benchmarks compare with, in the same run (libvirt's daemon, dnsmasq, Kea and perfdhcp).
$BenchPackages = $TestPackages + @('libvirt-daemon', 'libvirt-clients', 'kea-dhcp4-server', 'kea-dhcp6-server', 'kea-admin', 'kea-common',
    'busybox', 'tini', 'procps', 'strace', 'dnsperf')
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
# No build server may outlive the run and hold CI's output open.
$env:MSBUILDDISABLENODEREUSE = '1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-PesterManifest {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
}

function Invoke-Bootstrap {
    param([string[]] $Packages = $TestPackages, [switch] $Pester, [switch] $GuestVm)
    Invoke-Native dotnet @('tool', 'restore')
    if ($Pester -and -not (Test-Path (Get-PesterManifest))) {
        Write-Host "Bootstrap: restoring Pester $PesterVersion from NuGet"
        Invoke-Native dotnet @('restore', (Join-Path $Root 'build/Pester.proj'), '-v', 'q')
    }
    $missing = @($Packages | Where-Object {
            "$(& dpkg-query -W -f '${Status}' $_ 2>$null)" -notmatch 'install ok installed'
        })
    if ($missing.Count -gt 0) {
        if ((& id -u) -ne '0') { throw "Bootstrap: missing Debian packages $($missing -join ', '); install them as root." }
        Write-Host "Bootstrap: installing $($missing -join ', ')"
        Invoke-Native apt-get @('update', '-qq')
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
    }
    if ($GuestVm) { Update-GuestVmCache }
}

# Fills out/cache/guest-vm/kernel (linux-image-*-cloud-amd64, depmod'ed) and .../busybox (busybox-static) with
# `apt-get download` + `dpkg-deb -x`. Each folder is renamed into place only when complete, so one that exists is done.
function Update-GuestVmCache {
    $parts = @('kernel', 'busybox') | Where-Object { -not (Test-Path (Join-Path $GuestVmCache $_)) }
    if (-not $parts) { return }
    foreach ($attempt in 1, 2) {
        try {
            foreach ($part in $parts) { Save-GuestVmPackage $part }
            return
        }
        catch {
            # Stale package lists name a kernel the archive no longer has: refresh them once (root only).
            if ($attempt -eq 2 -or -not (Test-IsRoot)) { throw }
            Write-Host "Bootstrap: $($_.Exception.Message); refreshing the package lists"
            Invoke-Native apt-get @('update', '-qq')
        }
    }
}

function Save-GuestVmPackage {
    param([string] $Part)
    $target = Join-Path $GuestVmCache $Part
    if (Test-Path $target) { return }
    $package = 'busybox-static'
    if ($Part -eq 'kernel') {
        # The metapackage depends on the concrete image, e.g. linux-image-6.1.0-56-cloud-amd64.
        $package = & apt-cache depends linux-image-cloud-amd64 2>$null |
            Where-Object { $_ -match '^\s*Depends:\s*(linux-image-\S+)' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
        if (-not $package) { throw 'apt-cache does not know linux-image-cloud-amd64' }
    }
    Write-Host "Bootstrap: unpacking $package into $target (not installed)"
    $staging = Join-Path $GuestVmCache "$Part.partial"
    Remove-Item $staging -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Path $staging | Out-Null
    try {
        Push-Location $staging
        # As root, apt hands downloads to its sandbox user, who may not write here.
        try { Invoke-Native apt-get @('download', '-qq', '-o', 'APT::Sandbox::User=root', $package) } finally { Pop-Location }
        $deb = Get-ChildItem $staging -Filter '*.deb' | Select-Object -First 1
        $tree = Join-Path $staging 'root'
        Invoke-Native dpkg-deb @('-x', $deb.FullName, $tree)
        if ($Part -eq 'kernel') {
            # The package ships no modules.dep (its postinst makes it); modprobe needs one to resolve dependencies.
            $kernelVersion = (Get-ChildItem (Join-Path $tree 'boot') -Filter 'vmlinuz-*').Name -replace '^vmlinuz-'
            Invoke-Native depmod @('-b', $tree, $kernelVersion)
        }
        Move-Item $tree $target
    }
    finally { Remove-Item $staging -Recurse -Force -ErrorAction Ignore }
}

function Invoke-Docs {
    & (Join-Path $Root 'build/ConvertTo-Maml.ps1') -DocsPath (Join-Path $Root 'docs/cmdlets') `
        -OutputPath (Join-Path $Root 'en-US/VirtualNetworking.PowerShell.dll-Help.xml')
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'VirtualNetworking.slnx'), '-c', $Configuration, '-v', 'q', '-nologo')
    Invoke-Docs
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'en-US') -Force | Out-Null
    $bin = Join-Path $Root "src/VirtualNetworking.PowerShell/bin/$Configuration/net10.0"
    Copy-Item (Join-Path $bin 'VirtualNetworking.*.dll') $ModuleOut
    Copy-Item (Join-Path $Root 'src/VirtualNetworking.PowerShell/VirtualNetworking.Format.ps1xml'), (Join-Path $Root 'LICENSE') $ModuleOut
    Write-StagedManifest
    # The root script module (the DSC resources' classes), and DSC v3's command resource manifests with their entry point.
    Copy-Item (Join-Path $Root 'src/VirtualNetworking.Dsc/*') $ModuleOut
    Copy-Item (Join-Path $Root 'en-US/*') (Join-Path $ModuleOut 'en-US')
    # The DHCP host daemon, NativeAOT: one self-contained binary beside the module's assemblies.
    $daemonOut = Join-Path $Out 'obj/vnetd'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/VirtualNetworking.Daemon'), '-c', 'Release', '-r', 'linux-x64', '-o', $daemonOut, '-v', 'q', '-nologo')
    Copy-Item (Join-Path $daemonOut 'vnetd') $ModuleOut
    Write-Host "Build: module staged at $ModuleOut"
}

# The notes of the manifest's version in CHANGELOG.md (Keep a Changelog): its own section, else [Unreleased].
function Get-ReleaseNotes {
    param([string] $Version)
    $changelog = Get-Content -Raw (Join-Path $Root 'CHANGELOG.md')
    $sections = @{}
    foreach ($m in [regex]::Matches($changelog, '(?ms)^## \[(?<name>[^\]]+)\][^\n]*\n(?<body>.*?)(?=^## \[|\z)')) {
        $sections[$m.Groups['name'].Value] = $m.Groups['body'].Value.Trim()
    }
    $notes = if ($sections.ContainsKey($Version)) { $sections[$Version] } else { $sections['Unreleased'] }
    if (-not $notes) { throw "CHANGELOG.md has no notes for ${Version}: add a '## [$Version] - date' or a '## [Unreleased]' section." }
    $notes
}

# The repository's manifest with ReleaseNotes filled in from CHANGELOG.md, so the notes are written once.
function Write-StagedManifest {
    $source = Join-Path $Root 'VirtualNetworking.psd1'
    $notes = Get-ReleaseNotes (Import-PowerShellDataFile $source).ModuleVersion
    # A single-quoted here-string ends at a line starting with '@; nothing in it is expanded.
    if ($notes -match "(?m)^'@") { throw "CHANGELOG.md: a line of the notes starts with '@, which would end the manifest's string." }
    $text = Get-Content -Raw $source
    $pattern = "(?m)^(\s*ReleaseNotes\s*=\s*)''"
    if ($text -notmatch $pattern) { throw "VirtualNetworking.psd1 has no ReleaseNotes = '' for the build to fill." }
    $text = [regex]::Replace($text, $pattern, { param($m) "$($m.Groups[1].Value)@'`n$notes`n'@" })
    Set-Content -Path (Join-Path $ModuleOut 'VirtualNetworking.psd1') -Value $text -NoNewline
}

function Test-IsRoot { (& id -u) -eq '0' }

# Runs a command inside a throwaway network namespace (build/netns-run.sh deletes it on exit).
function Invoke-InNamespace {
    param([string[]] $Command)
    & bash (Join-Path $Root 'build/netns-run.sh') @Command | Out-Host
    $LASTEXITCODE
}

function Read-TrxCounts {
    param([string] $Path)
    if (-not (Test-Path $Path)) { return $null }
    [xml] $trx = Get-Content -Raw $Path
    $c = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = [int]$c.notExecuted }
}

function Invoke-XunitSuite {
    param([string] $Project, [string] $Name, [switch] $InNamespace)
    $trx = Join-Path $ResultsDir "$Name.trx"
    Remove-Item $trx -ErrorAction Ignore
    $arguments = @('test', (Join-Path $Root $Project), '-c', $Configuration, '--no-build', '-v', 'q',
        '--logger', "trx;LogFileName=$trx", '--logger', 'console;verbosity=normal')
    Write-Host "`n=== xunit: $Name$(if ($InNamespace) { ' (in a throwaway network namespace)' })"
    $exit = if ($InNamespace) { Invoke-InNamespace (@('dotnet') + $arguments) } else { & dotnet @arguments | Out-Host; $LASTEXITCODE }
    $counts = Read-TrxCounts $trx
    if (-not $counts) { $counts = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }; Write-Host "xunit $Name produced no results (exit $exit)" }
    elseif ($exit -ne 0 -and $counts.Failed -eq 0) { $counts.Failed = 1; Write-Host "xunit $Name exited $exit" }
    $counts
}

function Invoke-PesterSuite {
    param([string] $Name, [string] $Tier, [switch] $InNamespace)
    $summary = Join-Path $ResultsDir "pester-$Name.json"
    Remove-Item $summary -ErrorAction Ignore
    $runner = Join-Path $Root 'build/Invoke-PesterTier.ps1'
    $pwsh = (Join-Path $PSHOME 'pwsh')
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $runner, '-Tier', $Tier, '-PesterManifest', (Get-PesterManifest),
        '-ModulePath', $ModuleOut, '-SummaryPath', $summary)
    Write-Host "`n=== Pester: $Name$(if ($InNamespace) { ' (in a throwaway network namespace)' })"
    $exit = if ($InNamespace) { Invoke-InNamespace (@($pwsh) + $arguments) } else { & $pwsh @arguments | Out-Host; $LASTEXITCODE }
    if (-not (Test-Path $summary)) { Write-Host "Pester $Name produced no results (exit $exit)"; return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    $counts = Get-Content -Raw $summary | ConvertFrom-Json
    if ($exit -ne 0 -and $counts.Failed -eq 0) { $counts.Failed = 1 }
    $counts
}

# Runs one suite and returns its counts with its wall time. A suite that ran no test fails, naming itself: a
# filter, a missing project or a tier that skipped everything must never read as green.
function Invoke-Suite {
    param([string] $Name, [scriptblock] $Run)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $counts = & $Run
    $clock.Stop()
    if ($counts.Passed + $counts.Failed -eq 0) {
        Write-Host "Suite '$Name' ran no test: counted as a failure."
        $counts.Failed = 1
    }
    [pscustomobject]@{ Suite = $Name; Passed = $counts.Passed; Failed = $counts.Failed; Skipped = $counts.Skipped; Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 1) }
}

function Invoke-Test {
    New-Item -ItemType Directory -Path $ResultsDir -Force | Out-Null
    # The daemon tests run the binary the module ships (NativeAOT), not a development build.
    $env:VNET_TEST_VNETD = Join-Path $ModuleOut 'vnetd'
    $suites = @(
        Invoke-Suite 'xunit Core' { Invoke-XunitSuite 'tests/VirtualNetworking.Core.Tests' 'core' }
        Invoke-Suite 'xunit Daemon' { Invoke-XunitSuite 'tests/VirtualNetworking.Daemon.Tests' 'daemon' }
        Invoke-Suite 'xunit PowerShell' { Invoke-XunitSuite 'tests/VirtualNetworking.PowerShell.Tests' 'powershell' }
        Invoke-Suite 'Pester unit' { Invoke-PesterSuite 'unit' 'Unit' }
        if (Test-IsRoot) {
            Invoke-Suite 'xunit Linux (namespace)' { Invoke-XunitSuite 'tests/VirtualNetworking.Linux.Tests' 'linux' -InNamespace }
            Invoke-Suite 'Pester namespace' { Invoke-PesterSuite 'namespace' 'Namespace' -InNamespace }
        }
        else {
            Write-Warning 'Not root: the namespace tier (real links, nftables, DHCP) was not run. Run as root to run it.'
        }
    )
    Write-Host "`n=== Summary"
    foreach ($suite in $suites) {
        '{0,-26} {1,5} passed, {2,3} failed, {3,3} skipped  {4,7:0.0} s' -f $suite.Suite, $suite.Passed, $suite.Failed, $suite.Skipped, $suite.Seconds | Write-Host
    }
    $tsv = @("suite`tpassed`tfailed`tskipped`tseconds") + @($suites | ForEach-Object {
            "$($_.Suite)`t$($_.Passed)`t$($_.Failed)`t$($_.Skipped)`t$($_.Seconds.ToString([Globalization.CultureInfo]::InvariantCulture))" })
    Set-Content -Path (Join-Path $ResultsDir 'suites.tsv') -Value $tsv
    $total = [pscustomobject]@{
        Passed  = ($suites | Measure-Object Passed -Sum).Sum
        Failed  = ($suites | Measure-Object Failed -Sum).Sum
        Skipped = ($suites | Measure-Object Skipped -Sum).Sum
    }
    $line = '{0} passed, {1} failed, {2} skipped' -f $total.Passed, $total.Failed, $total.Skipped
    Set-Content -Path (Join-Path $ResultsDir 'summary.txt') -Value $line
    Write-Host $line
    if ($total.Failed -gt 0 -or $total.Passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    & (Join-Path $PSHOME 'pwsh') -NoProfile -File (Join-Path $Root 'build/Demo.ps1') -ModulePath $ModuleOut
    if ($LASTEXITCODE -ne 0) { throw "Demo failed with exit code $LASTEXITCODE" }
}

function Invoke-Bench {
    Get-ChildItem (Join-Path $Root 'bench') -Filter '*.ps1' | Sort-Object Name | ForEach-Object {
        Write-Host "`n=== bench: $($_.Name)"
        & (Join-Path $PSHOME 'pwsh') -NoProfile -File $_.FullName -ModulePath $ModuleOut
        if ($LASTEXITCODE -ne 0) { throw "$($_.Name) failed with exit code $LASTEXITCODE" }
    }
}

# out/VirtualNetworking.<version>.nupkg, made as PSResourceGet publishes a module: Publish-PSResource of the staged
# folder to a file repository. It runs in a child pwsh whose HOME and XDG folders are scratch ones, because registering
# a repository writes PSResourceGet's settings under the user's data folder, which a build must leave alone.
function Invoke-Package {
    $version = (Import-PowerShellDataFile (Join-Path $ModuleOut 'VirtualNetworking.psd1')).ModuleVersion
    $nupkg = Join-Path $Out "VirtualNetworking.$version.nupkg"
    Remove-Item $nupkg -ErrorAction Ignore
    $scratch = Join-Path $Out 'obj/package'
    Remove-Item $scratch -Recurse -Force -ErrorAction Ignore
    $repository = Join-Path $scratch 'repository'
    $publish = @'
param($Repository, $Module)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name Build -Uri $Repository -Trusted
Publish-PSResource -Path $Module -Repository Build
'@
    $script = Join-Path $scratch 'publish.ps1'
    # GetFolderPath, which PSResourceGet asks for its settings folder, answers '' for a folder that does not exist.
    foreach ($folder in $repository, "$scratch/home/.local/share", "$scratch/home/.config", "$scratch/home/.cache") {
        New-Item -ItemType Directory -Path $folder -Force | Out-Null
    }
    Set-Content -Path $script -Value $publish
    $psi = [Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
    foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $script, $repository, $ModuleOut) { $psi.ArgumentList.Add($argument) }
    $psi.Environment['HOME'] = "$scratch/home"
    $psi.Environment['XDG_DATA_HOME'] = "$scratch/home/.local/share"
    $psi.Environment['XDG_CONFIG_HOME'] = "$scratch/home/.config"
    $psi.Environment['XDG_CACHE_HOME'] = "$scratch/home/.cache"
    $process = [Diagnostics.Process]::Start($psi)
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "Package: Publish-PSResource failed with exit code $($process.ExitCode)" }
    Move-Item (Join-Path $repository "VirtualNetworking.$version.nupkg") $nupkg
    Remove-Item $scratch -Recurse -Force
    Write-Host "Package: $nupkg"
}

function Invoke-Clean {
    Remove-Item $Out -Recurse -Force -ErrorAction Ignore
    Get-ChildItem $Root -Include 'bin', 'obj' -Recurse -Directory | Remove-Item -Recurse -Force
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Bootstrap' { Invoke-Bootstrap -Pester -GuestVm }
        'Build' { Invoke-Bootstrap -Packages $BuildPackages; Invoke-Build }
        'Docs' { Invoke-Docs }
        'Test' { Invoke-Bootstrap -Pester -GuestVm; Invoke-Build; Invoke-Package; Invoke-Test }
        'Package' { Invoke-Bootstrap -Packages $BuildPackages; Invoke-Build; Invoke-Package }
        'Demo' { Invoke-Bootstrap -Packages $DemoPackages; Invoke-Build; Invoke-Demo }
        'Bench' { Invoke-Bootstrap -Packages $BenchPackages; Invoke-Build; Invoke-Bench }
    }
}
