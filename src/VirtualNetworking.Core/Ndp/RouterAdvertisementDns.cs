using System.Net;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Ndp;

/// <summary>What a network's DNS service tells guests by RA (RFC 8106): its IPv6 server addresses and search domains.</summary>
public sealed record RouterAdvertisementDns(IReadOnlyList<IPAddress> Servers, IReadOnlyList<DnsName> SearchDomains)
{
    /// <summary>
    /// The network's own IPv6 addresses where its DNS is served (<paramref name="served"/>, <see cref="DnsPolicy.FromNetwork"/>),
    /// as dnsmasq's RDNSS names its own address, and its &lt;domain&gt; as search list; null when DNS is not served or the
    /// network has no IPv6 address to serve it on.
    /// </summary>
    public static RouterAdvertisementDns? Of(Model.NetworkDefinition network, DnsPolicy? served)
    {
        if (served is null) return null;
        var servers = served.OwnAddresses.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal).ToList();
        if (servers.Count == 0) return null;
        return new(servers, network.Domain?.Name is { } name && DnsName.TryParse(name, out var domain) ? [domain] : []);
    }
}
