using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VirtualNetworking.Core.Addressing;

/// <summary>Ethernet MAC addresses as text: libvirt's canonical form is six lower-case, colon-separated hex pairs.</summary>
public static class MacAddressText
{
    /// <summary>Accepts 1–2 hex digits per group, ':' separated (as libvirt's virMacAddrParse); returns the canonical form.</summary>
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (text is null) return false;
        var groups = text.Split(':');
        if (groups.Length != 6) return false;
        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (groups[i].Length is < 1 or > 2 ||
                !byte.TryParse(groups[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
                return false;
        }
        canonical = Format(bytes);
        return true;
    }

    public static string Format(ReadOnlySpan<byte> bytes) =>
        string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>True when the group bit (least significant bit of the first octet) is set.</summary>
    public static bool IsMulticast(string canonical) =>
        (byte.Parse(canonical.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) & 1) == 1;
}
