using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Ports;

/// <summary>A link as the engine needs to see it.</summary>
/// <param name="HasCarrier">Whether the link is operationally up (a tap has no carrier until QEMU opens it).</param>
public sealed record LinkState(int Index, string Name, string? Kind, string? MacAddress, int Mtu, bool IsUp, int? MasterIndex, bool HasCarrier = false);

/// <summary>An address of a link, with what it takes to put it back as it was.</summary>
public sealed record LinkAddress(IpNetwork Network, bool Broadcast = true);

/// <summary>A route with what it takes to put it back.</summary>
public sealed record RouteState(IpNetwork Destination, IPAddress? Gateway, int? LinkIndex, uint? Metric, bool IsKernelRoute);

/// <summary>The host's links, addresses and routes (rtnetlink): what a network's start and stop change. Failures throw NetworkProblemException.</summary>
public interface IHostLinks : IHostNetworkView
{
    LinkState? GetLink(string name);
    IReadOnlyList<LinkState> GetLinkStates();
    IReadOnlyList<LinkAddress> GetAddresses(int linkIndex);
    /// <summary>Routes of the main table through the link.</summary>
    IReadOnlyList<RouteState> GetRoutes(int linkIndex);
    /// <summary>The links that have IPv6 routes learnt from router advertisements (proto ra), each once.</summary>
    IReadOnlyList<string> LinksWithRaRoutes();
    void CreateBridge(string name, string? macAddress, int? mtu, bool stp, TimeSpan forwardDelay);
    /// <summary>Deletes the link if it exists.</summary>
    void DeleteLink(string name);
    void SetUp(string name);
    void SetMaster(string name, string? master);
    /// <summary>Adds the address; an IPv4 one with its network's broadcast address unless <paramref name="broadcast"/> is false.</summary>
    void AddAddress(string link, IpNetwork address, bool broadcast = true);
    void DeleteAddress(string link, IpNetwork address);
    void AddRoute(string link, IpNetwork destination, IPAddress? gateway, uint? metric);
}
