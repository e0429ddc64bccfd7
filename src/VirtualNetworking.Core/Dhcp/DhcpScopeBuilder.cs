using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// What libvirt would tell dnsmasq about a network, as our server's scope: the first IPv4 &lt;ip&gt; with a
/// &lt;dhcp&gt; block (libvirt allows DHCP on one IPv4 address only), its ranges, hosts, lease, bootp,
/// the network's domain (option 15, and option 119 as its search list) and MTU. The bridge address is the guests'
/// DNS server unless &lt;dns enable='no'&gt; (dnsmasq sends its own address as option 6 unless port=0).
/// </summary>
public static class DhcpScopeBuilder
{
    /// <summary>dnsmasq's default, which libvirt relies on when no &lt;lease&gt; is given.</summary>
    public static readonly TimeSpan DefaultLeaseTime = TimeSpan.FromHours(1);

    /// <summary>The IPv4 &lt;ip&gt; whose &lt;dhcp&gt; is served, or null when the network serves no DHCPv4.</summary>
    public static IpDefinition? ServedIp(NetworkDefinition network) =>
        network.Ips.FirstOrDefault(ip => !ip.IsIPv6 && ip.Dhcp is { } d && (d.Ranges.Count > 0 || d.Hosts.Count > 0));

    /// <summary>The scope, or null when the network serves no DHCPv4. Throws ArgumentException for values a scope cannot hold.</summary>
    public static DhcpScope? FromNetwork(NetworkDefinition network)
    {
        if (ServedIp(network) is not { Dhcp: { } dhcp } ip) return null;
        var prefix = ip.Prefix ?? (ip.Netmask is { } mask ? IpNetwork.PrefixFromNetmask(mask) : null) ?? IpNetwork.ClassfulPrefix(ip.Address);
        return new DhcpScope
        {
            ServerAddress = ip.Address,
            Subnet = new IpNetwork(ip.Address, prefix).Canonical,
            Ranges = [.. dhcp.Ranges.Select(r => new DhcpRange(r.Start, r.End))],
            Reservations = [.. dhcp.Hosts.Where(h => h.Ip is not null && !h.Ip.Equals(IPAddress.None)).Select(Reservation)],
            // dnsmasq takes the lease per range; one scope has one, so the first range that sets it wins.
            LeaseTime = dhcp.Ranges.FirstOrDefault(r => r.Lease is not null)?.Lease is { } lease ? lease.Duration : DefaultLeaseTime,
            // libvirt passes dhcp-option=3 (an empty router option) on isolated networks: no default route.
            Router = network.Mode == NetworkMode.Isolated ? null : ip.Address,
            DnsServers = network.Dns?.Enable == false ? [] : [ip.Address],
            DomainName = network.Domain?.Name is { Length: > 0 } domain ? domain : null,
            DomainSearch = DnsName.TryParse(network.Domain?.Name, out var searched) ? [searched] : [],
            Mtu = network.Mtu,
            BootFileName = dhcp.Bootp?.File is { Length: > 0 } file ? file : null,
            NextServer = dhcp.Bootp?.Server is { Length: > 0 } server ? BootServer(server) : null,
        };
    }

    private static DhcpReservation Reservation(DhcpHostDefinition host) =>
        new(host.Mac is { } mac ? PhysicalAddress.Parse(mac) : null, host.Name, host.Ip!)
        {
            LeaseTime = host.Lease is { } lease ? new DhcpLeaseTime(lease.Duration) : null,
        };

    // dnsmasq would resolve a host name here; the server needs an address, so a name is refused rather than guessed.
    private static IPAddress BootServer(string server) =>
        IPAddress.TryParse(server, out var address) && Ipv4.IsIPv4(address)
            ? address
            : throw new ArgumentException($"The <bootp server='{server}'> must be an IPv4 address to be served.", nameof(server));
}
