using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>DUID types of RFC 8415 §11 and RFC 6355.</summary>
public enum DuidType : ushort
{
    LinkLayerPlusTime = 1,
    EnterpriseNumber = 2,
    LinkLayer = 3,
    Uuid = 4,
}

/// <summary>
/// A DHCP unique identifier: opaque bytes compared by content. Text is libvirt's &lt;host id='…'&gt; form,
/// lower-case hex pairs separated by ':' (dnsmasq's id:…), whatever the type.
/// </summary>
public sealed class Duid : IEquatable<Duid>
{
    /// <summary>RFC 8415 §11.1: a type code and at most 128 octets.</summary>
    public const int MaximumLength = 130;

    private readonly byte[] _bytes;

    private Duid(byte[] bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public ushort TypeCode => BinaryPrimitives.ReadUInt16BigEndian(_bytes);

    /// <summary>Null for a type this code does not know; such a DUID is still a valid opaque identity.</summary>
    public DuidType? Type => Enum.IsDefined((DuidType)TypeCode) ? (DuidType)TypeCode : null;

    /// <summary>Checks the length the type demands; unknown types only need a type code and one octet.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Duid? duid, out string? problem)
    {
        duid = null;
        if (bytes.Length < 3 || bytes.Length > MaximumLength) { problem = $"a DUID of {bytes.Length} bytes is outside 3-{MaximumLength}"; return false; }
        var type = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        problem = type switch
        {
            // type, hardware type, time, and a link-layer address of at least one octet.
            (ushort)DuidType.LinkLayerPlusTime when bytes.Length < 9 => "a DUID-LLT is shorter than 9 bytes",
            (ushort)DuidType.EnterpriseNumber when bytes.Length < 7 => "a DUID-EN is shorter than 7 bytes",
            (ushort)DuidType.LinkLayer when bytes.Length < 5 => "a DUID-LL is shorter than 5 bytes",
            (ushort)DuidType.Uuid when bytes.Length != 18 => "a DUID-UUID is not 18 bytes",
            _ => null,
        };
        if (problem is not null) return false;
        duid = new Duid(bytes.ToArray());
        return true;
    }

    /// <summary>
    /// Parses libvirt's &lt;host id&gt; text as dnsmasq's parse_hex reads its id: hex digits taken two at a time, a ':'
    /// ending an octet early and empty groups skipped, so "0:4:7e", "00:04:7e", "00::04:7e" and "00047e" are one DUID.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Duid? duid, out string? problem)
    {
        duid = null;
        if (string.IsNullOrEmpty(text)) { problem = "the DUID is empty"; return false; }
        var bytes = new List<byte>();
        foreach (var group in text.Split(':'))
        {
            if (!group.All(char.IsAsciiHexDigit)) { problem = $"'{text}' is not hex octets separated by ':'"; return false; }
            for (var i = 0; i < group.Length; i += 2)
                bytes.Add(byte.Parse(group.AsSpan(i, Math.Min(2, group.Length - i)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }
        return TryFromBytes(bytes.ToArray(), out duid, out problem);
    }

    public static Duid Parse(string text) =>
        TryParse(text, out var duid, out var problem) ? duid : throw new FormatException($"Invalid DUID: {problem}.");

    /// <summary>DUID-LL of an Ethernet address (hardware type 1).</summary>
    public static Duid FromLinkLayer(PhysicalAddress mac)
    {
        var address = mac.GetAddressBytes();
        var bytes = new byte[4 + address.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.LinkLayer);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), 1);
        address.CopyTo(bytes, 4);
        return new Duid(bytes);
    }

    /// <summary>DUID-UUID (RFC 6355): the UUID in network byte order.</summary>
    public static Duid FromUuid(Guid uuid)
    {
        var bytes = new byte[18];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.Uuid);
        uuid.TryWriteBytes(bytes.AsSpan(2), bigEndian: true, out _);
        return new Duid(bytes);
    }

    public override string ToString() => string.Join(':', _bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    public bool Equals(Duid? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is Duid other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }
}
