using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Live;

/// <summary>A link as the live engine needs to see it.</summary>
/// <param name="HasCarrier">Whether the link is operationally up (a tap has no carrier until QEMU opens it).</param>
public sealed record LinkState(int Index, string Name, string? Kind, string? MacAddress, int Mtu, bool IsUp, int? MasterIndex, bool HasCarrier = false);

/// <summary>An address of a link, with what it takes to put it back as it was.</summary>
public sealed record LinkAddress(IpNetwork Network, bool Broadcast = true);

/// <summary>A route with what it takes to put it back.</summary>
public sealed record RouteState(IpNetwork Destination, IPAddress? Gateway, int? LinkIndex, uint? Metric, bool IsKernelRoute);

/// <summary>Links, addresses and routes of the host (rtnetlink). Changes throw NetworkProblemException.</summary>
public interface IHostNetwork : IHostNetworkView
{
    /// <summary>Throws VNetworkPermissionDenied when this process may not change links and firewall (no CAP_NET_ADMIN).</summary>
    void EnsureCanChange();
    LinkState? GetLink(string name);
    IReadOnlyList<LinkState> GetLinkStates();
    IReadOnlyList<LinkAddress> GetAddresses(int linkIndex);
    /// <summary>Routes of the main table through the link.</summary>
    IReadOnlyList<RouteState> GetRoutes(int linkIndex);
    void CreateBridge(string name, string? macAddress, int? mtu, bool stp, TimeSpan forwardDelay);
    /// <summary>Deletes the link if it exists.</summary>
    void DeleteLink(string name);
    void SetUp(string name);
    void SetMaster(string name, string? master);
    /// <summary>Adds the address; an IPv4 one with its network's broadcast address unless <paramref name="broadcast"/> is false.</summary>
    void AddAddress(string link, IpNetwork address, bool broadcast = true);
    void DeleteAddress(string link, IpNetwork address);
    void AddRoute(string link, IpNetwork destination, IPAddress? gateway, uint? metric);
    /// <summary>
    /// A persistent tap (QEMU's -netdev tap,ifname=NAME) with the host-end MAC, attached to the bridge and up.
    /// On failure nothing is left. <paramref name="ownerUid"/> lets that user's QEMU open it.
    /// </summary>
    void CreateTapPort(string name, string hostMacAddress, string bridge, uint? ownerUid);
    /// <summary>
    /// A veth pair: NAME on the host (host-end MAC, attached to the bridge, up) and its peer created straight in the
    /// namespace as <paramref name="guestName"/> with the guest's MAC, up. Throws VNetworkNamespaceNotFound or
    /// VNetworkGuestInterfaceInUse before anything changes; on failure nothing is left.
    /// </summary>
    void CreateVethPort(string name, string hostMacAddress, string bridge, PortNamespace ns, string guestName, string guestMacAddress);
    /// <summary>Attaches an existing port to a bridge with the bridge's MTU, and sets it up (after a restart recreated the bridge).</summary>
    void AttachPort(string name, string bridge);
    /// <summary>The uid of a user name or numeric id; null when the host has no such user.</summary>
    uint? FindUser(string user);
}

/// <summary>/proc/sys/net values; keys are relative to /proc/sys (e.g. net/ipv4/ip_forward).</summary>
public interface ISysctl
{
    /// <summary>Null when the key does not exist (e.g. IPv6 disabled on the host).</summary>
    string? Read(string key);
    void Write(string key, string value);
}

/// <summary>A network's nftables rules: one transaction (one nft process, no listing) per change.</summary>
public interface INetworkFirewall
{
    /// <summary>Inserts the network's rules; returns their handles, which removal needs.</summary>
    IReadOnlyList<RuleHandle> Apply(FirewallNetwork network);
    /// <summary>
    /// Removes that network's rules; missing rules are fine. <paramref name="handles"/>: as returned by Apply,
    /// or null when unknown (a start killed before recording them: the rules are then found by listing).
    /// <paramref name="othersHaveRules"/>: false when no other network with live state has firewall rules, so
    /// our tables go.
    /// </summary>
    void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules);
}

/// <summary>Live state under /run: the live definition, its undo journal, and the active marker.</summary>
public interface ILiveStore
{
    /// <summary>Serializes every start and stop on the host (and so every firewall change).</summary>
    IDisposable Lock();
    /// <summary>Definitions with live state: active ones and interrupted starts.</summary>
    IReadOnlyList<LiveNetwork> LoadAll();
    /// <summary>The names of <see cref="LoadAll"/> without reading anything (cheap).</summary>
    IReadOnlyList<string> Names();
    LiveNetwork? Load(string name);
    void BeginStart(NetworkDefinition definition);
    void AppendUndo(string name, UndoStep step);
    IReadOnlyList<UndoStep> ReadUndo(string name);
    void MarkActive(string name, bool transient);
    /// <summary>Replaces the live definition of an active network (changes applied live).</summary>
    void SaveLiveDefinition(NetworkDefinition definition);
    void Clear(string name);
    /// <summary>Port records of one network, or of every network when <paramref name="network"/> is null.</summary>
    IReadOnlyList<NetworkPort> LoadPorts(string? network);
    /// <summary>Written before the port's link is created, so a killed creation is cleaned up by the network's stop.</summary>
    void SavePort(NetworkPort port);
    /// <summary>The names of every network's port records, without reading them (cheap with hundreds of ports).</summary>
    IReadOnlySet<string> PortNames();
    /// <summary>Whether a port record holds this guest MAC, without reading the records.</summary>
    bool PortMacTaken(string macAddress);
    void DeletePort(string network, string name);
}

/// <summary>A network with live state. Not active = a start that was interrupted.</summary>
public sealed record LiveNetwork(NetworkDefinition Definition, bool Active, bool Transient);

/// <summary>Test-only failure injection at named start steps (works only with a sandbox VNET_ROOT).</summary>
public interface IFaultInjector
{
    void At(string step);
}

public sealed class NoFaults : IFaultInjector
{
    public static readonly NoFaults Instance = new();
    public void At(string step) { }
}
