namespace VirtualNetworking.Core.Dns;

public sealed partial class DnsMessage
{
    /// <summary>Root owner, type, class, TTL and RDLENGTH of the OPT record before its options.</summary>
    private const int OptFixedLength = 11;

    public byte[] ToArray() => ToArray(MaxLength, out _);

    /// <summary>
    /// Writes the message in at most <paramref name="sizeLimit"/> octets. Additional records that do not fit are left
    /// out (they are optional, RFC 2181 §9); when the answer or authority section does not fit, both are dropped with
    /// the additional records and TC is set, so the requester retries over TCP. The question and the OPT record are
    /// always kept.
    /// </summary>
    public byte[] ToArray(int sizeLimit, out bool truncated)
    {
        if ((int)ResponseCode > 0xF && Edns is null)
            throw new InvalidOperationException($"Response code {ResponseCode} needs an OPT record for its upper bits.");
        if (ResponseCode > (DnsResponseCode)0xFFF) throw new InvalidOperationException($"Response code {(int)ResponseCode} exceeds 12 bits.");
        var writer = new DnsWriter(Math.Clamp(sizeLimit, DnsHeader.Length, MaxLength));
        writer.WriteBytes(stackalloc byte[DnsHeader.Length]);
        // The OPT record goes last but must not be crowded out: its room is kept back until then.
        var optLength = Edns is null ? 0 : OptFixedLength + Edns.Options.Length;
        writer.Limit -= optLength;
        foreach (var question in Questions)
        {
            writer.WriteName(question.Name, compress: true);
            writer.WriteUInt16((ushort)question.Type);
            writer.WriteUInt16((ushort)question.Class);
        }
        var questionCount = Questions.Count;
        truncated = false;
        if (writer.Overflowed)
        {
            // Not even the question fits: a bare header with TC is all that can be said.
            writer.Rollback(DnsHeader.Length);
            questionCount = 0;
            truncated = true;
        }

        var afterQuestions = writer.Length;
        int answers = 0, authorities = 0, additionals = 0;
        if (!truncated)
        {
            foreach (var record in Answers) WriteRecord(writer, record);
            foreach (var record in Authorities) WriteRecord(writer, record);
            if (writer.Overflowed)
            {
                writer.Rollback(afterQuestions);
                truncated = true;
            }
            else
            {
                (answers, authorities) = (Answers.Count, Authorities.Count);
                foreach (var record in Additionals)
                {
                    var mark = writer.Length;
                    WriteRecord(writer, record);
                    if (writer.Overflowed) { writer.Rollback(mark); break; }
                    additionals++;
                }
            }
        }

        writer.Limit += optLength;
        if (Edns is { } edns && !writer.Overflowed && writer.Length + optLength <= writer.Limit)
        {
            writer.WriteBytes([0]);
            writer.WriteUInt16((ushort)DnsType.OPT);
            writer.WriteUInt16(edns.UdpPayloadSize);
            writer.WriteUInt32((uint)((int)ResponseCode >> 4 << 24 | edns.Version << 16 | (edns.DnssecOk ? 0x8000 : 0)));
            writer.WriteUInt16((ushort)edns.Options.Length);
            writer.WriteBytes(edns.Options);
            additionals++;
        }

        writer.PatchUInt16(0, Id);
        writer.PatchUInt16(2, (ushort)(HeaderFlags | (truncated ? DnsHeader.TruncatedFlag : 0)));
        writer.PatchUInt16(4, (ushort)questionCount);
        writer.PatchUInt16(6, (ushort)answers);
        writer.PatchUInt16(8, (ushort)authorities);
        writer.PatchUInt16(10, (ushort)additionals);
        return writer.ToArray();
    }

    private static void WriteRecord(DnsWriter writer, DnsRecord record)
    {
        writer.WriteName(record.Name, compress: true);
        writer.WriteUInt16((ushort)record.Type);
        writer.WriteUInt16((ushort)record.Class);
        writer.WriteUInt32(record.Ttl);
        var lengthAt = writer.Length;
        writer.WriteUInt16(0);
        var start = writer.Length;
        switch (record.Data)
        {
            case DnsAddressData address:
                Span<byte> bytes = stackalloc byte[16];
                address.Address.TryWriteBytes(bytes, out var written);
                writer.WriteBytes(bytes[..written]);
                break;
            case DnsNameData name:
                writer.WriteName(name.Name, compress: true);
                break;
            case DnsMxData mx:
                writer.WriteUInt16(mx.Preference);
                writer.WriteName(mx.Exchange, compress: true);
                break;
            case DnsSrvData srv:
                writer.WriteUInt16(srv.Priority);
                writer.WriteUInt16(srv.Weight);
                writer.WriteUInt16(srv.Port);
                writer.WriteName(srv.Target, compress: false);
                break;
            case DnsSoaData soa:
                writer.WriteName(soa.PrimaryServer, compress: true);
                writer.WriteName(soa.Mailbox, compress: true);
                foreach (var number in (uint[])[soa.Serial, soa.Refresh, soa.Retry, soa.Expire, soa.Minimum]) writer.WriteUInt32(number);
                break;
            case DnsTxtData txt:
                foreach (var text in txt.Strings)
                {
                    writer.WriteBytes([(byte)text.Length]);
                    writer.WriteBytes(text);
                }
                break;
            case DnsOpaqueData opaque:
                writer.WriteBytes(opaque.Bytes);
                break;
            default:
                throw new InvalidOperationException($"No writer for {record.Data.GetType().Name}.");
        }
        writer.PatchUInt16(lengthAt, (ushort)(writer.Length - start));
    }
}
