# The module's DSC resources: VNetwork (a network) and VNetworkDhcpReservation (one reservation), as [DscResource()]
# classes whose Get/Test/Set call the cmdlets of the nested assembly, so DSC converges by the same Core plan as
# Test-VNetwork and Invoke-VNetworkConfiguration. This file is the module's root, not a nested module: `using module`
# exposes only a root module's classes, and DSC v3's PowerShell adapter parses the root .psm1 and looks its classes up
# in the module named like the file. Errors are the module's own error records (-ErrorAction Stop), never swallowed.

[DscResource()]
class VNetwork {
    [DscProperty(Key)]
    [string] $Name

    [DscProperty()]
    [ValidateSet('Present', 'Absent')]
    [string] $Ensure = 'Present'

    # Left out: the network's state is left as it is (a new network is defined, not started).
    [DscProperty()]
    [ValidateSet('Active', 'Inactive')]
    [string] $State

    [DscProperty()]
    [ValidateSet('Nat', 'Routed', 'Isolated', 'Open', 'Bridged')]
    [string] $Mode

    [DscProperty()]
    [string] $Subnet

    # Two addresses: the first and the last of the range.
    [DscProperty()]
    [string[]] $DhcpRange

    [DscProperty()]
    [Nullable[bool]] $NoDhcp

    [DscProperty()]
    [string] $BridgeName

    [DscProperty()]
    [string] $ForwardDevice

    [DscProperty()]
    [Nullable[bool]] $Stp

    # 0: no MTU setting (the kernel's default).
    [DscProperty()]
    [Nullable[int]] $Mtu

    # '': no domain.
    [DscProperty()]
    [string] $Domain

    [DscProperty()]
    [string] $MacAddress

    [DscProperty()]
    [Nullable[bool]] $Autostart

    # Set may restart the running network (its bridge is created anew) for a change that needs it; otherwise such a
    # change is refused with VNetworkRestartRequired. Not state: Get echoes it, Test ignores it.
    [DscProperty()]
    [bool] $AllowRestart

    [VNetwork] Get() {
        $current = [VNetwork]::new()
        $current.Name = $this.Name
        $current.AllowRestart = $this.AllowRestart
        $network = Get-VNetwork -ErrorAction Stop | Where-Object Name -CEQ $this.Name
        if (-not $network) {
            $current.Ensure = 'Absent'
            return $current
        }
        $current.State = $network.State
        $current.Mode = $network.Mode
        $current.Subnet = $network.Subnet
        $current.NoDhcp = $network.DhcpRange.Count -eq 0
        if ($network.DhcpRange.Count -gt 0) { $current.DhcpRange = $network.DhcpRange[0] -split '-' }
        $current.BridgeName = $network.Bridge
        $current.ForwardDevice = $network.ForwardDevice
        $current.Stp = $network.StpEnabled
        $current.Mtu = if ($network.Mtu) { $network.Mtu } else { 0 }
        $current.Domain = $network.Domain
        $current.MacAddress = $network.MacAddress
        $current.Autostart = $network.Autostart
        return $current
    }

    [bool] Test() {
        return $this.Differences().Count -eq 0
    }

    [void] Set() {
        $document = @{ Networks = @($this.Declared()) }
        Invoke-VNetworkConfiguration -Configuration $document -AllowRestart:$this.AllowRestart -ErrorAction Stop |
            ForEach-Object { Write-Verbose "$($_.Network) $($_.Property): $($_.Action) $($_.Result)" }
    }

    # The properties that differ, named as this class names them (Test-VNetwork -Detailed: Core's plan).
    hidden [string[]] Differences() {
        $declared = $this.Declared()
        $properties = Test-VNetwork @declared -Detailed -ErrorAction Stop | ForEach-Object {
            # A declared NoDhcp shows in the plan as the range it takes away.
            if ($_.Property -eq 'DhcpRange' -and $declared.Contains('NoDhcp') -and -not $declared.Contains('DhcpRange')) { 'NoDhcp' } else { $_.Property }
        }
        return @($properties | Select-Object -Unique)
    }

    # The network as a network of a configuration document: the properties given, under the document's keys.
    hidden [System.Collections.Specialized.OrderedDictionary] Declared() {
        $network = [ordered]@{}
        foreach ($key in 'Name', 'Ensure', 'State', 'Mode', 'Subnet', 'DhcpRange', 'NoDhcp', 'BridgeName', 'ForwardDevice', 'Stp', 'Mtu', 'Domain', 'MacAddress', 'Autostart') {
            if ($null -ne $this.$key -and -not ($key -eq 'DhcpRange' -and $this.DhcpRange.Count -eq 0)) { $network[$key] = $this.$key }
        }
        return $network
    }
}

[DscResource()]
class VNetworkDhcpReservation {
    [DscProperty(Key)]
    [string] $Network

    [DscProperty(Key)]
    [string] $MacAddress

    # Left out: a reservation the MAC already has keeps its address.
    [DscProperty()]
    [string] $IPAddress

    # Left out: the reservation keeps its name; '': no name.
    [DscProperty()]
    [string] $HostName

    [DscProperty()]
    [ValidateSet('Present', 'Absent')]
    [string] $Ensure = 'Present'

    [VNetworkDhcpReservation] Get() {
        $current = [VNetworkDhcpReservation]::new()
        $current.Network = $this.Network
        $current.MacAddress = $this.MacAddress
        $reservation = $this.Own() | Select-Object -First 1
        if (-not $reservation) {
            $current.Ensure = 'Absent'
            return $current
        }
        $current.IPAddress = $reservation.IPAddress
        $current.HostName = $reservation.HostName
        return $current
    }

    [bool] Test() {
        return $this.Differences().Count -eq 0
    }

    # Applied live, like Add-VNetworkDhcpReservation: the running network's DHCP takes it without a restart.
    [void] Set() {
        Invoke-VNetworkConfiguration -Configuration $this.Document() -ErrorAction Stop |
            ForEach-Object { Write-Verbose "$($_.Network) $($_.Property): $($_.Action) $($_.Result)" }
    }

    # The properties that differ, named as this class names them (Test-VNetworkConfiguration -Detailed: Core's plan).
    hidden [string[]] Differences() {
        $properties = Test-VNetworkConfiguration -Configuration $this.Document() -Detailed -ErrorAction Stop | ForEach-Object {
            if ($_.Action -ne 'ChangeReservation') { return 'Ensure' }
            # The plan shows a reservation as 'address (name)'.
            $now = "$($_.Current)" -split ' \(|\)$'
            $then = "$($_.Desired)" -split ' \(|\)$'
            if ($now[0] -ne $then[0]) { 'IPAddress' }
            if ($now[1] -ne $then[1]) { 'HostName' }
        }
        return @($properties)
    }

    # The reservations of the MAC (Get-VNetworkDhcpReservation writes VNetworkNotFound for a missing network).
    hidden [object[]] Own() {
        return @(Get-VNetworkDhcpReservation -Network $this.Network -MacAddress $this.MacAddress -ErrorAction Stop)
    }

    # A document that declares the network's reservations (a document's are exactly the network's): the others as
    # they are, and this one as desired, so Core's plan adds, changes or removes just this one.
    hidden [hashtable] Document() {
        $own = $this.Own()
        $others = Get-VNetworkDhcpReservation -Network $this.Network -ErrorAction Stop | Where-Object MacAddress -NotIn $own.MacAddress |
            Group-Object MacAddress | ForEach-Object { $_.Group[0] }
        $reservations = @($others | ForEach-Object {
                $entry = @{ MacAddress = $_.MacAddress; IPAddress = $_.IPAddress }
                if ($_.HostName) { $entry.HostName = $_.HostName }
                $entry
            })
        if ($this.Ensure -eq 'Present') {
            $entry = @{ MacAddress = $this.MacAddress }
            $address = if ($null -ne $this.IPAddress) { $this.IPAddress } elseif ($own) { $own[0].IPAddress }
            if ($address) { $entry.IPAddress = $address }
            $name = if ($null -ne $this.HostName) { $this.HostName } elseif ($own) { $own[0].HostName }
            if ($name) { $entry.HostName = $name }
            $reservations += $entry
        }
        return @{ Networks = @(@{ Name = $this.Network; Reservations = $reservations }) }
    }
}
