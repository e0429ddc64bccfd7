using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Host;

/// <summary>The calling process's namespace as rtnetlink reports it (read only; needs no privilege).</summary>
public sealed class NetlinkHostNetworkView : IHostNetworkView
{
    public IReadOnlyList<HostLink> Links()
    {
        using var client = new RtnetlinkClient();
        return client.GetLinks().Select(l => new HostLink(l.Index, l.Name)).ToList();
    }

    public IReadOnlyList<HostAddress> Addresses()
    {
        using var client = new RtnetlinkClient();
        var names = client.GetLinks().ToDictionary(l => l.Index, l => l.Name);
        return client.GetAddresses()
            .Select(a => new HostAddress(names.GetValueOrDefault(a.LinkIndex, $"#{a.LinkIndex}"), new IpNetwork(a.Address, a.PrefixLength)))
            .ToList();
    }

    /// <summary>Unicast routes of every table but "local" (whose entries are the host's own addresses).</summary>
    public IReadOnlyList<HostRoute> Routes()
    {
        using var client = new RtnetlinkClient();
        var names = client.GetLinks().ToDictionary(l => l.Index, l => l.Name);
        return client.GetRoutes()
            .Where(r => r.Table != RouteTable.Local && r.Type == RouteType.Unicast)
            .Select(r => new HostRoute(r.OutputLinkIndex is { } i ? names.GetValueOrDefault(i) : null, new IpNetwork(r.Destination, r.PrefixLength)))
            .ToList();
    }
}
