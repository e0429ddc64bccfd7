using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Live;

/// <summary>A bound lease of a network.</summary>
public sealed record NetworkLease(string Network, DhcpLease Lease)
{
    public string MacAddress => MacAddressText.Format(Lease.HardwareAddress.GetAddressBytes());
}

/// <summary>virsh net-dhcp-leases: the bound leases our DHCP server holds, by address; expired and declined ones are left out.</summary>
public sealed class LeaseQuery(EnginePorts ports, NetworkCatalog catalog)
{
    /// <summary>The networks a listing without -Network covers: the active ones.</summary>
    public IReadOnlyList<string> ActiveNetworks() => catalog.ActiveNames();

    /// <summary>Throws VNetworkNotFound for an unknown network; <paramref name="macAddress"/> in canonical form filters.</summary>
    public IReadOnlyList<NetworkLease> List(string network, string? macAddress)
    {
        if (catalog.Find(network) is null) throw NetworkCatalog.NotFound(network);
        return ports.Dhcp.ReadLeases(network).Where(l => l.State == DhcpLeaseState.Bound)
            .OrderBy(l => IpNetwork.ToInteger(l.Address))
            .Select(l => new NetworkLease(network, l))
            .Where(l => macAddress is null || l.MacAddress == macAddress)
            .ToList();
    }
}
