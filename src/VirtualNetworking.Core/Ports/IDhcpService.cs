using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Ports;

/// <summary>
/// The DHCP and DNS side of a started network (our host daemon). Start-VNetwork calls Serve after the bridge is up,
/// Stop-VNetwork calls Release; reservation changes call Update. Serve must fail (throw) when the network
/// cannot be served, so that Start rolls back.
/// </summary>
public interface IDhcpService
{
    /// <summary>
    /// Starts serving (spawning the daemon if needed) the network's first IPv4 DHCP block and its DNS on its bridge;
    /// VNetworkDnsPortInUse when another process holds port 53 on one of its addresses.
    /// </summary>
    void Serve(NetworkDefinition liveDefinition);
    /// <summary>Applies a changed definition (reservations) without a restart.</summary>
    void Update(NetworkDefinition liveDefinition);
    /// <summary>Stops serving; idempotent.</summary>
    void Release(string networkName);
    /// <summary>The network's bound and declined leases (from the lease store; no daemon needed); expired ones are left out.</summary>
    IReadOnlyList<DhcpLease> ReadLeases(string networkName);
    /// <summary>The network's bound DHCPv6 leases (from the lease store; no daemon needed); expired and declined ones are left out.</summary>
    IReadOnlyList<Dhcp6Lease> ReadLeases6(string networkName);
}
