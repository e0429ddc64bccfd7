using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Validation;

/// <summary>&lt;ip&gt;, DHCP, TFTP and &lt;route&gt; rules.</summary>
public static partial class NetworkValidator
{
    /// <summary>The subnet an &lt;ip&gt; describes: prefix, else netmask, else libvirt's classful/64 default.</summary>
    public static IpNetwork Subnet(IpDefinition ip) =>
        new(ip.Address, ip.Prefix ?? (ip.Netmask is null ? null : IpNetwork.PrefixFromNetmask(ip.Netmask)) ?? IpNetwork.ClassfulPrefix(ip.Address));

    /// <summary>libvirt refuses leases shorter than this (expiry 0 = infinite is fine).</summary>
    public static readonly TimeSpan MinimumLease = TimeSpan.FromMinutes(2);

    private sealed partial class Checker
    {
        public void Ips()
        {
            if (definition.Ips.Count > 0 && !Managed)
                Add(Ids.IpNotAllowed, $"Unsupported <ip> element in network '{name}' with forward mode='{modeName}'. Addresses of a host bridge are the host's business; remove <ip>.");
            var dhcpFamilies = new HashSet<AddressFamily>();
            foreach (var ip in definition.Ips)
            {
                if (!AddressAndMask(ip)) continue;
                var subnet = Subnet(ip);
                if (ip.LocalPtr == true && subnet.PrefixLength % (ip.IsIPv6 ? 4 : 8) != 0)
                    Add(Ids.LocalPtrInvalid, $"PTR domain for {(ip.IsIPv6 ? "IPv6" : "IPv4")} network with prefix {subnet.PrefixLength} cannot be automatically created (network '{name}'). Use a prefix that is a multiple of {(ip.IsIPv6 ? 4 : 8)} or drop localPtr.");
                if (ip.TftpRoot is not null && ip.IsIPv6)
                    Add(Ids.TftpNotAllowed, $"Unsupported <tftp> element in an IPv6 <ip> of network '{name}'. TFTP is IPv4 only; move it to an IPv4 <ip>.");
                if (ip.Dhcp is { } dhcp) Dhcp(ip, subnet, dhcp, dhcpFamilies);
            }
        }

        /// <summary>Family, netmask and prefix of one &lt;ip&gt;; false when the subnet cannot be computed.</summary>
        private bool AddressAndMask(IpDefinition ip)
        {
            var ok = true;
            if (ip.Family is not (null or "ipv4" or "ipv6"))
            {
                Add(Ids.IpAddressInvalid, $"Unrecognized family '{ip.Family}' on <ip address='{ip.Address}'> in network '{name}'. Use ipv4 or ipv6.", ip.Family);
                ok = false;
            }
            else if ((ip.Family == "ipv6") != ip.IsIPv6)
            {
                Add(Ids.IpAddressInvalid, ip.IsIPv6
                    ? $"Family '{ip.Family ?? "ipv4"}' specified for non-IPv4 address '{ip.Address}' in network '{name}'. Write family='ipv6'."
                    : $"Family 'ipv6' specified for non-IPv6 address '{ip.Address}' in network '{name}'. Remove family or use an IPv6 address.", ip.Address);
                ok = false;
            }
            if (ip.Netmask is not null)
            {
                if (ip.IsIPv6)
                {
                    Add(Ids.IpNetmaskInvalid, $"Netmask not allowed for IPv6 address '{ip.Address}' in network '{name}'. Use prefix='64'.", ip.Address);
                    ok = false;
                }
                else if (IpNetwork.PrefixFromNetmask(ip.Netmask) is null)
                {
                    Add(Ids.IpNetmaskInvalid, $"Netmask '{ip.Netmask}' of <ip address='{ip.Address}'> in network '{name}' is not a contiguous IPv4 netmask. Use e.g. 255.255.255.0 or prefix='24'.", ip.Netmask);
                    ok = false;
                }
                if (ip.Prefix is not null)
                    Add(Ids.IpNetmaskInvalid, $"Network '{name}' IP address '{ip.Address}' cannot have both a prefix and a netmask. Keep one.", ip.Address);
            }
            if (ip.Prefix is { } prefix && (prefix < 0 || prefix > (ip.IsIPv6 ? 128 : 32)))
            {
                Add(Ids.IpNetmaskInvalid, $"Invalid prefix {prefix} for <ip address='{ip.Address}'> in network '{name}'. Use 0-{(ip.IsIPv6 ? 128 : 32)}.", prefix);
                ok = false;
            }
            return ok;
        }

        private void Dhcp(IpDefinition ip, IpNetwork subnet, DhcpDefinition dhcp, HashSet<AddressFamily> dhcpFamilies)
        {
            var family = ip.IsIPv6 ? "IPv6" : "IPv4";
            if ((dhcp.Ranges.Count > 0 || dhcp.Hosts.Count > 0) && !dhcpFamilies.Add(ip.Address.AddressFamily))
                Add(Ids.DhcpMultiple, $"Multiple {family} dhcp sections found -- dhcp is supported only for a single {family} address on each network ('{name}': a second {family} DHCP block is on {ip.Address}). Keep <dhcp> on one {family} <ip>.", ip.Address);
            if (dhcp.Bootp is not null && ip.IsIPv6)
                Add(Ids.BootpInvalid, $"Unsupported <bootp> element in an IPv6 <ip> of network '{name}'. Move it to an IPv4 <ip>.");
            foreach (var range in dhcp.Ranges) Range(ip, subnet, range);
            foreach (var host in dhcp.Hosts)
            {
                problems.AddRange(DhcpHostRules.Check(host, ip.IsIPv6, name, partialOkay: false));
                Lease(host.Lease, $"host {host.Mac ?? host.Id ?? host.Name}");
            }
        }

        private void Range(IpDefinition ip, IpNetwork subnet, DhcpRangeDefinition range)
        {
            var text = $"{range.Start} - {range.End}";
            if (range.Start.AddressFamily != ip.Address.AddressFamily || range.End.AddressFamily != ip.Address.AddressFamily)
                Add(Ids.DhcpRangeInvalid, $"DHCP range {text} in network '{name}' is not of the same family as its <ip address='{ip.Address}'>. Put it under an <ip> of that family.", text);
            else if (IpNetwork.Compare(range.Start, range.End) > 0)
                Add(Ids.DhcpRangeInvalid, $"DHCP range {text} in network '{name}' starts after it ends. Swap start and end.", text);
            else if (!subnet.Contains(range.Start) || !subnet.Contains(range.End))
                Add(Ids.DhcpRangeInvalid, $"DHCP range {text} in network '{name}' is not entirely inside the subnet {subnet.Canonical}. Choose addresses of that subnet.", text);
            Lease(range.Lease, $"range {text}");
        }

        private void Lease(LeaseDefinition? lease, string owner)
        {
            if (lease?.Duration is { } duration && duration < MinimumLease)
                Add(Ids.LeaseTooShort, $"The minimum lease time should be greater than 2 minutes: {owner} in network '{name}' has {lease.Expiry} {lease.Unit ?? "minutes"}. Use at least 2 minutes, or expiry='0' for an infinite lease.", lease.Expiry);
        }

        public void Routes()
        {
            foreach (var route in definition.Routes)
            {
                var text = $"{route.Address} via {route.Gateway}";
                var ipv6 = route.Address.AddressFamily == AddressFamily.InterNetworkV6;
                if (route.Family is not (null or "ipv4" or "ipv6") || (route.Family == "ipv6") != ipv6 || route.Gateway.AddressFamily != route.Address.AddressFamily)
                    Add(Ids.RouteInvalid, $"Static route {text} in network '{name}' mixes address families (family='{route.Family}'). Use addresses of one family and a matching family attribute.", text);
                if (route.Netmask is not null && (ipv6 || route.Prefix is not null || IpNetwork.PrefixFromNetmask(route.Netmask) is null))
                    Add(Ids.RouteInvalid, $"Static route {text} in network '{name}' has an invalid netmask '{route.Netmask}' (IPv4 only, contiguous, not together with prefix). Use prefix instead.", text);
                if (route.Prefix is { } prefix && (prefix < 0 || prefix > (ipv6 ? 128 : 32)))
                    Add(Ids.RouteInvalid, $"Static route {text} in network '{name}' has an invalid prefix {prefix}.", text);
                if (!definition.Ips.Any(ip => Reachable(ip, route.Gateway)))
                    Add(Ids.RouteGatewayUnreachable, $"Unreachable static route gateway '{route.Gateway}' specified for network '{name}'. The gateway must be inside one of the network's <ip> subnets.", route.Gateway);
            }
        }

        private static bool Reachable(IpDefinition ip, IPAddress gateway)
        {
            if (ip.Address.AddressFamily != gateway.AddressFamily) return false;
            if (ip.Netmask is not null && IpNetwork.PrefixFromNetmask(ip.Netmask) is null) return false;
            if (ip.Prefix is < 0 || ip.Prefix > (ip.IsIPv6 ? 128 : 32)) return false;
            return Subnet(ip).Contains(gateway);
        }
    }
}
