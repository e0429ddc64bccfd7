using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>Queries as a stub resolver sends them, and raw wire pieces for hand-made (and broken) messages.</summary>
internal static class DnsTestKit
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DnsClient UdpClient = new(DnsTransport.Udp, new IPEndPoint(IPAddress.Parse("192.168.122.50"), 40000));
    public static readonly DnsClient TcpClient = new(DnsTransport.Tcp, new IPEndPoint(IPAddress.Parse("192.168.122.50"), 40001), 7);
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

    /// <summary>A server for the network with the given leases, host resolvers Resolver1 and Resolver2, and a seeded random source.</summary>
    public static DnsServer Server(NetworkDefinition network, IEnumerable<DhcpLease>? leases = null, DnsServerOptions? options = null, IRandomSource? random = null)
    {
        var policy = DnsPolicy.FromNetwork(network) ?? throw new InvalidOperationException("The network serves no DNS.");
        var server = new DnsServer(policy, DnsZone.Build(network, leases ?? [], [], T0), random ?? new SeededRandom(1), options);
        server.UseHostResolvers([Resolver1, Resolver2]);
        return server;
    }

    /// <summary>Sends a query and expects an answer; returns it parsed.</summary>
    public static DnsMessage Ask(DnsServer server, string name, DnsType type, DnsEdns? edns = null, DnsClient? client = null, bool recursionDesired = true) =>
        Parse(Assert.IsType<DnsAnswer>(server.Handle(Query(name, type, edns: edns, recursionDesired: recursionDesired), client ?? UdpClient, T0)).Message);

    /// <summary>Sends a query and expects it forwarded.</summary>
    public static DnsForward Forwarded(DnsServer server, string name, DnsType type, DateTimeOffset? now = null, ushort id = 0x4242, DnsClient? client = null) =>
        Assert.IsType<DnsForward>(server.Handle(Query(name, type, id), client ?? UdpClient, now ?? T0));

    /// <summary>The upstream's answer to a forwarded query: the same id and question, the given records.</summary>
    public static byte[] UpstreamReply(DnsForward forward, DnsResponseCode code = DnsResponseCode.NoError, Action<DnsMessage>? fill = null)
    {
        var query = Parse(forward.Query);
        var reply = new DnsMessage
        {
            Id = query.Id, IsResponse = true, RecursionDesired = query.RecursionDesired, RecursionAvailable = true, ResponseCode = code,
            Edns = query.Edns is null ? null : new DnsEdns(1232),
        };
        reply.Questions.AddRange(query.Questions);
        fill?.Invoke(reply);
        return reply.ToArray();
    }

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

/// <summary>Reproducible randomness for query ids.</summary>
internal sealed class SeededRandom(int seed) : IRandomSource
{
    private readonly Random random = new(seed);

    public void Fill(Span<byte> buffer) => random.NextBytes(buffer);
}

/// <summary>The same bytes every time: ids collide.</summary>
internal sealed class StuckRandom : IRandomSource
{
    public void Fill(Span<byte> buffer) => buffer.Fill(7);
}
