using System.Net.NetworkInformation;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// What one network's bridge advertises and how often: the RA libvirt's dnsmasq configuration makes dnsmasq send
/// (networkDnsmasqConfContents: enable-ra with the DHCPv6 range, else dhcp-range=ADDR,ra-only per IPv6 address;
/// ra-param=*,0,0 on isolated networks), with dnsmasq's defaults (radv.c). Pure.
/// </summary>
public sealed record RouterAdvertisementPolicy(RouterAdvertisement Advertisement, TimeSpan MinInterval, TimeSpan MaxInterval)
{
    /// <summary>dnsmasq's RA interval (calc_interval) and RFC 4861 §6.2.1's default MaxRtrAdvInterval.</summary>
    public static readonly TimeSpan DefaultMaxInterval = TimeSpan.FromSeconds(600);
    /// <summary>dnsmasq waits 3/4 to 1 times its interval between periodic RAs (new_timeout).</summary>
    public static readonly TimeSpan DefaultMinInterval = DefaultMaxInterval * 3 / 4;
    /// <summary>dnsmasq's router lifetime: 3 × its interval (calc_lifetime), RFC 4861 §6.2.1's default too.</summary>
    public const ushort DefaultRouterLifetime = 1800;
    /// <summary>dnsmasq never advertises a configured lease shorter than this as prefix lifetime (3 × its interval).</summary>
    public const uint MinimumPrefixLifetime = 1800;
    /// <summary>RFC 8106 §5.1: RDNSS and DNSSL lifetimes default to 3 × MaxRtrAdvInterval.</summary>
    public const uint DnsLifetime = 1800;
    /// <summary>dnsmasq advertises the host's default hop limit (IPV6_UNICAST_HOPS), 64 on Linux.</summary>
    public const byte CurHopLimit = 64;

    /// <summary>
    /// The policy of a network whose bridge sends RAs; null when it sends none: not a bridge we manage, no IPv6 &lt;ip&gt;,
    /// or nothing that would start libvirt's dnsmasq (no DHCP or TFTP anywhere and &lt;dns enable='no'&gt;).
    /// With a DHCPv6 &lt;ip&gt; (a range or hosts) only its prefix is advertised, M and O set and A clear (dnsmasq's
    /// enable-ra: a prefix per dhcp-range, managed); otherwise every IPv6 prefix, A set and M, O clear (ra-only).
    /// </summary>
    /// <param name="dns">The network's IPv6 DNS service for RDNSS/DNSSL; null while guests are not served DNS over IPv6.</param>
    public static RouterAdvertisementPolicy? FromNetwork(NetworkDefinition network, RouterAdvertisementDns? dns = null)
    {
        if (!NetworkModeNames.IsManagedBridge(network.Mode)) return null;
        var ipv6 = network.Ips.Where(ip => ip.IsIPv6).ToList();
        if (ipv6.Count == 0 || !StartsDnsmasq(network)) return null;

        var dhcp = ipv6.FirstOrDefault(ip => ip.Dhcp is { } d && (d.Ranges.Count > 0 || d.Hosts.Count > 0));
        var prefixes = dhcp is not null
            ? [new PrefixInformation(NetworkValidator.Subnet(dhcp).Canonical, OnLink: true, Autonomous: false, PrefixLifetime(dhcp), PrefixLifetime(dhcp))]
            : ipv6.Select(ip => NetworkValidator.Subnet(ip).Canonical).Distinct()
                .Select(prefix => new PrefixInformation(prefix, OnLink: true, Autonomous: true, RouterAdvertisement.Infinity, RouterAdvertisement.Infinity))
                .ToList();

        var advertisement = new RouterAdvertisement
        {
            CurHopLimit = CurHopLimit,
            Managed = dhcp is not null,
            OtherConfiguration = dhcp is not null,
            // ra-param=*,0,0: an isolated network's guests get prefixes but no default route.
            RouterLifetime = network.Mode == NetworkMode.Isolated ? (ushort)0 : DefaultRouterLifetime,
            Prefixes = prefixes,
            Mtu = network.Mtu is > 0 and var mtu ? (uint)mtu : null,
            SourceLinkLayerAddress = MacAddressText.TryNormalize(network.MacAddress, out var mac) ? PhysicalAddress.Parse(mac) : null,
            RecursiveDnsServers = dns is { Servers.Count: > 0 } ? new RecursiveDnsServerOption(DnsLifetime, dns.Servers) : null,
            DnsSearchList = dns is { SearchDomains.Count: > 0 } ? new DnsSearchListOption(DnsLifetime, dns.SearchDomains) : null,
        };
        return new RouterAdvertisementPolicy(advertisement, DefaultMinInterval, DefaultMaxInterval);
    }

    /// <summary>libvirt starts dnsmasq (which sends the RAs) unless no &lt;ip&gt; has DHCP or TFTP and DNS is disabled.</summary>
    private static bool StartsDnsmasq(NetworkDefinition network) =>
        network.Dns?.Enable != false ||
        network.Ips.Any(ip => ip.TftpRoot is not null || ip.Dhcp is { } d && (d.Ranges.Count > 0 || d.Hosts.Count > 0));

    /// <summary>
    /// dnsmasq's prefix lifetimes for a DHCPv6 &lt;ip&gt; (add_prefixes): infinite (the bridge address's own lifetime)
    /// unless a range has a &lt;lease&gt;; then the shortest lease, but never under <see cref="MinimumPrefixLifetime"/>.
    /// </summary>
    private static uint PrefixLifetime(IpDefinition ip)
    {
        var lifetime = RouterAdvertisement.Infinity;
        foreach (var lease in ip.Dhcp!.Ranges.Select(r => r.Lease).OfType<LeaseDefinition>())
        {
            var seconds = lease.Duration is { } d ? (uint)Math.Min(d.TotalSeconds, RouterAdvertisement.Infinity) : RouterAdvertisement.Infinity;
            if (seconds < lifetime) lifetime = Math.Max(seconds, MinimumPrefixLifetime);
        }
        return lifetime;
    }
}
