using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Netlink;
using static VirtualNetworking.Linux.Host.KernelCalls;

namespace VirtualNetworking.Linux.Host;

/// <summary>The calling process's namespace through rtnetlink; kernel errors become the module's problems.</summary>
public sealed class LinuxHostNetwork : NetlinkAdapter, IHostLinks
{
    public IReadOnlyList<HostLink> Links() =>
        Read("list the host's links", () => Client.GetLinks().Select(l => new HostLink(l.Index, l.Name)).ToList());

    public IReadOnlyList<HostAddress> Addresses() =>
        Read("list the host's addresses",
            () => Client.GetAddresses().Select(a => new HostAddress(a.LinkIndex, new IpNetwork(a.Address, a.PrefixLength))).ToList());

    /// <summary>Unicast routes of every table but "local" (whose entries are the host's own addresses).</summary>
    public IReadOnlyList<HostRoute> Routes() =>
        Read("list the host's routes", () => Client.GetRoutes(includeLocalTable: false)
            .Where(r => r.Type == RouteType.Unicast)
            .Select(r => new HostRoute(r.OutputLinkIndex, new IpNetwork(r.Destination, r.PrefixLength)))
            .ToList());

    public string? LinkName(int index) => Read($"look up link #{index}", () => Client.GetLink(index)?.Name);

    public LinkState? GetLink(string name) => Read($"look up link {name}", () => Client.GetLink(name)) is { } l ? ToState(l) : null;

    public IReadOnlyList<LinkState> GetLinkStates() => Read("list the host's links", () => Client.GetLinks().Select(ToState).ToList());

    public IReadOnlyList<LinkAddress> GetAddresses(int linkIndex) =>
        Read($"list the addresses of link #{linkIndex}", () => Client.GetAddresses().Where(a => a.LinkIndex == linkIndex)
            .Select(a => new LinkAddress(new IpNetwork(a.Address, a.PrefixLength), a.HasBroadcast)).ToList());

    public IReadOnlyList<RouteState> GetRoutes(int linkIndex) =>
        Read($"list the routes through link #{linkIndex}", () => Client.GetRoutes(includeLocalTable: false)
            .Where(r => r.Table == RouteTable.Main && r.Type == RouteType.Unicast && r.OutputLinkIndex == linkIndex)
            .Select(r => new RouteState(new IpNetwork(r.Destination, r.PrefixLength), r.Gateway, r.OutputLinkIndex, r.Metric,
                IsKernelRoute: r.Protocol == RouteProtocol.Kernel))
            .ToList());

    public IReadOnlyList<string> LinksWithRaRoutes() =>
        Read("list the host's routes learnt from router advertisements", () => Client.GetRoutes(includeLocalTable: false)
            .Where(r => r.Protocol == RouteProtocol.RouterAdvertisement && r.OutputLinkIndex is not null)
            .Select(r => r.OutputLinkIndex!.Value).Distinct()
            .Select(i => Client.GetLink(i)?.Name).OfType<string>().ToList());

    public void CreateBridge(string name, string? macAddress, int? mtu, bool stp, TimeSpan forwardDelay) =>
        Change($"create bridge {name}", () => Client.CreateBridge(name, macAddress, mtu, stp, forwardDelay));

    /// <summary>Returns once the link is unlisted; the kernel frees it in the background (most of a deletion's time).</summary>
    public void DeleteLink(string name)
    {
        if (Read($"look up link {name}", () => Client.GetLink(name)) is not { } link) return;
        Change($"delete link {name}", () => Client.DeleteLinkUntilUnlisted(link.Index));
    }

    public void SetUp(string name) => Change($"set {name} up", () => Client.SetLinkUp(Index(Client, name)));

    public void SetMaster(string name, string? master) =>
        Change(master is null ? $"release {name} from its bridge" : $"attach {name} to {master}",
            () => Client.SetMaster(Index(Client, name), master is null ? 0 : Index(Client, master)));

    public void AddAddress(string link, IpNetwork address, bool broadcast = true) =>
        Change($"add {address} to {link}", () => Client.AddAddress(Index(Client, link), address.Address, address.PrefixLength, broadcast));

    public void DeleteAddress(string link, IpNetwork address) =>
        Change($"delete {address} from {link}", () => Client.DeleteAddress(Index(Client, link), address.Address, address.PrefixLength));

    public void AddRoute(string link, IpNetwork destination, IPAddress? gateway, uint? metric) =>
        Change($"add route {destination} via {gateway?.ToString() ?? link}",
            () => Client.AddRoute(destination.Address, destination.PrefixLength, gateway, Index(Client, link), metric));

    private static LinkState ToState(LinkInfo l) =>
        new(l.Index, l.Name, l.Kind, l.MacAddress, l.Mtu, l.IsUp, l.MasterIndex, HasCarrier: l.OperState is LinkOperState.Up or LinkOperState.Unknown);
}
