using System.Net;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Desired;

/// <summary>Whether a declared network must exist (DSC's Ensure).</summary>
public enum Ensure
{
    Present,
    Absent,
}

/// <summary>A reservation a document declares: libvirt's &lt;host mac ip name&gt;.</summary>
public sealed record DesiredReservation(string MacAddress, IPAddress IPAddress, string? HostName);

/// <summary>
/// One network of a configuration document: New-VNetwork's parameters (<see cref="Request"/>, used as they are to
/// create it) plus where it must stand. Only the properties in <see cref="Given"/> are compared with an existing
/// network; what a document leaves out is left as it is.
/// </summary>
public sealed record DesiredNetwork
{
    public required string Name { get; init; }
    /// <summary>Where the network is in its document (e.g. Networks[1]), for messages.</summary>
    public required string Path { get; init; }
    public Ensure Ensure { get; init; } = Ensure.Present;
    /// <summary>Null: the network's state is left as it is (a new network is defined, not started).</summary>
    public NetworkState? State { get; init; }
    public required NetworkRequest Request { get; init; }
    /// <summary>The document's keys among the definition's properties (see <see cref="ConfigurationKeys"/>).</summary>
    public required IReadOnlySet<string> Given { get; init; }
    /// <summary>Null: the network's reservations are not managed. Otherwise exactly these, by MAC.</summary>
    public IReadOnlyList<DesiredReservation>? Reservations { get; init; }
    /// <summary>Null: the network's port forwards are not managed. Otherwise exactly these, by protocol, host address and host port.</summary>
    public IReadOnlyList<PortForwardDefinition>? PortForwards { get; init; }

    public bool Declares(string key) => Given.Contains(key);
}

/// <summary>A whole document: the networks the host must have.</summary>
public sealed record DesiredConfiguration(IReadOnlyList<DesiredNetwork> Networks);

/// <summary>The keys a document may use, spelled as documented (matched without regard to case).</summary>
public static class ConfigurationKeys
{
    public const string Networks = "Networks";

    public const string Name = "Name";
    public const string Ensure = "Ensure";
    public const string State = "State";
    public const string Mode = "Mode";
    public const string Subnet = "Subnet";
    public const string DhcpRange = "DhcpRange";
    public const string NoDhcp = "NoDhcp";
    public const string BridgeName = "BridgeName";
    public const string ForwardDevice = "ForwardDevice";
    public const string Stp = "Stp";
    public const string Mtu = "Mtu";
    public const string Domain = "Domain";
    public const string MacAddress = "MacAddress";
    public const string Autostart = "Autostart";
    public const string Reservations = "Reservations";
    public const string PortForwards = "PortForwards";

    public const string IPAddress = "IPAddress";
    public const string HostName = "HostName";

    public const string Protocol = "Protocol";
    public const string HostPort = "HostPort";
    public const string HostAddress = "HostAddress";
    public const string GuestAddress = "GuestAddress";
    public const string GuestPort = "GuestPort";
    public const string SourcePrefix = "SourcePrefix";
    public const string Description = "Description";

    /// <summary>Every key of a network, in the order the documentation lists them.</summary>
    public static readonly IReadOnlyList<string> Network =
        [Name, Ensure, State, Mode, Subnet, DhcpRange, NoDhcp, BridgeName, ForwardDevice, Stp, Mtu, Domain, MacAddress, Autostart, Reservations, PortForwards];

    public static readonly IReadOnlyList<string> Reservation = [MacAddress, IPAddress, HostName];

    /// <summary>A port forward's keys: Add-VNetworkPortForward's parameters.</summary>
    public static readonly IReadOnlyList<string> PortForward = [Protocol, HostPort, HostAddress, GuestAddress, GuestPort, SourcePrefix, Description];

    /// <summary>Keys of features still to come: refused, never silently ignored.</summary>
    public static readonly IReadOnlyList<string> Future = ["DnsRecords", "Dns"];
}
