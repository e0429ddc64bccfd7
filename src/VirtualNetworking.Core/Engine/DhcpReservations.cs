using System.Net;
using System.Xml.Linq;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Engine;

/// <summary>A static MAC → IP (+ name) host of a network's IPv4 DHCP block.</summary>
public sealed record DhcpReservationEntry(string Network, string MacAddress, IPAddress IPAddress, string? HostName);

/// <summary>Reservation changes as libvirt's net-update ip-dhcp-host, plus the checks a user expects (pure).</summary>
public static class DhcpReservations
{
    public static IReadOnlyList<DhcpReservationEntry> List(NetworkDefinition definition) =>
        definition.Ips.Where(ip => !ip.IsIPv6 && ip.Dhcp is not null)
            .SelectMany(ip => ip.Dhcp!.Hosts)
            .Where(h => h.Mac is not null && h.Ip is not null)
            .Select(h => new DhcpReservationEntry(definition.Name, h.Mac!, h.Ip!, h.Name))
            .ToList();

    /// <summary>Adds a host; refuses a malformed or multicast MAC, an address outside the subnet or the network's own, and duplicates.</summary>
    public static void Add(NetworkDefinition definition, string macAddress, IPAddress address, string? hostName)
    {
        var mac = CheckMac(macAddress, definition.Name);
        var ip = DhcpIp(definition);
        var subnet = NetworkValidator.Subnet(ip);
        if (address.AddressFamily != ip.Address.AddressFamily || !subnet.Contains(address) ||
            address.Equals(subnet.Network) || address.Equals(subnet.Broadcast))
            throw new NetworkProblemException(ErrorIds.ReservationOutsideSubnet, ProblemCategory.InvalidArgument,
                $"{address} is not a host address of network '{definition.Name}' ({subnet.Canonical}). Reserve an address inside it.", address);
        if (address.Equals(ip.Address))
            throw new NetworkProblemException(ErrorIds.ReservationOutsideSubnet, ProblemCategory.InvalidArgument,
                $"{address} is the bridge's own address on network '{definition.Name}'. Reserve another address.", address);
        var clash = List(definition).FirstOrDefault(r => r.MacAddress == mac || r.IPAddress.Equals(address) ||
                                                         (hostName is not null && r.HostName == hostName));
        if (clash is not null)
            throw new NetworkProblemException(ErrorIds.ReservationExists, ProblemCategory.ResourceExists,
                $"Network '{definition.Name}' already reserves {clash.IPAddress} for {clash.MacAddress}{(clash.HostName is null ? "" : $" ({clash.HostName})")}. Remove that reservation first, or choose another MAC, address and name.",
                macAddress);
        var host = new XElement("host", new XAttribute("mac", mac), new XAttribute("ip", address.ToString()));
        if (hostName is not null) host.SetAttributeValue("name", hostName);
        NetworkUpdate.Apply(definition, "ip-dhcp-host", "add-last", host.ToString(), definition.Ips.IndexOf(ip));
        var problems = NetworkValidator.Validate(definition);
        if (problems.Count > 0) throw new NetworkProblemException(problems);
    }

    /// <summary>Removes the host matching the MAC (and the address, when given).</summary>
    public static DhcpReservationEntry Remove(NetworkDefinition definition, string macAddress, IPAddress? address)
    {
        var mac = CheckMac(macAddress, definition.Name);
        var entry = List(definition).FirstOrDefault(r => r.MacAddress == mac && (address is null || r.IPAddress.Equals(address)))
                    ?? throw new NetworkProblemException(ErrorIds.ReservationNotFound, ProblemCategory.ObjectNotFound,
                        $"Network '{definition.Name}' has no reservation for {mac}{(address is null ? "" : $" at {address}")}. Run Get-VNetworkDhcpReservation to see them.", macAddress);
        foreach (var ip in definition.Ips.Where(i => i.Dhcp is not null))
            ip.Dhcp!.Hosts.RemoveAll(h => h.Mac == entry.MacAddress && Equals(h.Ip, entry.IPAddress));
        return entry;
    }

    private static string CheckMac(string text, string network) =>
        MacAddressText.TryNormalize(text, out var mac) && !MacAddressText.IsMulticast(mac) ? mac
            : throw new NetworkProblemException(ErrorIds.MacAddressInvalid, ProblemCategory.InvalidArgument,
                $"'{text}' is not a unicast MAC address. Write six hex pairs separated by ':', e.g. 52:54:00:12:34:56 (first octet even).", text);

    /// <summary>libvirt's default parent: the IPv4 &lt;ip&gt; with DHCP, else the first IPv4 one.</summary>
    private static IpDefinition DhcpIp(NetworkDefinition definition) =>
        definition.Ips.FirstOrDefault(i => !i.IsIPv6 && i.Dhcp is not null) ?? definition.Ips.FirstOrDefault(i => !i.IsIPv6)
        ?? throw new NetworkProblemException(ErrorIds.ReservationOutsideSubnet, ProblemCategory.InvalidArgument,
            $"Network '{definition.Name}' has no IPv4 address, so it serves no DHCP to reserve addresses in.", definition.Name);
}
