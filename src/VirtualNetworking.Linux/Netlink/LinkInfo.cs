namespace VirtualNetworking.Linux.Netlink;

/// <summary>One network interface as RTM_GETLINK reports it.</summary>
/// <param name="Kind">IFLA_INFO_KIND: "bridge", "veth", "tun", …; null for a plain device such as lo.</param>
/// <param name="MacAddress">Lower-case colon form ("52:54:00:b8:c9:9d"); null for devices without one.</param>
/// <param name="MasterIndex">The bridge (or bond) this link is enslaved to, if any.</param>
/// <param name="Bridge">Settings of a link of kind "bridge".</param>
/// <param name="BridgePortState">STP state of a link enslaved to a bridge.</param>
public sealed record LinkInfo(
    int Index,
    string Name,
    string? Kind,
    string? MacAddress,
    int Mtu,
    bool IsUp,
    LinkOperState OperState,
    int? MasterIndex,
    BridgeInfo? Bridge,
    BridgePortState? BridgePortState);

/// <param name="BridgeId">Priority and MAC in brctl's form, e.g. "8000.525400b8c99d".</param>
public sealed record BridgeInfo(bool StpEnabled, TimeSpan ForwardDelay, int Priority, string BridgeId);

/// <summary>IF_OPER_* (RFC 2863 operational state).</summary>
public enum LinkOperState : byte
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}

/// <summary>BR_STATE_*: where a bridge port is in the spanning-tree state machine.</summary>
public enum BridgePortState : byte
{
    Disabled = 0,
    Listening = 1,
    Learning = 2,
    Forwarding = 3,
    Blocking = 4,
}

/// <summary>How to set up a link as it is created or configured: MAC, MTU (also for a veth's peer), master, up (PeerUp: a veth's peer).</summary>
public sealed record LinkSettings(string? MacAddress = null, int? Mtu = null, int? MasterIndex = null, bool Up = false, bool PeerUp = false);
