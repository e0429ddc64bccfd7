# Namespace tier: a real VM. QEMU (TCG: this machine's KVM cannot run a stock guest) boots Debian's cloud kernel
# with an initramfs of ours (tests/guest-vm: busybox udhcpc, then a ping to the router, then a marker line on the
# serial console) on a tap from New-VNetworkPort, with the arguments the port object carries. Bootstrap unpacks the
# kernel and busybox-static into out/cache/guest-vm. QEMU is killed by its PID, and the port, the network and the
# test root are removed, whatever happened; the wait for the guest is bounded.

BeforeAll {
    Import-Module $env:VNET_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Assert-TestNamespace

    $cache = Join-Path $env:VNET_REPO_ROOT 'out/cache/guest-vm'
    $missing = @(
        foreach ($command in 'qemu-system-x86_64', 'modprobe', 'cpio') { if (-not (Get-Command $command -ErrorAction Ignore)) { $command } }
        foreach ($part in 'kernel', 'busybox') { if (-not (Test-Path (Join-Path $cache $part))) { "$cache/$part" } }
    )
    $script:Unavailable = if ($missing) { "the guest VM needs $($missing -join ', '): run build.ps1 Bootstrap" }
    # CI bootstraps: there a missing piece is a failure, not a skip.
    if ($Unavailable -and $env:CI -eq 'true') { throw $Unavailable }
    if ($Unavailable) { return }

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vgv-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:Root = New-TestRoot

    $built = bash (Join-Path $env:VNET_REPO_ROOT 'tests/guest-vm/build-initramfs.sh') $cache
    if ($LASTEXITCODE -ne 0) { throw "Could not build the guest's initramfs (exit code $LASTEXITCODE; its message is above)." }
    $image = ConvertFrom-StringData ($built -join "`n")

    New-VNetwork -Name vgv-nat -Mode Nat -Subnet 10.219.0.0/24 -DhcpRange 10.219.0.100, 10.219.0.199 -BridgeName vgvbr0 -Start -WarningAction Ignore -ErrorAction Stop | Out-Null
    $script:Network = Get-VNetwork -Name vgv-nat
    $script:Port = New-VNetworkPort -Network vgv-nat -Type Tap -ErrorAction Stop

    # panic=-1 with -no-reboot: a guest whose /init dies ends QEMU at once instead of hanging until the timeout.
    $qemuArgs = @('-nographic', '-no-reboot', '-accel', 'tcg', '-smp', '1', '-m', '256',
        '-kernel', $image.kernel, '-initrd', $image.initrd, '-append', 'console=ttyS0 quiet panic=-1') + $Port.QemuArguments
    $serial = Join-Path $Work 'serial.log'
    # In the background with no stdin (a backgrounded QEMU would otherwise stop on the terminal); bash prints its PID.
    $script:QemuPid = [int](bash -c '"$@" </dev/null >"$0" 2>&1 & echo $!' $serial qemu-system-x86_64 @qemuArgs)

    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ((Get-Content -Raw $serial -ErrorAction Ignore) -match 'GUEST-(OK|FAIL)') { break }
        if (-not (Get-Process -Id $QemuPid -ErrorAction Ignore)) { break }
        Start-Sleep -Milliseconds 200
    }
    # Without the carriage returns and the terminal escapes SeaBIOS and -nographic write.
    $script:Console = (Get-Content -Raw $serial -ErrorAction Ignore) -replace "`r|`e\[[0-9;?]*[A-Za-z]|`ec"
    # Kernel messages may share a line with the marker, so it is matched anywhere in a line.
    $script:Guest = if ($Console -match 'GUEST-OK (\S+) (\S+) (\S+)') {
        [pscustomobject]@{ IPAddress = $Matches[1]; MacAddress = $Matches[2]; Router = $Matches[3] }
    }
    # What the guest said last, for the failure messages.
    $script:ConsoleTail = ($Console -split "`n" | Select-Object -Last 25) -join "`n"
}

AfterAll {
    # The PID is QEMU's only while that process still runs; one that powered off has gone already.
    if ($script:QemuPid -and (Get-Process -Id $QemuPid -ErrorAction Ignore).ProcessName -like 'qemu-system*') {
        kill -TERM $QemuPid 2>$null
        foreach ($i in 1..30) { if (-not (Get-Process -Id $QemuPid -ErrorAction Ignore)) { break }; Start-Sleep -Milliseconds 100 }
        if (Get-Process -Id $QemuPid -ErrorAction Ignore) { kill -KILL $QemuPid 2>$null }
    }
    if ($script:Port) { Remove-VNetworkPort -Network vgv-nat -Name $Port.Name -ErrorAction Continue }
    if ($script:Root) {
        Stop-VNetwork -Name vgv-nat -ErrorAction Ignore
        Remove-TestRoot $script:Root
    }
    if ($script:Work) { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }
}

Describe 'A QEMU guest on a tap port' -Tag Namespace {
    It 'boots, and gets a lease from the network''s DHCP range for the port''s MAC' {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable }
        $Guest | Should -Not -BeNullOrEmpty -Because "the guest reports GUEST-OK; its console ended with:`n$ConsoleTail"
        $Guest.MacAddress | Should -Be $Port.MacAddress
        $first, $last = $Network.DhcpRange[0] -split '-'
        [version]$Guest.IPAddress | Should -BeGreaterOrEqual ([version]$first)
        [version]$Guest.IPAddress | Should -BeLessOrEqual ([version]$last)
    }

    It 'pings the network''s gateway from that address' {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable }
        $Guest.Router | Should -Be $Network.Gateway -Because $ConsoleTail
        # busybox ping's summary: "N packets transmitted, N packets received, ...".
        $Console | Should -Match "--- $([regex]::Escape($Network.Gateway)) ping statistics ---"
        $Console -match '\d+ packets transmitted, (\d+) packets received' | Should -BeTrue
        [int]$Matches[1] | Should -BeGreaterThan 0
    }

    It 'is listed by Get-VNetworkDhcpLease with the port''s MAC and the address it got' {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable }
        $lease = @(Get-VNetworkDhcpLease -Network vgv-nat -MacAddress $Port.MacAddress)
        $lease.Count | Should -Be 1
        $lease[0].MacAddress | Should -Be $Port.MacAddress
        $lease[0].IPAddress | Should -Be $Guest.IPAddress
        $lease[0].Network | Should -Be 'vgv-nat'
    }
}
