using System.Globalization;
using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Validation;

/// <summary>
/// The text forms users give for subnets, ranges and addresses (cmdlet parameters, configuration documents),
/// parsed into Core types with the module's ErrorIds.
/// </summary>
public static class ParameterText
{
    public static IpNetwork Subnet(string text)
    {
        if (IpNetwork.TryParse(text, requireNetworkAddress: true, out var subnet, out var problem)) return subnet.Value;
        throw new NetworkProblemException(ErrorIds.SubnetInvalid, ProblemCategory.InvalidArgument,
            $"Subnet '{text}' is not valid: {problem}. Write a network address in CIDR form, e.g. 10.0.5.0/24.", text);
    }

    /// <summary>-Subnet: one subnet, or an IPv4 subnet and an IPv6 prefix (a dual-stack network), in either order.</summary>
    public static (IpNetwork? Ipv4, IpNetwork? Ipv6) Subnets(IReadOnlyList<string> values)
    {
        var subnets = values.Select(Subnet).ToList();
        if (subnets.Count is 0 or > 2 || subnets.Count(s => s.IsIPv6) > 1 || subnets.Count(s => !s.IsIPv6) > 1)
            throw new NetworkProblemException(ErrorIds.SubnetInvalid, ProblemCategory.InvalidArgument,
                $"-Subnet takes one subnet, or one IPv4 subnet and one IPv6 prefix (e.g. -Subnet 10.0.5.0/24, fd00:5::/64); {string.Join(", ", values)} was given.",
                string.Join(",", values));
        return (subnets.Where(s => !s.IsIPv6).Select(s => (IpNetwork?)s).FirstOrDefault(), subnets.Where(s => s.IsIPv6).Select(s => (IpNetwork?)s).FirstOrDefault());
    }

    /// <summary>A DHCP range is exactly two addresses: the first and the last of the range.</summary>
    public static (IPAddress Start, IPAddress End) DhcpRange(IReadOnlyList<string> values)
    {
        if (values.Count != 2)
            throw new NetworkProblemException(ErrorIds.DhcpRangeInvalid, ProblemCategory.InvalidArgument,
                $"-DhcpRange takes two addresses, the first and the last of the range (e.g. -DhcpRange 10.0.5.10,10.0.5.200); {values.Count} were given.",
                string.Join(",", values));
        return (RangeAddress(values[0]), RangeAddress(values[1]));
    }

    /// <summary>An -IPAddress value (a reservation's address): one address, no prefix.</summary>
    public static IPAddress HostAddress(string text) =>
        IPAddress.TryParse(text, out var address) && !text.Contains('/')
            ? address
            : throw new NetworkProblemException(ErrorIds.IpAddressInvalid, ProblemCategory.InvalidArgument,
                $"'{text}' is not an IP address. Give an address inside the network's subnet, e.g. 192.168.122.10.", text);

    /// <summary>A port or an inclusive range ("8080", "8000-8010"); whether the ports are in 1-65535 is the validator's to say.</summary>
    public static (int First, int? Last) PortRange(string text, string parameter)
    {
        var parts = text.Trim().Split('-');
        if (parts.Length is 1 or 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
        {
            if (parts.Length == 1) return (first, null);
            if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)) return (first, last);
        }
        throw new NetworkProblemException(ErrorIds.PortForwardPortInvalid, ProblemCategory.InvalidArgument,
            $"-{parameter} '{text}' is not a port or a range of ports. Give a port such as 8080, or a range such as 8000-8010.", text);
    }

    /// <summary>A -MacAddress filter, in canonical form (lower case, colon separated).</summary>
    public static string MacAddress(string text) =>
        MacAddressText.TryNormalize(text, out var mac) ? mac!
            : throw new NetworkProblemException(ErrorIds.MacAddressInvalid, ProblemCategory.InvalidArgument,
                $"'{text}' is not a MAC address. Write six hex pairs separated by ':', e.g. 52:54:00:12:34:56.", text);

    /// <summary>A -Duid value: a DHCPv6 client id in libvirt's &lt;host id&gt; text, hex octets separated by ':'.</summary>
    public static Duid Duid(string text) =>
        Dhcp6.Duid.TryParse(text, out var duid, out var problem) ? duid
            : throw new NetworkProblemException(ErrorIds.DuidInvalid, ProblemCategory.InvalidArgument,
                $"'{text}' is not a DUID: {problem}. Write hex octets separated by ':', as Get-VNetworkDhcpLease shows a guest's, e.g. 00:03:00:01:52:54:00:12:34:56.", text);

    private static IPAddress RangeAddress(string text) =>
        IPAddress.TryParse(text, out var address) && !text.Contains('%') && !text.Contains('/')
            ? address
            : throw new NetworkProblemException(ErrorIds.DhcpRangeInvalid, ProblemCategory.InvalidArgument,
                $"'{text}' in -DhcpRange is not an IP address. Give two addresses inside the subnet, e.g. 10.0.5.10,10.0.5.200.", text);
}
