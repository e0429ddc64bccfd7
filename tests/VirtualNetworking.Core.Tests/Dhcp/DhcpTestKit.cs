using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>A libvirt-default-like scope and a little client that builds requests.</summary>
internal static class DhcpTestKit
{
    public static readonly IPAddress ServerIp = IPAddress.Parse("192.168.122.1");
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DhcpReceiveInfo Broadcast = new("virbr0", ArrivedAsBroadcast: true);
    public static readonly DhcpReceiveInfo Unicast = new("virbr0", ArrivedAsBroadcast: false);

    public static DhcpScope Scope(string first = "192.168.122.2", string last = "192.168.122.254") => new()
    {
        ServerAddress = ServerIp,
        Subnet = IpNetwork.Parse("192.168.122.0/24"),
        Ranges = [new DhcpRange(IPAddress.Parse(first), IPAddress.Parse(last))],
        Router = ServerIp,
        DnsServers = [ServerIp],
        DomainName = "vm.test",
    };

    public static PhysicalAddress Mac(int n) => new([0x52, 0x54, 0x00, 0x00, (byte)(n >> 8), (byte)n]);

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static DhcpPacket Packet(DhcpMessageType type, PhysicalAddress mac, Action<DhcpPacket>? configure = null)
    {
        var p = new DhcpPacket { TransactionId = 0x1234, MessageType = type };
        mac.GetAddressBytes().CopyTo(p.ClientHardwareBytes, 0);
        configure?.Invoke(p);
        return p;
    }

    public static DhcpPacket Discover(PhysicalAddress mac, Action<DhcpPacket>? configure = null) =>
        Packet(DhcpMessageType.Discover, mac, configure);

    public static DhcpPacket Select(PhysicalAddress mac, IPAddress address, IPAddress? server = null) =>
        Packet(DhcpMessageType.Request, mac, p =>
        {
            p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, address);
            p.Options.SetAddress(DhcpOptionCode.ServerIdentifier, server ?? ServerIp);
        });

    public static DhcpPacket InitReboot(PhysicalAddress mac, IPAddress address) =>
        Packet(DhcpMessageType.Request, mac, p => p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, address));

    public static DhcpPacket Renew(PhysicalAddress mac, IPAddress address) =>
        Packet(DhcpMessageType.Request, mac, p => p.ClientAddress = address);

    /// <summary>DISCOVER then REQUEST; returns the ACKed address.</summary>
    public static IPAddress Dora(DhcpServer server, PhysicalAddress mac, DateTimeOffset now, Action<DhcpPacket>? configure = null)
    {
        var offer = server.Handle(Discover(mac, configure), Broadcast, now).Reply!;
        var request = Select(mac, offer.Packet.YourAddress);
        configure?.Invoke(request);
        var ack = server.Handle(request, Broadcast, now).Reply!;
        Assert.Equal(DhcpMessageType.Ack, ack.Packet.MessageType);
        return ack.Packet.YourAddress;
    }

    /// <summary>Serializes and re-parses, so tests see what a client would see on the wire.</summary>
    public static DhcpPacket OnWire(DhcpReply reply)
    {
        Assert.True(DhcpPacket.TryParse(reply.ToArray(), out var packet, out var problem), problem);
        return packet;
    }
}
