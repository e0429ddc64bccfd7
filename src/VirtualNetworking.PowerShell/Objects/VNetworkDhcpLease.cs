using VirtualNetworking.Core.Live;

namespace VirtualNetworking;

/// <summary>A DHCP lease our server granted (virsh net-dhcp-leases): IPv4 ones name the client by MacAddress, IPv6 ones by Duid and Iaid.</summary>
public sealed class VNetworkDhcpLease
{
    internal VNetworkDhcpLease(NetworkLease lease)
    {
        Network = lease.Network;
        IPAddress = lease.Address.ToString();
        MacAddress = lease.MacAddress;
        Duid = lease.Duid?.ToString();
        Iaid = lease.Iaid;
        HostName = lease.HostName;
        ClientId = lease.ClientId is null ? null : string.Join(':', lease.ClientId.Select(b => b.ToString("x2")));
        ExpiryTime = lease.Expires?.LocalDateTime;
    }

    public string Network { get; }
    public string IPAddress { get; }
    /// <summary>Empty for an IPv6 lease.</summary>
    public string? MacAddress { get; }
    /// <summary>The DHCPv6 client's DUID; empty for an IPv4 lease.</summary>
    public string? Duid { get; }
    /// <summary>The DHCPv6 identity association the address belongs to; empty for an IPv4 lease.</summary>
    public uint? Iaid { get; }
    public string? HostName { get; }
    /// <summary>The DHCPv4 client identifier (option 61), when the client sent one.</summary>
    public string? ClientId { get; }
    /// <summary>Local time; empty for an infinite lease.</summary>
    public DateTime? ExpiryTime { get; }

    public override string ToString() => $"{MacAddress ?? Duid} {IPAddress}";
}
