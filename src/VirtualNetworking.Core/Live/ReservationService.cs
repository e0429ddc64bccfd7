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

    public DhcpReservationEntry Add(string network, string macAddress, IPAddress address, string? hostName)
    {
        Apply(network, d => DhcpReservations.Add(d, macAddress, address, hostName));
        return DhcpReservations.List(catalog.Get(network).Definition).Last(r => r.IPAddress.Equals(address));
    }

    public DhcpReservationEntry Remove(string network, string macAddress, IPAddress? address)
    {
        DhcpReservationEntry? removed = null;
        Apply(network, d => removed = DhcpReservations.Remove(d, macAddress, address));
        return removed!;
    }

    private void Apply(string network, Action<NetworkDefinition> change)
    {
        var record = catalog.Get(network);
        // The live change is tried on a copy first, so a refusal there leaves the stored definition alone too.
        if (record.State == NetworkState.Active)
        {
            runtime.EnsureCanChange();
            change(record.Definition.Clone());
        }
        if (record.Persistent) catalog.Update(network, change, autostart: null);
        runtime.ApplyLive(network, change);
    }
}
