using System.Net;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// Reservations applied like net-update --live --config: to the stored definition (checked there first, so
/// bad input changes nothing) and to the running network's DHCP without a restart.
/// </summary>
public sealed class ReservationService(NetworkCatalog catalog, NetworkRuntime runtime)
{
    public IReadOnlyList<DhcpReservationEntry> List(string network) => DhcpReservations.List(catalog.Get(network).Definition);

    /// <summary>An IPv4 reservation by MAC, or an IPv6 one by DUID or by name alone (see <see cref="DhcpReservations.Add"/>).</summary>
    public DhcpReservationEntry Add(string network, string? macAddress, string? duid, IPAddress address, string? hostName)
    {
        Apply(network, d => DhcpReservations.Add(d, macAddress, duid, address, hostName));
        return DhcpReservations.List(catalog.Get(network).Definition).Last(r => r.IPAddress.Equals(address));
    }

    public DhcpReservationEntry Remove(string network, string? macAddress, string? duid, IPAddress? address)
    {
        DhcpReservationEntry? removed = null;
        Apply(network, d => removed = DhcpReservations.Remove(d, macAddress, duid, address));
        return removed!;
    }

    /// <summary>Throws what adding the reservation would throw; changes nothing.</summary>
    public void CheckAdd(string network, string macAddress, IPAddress address) =>
        TryOnCopies(network, d => DhcpReservations.Add(d, macAddress, duid: null, address, null));

    private void Apply(string network, Action<NetworkDefinition> change)
    {
        var record = TryOnCopies(network, change);
        // Then the running daemon, then the stored definition, so a daemon that cannot take the change leaves the
        // stored one as it was too.
        runtime.ApplyLive(network, change);
        if (record.Persistent) catalog.UpdateDefinition(network, change, autostart: null);
    }

    /// <summary>Tries the change on copies of the live and the stored definition: a refusal changes nothing.</summary>
    private NetworkRecord TryOnCopies(string network, Action<NetworkDefinition> change)
    {
        var record = catalog.Get(network);
        if (record.State == NetworkState.Active)
        {
            runtime.EnsureCanChange();
            change(record.Definition.Clone());
        }
        if (record.Persistent) change(catalog.FindPersistent(network)!.Clone());
        return record;
    }
}
