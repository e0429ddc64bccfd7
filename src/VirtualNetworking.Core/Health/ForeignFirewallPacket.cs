using System.Net;

namespace VirtualNetworking.Core.Health;

/// <summary>Three-valued match result: a match the analysis cannot evaluate is Maybe, never a guess.</summary>
internal enum Tri
{
    False,
    True,
    Maybe,
}

/// <summary>The netfilter hooks the analysis sends packets through.</summary>
internal enum FirewallHook
{
    Input,
    Forward,
}

/// <summary>
/// A synthetic packet as a hook sees it. A null interface is one the analysis does not know by name (the
/// outside interface when the caller could not tell it). <paramref name="DaddrType"/> is fib's answer
/// (local, broadcast, unicast); <paramref name="CtState"/> conntrack's (new, established).
/// </summary>
internal sealed record FirewallPacket(
    string What,
    FirewallHook Hook,
    string? InInterface,
    string? OutInterface,
    IPAddress Source,
    IPAddress Destination,
    string Protocol,
    int SourcePort,
    int DestinationPort,
    string CtState,
    string DaddrType)
{
    public bool IsIPv6 => Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
    public string Family => IsIPv6 ? "ip6" : "ip";
}
