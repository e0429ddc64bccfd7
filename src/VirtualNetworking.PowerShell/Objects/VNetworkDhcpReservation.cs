using VirtualNetworking.Core.Engine;

namespace VirtualNetworking;

/// <summary>A static DHCP host of a network (libvirt's &lt;host mac ip name&gt;).</summary>
public sealed class VNetworkDhcpReservation
{
    internal VNetworkDhcpReservation(DhcpReservationEntry entry)
    {
        Network = entry.Network;
        MacAddress = entry.MacAddress;
        IPAddress = entry.IPAddress.ToString();
        HostName = entry.HostName;
    }

    public string Network { get; }
    public string MacAddress { get; }
    public string IPAddress { get; }
    public string? HostName { get; }

    public override string ToString() => $"{MacAddress} {IPAddress}";
}
