using System.Buffers.Binary;
using System.Net;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// An IPv4 header + UDP header + payload, for hosts that send through a link-layer (packet) socket: a reply to
/// a client that has no address yet must reach its MAC without ARP (RFC 2131 §4.1), so the host builds the IP
/// packet itself and lets the kernel add only the Ethernet header.
/// </summary>
public static class Ipv4UdpDatagram
{
    public const int HeaderLength = 20 + 8;
    private const byte DefaultTtl = 64;
    private const byte UdpProtocol = 17;

    public static byte[] Build(IPAddress source, int sourcePort, IPAddress destination, int destinationPort, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[HeaderLength + payload.Length];
        payload.CopyTo(packet.AsSpan(HeaderLength));
        WriteHeaders(packet, source, sourcePort, destination, destinationPort);
        return packet;
    }

    /// <summary>
    /// Writes the IPv4 and UDP headers in front of the payload already in <paramref name="packet"/> from
    /// <see cref="HeaderLength"/> on (the whole span is the datagram), so a host can write its reply straight
    /// into the frame it sends.
    /// </summary>
    public static void WriteHeaders(Span<byte> packet, IPAddress source, int sourcePort, IPAddress destination, int destinationPort)
    {
        var ip = packet[..20];
        ip.Clear();
        ip[0] = 0x45; // version 4, 5 words of header
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
        ip[8] = DefaultTtl;
        ip[9] = UdpProtocol;
        source.TryWriteBytes(ip[12..16], out _);
        destination.TryWriteBytes(ip[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));

        var udp = packet[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        // The UDP checksum covers a pseudo-header of addresses, protocol and length; 0 would mean "none" (RFC 768).
        var pseudo = Sum(ip[12..20], 0) + UdpProtocol + (uint)udp.Length;
        var sum = Checksum(udp, pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], sum == 0 ? (ushort)0xffff : sum);
    }

    /// <summary>
    /// Reads an IPv4 packet as a host receiving through a packet socket sees it (from the IP header on): the
    /// UDP payload and the addresses, or false for anything that is not one whole, valid IPv4/UDP datagram
    /// (short, bad header checksum, fragment, lengths that disagree). The UDP checksum is not checked: from a
    /// local veth it is often left for offload and not filled in, and the link layer has its own CRC.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out Ipv4UdpHeader header, out Range payload)
    {
        header = default;
        payload = default;
        if (packet.Length < HeaderLength || packet[0] >> 4 != 4) return false;
        var ipLength = (packet[0] & 0xf) * 4;
        var total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (ipLength < 20 || total > packet.Length || total < ipLength + 8) return false;
        if (packet[9] != UdpProtocol || (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3fff) != 0) return false; // MF flag or offset: a fragment
        if (Checksum(packet[..ipLength], 0) != 0) return false;
        var udp = packet[ipLength..total];
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLength < 8 || udpLength > udp.Length) return false;
        header = new Ipv4UdpHeader(
            BinaryPrimitives.ReadUInt32BigEndian(packet[12..]), BinaryPrimitives.ReadUInt16BigEndian(udp),
            BinaryPrimitives.ReadUInt32BigEndian(packet[16..]), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
        payload = new Range(ipLength + 8, ipLength + udpLength);
        return true;
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/> plus a partial sum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint partial)
    {
        var sum = Sum(data, partial);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        for (var i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (data.Length % 2 == 1) sum += (uint)data[^1] << 8;
        return sum;
    }
}

/// <summary>Addresses (host order, as <see cref="Ipv4.ToUInt32"/>) and ports of a received IPv4/UDP datagram.</summary>
public readonly record struct Ipv4UdpHeader(uint Source, int SourcePort, uint Destination, int DestinationPort)
{
    public bool IsTo(IPAddress address) => Ipv4.IsIPv4(address) && Destination == Ipv4.ToUInt32(address);
}
