using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// Who sent a request. The identity is option 61 when present, else the MAC (RFC 2131 §4.2), so a
/// client id survives a NIC change and a MAC alone still works.
/// </summary>
internal sealed record DhcpClient(PhysicalAddress HardwareAddress, byte[]? ClientId, string? RequestedHostName)
{
    public static DhcpClient From(DhcpPacket packet) =>
        new(packet.ClientHardwareAddress, packet.ClientIdentifier, packet.HostName);

    /// <summary>The bytes identifying the client, hashed for its stable pool address.</summary>
    public ReadOnlySpan<byte> IdentityBytes => ClientId ?? HardwareAddress.GetAddressBytes();

    public bool Owns(DhcpLease lease) =>
        lease.State != DhcpLeaseState.Declined &&
        (ClientId is not null
            ? lease.ClientId is not null && ClientId.AsSpan().SequenceEqual(lease.ClientId)
            : lease.ClientId is null && HardwareAddress.Equals(lease.HardwareAddress));
}
