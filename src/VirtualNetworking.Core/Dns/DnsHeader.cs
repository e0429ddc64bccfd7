using System.Buffers.Binary;

namespace VirtualNetworking.Core.Dns;

/// <summary>
/// The fixed 12 octets of a DNS message (RFC 1035 §4.1.1), readable on their own: a server answers FORMERR
/// to a message whose header it can read even when the rest is garbage.
/// </summary>
public readonly record struct DnsHeader(ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount)
{
    public const int Length = 12;

    internal const ushort ResponseFlag = 0x8000;
    internal const ushort AuthoritativeFlag = 0x0400;
    internal const ushort TruncatedFlag = 0x0200;
    internal const ushort RecursionDesiredFlag = 0x0100;
    internal const ushort RecursionAvailableFlag = 0x0080;
    internal const ushort AuthenticDataFlag = 0x0020;
    internal const ushort CheckingDisabledFlag = 0x0010;

    public bool IsResponse => (Flags & ResponseFlag) != 0;
    public DnsOpcode Opcode => (DnsOpcode)(Flags >> 11 & 0xF);
    public bool Truncated => (Flags & TruncatedFlag) != 0;
    public bool RecursionDesired => (Flags & RecursionDesiredFlag) != 0;
    public bool CheckingDisabled => (Flags & CheckingDisabledFlag) != 0;
    /// <summary>The header's 4 bits only; <see cref="DnsMessage.ResponseCode"/> adds the OPT record's upper bits.</summary>
    public int ResponseCode => Flags & 0xF;

    public static bool TryRead(ReadOnlySpan<byte> data, out DnsHeader header)
    {
        if (data.Length < Length) { header = default; return false; }
        header = new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(data),
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[10..]));
        return true;
    }

    /// <summary>Sets the message id in place: how a forwarded reply gets its client's id back.</summary>
    public static void WriteId(Span<byte> message, ushort id) => BinaryPrimitives.WriteUInt16BigEndian(message, id);
}
