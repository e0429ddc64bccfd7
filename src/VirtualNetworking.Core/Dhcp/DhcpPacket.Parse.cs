using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace VirtualNetworking.Core.Dhcp;

public sealed partial class DhcpPacket
{
    /// <summary>The largest UDP payload; anything longer did not come off a socket.</summary>
    public const int MaximumLength = 65507;

    /// <summary>
    /// Parses a datagram strictly. Never throws: garbage yields false and a reason. The magic cookie is
    /// required (plain BOOTP is not served); option overload (52) and repeated options (RFC 3396) are
    /// folded into <see cref="Options"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out DhcpPacket? packet, out string? problem)
    {
        packet = null;
        if (data.Length < HeaderLength + 4) { problem = $"{data.Length} bytes is shorter than a DHCP header"; return false; }
        if (data.Length > MaximumLength) { problem = $"{data.Length} bytes is longer than a UDP datagram"; return false; }
        if (data[0] is not (BootRequest or BootReply)) { problem = $"op {data[0]} is neither BOOTREQUEST nor BOOTREPLY"; return false; }
        if (data[2] > 16) { problem = $"hardware address length {data[2]} exceeds 16"; return false; }
        if (BinaryPrimitives.ReadUInt32BigEndian(data[HeaderLength..]) != MagicCookie) { problem = "the DHCP magic cookie is missing"; return false; }

        var p = new DhcpPacket
        {
            Op = data[0],
            HardwareType = data[1],
            HardwareAddressLength = data[2],
            Hops = data[3],
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            Seconds = BinaryPrimitives.ReadUInt16BigEndian(data[8..]),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(data[10..]),
            ClientAddress = new IPAddress(data.Slice(12, 4)),
            YourAddress = new IPAddress(data.Slice(16, 4)),
            NextServerAddress = new IPAddress(data.Slice(20, 4)),
            RelayAddress = new IPAddress(data.Slice(24, 4)),
            ClientHardwareBytes = data.Slice(28, 16).ToArray(),
        };
        var serverName = data.Slice(44, ServerNameLength);
        var file = data.Slice(44 + ServerNameLength, FileLength);

        if (TryReadDistinctOptions(data[(HeaderLength + 4)..], p.Options))
        {
            p.ServerName = FieldText(serverName);
            p.BootFileName = FieldText(file);
            packet = p;
            problem = null;
            return true;
        }
        var collected = new OptionCollector();
        if (!ReadOptions(data[(HeaderLength + 4)..], collected, allowOverload: true, out problem)) return false;
        var overload = collected.Get(DhcpOptionCode.OptionOverload);
        if (overload is not null)
        {
            if (overload is not [>= 1 and <= 3]) { problem = "option overload (52) has an invalid value"; return false; }
            // RFC 3396 §5: the concatenation order is options, then file, then sname.
            if ((overload[0] & 1) != 0 && !ReadOptions(file, collected, allowOverload: false, out problem)) return false;
            if ((overload[0] & 2) != 0 && !ReadOptions(serverName, collected, allowOverload: false, out problem)) return false;
        }
        collected.CopyTo(p.Options, except: DhcpOptionCode.OptionOverload);
        if (overload is null || (overload[0] & 2) == 0) p.ServerName = FieldText(serverName);
        if (overload is null || (overload[0] & 1) == 0) p.BootFileName = FieldText(file);

        packet = p;
        problem = null;
        return true;
    }

    /// <summary>
    /// The common case read without collecting: every option once and no overload (52). False, with nothing
    /// read, for anything else, which the general path reads (or explains).
    /// </summary>
    private static bool TryReadDistinctOptions(ReadOnlySpan<byte> field, DhcpOptions options)
    {
        Span<bool> seen = stackalloc bool[256];
        var end = 0;
        while (end < field.Length)
        {
            var code = field[end++];
            if (code == DhcpOptionCode.Pad) continue;
            if (code == DhcpOptionCode.End) break;
            if (end >= field.Length) return false;
            var length = field[end++];
            if (end + length > field.Length || code == DhcpOptionCode.OptionOverload || seen[code]) return false;
            seen[code] = true;
            end += length;
        }
        for (var i = 0; i < end;)
        {
            var code = field[i++];
            if (code == DhcpOptionCode.Pad) continue;
            if (code == DhcpOptionCode.End) break;
            var length = field[i++];
            options.Set(code, field.Slice(i, length).ToArray());
            i += length;
        }
        return true;
    }

    /// <summary>Reads one option field. An option running past the field is garbage; a missing End at the field's end is tolerated.</summary>
    private static bool ReadOptions(ReadOnlySpan<byte> field, OptionCollector options, bool allowOverload, out string? problem)
    {
        var i = 0;
        while (i < field.Length)
        {
            var code = field[i++];
            if (code == DhcpOptionCode.Pad) continue;
            if (code == DhcpOptionCode.End) break;
            if (i >= field.Length) { problem = $"option {code} has no length byte"; return false; }
            var length = field[i++];
            if (i + length > field.Length) { problem = $"option {code} claims {length} bytes past the end of its field"; return false; }
            if (code == DhcpOptionCode.OptionOverload && !allowOverload) { problem = "option overload (52) inside an overloaded field"; return false; }
            options.Append(code, field.Slice(i, length));
            i += length;
        }
        problem = null;
        return true;
    }

    /// <summary>
    /// Gathers option values in first-seen order, appending repeats (RFC 3396) in linear time so a
    /// datagram of thousands of one-byte repeats costs no more than its length.
    /// </summary>
    private sealed class OptionCollector
    {
        private readonly Dictionary<byte, List<byte>> _values = [];
        private readonly List<byte> _order = [];

        public void Append(byte code, ReadOnlySpan<byte> value)
        {
            if (!_values.TryGetValue(code, out var bytes)) { _values[code] = bytes = []; _order.Add(code); }
            bytes.AddRange(value);
        }

        public byte[]? Get(byte code) => _values.TryGetValue(code, out var bytes) ? [.. bytes] : null;

        public void CopyTo(DhcpOptions options, byte except)
        {
            foreach (var code in _order)
                if (code != except) options.Set(code, [.. _values[code]]);
        }
    }

    private static string FieldText(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
    }
}
