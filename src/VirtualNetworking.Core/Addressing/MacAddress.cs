using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VirtualNetworking.Core.Addressing;

/// <summary>Ethernet MAC helpers: canonical text is lower-case, colon separated.</summary>
public static class MacAddress
{
    /// <summary>libvirt's (QEMU's) OUI for generated addresses.</summary>
    public static readonly byte[] LibvirtPrefix = { 0x52, 0x54, 0x00 };

    public static bool TryParse(string? text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text is null) return false;
        var parts = text.Split(':', '-');
        if (parts.Length != 6) return false;
        var result = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length is < 1 or > 2 ||
                !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result[i]))
                return false;
        }
        bytes = result;
        return true;
    }

    public static string Format(ReadOnlySpan<byte> bytes) =>
        string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>Canonical form of a valid MAC, or null.</summary>
    public static string? Normalize(string? text) => TryParse(text, out var b) ? Format(b) : null;

    public static bool IsMulticast(ReadOnlySpan<byte> bytes) => (bytes[0] & 1) != 0;

    /// <summary>52:54:00 followed by three random bytes.</summary>
    public static string Generate(Func<int, byte[]> randomBytes)
    {
        var tail = randomBytes(3);
        return Format(LibvirtPrefix.Concat(tail.Take(3)).ToArray());
    }
}
