namespace VirtualNetworking.Core.Model;

/// <summary>How a network reaches the outside. Isolated = libvirt's absent &lt;forward&gt;.</summary>
public enum NetworkMode
{
    Isolated,
    Nat,
    Routed,
    Open,
    Bridged,
    // libvirt's macvtap/hostdev modes: kept for round trip, never started by us.
    Private,
    Vepa,
    Passthrough,
    Hostdev,
}

public static class NetworkModeNames
{
    /// <summary>libvirt's forward mode attribute value; null for isolated.</summary>
    public static string? ToLibvirt(NetworkMode mode) => mode switch
    {
        NetworkMode.Isolated => null,
        NetworkMode.Nat => "nat",
        NetworkMode.Routed => "route",
        NetworkMode.Open => "open",
        NetworkMode.Bridged => "bridge",
        NetworkMode.Private => "private",
        NetworkMode.Vepa => "vepa",
        NetworkMode.Passthrough => "passthrough",
        NetworkMode.Hostdev => "hostdev",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    public static bool TryFromLibvirt(string value, out NetworkMode mode)
    {
        switch (value)
        {
            case "nat": mode = NetworkMode.Nat; return true;
            case "route": mode = NetworkMode.Routed; return true;
            case "open": mode = NetworkMode.Open; return true;
            case "bridge": mode = NetworkMode.Bridged; return true;
            case "private": mode = NetworkMode.Private; return true;
            case "vepa": mode = NetworkMode.Vepa; return true;
            case "passthrough": mode = NetworkMode.Passthrough; return true;
            case "hostdev": mode = NetworkMode.Hostdev; return true;
            default: mode = NetworkMode.Isolated; return false;
        }
    }

    /// <summary>Modes whose bridge, addresses and firewall we manage (libvirt's "virtual" networks).</summary>
    public static bool IsManagedBridge(NetworkMode mode) =>
        mode is NetworkMode.Isolated or NetworkMode.Nat or NetworkMode.Routed or NetworkMode.Open;
}
