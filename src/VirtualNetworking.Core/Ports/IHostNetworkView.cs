using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Ports;

public sealed record HostLink(int Index, string Name);
public sealed record HostAddress(int LinkIndex, IpNetwork Network);
public sealed record HostRoute(int? LinkIndex, IpNetwork Destination);

/// <summary>An address or route a new subnet must not overlap, and the link it is on (null: none, e.g. a blackhole).</summary>
public sealed record HostPrefix(int? LinkIndex, IpNetwork Network);

/// <summary>What the host's network stack has now: links, addresses, routes (read only).</summary>
public interface IHostNetworkView
{
    IReadOnlyList<HostLink> Links();
    IReadOnlyList<HostAddress> Addresses();
    IReadOnlyList<HostRoute> Routes();
    /// <summary>The name of a link, for messages; null when it is gone. Looked up one at a time, so listings stay cheap.</summary>
    string? LinkName(int index);
}
