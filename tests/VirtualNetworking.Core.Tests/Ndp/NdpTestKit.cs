using System.Buffers.Binary;
using System.Net;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Ndp;

internal static class NdpTestKit
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly IPAddress GuestLinkLocal = IPAddress.Parse("fe80::5054:ff:fe12:3456");
    public static readonly IPAddress AllRouters = IPAddress.Parse("ff02::2");

    /// <summary>Hex octets in groups; on each line, the first word that is not hex starts a comment.</summary>
    public static byte[] Hex(string text) => Convert.FromHexString(string.Concat(
        text.Split('\n').SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(word => word.All(char.IsAsciiHexDigit)))));

    /// <summary>A network named t on bridge virbr9 with MAC 52:54:00:00:00:01 and the given children.</summary>
    public static NetworkDefinition Network(string inner, string forward = "<forward mode='nat'/>") =>
        NetworkXml.Parse($"<network><name>t</name>{forward}<bridge name='virbr9'/><mac address='52:54:00:00:00:01'/>{inner}</network>");

    /// <summary>A router solicitation from a guest, with its source link-layer address 52:54:00:12:34:56.</summary>
    public static byte[] Solicitation => Hex("85 00 0000 00000000  01 01 52 54 00 12 34 56");

    public static byte[] RouterLifetimeOf(byte[] message) => message[6..8];
    public static ushort RouterLifetime(byte[] message) => BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(6));
}
