using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Ports;

/// <summary>The links that attach guests to a bridge: taps for QEMU, veths into containers. Failures throw NetworkProblemException.</summary>
public interface IGuestLinks
{
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
}
