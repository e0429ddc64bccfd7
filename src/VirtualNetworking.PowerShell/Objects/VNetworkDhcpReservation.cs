using VirtualNetworking.Core.Engine;

namespace VirtualNetworking;

/// <summary>A static DHCP host of a network: libvirt's &lt;host mac ip name&gt; (IPv4) or &lt;host id ip name&gt; (IPv6).</summary>
public sealed class VNetworkDhcpReservation
{
    internal VNetworkDhcpReservation(DhcpReservationEntry entry)
    {
        Network = entry.Network;
        MacAddress = entry.MacAddress;
        Duid = entry.Duid;
        IPAddress = entry.IPAddress.ToString();
        HostName = entry.HostName;
    }

    public string Network { get; }
    /// <summary>Empty for an IPv6 reservation, and for an IPv4 one by name alone.</summary>
    public string? MacAddress { get; }
    /// <summary>The DHCPv6 client's DUID; empty for an IPv4 reservation, and for an IPv6 one by name alone.</summary>
    public string? Duid { get; }
    public string IPAddress { get; }
    public string? HostName { get; }

    public override string ToString() => $"{MacAddress ?? Duid ?? HostName} {IPAddress}";
}
