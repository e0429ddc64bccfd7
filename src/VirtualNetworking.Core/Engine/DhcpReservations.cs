using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Engine;

/// <summary>
/// A static host of a network's DHCP: an IPv4 one is known by its MAC, an IPv6 one by its DUID (libvirt's id), and
/// either may be known by its name alone. <see cref="Duid"/> is in <see cref="Dhcp6.Duid"/>'s canonical text.
/// </summary>
public sealed record DhcpReservationEntry(string Network, string? MacAddress, string? Duid, IPAddress IPAddress, string? HostName)
{
    public bool IsIPv6 => IPAddress.AddressFamily == AddressFamily.InterNetworkV6;
}

/// <summary>Reservation changes as libvirt's net-update ip-dhcp-host, plus the checks a user expects (pure).</summary>
public static class DhcpReservations
{
    public static IReadOnlyList<DhcpReservationEntry> List(NetworkDefinition definition) =>
        [.. Hosts(definition).Select(h => Entry(definition.Name, h.Host))];

    /// <summary>
    /// Adds a host to the DHCP block of the address's family: a MAC for an IPv4 address, a DUID or a name alone for an IPv6
    /// one. Refuses a malformed MAC or DUID, an identity of the other family, an address outside the subnet or the
    /// network's own, and duplicates within the family.
    /// </summary>
    public static void Add(NetworkDefinition definition, string? macAddress, string? duid, IPAddress address, string? hostName)
    {
        var (mac, id) = CheckIdentity(definition.Name, macAddress, duid, address);
        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (ipv6 ? id is null && hostName is null : mac is null)
            throw new NetworkProblemException(ErrorIds.ReservationIdentityMissing, ProblemCategory.InvalidArgument, ipv6
                ? $"The IPv6 reservation of {address} on network '{definition.Name}' names no guest. Give -Duid, the guest's DHCPv6 client id (Get-VNetworkDhcpLease shows it), or -HostName for a guest that sends its name."
                : $"The IPv4 reservation of {address} on network '{definition.Name}' names no guest. Give -MacAddress, the guest's MAC address.", address);
        var ip = DhcpIp(definition, ipv6);
        var subnet = ip.IsIPv6 ? new IpNetwork(ip.Address, ip.Prefix ?? 64) : NetworkValidator.Subnet(ip);
        if (!subnet.Contains(address) || address.Equals(subnet.Network) || (!ipv6 && address.Equals(subnet.Broadcast)))
            throw new NetworkProblemException(ErrorIds.ReservationOutsideSubnet, ProblemCategory.InvalidArgument,
                $"{address} is not a host address of network '{definition.Name}' ({subnet.Canonical}). Reserve an address inside it.", address);
        if (address.Equals(ip.Address))
            throw new NetworkProblemException(ErrorIds.ReservationOutsideSubnet, ProblemCategory.InvalidArgument,
                $"{address} is the bridge's own address on network '{definition.Name}'. Reserve another address.", address);
        // Per family: a dual-stack guest has a MAC reservation and a DUID one, often under one name.
        var clash = List(definition).FirstOrDefault(r => r.IsIPv6 == ipv6 &&
            ((mac is not null && r.MacAddress == mac) || (id is not null && r.Duid == id) || r.IPAddress.Equals(address) ||
             (hostName is not null && r.HostName == hostName)));
        if (clash is not null)
            throw new NetworkProblemException(ErrorIds.ReservationExists, ProblemCategory.ResourceExists,
                $"Network '{definition.Name}' already reserves {clash.IPAddress} for {Describe(clash)}. Remove that reservation first, or choose another {(ipv6 ? "DUID" : "MAC")}, address and name.",
                (object?)macAddress ?? duid ?? hostName);
        var host = new XElement("host");
        if (mac is not null) host.SetAttributeValue("mac", mac);
        if (id is not null) host.SetAttributeValue("id", id);
        if (hostName is not null) host.SetAttributeValue("name", hostName);
        host.SetAttributeValue("ip", address.ToString());
        NetworkUpdate.Apply(definition, "ip-dhcp-host", "add-last", host.ToString(), definition.Ips.IndexOf(ip));
        var problems = NetworkValidator.Validate(definition);
        if (problems.Count > 0) throw new NetworkProblemException(problems);
    }

    /// <summary>Removes the first host matching every identifier given: the MAC, the DUID, the address; at least one is needed.</summary>
    public static DhcpReservationEntry Remove(NetworkDefinition definition, string? macAddress, string? duid, IPAddress? address)
    {
        if (macAddress is null && duid is null && address is null)
            throw new NetworkProblemException(ErrorIds.ReservationIdentityMissing, ProblemCategory.InvalidArgument,
                $"Say which reservation of network '{definition.Name}' to remove: give -MacAddress (IPv4), -Duid (IPv6) or -IPAddress.", definition.Name);
        var (mac, id) = CheckIdentity(definition.Name, macAddress, duid, address);
        var found = Hosts(definition).Select(h => (h.Ip, h.Host, Entry: Entry(definition.Name, h.Host)))
            .FirstOrDefault(h => (mac is null || h.Entry.MacAddress == mac) && (id is null || h.Entry.Duid == id) &&
                                 (address is null || h.Entry.IPAddress.Equals(address)));
        if (found.Entry is null)
        {
            var what = string.Join(" ", new[] { mac, id, address?.ToString() }.Where(w => w is not null));
            throw new NetworkProblemException(ErrorIds.ReservationNotFound, ProblemCategory.ObjectNotFound,
                $"Network '{definition.Name}' has no reservation for {what}. Run Get-VNetworkDhcpReservation to see them.", (object?)macAddress ?? (object?)duid ?? address);
        }
        found.Ip.Dhcp!.Hosts.Remove(found.Host);
        return found.Entry;
    }

    /// <summary>The hosts with an address and something to know the guest by: a MAC (IPv4), an id (IPv6) or a name.</summary>
    private static IEnumerable<(IpDefinition Ip, DhcpHostDefinition Host)> Hosts(NetworkDefinition definition) =>
        definition.Ips.Where(ip => ip.Dhcp is not null)
            .SelectMany(ip => ip.Dhcp!.Hosts.Select(host => (ip, host)))
            .Where(h => h.host.Ip is not null && ((h.ip.IsIPv6 ? h.host.Id : h.host.Mac) is not null || h.host.Name is not null));

    private static DhcpReservationEntry Entry(string network, DhcpHostDefinition host) =>
        new(network, host.Mac, host.Id is null ? null : Duid.TryParse(host.Id, out var duid, out _) ? duid.ToString() : host.Id, host.Ip!, host.Name);

    private static string Describe(DhcpReservationEntry entry) =>
        (entry.MacAddress ?? entry.Duid) is { } id ? entry.HostName is null ? id : $"{id} ({entry.HostName})" : $"the host named {entry.HostName}";

    /// <summary>
    /// The MAC and the DUID in canonical form, each checked; a MAC only goes with an IPv4 address, a DUID only with an
    /// IPv6 one (libvirt refuses a mac in an IPv6 host, and an IPv4 DHCP server never sees a DUID).
    /// </summary>
    private static (string? Mac, string? Duid) CheckIdentity(string network, string? macAddress, string? duid, IPAddress? address)
    {
        if (macAddress is not null && duid is not null)
            throw new NetworkProblemException(ErrorIds.ReservationFamilyMismatch, ProblemCategory.InvalidArgument,
                $"A reservation of network '{network}' is by MAC address (IPv4) or by DUID (IPv6), not both. Give the MAC address with an IPv4 address, or the DUID with an IPv6 one.", macAddress);
        if (macAddress is not null && address?.AddressFamily == AddressFamily.InterNetworkV6)
            throw new NetworkProblemException(ErrorIds.ReservationFamilyMismatch, ProblemCategory.InvalidArgument,
                $"{address} is an IPv6 address, and a MAC address names an IPv4 DHCP client only; DHCPv6 knows a guest by its DUID (network '{network}'). " +
                "Reserve an IPv4 address for the MAC address, or reserve the IPv6 address with Add-VNetworkDhcpReservation -Duid or -HostName.", macAddress);
        if (duid is not null && address?.AddressFamily == AddressFamily.InterNetwork)
            throw new NetworkProblemException(ErrorIds.ReservationFamilyMismatch, ProblemCategory.InvalidArgument,
                $"{address} is an IPv4 address, and a DUID names a DHCPv6 client only (network '{network}'). Reserve an IPv6 address for the DUID, or the IPv4 address with -MacAddress.", duid);
        return (macAddress is null ? null : CheckMac(macAddress), duid is null ? null : CheckDuid(duid));
    }

    private static string CheckMac(string text) =>
        MacAddressText.TryNormalize(text, out var mac) && !MacAddressText.IsMulticast(mac) ? mac
            : throw new NetworkProblemException(ErrorIds.MacAddressInvalid, ProblemCategory.InvalidArgument,
                $"'{text}' is not a unicast MAC address. Write six hex pairs separated by ':', e.g. 52:54:00:12:34:56 (first octet even).", text);

    private static string CheckDuid(string text) => ParameterText.Duid(text).ToString();

    /// <summary>libvirt's parent for the family: the &lt;ip&gt; of that family with a DHCP block, else its first one.</summary>
    private static IpDefinition DhcpIp(NetworkDefinition definition, bool ipv6) =>
        definition.Ips.FirstOrDefault(i => i.IsIPv6 == ipv6 && i.Dhcp is not null) ?? definition.Ips.FirstOrDefault(i => i.IsIPv6 == ipv6)
        ?? throw new NetworkProblemException(ErrorIds.ReservationOutsideSubnet, ProblemCategory.InvalidArgument,
            $"Network '{definition.Name}' has no {(ipv6 ? "IPv6" : "IPv4")} address, so it serves no {(ipv6 ? "DHCPv6" : "DHCP")} to reserve addresses in.", definition.Name);
}
