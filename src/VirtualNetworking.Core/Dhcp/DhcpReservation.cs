using System.Net;
using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// A fixed address (libvirt's &lt;host&gt;). Matched by MAC when one is given, otherwise by the host name
/// the client sends in option 12 (case-insensitive). <see cref="HostName"/> is echoed back to the client.
/// </summary>
public sealed record DhcpReservation(PhysicalAddress? HardwareAddress, string? HostName, IPAddress Address)
{
    /// <summary>libvirt's per-host &lt;lease&gt;: replaces the scope's lease time for this client; null = the scope's.</summary>
    public DhcpLeaseTime? LeaseTime { get; init; }

    internal bool Matches(DhcpClient client) =>
        HardwareAddress is not null
            ? HardwareAddress.Equals(client.HardwareAddress)
            : HostName is not null && string.Equals(HostName, client.RequestedHostName, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A lease time that may be infinite (<see cref="Duration"/> null), so that "not set" stays distinct from it.</summary>
public readonly record struct DhcpLeaseTime(TimeSpan? Duration);
