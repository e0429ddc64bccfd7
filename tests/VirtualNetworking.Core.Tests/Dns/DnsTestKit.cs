using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>Queries as a stub resolver sends them, and raw wire pieces for hand-made (and broken) messages.</summary>
internal static class DnsTestKit
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly IPEndPoint Resolver1 = new(IPAddress.Parse("10.0.0.53"), 53);
    public static readonly IPEndPoint Resolver2 = new(IPAddress.Parse("10.0.1.53"), 53);

    /// <summary>A NAT network like libvirt's default (192.168.122.1/24, DHCP) with <paramref name="inner"/> added to it.</summary>
    public static NetworkDefinition Network(string inner = "", string forward = "<forward mode='nat'/>", string ip = "") =>
        NetworkXml.Parse($"""
            <network>
              <name>default</name>
              {forward}
              <bridge name='virbr0'/>
              {inner}
              <ip address='192.168.122.1' netmask='255.255.255.0'>
                <dhcp><range start='192.168.122.2' end='192.168.122.254'/>{ip}</dhcp>
              </ip>
            </network>
            """);

    public static DhcpLease Lease(string address, string? hostName, int mac, DateTimeOffset? expires, DhcpLeaseState state = DhcpLeaseState.Bound) =>
        new(IPAddress.Parse(address), new PhysicalAddress([0x52, 0x54, 0, 0, (byte)(mac >> 8), (byte)mac]), null, hostName, expires, state);

    public static DnsName N(string text) => DnsName.Parse(text);

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static DnsMessage QueryMessage(string name, DnsType type, ushort id = 0x4242, bool recursionDesired = true, DnsEdns? edns = null)
    {
        var query = new DnsMessage { Id = id, RecursionDesired = recursionDesired, Edns = edns };
        query.Questions.Add(new DnsQuestion(N(name), type));
        return query;
    }

    public static byte[] Query(string name, DnsType type, ushort id = 0x4242, bool recursionDesired = true, DnsEdns? edns = null) =>
        QueryMessage(name, type, id, recursionDesired, edns).ToArray();

    public static DnsMessage Parse(byte[] bytes)
    {
        Assert.True(DnsMessage.TryParse(bytes, out var message, out var problem), problem);
        return message;
    }

    // Wire pieces.
    public static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>An uncompressed name.</summary>
    public static byte[] W(string name) => N(name).Wire.ToArray();

    public static byte[] Pointer(int offset) => U16(0xC000 | offset);

    public static byte[] Header(int id = 0x1234, int flags = 0x0100, int qd = 1, int an = 0, int ns = 0, int ar = 0) =>
        [.. U16(id), .. U16(flags), .. U16(qd), .. U16(an), .. U16(ns), .. U16(ar)];

    public static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
