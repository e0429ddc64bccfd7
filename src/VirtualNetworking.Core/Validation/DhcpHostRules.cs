using System.Net.Sockets;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Validation;

/// <summary>libvirt's rules for a static DHCP &lt;host&gt; (virNetworkDHCPHostDefParseXML), shared by validation and net-update.</summary>
internal static class DhcpHostRules
{
    /// <param name="partialOkay">net-update delete: an entry only needs enough to identify a host, which the id (DUID) is not.</param>
    public static IEnumerable<NetworkProblem> Check(DhcpHostDefinition host, bool ipv6, string network, bool partialOkay)
    {
        var family = ipv6 ? "IPv6" : "IPv4";
        if (host.Mac is not null)
        {
            if (!MacAddressText.TryNormalize(host.Mac, out var mac))
                yield return Problem(Ids.MacAddressInvalid, $"Invalid MAC address '{host.Mac}' in static host definition of network '{network}'. Write six hex pairs separated by ':'.", host.Mac);
            else if (ipv6)
                yield return Problem(Ids.DhcpHostInvalid, $"Invalid to specify MAC address '{host.Mac}' in network '{network}' IPv6 static host definition. Identify DHCPv6 hosts by id (DUID) or name.", host.Mac);
            else if (MacAddressText.IsMulticast(mac))
                yield return Problem(Ids.MacAddressInvalid, $"Expected unicast MAC address, found multicast '{host.Mac}' in network '{network}'. Use a MAC whose first octet is even.", host.Mac);
        }
        if (host.Id is not null && (host.Id.Length == 0 || !host.Id.All(c => char.IsAsciiHexDigit(c) || c == ':')))
            yield return Problem(Ids.DhcpHostInvalid, $"Invalid id '{host.Id}' in static host definition of network '{network}'. A DUID is hex digits separated by ':'.", host.Id);
        if (host.Name is not null && (host.Name.Length == 0 || !char.IsAsciiLetterOrDigit(host.Name[0])))
            yield return Problem(Ids.DhcpHostInvalid, $"Cannot use host name '{host.Name}' in network '{network}': it must start with a letter or digit.", host.Name);
        if (host.Ip is not null && (host.Ip.AddressFamily == AddressFamily.InterNetworkV6) != ipv6)
            yield return Problem(Ids.DhcpHostInvalid, $"Invalid IP address '{host.Ip}' in static host definition for network '{network}': it is not an {family} address like its <ip>. Put the host under an <ip> of the same family.", host.Ip);
        if (partialOkay)
        {
            if (host.Mac is null && host.Name is null && host.Ip is null)
                yield return Problem(Ids.DhcpHostInvalid, $"At least one of name, mac, or ip attribute must be specified for static host definition in network '{network}' (the id is not compared). Give one to identify the host.");
            yield break;
        }
        if (ipv6 ? host.Id is null && host.Name is null : host.Mac is null && host.Name is null)
            yield return Problem(Ids.DhcpHostInvalid, ipv6
                ? $"Static host definition in IPv6 network '{network}' must have id or name attribute. Add id='DUID' or name='HOST'."
                : $"Static host definition in IPv4 network '{network}' must have mac or name attribute. Add mac='52:54:00:…' or name='HOST'.");
        if (host.Ip is null)
            yield return Problem(Ids.DhcpHostInvalid, $"Missing IP address in static host definition for network '{network}'. Add ip='ADDRESS'.");
    }

    private static NetworkProblem Problem(string id, string message, object? target = null) =>
        new(id, ProblemCategory.InvalidData, message, target);
}
