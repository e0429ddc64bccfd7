using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// libvirt's check before IPv6 forwarding goes on: with forwarding on, the kernel ignores router advertisements on a link
/// whose accept_ra is not 2, so the routes that link learnt from them expire and the host loses its IPv6 connectivity.
/// Start-VNetwork refuses on it; Test-VNetworkHealth reports it.
/// </summary>
public static class Ipv6ForwardingSafety
{
    /// <summary>The links among those with RA-learned routes whose accept_ra is not 2.</summary>
    public static IReadOnlyList<string> UnsafeLinks(IEnumerable<string> raLinks, ISysctl sysctl) =>
        [.. raLinks.Where(l => sysctl.Read($"net/ipv6/conf/{l}/accept_ra")?.Trim() != "2")];

    /// <summary>What is wrong with the links, as one clause.</summary>
    public static string Describe(IReadOnlyList<string> links) =>
        $"{string.Join(", ", links)} learn{(links.Count == 1 ? "s" : "")} IPv6 routes from router advertisements with accept_ra not 2";

    /// <summary>The fix, for every link at once.</summary>
    public static string Remedy(IReadOnlyList<string> links) =>
        $"sysctl -w {string.Join(" ", links.Select(l => $"net.ipv6.conf.{l}.accept_ra=2"))} (and persist it in /etc/sysctl.d)";
}
