using System.Buffers.Binary;

namespace VirtualNetworking.Core.Dns;

/// <summary>RFC 7766 §8 (RFC 1035 §4.2.2): over TCP each message is preceded by its length as two octets.</summary>
public static class DnsTcpFraming
{
    public const int PrefixLength = 2;

    /// <summary>The message with its length prefix, ready to write to a connection.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        if (message.Length > DnsMessage.MaxLength)
            throw new ArgumentException($"A DNS message holds at most {DnsMessage.MaxLength} octets; this one has {message.Length}.", nameof(message));
        var framed = new byte[PrefixLength + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsSpan(PrefixLength));
        return framed;
    }

    /// <summary>
    /// The first whole message in what a connection has delivered so far: false until its prefix and all its octets
    /// arrived. <paramref name="consumed"/> is what to discard before looking for the next one (pipelined queries).
    /// </summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> received, out ReadOnlySpan<byte> message, out int consumed)
    {
        message = default;
        consumed = 0;
        if (received.Length < PrefixLength) return false;
        var length = BinaryPrimitives.ReadUInt16BigEndian(received);
        if (received.Length < PrefixLength + length) return false;
        message = received.Slice(PrefixLength, length);
        consumed = PrefixLength + length;
        return true;
    }
}
