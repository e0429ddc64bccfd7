using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>An in-memory host whose whole state can be snapshotted as text, to compare before and after.</summary>
/// <remarks>
/// One kernel's state behind every host port the engine uses (links, guest links, users, sysctls, firewall), so a
/// test compares whole snapshots; each port's part is in its own file.
/// </remarks>
internal sealed partial class FakeHost : IHostLinks
{
    private int nextIndex = 10;
    public readonly Dictionary<string, LinkState> Links_ = new();
    public readonly List<(string Link, IpNetwork Address)> Addrs = new();
    public readonly List<(string Link, IpNetwork Destination, IPAddress? Gateway, uint? Metric, bool Kernel)> RouteList = new();
    public readonly SortedDictionary<string, string> Sysctls = new(StringComparer.Ordinal)
    {
        ["net/ipv4/ip_forward"] = "0",
        ["net/ipv6/conf/all/forwarding"] = "0",
    };
    /// <summary>Throws when an operation's name starts with this text (a kernel refusing).</summary>
    public string? FailOn;

    public string Snapshot() => string.Join('\n',
        Links_.Values.OrderBy(l => l.Name).Select(l => $"link {l.Name} {l.Kind} {l.MacAddress} {l.Mtu} up={l.IsUp} master={l.MasterIndex}")
            .Concat(Addrs.Select(a => $"addr {a.Link} {a.Address}{(NoBroadcast.Contains(a.Address) ? " no-broadcast" : "")}").Order())
            .Concat(RouteList.Select(r => $"route {r.Link} {r.Destination} {r.Gateway} {r.Metric}").Order())
            .Concat(Sysctls.Select(s => $"sysctl {s.Key}={s.Value}"))
            .Concat(Rules.Select(r => $"rule {r}")));

    public LinkState AddLink(string name, string? kind, string? mac = "02:00:00:00:00:01", int mtu = 1500)
    {
        var link = new LinkState(nextIndex++, name, kind, mac, mtu, true, null);
        Links_[name] = link;
        return link;
    }

    /// <summary>Throws when an operation's name starts with <see cref="FailOn"/>.</summary>
    private void Check(string operation)
    {
        if (FailOn is not null && operation.StartsWith(FailOn, StringComparison.Ordinal))
            throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.InvalidOperation, $"fake refusal: {operation}");
    }


    public IReadOnlyList<HostLink> Links() => Links_.Values.Select(l => new HostLink(l.Index, l.Name)).ToList();
    public IReadOnlyList<HostAddress> Addresses() => Addrs.Select(a => new HostAddress(IndexOf(a.Link), a.Address)).ToList();
    public IReadOnlyList<HostRoute> Routes() => RouteList.Select(r => new HostRoute(IndexOf(r.Link), r.Destination)).ToList();
    public string? LinkName(int index) => Links_.Values.FirstOrDefault(l => l.Index == index)?.Name;
    /// <summary>A link the fake does not list (an address put on a name only) gets an index no link has.</summary>
    private int IndexOf(string link) => Links_.GetValueOrDefault(link)?.Index ?? -1;
    public LinkState? GetLink(string name) => Links_.GetValueOrDefault(name);
    public IReadOnlyList<LinkState> GetLinkStates() => Links_.Values.ToList();
    public IReadOnlyList<LinkAddress> GetAddresses(int linkIndex) =>
        Addrs.Where(a => Links_.GetValueOrDefault(a.Link)?.Index == linkIndex).Select(a => new LinkAddress(a.Address, !NoBroadcast.Contains(a.Address))).ToList();

    /// <summary>Addresses that carry no broadcast address.</summary>
    public readonly HashSet<IpNetwork> NoBroadcast = new();
    public IReadOnlyList<RouteState> GetRoutes(int linkIndex) =>
        RouteList.Where(r => Links_.GetValueOrDefault(r.Link)?.Index == linkIndex)
            .Select(r => new RouteState(r.Destination, r.Gateway, linkIndex, r.Metric, r.Kernel)).ToList();

    /// <summary>The links whose IPv6 routes came from router advertisements (proto ra).</summary>
    public readonly List<string> RaLinks = [];
    public IReadOnlyList<string> LinksWithRaRoutes() => RaLinks;

    public void CreateBridge(string name, string? macAddress, int? mtu, bool stp, TimeSpan forwardDelay)
    {
        Check("create-bridge");
        if (Links_.ContainsKey(name)) throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.InvalidOperation, "exists");
        Links_[name] = new LinkState(nextIndex++, name, "bridge", macAddress, mtu ?? 1500, false, null);
        Sysctls[$"net/ipv6/conf/{name}/disable_ipv6"] = "0";
        Sysctls[$"net/ipv6/conf/{name}/accept_ra"] = "1";
        Sysctls[$"net/ipv6/conf/{name}/autoconf"] = "1";
    }

    public void DeleteLink(string name)
    {
        Check("delete-link");
        if (!Links_.Remove(name, out var gone)) return;
        Addrs.RemoveAll(a => a.Link == name);
        RouteList.RemoveAll(r => r.Link == name);
        foreach (var key in Sysctls.Keys.Where(k => k.StartsWith($"net/ipv6/conf/{name}/", StringComparison.Ordinal)).ToList()) Sysctls.Remove(key);
        foreach (var port in Links_.Values.Where(l => l.MasterIndex == gone.Index).ToList()) Links_[port.Name] = port with { MasterIndex = null };
    }

    public void SetUp(string name) { Check("set-up"); Links_[name] = Links_[name] with { IsUp = true }; }

    public void SetMaster(string name, string? master)
    {
        Check("set-master");
        Links_[name] = Links_[name] with { MasterIndex = master is null ? null : Links_[master].Index };
    }

    public void AddAddress(string link, IpNetwork address, bool broadcast = true)
    {
        if (broadcast) NoBroadcast.Remove(address); else NoBroadcast.Add(address);
        Check("add-address");
        Addrs.Add((link, address));
        RouteList.Add((link, address.Canonical, null, null, true));
    }

    public void DeleteAddress(string link, IpNetwork address)
    {
        Check("delete-address");
        Addrs.Remove((link, address));
        RouteList.RemoveAll(r => r.Link == link && (r.Destination == address.Canonical || (r.Gateway is { } g && address.Contains(g))));
    }

    public void AddRoute(string link, IpNetwork destination, IPAddress? gateway, uint? metric)
    {
        Check("add-route");
        RouteList.Add((link, destination, gateway, metric, false));
    }
}
