using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// The ICMPv6 checksum (RFC 4443 §2.3) over the IPv6 pseudo-header (RFC 8200 §8.1) and the message. The kernel fills
/// it in for raw ICMPv6 sockets and checks it on receipt; this is for tests and captures that need to verify packets.
/// </summary>
public static class Icmpv6Checksum
{
    public const byte NextHeader = 58;
    /// <summary>Where the checksum sits in every ICMPv6 message.</summary>
    public const int Offset = 2;

    /// <summary>The checksum of <paramref name="message"/>, reading its checksum field as zero.</summary>
    public static ushort Compute(IPAddress source, IPAddress destination, ReadOnlySpan<byte> message)
    {
        Span<byte> pseudoHeader = stackalloc byte[40];
        WriteAddress(source, pseudoHeader[..16], nameof(source));
        WriteAddress(destination, pseudoHeader[16..32], nameof(destination));
        BinaryPrimitives.WriteUInt32BigEndian(pseudoHeader[32..], (uint)message.Length);
        pseudoHeader[39] = NextHeader;

        ulong sum = Sum(pseudoHeader);
        if (message.Length >= Offset + 2)
        {
            sum += Sum(message[..Offset]);
            sum += Sum(message[(Offset + 2)..]);
        }
        else sum += Sum(message);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>True when the checksum field of <paramref name="message"/> holds its checksum.</summary>
    public static bool IsValid(IPAddress source, IPAddress destination, ReadOnlySpan<byte> message) =>
        message.Length >= Offset + 2 && BinaryPrimitives.ReadUInt16BigEndian(message[Offset..]) == Compute(source, destination, message);

    /// <summary>Writes the checksum into the message's checksum field.</summary>
    public static void Fill(IPAddress source, IPAddress destination, Span<byte> message) =>
        BinaryPrimitives.WriteUInt16BigEndian(message[Offset..], Compute(source, destination, message));

    /// <summary>Sums 16-bit big-endian words; an odd last byte is padded with zero (RFC 1071).</summary>
    private static ulong Sum(ReadOnlySpan<byte> bytes)
    {
        ulong sum = 0;
        var i = 0;
        for (; i + 1 < bytes.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if (i < bytes.Length) sum += (ulong)bytes[i] << 8;
        return sum;
    }

    private static void WriteAddress(IPAddress address, Span<byte> destination, string name)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) throw new ArgumentException($"{address} is not an IPv6 address.", name);
        address.TryWriteBytes(destination, out _);
    }
}
