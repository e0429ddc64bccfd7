using System.Globalization;
using System.Net;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.GuestPorts;

/// <summary>
/// A port's live record (run/virtualnetworking/ports/NETWORK/NAME.port): "key=value" lines, percent-encoded
/// values, unknown keys ignored so a later version can add some. Network and name come from the file's path.
/// </summary>
public static class PortRecordFormat
{
    public static string Format(NetworkPort port)
    {
        var lines = new List<(string Key, string? Value)>
        {
            ("type", port.Type == PortType.Tap ? "tap" : "veth"),
            ("mac", port.MacAddress),
            ("host-mac", port.HostMacAddress),
            ("bridge", port.Bridge),
            ("owner-uid", port.OwnerUid?.ToString(CultureInfo.InvariantCulture)),
            ("namespace", port.Namespace?.Display),
            ("namespace-path", port.Namespace?.Path),
            ("guest-interface", port.GuestInterfaceName),
            ("reserved-address", port.ReservedAddress?.ToString()),
        };
        return string.Concat(lines.Where(l => l.Value is not null).Select(l => $"{l.Key}={Uri.EscapeDataString(l.Value!)}\n"));
    }

    /// <summary>Null when the text is not a port record (a half-written or foreign file).</summary>
    public static NetworkPort? Parse(string network, string name, string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf('=');
            if (at > 0) values[line[..at]] = Uri.UnescapeDataString(line[(at + 1)..]);
        }
        if (!values.TryGetValue("mac", out var mac) || !values.TryGetValue("host-mac", out var hostMac) ||
            !values.TryGetValue("bridge", out var bridge)) return null;
        PortType? type = values.GetValueOrDefault("type") switch { "tap" => PortType.Tap, "veth" => PortType.Veth, _ => null };
        if (type is null) return null;
        var ns = values.TryGetValue("namespace", out var display) && values.TryGetValue("namespace-path", out var path)
            ? new PortNamespace(display, path) : null;
        return new NetworkPort(network, name, type.Value, mac, hostMac, bridge,
            values.TryGetValue("owner-uid", out var uid) && uint.TryParse(uid, CultureInfo.InvariantCulture, out var u) ? u : null,
            ns,
            values.GetValueOrDefault("guest-interface"),
            values.TryGetValue("reserved-address", out var ip) && IPAddress.TryParse(ip, out var address) ? address : null);
    }
}
