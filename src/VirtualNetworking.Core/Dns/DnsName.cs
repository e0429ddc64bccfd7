using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Dns;

/// <summary>
/// A domain name in uncompressed wire form (length-prefixed labels ending in the root's zero byte). Compared
/// case-insensitively over ASCII (RFC 4343) but kept in the case it arrived in, so an answer echoes the question.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    /// <summary>RFC 1035 §2.3.4: a name is at most 255 octets on the wire, the root's zero byte included.</summary>
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;
    /// <summary>A name of 255 octets has at most 127 labels; more pointers than that can only be a trap.</summary>
    private const int MaxPointers = 128;

    private readonly byte[] wire;

    public static DnsName Root { get; } = new([0], 0);
    private static readonly DnsName InAddrArpa = Parse("in-addr.arpa");
    private static readonly DnsName Ip6Arpa = Parse("ip6.arpa");
    private const string HexDigits = "0123456789abcdef";

    private DnsName(byte[] wire, int labelCount)
    {
        this.wire = wire;
        LabelCount = labelCount;
    }

    public int LabelCount { get; }
    public bool IsRoot => LabelCount == 0;
    public ReadOnlySpan<byte> Wire => wire;

    /// <summary>
    /// Parses dotted text ("host.example.com", a trailing dot allowed, "." the root). Labels of 1–63 printable ASCII
    /// characters without '.' or '\'; no escapes: names come from configuration and leases, not zone files.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out DnsName? name)
    {
        name = null;
        if (string.IsNullOrEmpty(text)) return false;
        if (text == ".") { name = Root; return true; }
        var body = text.EndsWith('.') ? text[..^1] : text;
        if (body.Length + 2 > MaxWireLength) return false;
        var bytes = new byte[body.Length + 2];
        var labels = 0;
        var at = 0;
        foreach (var label in body.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength) return false;
            bytes[at++] = (byte)label.Length;
            foreach (var c in label)
            {
                if (c is < '!' or > '~' or '\\') return false;
                bytes[at++] = (byte)c;
            }
            labels++;
        }
        bytes[at] = 0;
        name = new DnsName(bytes, labels);
        return true;
    }

    public static DnsName Parse(string text) =>
        TryParse(text, out var name) ? name : throw new FormatException($"'{text}' is not a domain name (labels of 1-63 printable ASCII characters, 255 octets in all).");

    /// <summary>This name followed by <paramref name="suffix"/>; null when the result would exceed 255 octets.</summary>
    public DnsName? Append(DnsName suffix)
    {
        if (wire.Length - 1 + suffix.wire.Length > MaxWireLength) return null;
        return new DnsName([.. wire.AsSpan(0, wire.Length - 1), .. suffix.wire], LabelCount + suffix.LabelCount);
    }

    /// <summary>True when this name is <paramref name="ancestor"/> or below it.</summary>
    public bool IsSubdomainOf(DnsName ancestor)
    {
        var offset = wire.Length - ancestor.wire.Length;
        if (offset < 0) return false;
        // The suffix must start on a label boundary: "xexample.com" is not below "example.com".
        var at = 0;
        while (at < offset) at += wire[at] + 1;
        return at == offset && EqualsIgnoreCase(wire.AsSpan(offset), ancestor.wire);
    }

    /// <summary>The PTR owner of an address: d.c.b.a.in-addr.arpa, or 32 nibbles under ip6.arpa. Built directly: zones make one per lease.</summary>
    public static DnsName ReverseOf(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        Span<byte> wire = stackalloc byte[MaxWireLength];
        var at = 0;
        if (length == 4)
        {
            for (var i = 3; i >= 0; i--)
            {
                var digits = bytes[i].TryFormat(wire[(at + 1)..], out var written, default, CultureInfo.InvariantCulture) ? written : 0;
                wire[at] = (byte)digits;
                at += 1 + digits;
            }
        }
        else
        {
            for (var i = 15; i >= 0; i--)
            {
                wire[at++] = 1;
                wire[at++] = (byte)HexDigits[bytes[i] & 0xF];
                wire[at++] = 1;
                wire[at++] = (byte)HexDigits[bytes[i] >> 4];
            }
        }
        var suffix = length == 4 ? InAddrArpa : Ip6Arpa;
        suffix.wire.CopyTo(wire[at..]);
        return new DnsName(wire[..(at + suffix.wire.Length)].ToArray(), (length == 4 ? 4 : 32) + 2);
    }

    /// <summary>
    /// The reverse zone of a subnet (libvirt's localPtr: "122.168.192.in-addr.arpa" for 192.168.122.0/24); null when the
    /// prefix is not on an octet (IPv4) or nibble (IPv6) boundary, which libvirt refuses too.
    /// </summary>
    public static DnsName? ReverseZoneOf(IpNetwork subnet)
    {
        var bytes = subnet.Network.GetAddressBytes();
        if (!subnet.IsIPv6)
            return subnet.PrefixLength % 8 != 0 ? null
                : Parse(string.Concat(bytes.Take(subnet.PrefixLength / 8).Reverse().Select(b => $"{b}.")) + "in-addr.arpa");
        return subnet.PrefixLength % 4 != 0 ? null
            : Parse(string.Concat(Nibbles(bytes).Take(subnet.PrefixLength / 4).Reverse().Select(n => n + ".")) + "ip6.arpa");
    }

    private static IEnumerable<string> Nibbles(byte[] bytes) =>
        bytes.SelectMany(b => new[] { (b >> 4).ToString("x", CultureInfo.InvariantCulture), (b & 0xF).ToString("x", CultureInfo.InvariantCulture) });

    /// <summary>
    /// Reads a name at <paramref name="offset"/> of a whole message, following compression pointers, and moves
    /// <paramref name="offset"/> past it. Every pointer must point before the labels it continues (so pointers
    /// only ever go backwards, strictly decreasing: no loop is possible) and never into the header; label types
    /// 0x40 and 0x80 (RFC 6891 §5) are refused; the name may not exceed 255 octets. Never throws.
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> message, ref int offset, [NotNullWhen(true)] out DnsName? name, out string? problem)
    {
        name = null;
        Span<byte> buffer = stackalloc byte[MaxWireLength];
        var length = 0;
        var labels = 0;
        var position = offset;
        var segmentStart = offset;
        var resumeAt = -1;
        var pointers = 0;
        while (true)
        {
            if (position >= message.Length) { problem = "a name runs past the end of the message"; return false; }
            var b = message[position];
            switch (b & 0xC0)
            {
                case 0x00 when b == 0:
                    buffer[length++] = 0;
                    offset = resumeAt >= 0 ? resumeAt : position + 1;
                    name = new DnsName(buffer[..length].ToArray(), labels);
                    problem = null;
                    return true;
                case 0x00:
                    if (position + 1 + b > message.Length) { problem = "a label runs past the end of the message"; return false; }
                    if (length + 1 + b + 1 > MaxWireLength) { problem = "a name is longer than 255 octets"; return false; }
                    message.Slice(position, 1 + b).CopyTo(buffer[length..]);
                    length += 1 + b;
                    labels++;
                    position += 1 + b;
                    break;
                case 0xC0:
                    if (position + 1 >= message.Length) { problem = "a compression pointer is cut off"; return false; }
                    var target = (b & 0x3F) << 8 | message[position + 1];
                    if (resumeAt < 0) resumeAt = position + 2;
                    if (target >= segmentStart) { problem = $"a compression pointer at {position} points forward or into its own name ({target})"; return false; }
                    if (target < DnsHeader.Length) { problem = $"a compression pointer at {position} points into the header ({target})"; return false; }
                    if (++pointers > MaxPointers) { problem = "a name has too many compression pointers"; return false; }
                    segmentStart = position = target;
                    break;
                default:
                    problem = $"label type 0x{b & 0xC0:x2} at {position} is not supported (labels are at most 63 octets)";
                    return false;
            }
        }
    }

    public bool Equals(DnsName? other) => other is not null && EqualsIgnoreCase(wire, other.wire);

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode() => HashIgnoreCase(wire);

    /// <summary>Dotted text; octets outside printable ASCII, '.' and '\' inside a label are escaped (\DDD, \., \\).</summary>
    public override string ToString()
    {
        if (IsRoot) return ".";
        var text = new StringBuilder(wire.Length);
        for (var at = 0; wire[at] != 0; at += wire[at] + 1)
        {
            if (at > 0) text.Append('.');
            foreach (var b in wire.AsSpan(at + 1, wire[at]))
            {
                if (b is (byte)'.' or (byte)'\\') text.Append('\\').Append((char)b);
                else if (b is >= 0x21 and <= 0x7E) text.Append((char)b);
                else text.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }

    internal static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (a[i] != b[i] && Fold(a[i]) != Fold(b[i])) return false;
        return true;
    }

    internal static int HashIgnoreCase(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        foreach (var b in bytes) hash.Add(Fold(b));
        return hash.ToHashCode();
    }

    // Length octets are below 64, so folding them is harmless: only 'A'-'Z' (65-90) change.
    private static byte Fold(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}

/// <summary>
/// A name from one of its label boundaries on, compared as names are (case-insensitively), without copying it:
/// compression targets in a message being written, ancestors in a zone.
/// </summary>
internal readonly record struct DnsNameSuffix(DnsName Name, int Start)
{
    public bool Equals(DnsNameSuffix other) => DnsName.EqualsIgnoreCase(Name.Wire[Start..], other.Name.Wire[other.Start..]);

    public override int GetHashCode() => DnsName.HashIgnoreCase(Name.Wire[Start..]);
}
