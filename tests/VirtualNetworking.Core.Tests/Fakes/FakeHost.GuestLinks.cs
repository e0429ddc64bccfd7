using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>Taps and veths as links of the fake kernel; namespaces are names with the interfaces inside them.</summary>
internal sealed partial class FakeHost : IGuestLinks
{
    /// <summary>Namespaces that exist, with the interface names inside them.</summary>
    public readonly Dictionary<string, HashSet<string>> Namespaces = new();

    public void CreateTapPort(string name, string hostMacAddress, string bridge, uint? ownerUid)
    {
        Check("create-port");
        if (Links_.ContainsKey(name)) throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.InvalidOperation, "exists");
        Links_[name] = new LinkState(nextIndex++, name, "tun", hostMacAddress, Links_[bridge].Mtu, true, Links_[bridge].Index);
    }

    public void CreateVethPort(string name, string hostMacAddress, string bridge, PortNamespace ns, string guestName, string guestMacAddress)
    {
        if (!Namespaces.TryGetValue(ns.Path, out var inside))
            throw new NetworkProblemException(ErrorIds.NamespaceNotFound, ProblemCategory.ObjectNotFound, $"fake: no namespace {ns.Path}");
        if (inside.Contains(guestName))
            throw new NetworkProblemException(ErrorIds.GuestInterfaceInUse, ProblemCategory.ResourceExists, $"fake: {guestName} exists");
        Check("create-port");
        inside.Add(guestName);
        Links_[name] = new LinkState(nextIndex++, name, "veth", hostMacAddress, Links_[bridge].Mtu, true, Links_[bridge].Index, HasCarrier: true);
    }

    public void AttachPort(string name, string bridge)
    {
        Check("attach-port");
        Links_[name] = Links_[name] with { MasterIndex = Links_[bridge].Index, Mtu = Links_[bridge].Mtu, IsUp = true };
    }
}
