namespace VirtualNetworking.Core.Ports;

/// <summary>One Linux bridge as brctl show and ip link see it.</summary>
public sealed record BridgeState(string Name, string BridgeId, bool StpEnabled, IReadOnlyList<string> Interfaces,
    string? MacAddress, IReadOnlyList<string> Addresses, int Mtu, bool IsUp);

/// <summary>Every bridge of the host, ours or not. Failures throw NetworkProblemException.</summary>
public interface IBridgeInventory
{
    IReadOnlyList<BridgeState> List();
}
