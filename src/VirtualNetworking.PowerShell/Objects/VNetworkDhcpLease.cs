using VirtualNetworking.Core.Live;

namespace VirtualNetworking;

/// <summary>A DHCP lease our server granted (virsh net-dhcp-leases).</summary>
public sealed class VNetworkDhcpLease
{
    internal VNetworkDhcpLease(NetworkLease networkLease)
    {
        var lease = networkLease.Lease;
        Network = networkLease.Network;
        IPAddress = lease.Address.ToString();
        MacAddress = networkLease.MacAddress;
        HostName = lease.HostName;
        ClientId = lease.ClientId is null ? null : string.Join(':', lease.ClientId.Select(b => b.ToString("x2")));
        ExpiryTime = lease.Expires?.LocalDateTime;
    }

    public string Network { get; }
    public string IPAddress { get; }
    public string MacAddress { get; }
    public string? HostName { get; }
    public string? ClientId { get; }
    /// <summary>Local time; empty for an infinite lease.</summary>
    public DateTime? ExpiryTime { get; }

    public override string ToString() => $"{MacAddress} {IPAddress}";
}
