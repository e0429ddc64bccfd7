using System.Net;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Dns;

public enum DnsRouteKind
{
    /// <summary>Answered from the network's own data only: unknown names get NXDOMAIN.</summary>
    Local,
    /// <summary>Sent to <see cref="DnsRoute.Upstreams"/>, in order.</summary>
    Forward,
    /// <summary>Nowhere to send it (isolated network, no upstream server): REFUSED, as dnsmasq answers.</summary>
    Refuse,
}

public sealed record DnsRoute(DnsRouteKind Kind, IReadOnlyList<IPEndPoint> Upstreams)
{
    public static DnsRoute Local { get; } = new(DnsRouteKind.Local, []);
    public static DnsRoute Refuse { get; } = new(DnsRouteKind.Refuse, []);
}

/// <summary>
/// Names at and below <see cref="Domain"/>: answered locally (libvirt's &lt;domain localOnly='yes'&gt;, &lt;forwarder domain/&gt;
/// without addr, localPtr's reverse zone) or sent only to <see cref="Servers"/> (&lt;forwarder domain addr&gt;).
/// </summary>
public sealed record DnsDomainRule(DnsName Domain, bool Local, IReadOnlyList<IPEndPoint> Servers);

/// <summary>
/// Where one network's DNS server sends each name, from the definition as libvirt tells dnsmasq (local=/d/,
/// server=/d/addr#port, server=addr, domain-needed + local=//, no-resolv on isolated networks). Pure.
/// </summary>
public sealed class DnsPolicy
{
    public const int DnsPort = 53;

    private DnsPolicy(IReadOnlyList<IPAddress> ownAddresses, bool forwards, bool forwardPlainNames, IReadOnlyList<DnsDomainRule> domainRules, IReadOnlyList<IPEndPoint>? forwarders)
    {
        OwnAddresses = ownAddresses;
        Forwards = forwards;
        ForwardPlainNames = forwardPlainNames;
        DomainRules = domainRules;
        Forwarders = forwarders;
    }

    /// <summary>The network's own addresses: where it serves DNS, and never an upstream (that would loop).</summary>
    public IReadOnlyList<IPAddress> OwnAddresses { get; }
    /// <summary>False on isolated networks: nothing is ever forwarded.</summary>
    public bool Forwards { get; }
    /// <summary>forwardPlainNames='no' makes this false: single-label names are answered locally or NXDOMAIN.</summary>
    public bool ForwardPlainNames { get; }
    /// <summary>Per-domain rules, the most specific domain first; a local rule comes before forwarders for the same domain.</summary>
    public IReadOnlyList<DnsDomainRule> DomainRules { get; }
    /// <summary>&lt;forwarder addr&gt; without domain, in order; null when there is none and the host's resolvers are used.</summary>
    public IReadOnlyList<IPEndPoint>? Forwarders { get; }

    /// <summary>
    /// The policy of a network that serves DNS; null when it has none: &lt;dns enable='no'&gt; (dnsmasq's port=0: no DNS
    /// socket at all, so there is no server to answer even REFUSED), or no address to serve on.
    /// </summary>
    public static DnsPolicy? FromNetwork(NetworkDefinition network)
    {
        if (network.Dns?.Enable == false || network.Ips.Count == 0 ||
            network.Mode is not (NetworkMode.Isolated or NetworkMode.Nat or NetworkMode.Routed or NetworkMode.Open)) return null;
        var own = network.Ips.Select(ip => ip.Address).ToList();
        var rules = new List<DnsDomainRule>();
        if (network.Domain is { LocalOnly: true } domain && DnsName.TryParse(domain.Name, out var localDomain)) rules.Add(new(localDomain, true, []));
        foreach (var ip in network.Ips.Where(ip => ip.LocalPtr == true))
            if (DnsName.ReverseZoneOf(NetworkValidator.Subnet(ip).Canonical) is { } zone) rules.Add(new(zone, true, []));
        var forwarders = network.Dns?.Forwarders ?? [];
        foreach (var forwarder in forwarders)
        {
            if (forwarder.Domain is null || !DnsName.TryParse(forwarder.Domain, out var name)) continue;
            // The documented meaning of <forwarder domain='x'/>, not libvirt's bug 597 (server=/x/# forwards x as usual).
            rules.Add(forwarder.Address is null ? new(name, true, []) : new(name, false, WithoutOwn(own, [Upstream(forwarder)])));
        }
        var defaults = forwarders.Where(f => f.Domain is null && f.Address is not null).Select(Upstream).ToList();
        return new DnsPolicy(own, network.Mode != NetworkMode.Isolated, network.Dns?.ForwardPlainNames != false, Merge(rules),
            defaults.Count == 0 ? null : WithoutOwn(own, defaults));
    }

    /// <summary>
    /// Where a name goes: a forwardPlainNames='no' plain name stays local; else the most specific domain rule decides;
    /// else the default upstreams (<see cref="Forwarders"/>, or <paramref name="hostResolvers"/>). Isolated networks and an
    /// empty upstream list refuse.
    /// </summary>
    public DnsRoute Route(DnsName name, IReadOnlyList<IPEndPoint> hostResolvers)
    {
        if (!ForwardPlainNames && name.LabelCount == 1) return DnsRoute.Local;
        var rule = DomainRules.FirstOrDefault(r => name.IsSubdomainOf(r.Domain));
        if (rule is { Local: true }) return DnsRoute.Local;
        var upstreams = rule?.Servers ?? Forwarders ?? hostResolvers;
        return !Forwards || upstreams.Count == 0 ? DnsRoute.Refuse : new DnsRoute(DnsRouteKind.Forward, upstreams);
    }

    /// <summary>The list without the network's own DNS service (any of its addresses, port 53): forwarding there would loop.</summary>
    public IReadOnlyList<IPEndPoint> WithoutOwnAddresses(IEnumerable<IPEndPoint> upstreams) => WithoutOwn(OwnAddresses, upstreams);

    private static List<IPEndPoint> WithoutOwn(IReadOnlyList<IPAddress> own, IEnumerable<IPEndPoint> upstreams) =>
        upstreams.Where(u => !(u.Port == DnsPort && own.Contains(Unmapped(u.Address)))).ToList();

    private static IPEndPoint Upstream(DnsForwarder forwarder) => new(forwarder.Address!, forwarder.Port ?? DnsPort);

    /// <summary>One rule per domain (local wins; forwarders' servers in order), the most specific domain first.</summary>
    private static List<DnsDomainRule> Merge(List<DnsDomainRule> rules) =>
        rules.GroupBy(r => r.Domain)
            .Select(g => g.Any(r => r.Local) ? new DnsDomainRule(g.Key, true, []) : new DnsDomainRule(g.Key, false, [.. g.SelectMany(r => r.Servers)]))
            .OrderByDescending(r => r.Domain.LabelCount)
            .ToList();

    internal static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
