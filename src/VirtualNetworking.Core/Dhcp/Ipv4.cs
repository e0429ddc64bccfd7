using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>IPv4 addresses as host-order integers: the server does range arithmetic and hashing on them.</summary>
internal static class Ipv4
{
    public static uint ToUInt32(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static bool IsIPv4(IPAddress? address) => address?.AddressFamily == AddressFamily.InterNetwork;
}
