using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Netlink;
using static VirtualNetworking.Linux.Host.KernelCalls;

namespace VirtualNetworking.Linux.Host;

/// <summary>Every bridge of the calling namespace, ours or not, read through rtnetlink.</summary>
public sealed class LinuxBridgeInventory : IBridgeInventory
{
    public IReadOnlyList<BridgeState> List() => Read("list the host's bridges", () =>
    {
        using var client = new RtnetlinkClient();
        var links = client.GetLinks();
        var addresses = client.GetAddresses();
        return links.Where(l => l.Kind == "bridge" && l.Bridge is not null)
            .Select(b => new BridgeState(b.Name, b.Bridge!.BridgeId, b.Bridge.StpEnabled,
                links.Where(p => p.MasterIndex == b.Index).Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToList(),
                b.MacAddress,
                addresses.Where(a => a.LinkIndex == b.Index).Select(a => $"{a.Address}/{a.PrefixLength}").ToList(),
                b.Mtu, b.IsUp))
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
    });
}
