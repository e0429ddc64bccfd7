using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Host;

/// <summary>One Linux bridge as brctl show and ip link see it.</summary>
public sealed record BridgeState(string Name, string BridgeId, bool StpEnabled, IReadOnlyList<string> Interfaces,
    string? MacAddress, IReadOnlyList<string> Addresses, int Mtu, bool IsUp);

/// <summary>Every bridge of the calling namespace, ours or not, read through rtnetlink.</summary>
public static class BridgeInventory
{
    public static IReadOnlyList<BridgeState> List()
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
    }
}
