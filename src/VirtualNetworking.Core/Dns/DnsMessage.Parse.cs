using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace VirtualNetworking.Core.Dns;

public sealed partial class DnsMessage
{
    /// <summary>Name, type, class, TTL and RDLENGTH of the smallest record: a root owner (1) + 10 octets.</summary>
    private const int MinimumRecordLength = 11;

    /// <summary>
    /// Parses a whole message strictly. Never throws: garbage yields false and a reason. Refused: counts claiming
    /// more than the data holds, bad names (see <see cref="DnsName"/>), RDATA that does not fill its RDLENGTH exactly,
    /// an OPT record anywhere but once in the additional section with the root as owner, and trailing octets.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out DnsMessage? message, out string? problem)
    {
        message = null;
        if (!DnsHeader.TryRead(data, out var header)) { problem = $"{data.Length} octets is shorter than a DNS header"; return false; }
        if (data.Length > MaxLength) { problem = $"{data.Length} octets is longer than a DNS message"; return false; }
        var flags = header.Flags;
        var m = new DnsMessage
        {
            Id = header.Id,
            IsResponse = header.IsResponse,
            Opcode = header.Opcode,
            Authoritative = (flags & DnsHeader.AuthoritativeFlag) != 0,
            Truncated = header.Truncated,
            RecursionDesired = header.RecursionDesired,
            RecursionAvailable = (flags & DnsHeader.RecursionAvailableFlag) != 0,
            AuthenticData = (flags & DnsHeader.AuthenticDataFlag) != 0,
            CheckingDisabled = header.CheckingDisabled,
            ResponseCode = (DnsResponseCode)header.ResponseCode,
        };
        // A count the data cannot hold is refused before anything is read or allocated for it.
        var minimum = DnsHeader.Length + header.QuestionCount * 5 +
                      (header.AnswerCount + header.AuthorityCount + header.AdditionalCount) * MinimumRecordLength;
        if (minimum > data.Length) { problem = $"the counts claim at least {minimum} octets; the message has {data.Length}"; return false; }

        var offset = DnsHeader.Length;
        for (var i = 0; i < header.QuestionCount; i++)
        {
            if (!DnsName.TryRead(data, ref offset, out var name, out problem)) return false;
            if (offset + 4 > data.Length) { problem = "a question is cut off"; return false; }
            m.Questions.Add(new DnsQuestion(name, (DnsType)BinaryPrimitives.ReadUInt16BigEndian(data[offset..]),
                (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..])));
            offset += 4;
        }
        if (!ReadSection(data, ref offset, header.AnswerCount, m.Answers, m, allowOpt: false, out problem)) return false;
        if (!ReadSection(data, ref offset, header.AuthorityCount, m.Authorities, m, allowOpt: false, out problem)) return false;
        if (!ReadSection(data, ref offset, header.AdditionalCount, m.Additionals, m, allowOpt: true, out problem)) return false;
        if (offset != data.Length) { problem = $"{data.Length - offset} octets follow the last record"; return false; }
        message = m;
        problem = null;
        return true;
    }

    private static bool ReadSection(ReadOnlySpan<byte> data, ref int offset, int count, List<DnsRecord> section, DnsMessage m, bool allowOpt, out string? problem)
    {
        for (var i = 0; i < count; i++)
        {
            if (!DnsName.TryRead(data, ref offset, out var name, out problem)) return false;
            if (offset + 10 > data.Length) { problem = "a record header is cut off"; return false; }
            var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            var rawClass = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 4)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 8)..]);
            offset += 10;
            if (offset + length > data.Length) { problem = $"the RDATA of a {type} record runs past the end of the message"; return false; }
            if (type == DnsType.OPT)
            {
                // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
                if (!allowOpt || m.Edns is not null || !name.IsRoot) { problem = "an OPT record is misplaced, repeated or not owned by the root"; return false; }
                if (!ReadEdns(data.Slice(offset, length), rawClass, ttl, m, out problem)) return false;
            }
            else
            {
                var end = offset + length;
                var rdataOffset = offset;
                if (!ReadData(data, ref rdataOffset, end, type, (DnsClass)rawClass, out var rdata, out problem)) return false;
                if (rdataOffset != end) { problem = $"the RDATA of a {type} record does not fill its length"; return false; }
                section.Add(new DnsRecord(name, type, (DnsClass)rawClass, ttl, rdata));
            }
            offset += length;
        }
        problem = null;
        return true;
    }

    private static bool ReadEdns(ReadOnlySpan<byte> options, ushort payloadSize, uint ttl, DnsMessage m, out string? problem)
    {
        // Options are TLVs (code, length, value); a length past the RDATA is a malformed OPT.
        for (var at = 0; at < options.Length;)
        {
            if (at + 4 > options.Length) { problem = "an EDNS option header is cut off"; return false; }
            at += 4 + BinaryPrimitives.ReadUInt16BigEndian(options[(at + 2)..]);
            if (at > options.Length) { problem = "an EDNS option runs past its OPT record"; return false; }
        }
        // TTL of OPT: extended RCODE (8 bits), version (8), DO (1), Z (15).
        m.ResponseCode = (DnsResponseCode)((int)m.ResponseCode | (int)(ttl >> 24) << 4);
        m.Edns = new DnsEdns(payloadSize, (byte)(ttl >> 16), (ttl & 0x8000) != 0) { Options = options.ToArray() };
        problem = null;
        return true;
    }

    /// <summary>Decodes RDATA between <paramref name="offset"/> and <paramref name="end"/>; names may point anywhere earlier in the message.</summary>
    private static bool ReadData(ReadOnlySpan<byte> data, ref int offset, int end, DnsType type, DnsClass @class, [NotNullWhen(true)] out DnsRecordData? rdata, out string? problem)
    {
        rdata = null;
        problem = null;
        var length = end - offset;
        switch (type)
        {
            // A and AAAA RDATA formats are those of class IN; another class's A is something else (RFC 1035 §3.4.1).
            case DnsType.A when @class == DnsClass.IN:
            case DnsType.AAAA when @class == DnsClass.IN:
                var size = type == DnsType.A ? 4 : 16;
                if (length != size) { problem = $"{type} RDATA is {length} octets, not {size}"; return false; }
                rdata = new DnsAddressData(new IPAddress(data.Slice(offset, size)));
                offset += size;
                return true;
            case DnsType.PTR or DnsType.CNAME or DnsType.NS:
                if (!ReadName(data, ref offset, end, out var target, out problem)) return false;
                rdata = new DnsNameData(target);
                return true;
            case DnsType.MX:
                if (length < 3) { problem = "MX RDATA is cut off"; return false; }
                var preference = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
                offset += 2;
                if (!ReadName(data, ref offset, end, out var exchange, out problem)) return false;
                rdata = new DnsMxData(preference, exchange);
                return true;
            case DnsType.SRV:
                if (length < 7) { problem = "SRV RDATA is cut off"; return false; }
                var priority = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
                var weight = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
                var port = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 4)..]);
                offset += 6;
                if (!ReadName(data, ref offset, end, out var srvTarget, out problem)) return false;
                rdata = new DnsSrvData(priority, weight, port, srvTarget);
                return true;
            case DnsType.SOA:
                if (!ReadName(data, ref offset, end, out var primary, out problem)) return false;
                if (!ReadName(data, ref offset, end, out var mailbox, out problem)) return false;
                if (end - offset != 20) { problem = "SOA RDATA does not end with five 32-bit numbers"; return false; }
                var numbers = data[offset..end];
                rdata = new DnsSoaData(primary, mailbox, BinaryPrimitives.ReadUInt32BigEndian(numbers), BinaryPrimitives.ReadUInt32BigEndian(numbers[4..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[8..]), BinaryPrimitives.ReadUInt32BigEndian(numbers[12..]), BinaryPrimitives.ReadUInt32BigEndian(numbers[16..]));
                offset = end;
                return true;
            case DnsType.TXT:
                if (length == 0) { problem = "TXT RDATA holds no string"; return false; }
                var strings = new List<byte[]>();
                while (offset < end)
                {
                    var stringLength = data[offset];
                    if (offset + 1 + stringLength > end) { problem = "a TXT string runs past its RDATA"; return false; }
                    strings.Add(data.Slice(offset + 1, stringLength).ToArray());
                    offset += 1 + stringLength;
                }
                rdata = new DnsTxtData(strings);
                return true;
            default:
                rdata = new DnsOpaqueData(data[offset..end].ToArray());
                offset = end;
                return true;
        }
    }

    /// <summary>A name inside RDATA: its own octets (before any pointer) must stay inside the RDATA.</summary>
    private static bool ReadName(ReadOnlySpan<byte> data, ref int offset, int end, [NotNullWhen(true)] out DnsName? name, out string? problem) =>
        DnsName.TryRead(data[..end], ref offset, out name, out problem);
}
