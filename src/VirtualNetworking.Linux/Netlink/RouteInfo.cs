using System.Net;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>One route as RTM_GETROUTE reports it; the default route has Destination 0.0.0.0 or :: and PrefixLength 0.</summary>
/// <param name="Metric">RTA_PRIORITY.</param>
public sealed record RouteInfo(
    IPAddress Destination,
    int PrefixLength,
    IPAddress? Gateway,
    int? OutputLinkIndex,
    uint? Metric,
    IPAddress? PreferredSource,
    uint Table,
    RouteProtocol Protocol,
    RouteScope Scope,
    RouteType Type);

/// <summary>Well-known routing table ids (RT_TABLE_*).</summary>
public static class RouteTable
{
    public const uint Default = 253;
    public const uint Main = 254;
    public const uint Local = 255;
}

/// <summary>RT_SCOPE_*: how far a route or address reaches.</summary>
public enum RouteScope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}

/// <summary>RTPROT_*: who installed a route. Other values (routing daemons) pass through as numbers.</summary>
public enum RouteProtocol : byte
{
    Unspecified = 0,
    Redirect = 1,
    Kernel = 2,
    Boot = 3,
    Static = 4,
    RouterAdvertisement = 9,
    Dhcp = 16,
}

/// <summary>RTN_*: what a route does with matching packets.</summary>
public enum RouteType : byte
{
    Unspecified = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
    Throw = 9,
    Nat = 10,
}
