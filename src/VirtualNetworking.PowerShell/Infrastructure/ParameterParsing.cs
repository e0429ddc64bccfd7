using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Parses cmdlet parameter text into Core types, with the module's ErrorIds.</summary>
internal static class ParameterParsing
{
    public static IpNetwork Subnet(string text)
    {
        if (IpNetwork.TryParse(text, requireNetworkAddress: true, out var subnet, out var problem)) return subnet.Value;
        throw new NetworkProblemException("VNetworkSubnetInvalid", ProblemCategory.InvalidArgument,
            $"Subnet '{text}' is not valid: {problem}. Write a network address in CIDR form, e.g. 10.0.5.0/24.", text);
    }

    /// <summary>-DhcpRange takes exactly two addresses: the first and the last of the range.</summary>
    public static (IPAddress Start, IPAddress End) DhcpRange(string[] values)
    {
        if (values.Length != 2)
            throw new NetworkProblemException("VNetworkDhcpRangeInvalid", ProblemCategory.InvalidArgument,
                $"-DhcpRange takes two addresses, the first and the last of the range (e.g. -DhcpRange 10.0.5.10,10.0.5.200); {values.Length} were given.",
                string.Join(",", values));
        return (Address(values[0]), Address(values[1]));
    }

    /// <summary>An -IPAddress value (a reservation's address): one address, no prefix.</summary>
    public static IPAddress HostAddress(string text) =>
        IPAddress.TryParse(text, out var address) && !text.Contains('/')
            ? address
            : throw new NetworkProblemException("VNetworkIpAddressInvalid", ProblemCategory.InvalidArgument,
                $"'{text}' is not an IP address. Give an address inside the network's subnet, e.g. 192.168.122.10.", text);

    private static IPAddress Address(string text) =>
        IPAddress.TryParse(text, out var address) && !text.Contains('%') && !text.Contains('/')
            ? address
            : throw new NetworkProblemException("VNetworkDhcpRangeInvalid", ProblemCategory.InvalidArgument,
                $"'{text}' in -DhcpRange is not an IP address. Give two addresses inside the subnet, e.g. 10.0.5.10,10.0.5.200.", text);
}
