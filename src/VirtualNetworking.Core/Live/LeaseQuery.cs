using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// A bound lease of a network: a DHCPv4 one names its client by <see cref="MacAddress"/> (and <see cref="ClientId"/>
/// when the client sent one), a DHCPv6 one by <see cref="Duid"/> and <see cref="Iaid"/>, as RFC 8415 binds addresses.
/// </summary>
public sealed record NetworkLease(string Network, IPAddress Address, string? HostName, DateTimeOffset? Expires)
{
    public string? MacAddress { get; private init; }
    public IReadOnlyList<byte>? ClientId { get; private init; }
    public Duid? Duid { get; private init; }
    public uint? Iaid { get; private init; }

    public static NetworkLease FromDhcp(string network, DhcpLease lease) => new(network, lease.Address, lease.HostName, lease.Expires)
    {
        MacAddress = MacAddressText.Format(lease.HardwareAddress.GetAddressBytes()),
        ClientId = lease.ClientId,
    };

    public static NetworkLease FromDhcp6(string network, Dhcp6Lease lease) => new(network, lease.Address, lease.HostName, lease.Expires)
    {
        Duid = lease.ClientId,
        Iaid = lease.Iaid,
    };
}

/// <summary>virsh net-dhcp-leases: the bound leases our DHCP servers hold, IPv4 then IPv6, by address; expired and declined ones are left out.</summary>
public sealed class LeaseQuery(EnginePorts ports, NetworkCatalog catalog)
{
    /// <summary>The networks a listing without -Network covers: the active ones.</summary>
    public IReadOnlyList<string> ActiveNetworks() => catalog.ActiveNames();

    /// <summary>
    /// Throws VNetworkNotFound for an unknown network. <paramref name="macAddress"/> (canonical form) filters to that
    /// DHCPv4 client, <paramref name="duid"/> to that DHCPv6 client; a filter of one family leaves the other's leases
    /// out, and then its lease file is not read.
    /// </summary>
    public IReadOnlyList<NetworkLease> List(string network, string? macAddress, Duid? duid = null)
    {
        if (catalog.Find(network) is null) throw NetworkCatalog.NotFound(network);
        var ipv4 = duid is not null ? [] : ports.Dhcp.ReadLeases(network)
            .Where(l => l.State == DhcpLeaseState.Bound)
            .Select(l => NetworkLease.FromDhcp(network, l))
            .Where(l => macAddress is null || l.MacAddress == macAddress);
        var ipv6 = macAddress is not null ? [] : ports.Dhcp.ReadLeases6(network)
            .Where(l => duid is null || l.ClientId.Equals(duid))
            .Select(l => NetworkLease.FromDhcp6(network, l));
        return [.. ipv4.OrderBy(l => IpNetwork.ToInteger(l.Address)), .. ipv6.OrderBy(l => IpNetwork.ToInteger(l.Address))];
    }
}
