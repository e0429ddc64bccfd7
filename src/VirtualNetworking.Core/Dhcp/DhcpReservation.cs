using System.Net;
using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// A fixed address (libvirt's &lt;host&gt;). Matched by MAC when one is given, otherwise by the host name
/// the client sends in option 12 (case-insensitive). <see cref="HostName"/> is echoed back to the client.
/// </summary>
public sealed record DhcpReservation(PhysicalAddress? HardwareAddress, string? HostName, IPAddress Address)
{
    internal bool Matches(DhcpClient client) =>
        HardwareAddress is not null
            ? HardwareAddress.Equals(client.HardwareAddress)
            : HostName is not null && string.Equals(HostName, client.RequestedHostName, StringComparison.OrdinalIgnoreCase);
}
