using VirtualNetworking.Core.Host;

namespace VirtualNetworking;

/// <summary>A Linux bridge on the host, as Get-VNetworkBridge shows it (brctl show + ip link).</summary>
public sealed class VNetworkBridge
{
    internal VNetworkBridge(BridgeView view)
    {
        var bridge = view.Bridge;
        Name = bridge.Name;
        BridgeId = bridge.BridgeId;
        StpEnabled = bridge.StpEnabled;
        Interfaces = bridge.Interfaces.ToArray();
        MacAddress = bridge.MacAddress;
        Addresses = bridge.Addresses.ToArray();
        Mtu = bridge.Mtu;
        State = bridge.IsUp ? "Up" : "Down";
        Network = view.Networks.Count == 0 ? null : string.Join(", ", view.Networks);
    }

    public string Name { get; }
    /// <summary>Priority and MAC, as brctl prints it: 8000.525400b8c99d.</summary>
    public string BridgeId { get; }
    public bool StpEnabled { get; }
    public string[] Interfaces { get; }
    public string? MacAddress { get; }
    public string[] Addresses { get; }
    public int Mtu { get; }
    public string State { get; }
    /// <summary>The active virtual networks that use this bridge (comma separated), if any.</summary>
    public string? Network { get; }

    public override string ToString() => Name;
}
