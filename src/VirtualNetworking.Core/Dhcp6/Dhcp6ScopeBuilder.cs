using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>
/// What libvirt would tell dnsmasq about a network's IPv6 DHCP, as our server's scope: the first IPv6 &lt;ip&gt; with a
/// &lt;dhcp&gt; block (libvirt serves DHCPv6 on one IPv6 address only), its ranges, hosts by id or name, and lease;
/// the bridge's IPv6 address as DNS server when the network serves DNS, and its domain.
/// </summary>
public static class Dhcp6ScopeBuilder
{
    public static IpDefinition? ServedIp(NetworkDefinition network) =>
        network.Ips.FirstOrDefault(ip => ip.IsIPv6 && ip.Dhcp is { } d && (d.Ranges.Count > 0 || d.Hosts.Count > 0));

    /// <summary>The scope, or null when the network serves no DHCPv6. Throws ArgumentException for values a scope cannot hold.</summary>
    public static Dhcp6Scope? FromNetwork(NetworkDefinition network)
    {
        if (ServedIp(network) is not { Dhcp: { } dhcp } ip) return null;
        return new Dhcp6Scope
        {
            ServerId = ServerIdOf(network),
            ServerAddress = ip.Address,
            // libvirt's default IPv6 prefix is /64.
            Subnet = new IpNetwork(ip.Address, ip.Prefix ?? 64).Canonical,
            Ranges = [.. dhcp.Ranges.Select(r => new Dhcp6Range(r.Start, r.End))],
            Reservations = [.. dhcp.Hosts.Where(h => h.Ip is not null).Select(Reservation)],
            // As for DHCPv4: dnsmasq takes the lease per range; one scope has one, so the first range that sets it wins.
            LeaseTime = dhcp.Ranges.FirstOrDefault(r => r.Lease is not null)?.Lease is { } lease ? lease.Duration : DhcpScopeBuilder.DefaultLeaseTime,
            DnsServers = DnsPolicy.FromNetwork(network) is null ? [] : [ip.Address],
            DomainList = DnsName.TryParse(network.Domain?.Name, out var domain) && !domain.IsRoot ? [domain] : [],
        };
    }

    /// <summary>
    /// DUID-UUID (RFC 6355) of the network's UUID rather than DUID-LL of the bridge MAC: the UUID is fixed for the
    /// network's life, while a net-edit of the MAC would change the server id and make every guest's Renew go unanswered.
    /// </summary>
    private static Duid ServerIdOf(NetworkDefinition network) =>
        network.Uuid is { } uuid
            ? Duid.FromUuid(uuid)
            : throw new ArgumentException($"Network '{network.Name}' has no UUID to derive its DHCPv6 server DUID from.", nameof(network));

    private static Dhcp6Reservation Reservation(DhcpHostDefinition host) =>
        new(host.Id is { } id ? Duid.TryParse(id, out var duid, out var problem) ? duid : throw new ArgumentException($"Host id '{id}': {problem}.", nameof(host)) : null,
            host.Name, host.Ip!)
        {
            LeaseTime = host.Lease is { } lease ? new DhcpLeaseTime(lease.Duration) : null,
        };
}
