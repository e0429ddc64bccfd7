using System.Net;
using VirtualNetworking.Core.Dhcp6;
using static VirtualNetworking.Core.Tests.Dhcp6.Dhcp6TestKit;

namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>The codec and the server against a real dhclient -6 / dnsmasq exchange (<see cref="Dhcp6CapturedMessages"/>).</summary>
public class Dhcp6CapturedMessageTests
{
    private static readonly Duid Dhclient = Duid.Parse("00:01:00:01:32:a4:4c:70:52:54:00:12:34:56");
    private static readonly Duid Dnsmasq = Duid.Parse("00:01:00:01:32:a4:4c:6f:52:54:00:ab:cd:ef");

    public static TheoryData<int> Indexes => [.. Enumerable.Range(0, Dhcp6CapturedMessages.All.Length)];

    [Theory]
    [MemberData(nameof(Indexes))]
    public void Every_captured_message_parses_and_writes_back_byte_for_byte(int index)
    {
        var bytes = Dhcp6CapturedMessages.All[index];
        Assert.True(Dhcp6Message.TryParse(bytes, out var message, out var problem), problem);
        Assert.Equal(Dhclient, message.ClientId);
        Assert.Equal(bytes, message.ToArray());
    }

    [Fact]
    public void The_captured_messages_read_as_each_side_meant_them()
    {
        Dhcp6Message Read(byte[] bytes) => Dhcp6Message.TryParse(bytes, out var m, out _) ? m : throw new InvalidOperationException();
        var solicit = Read(Dhcp6CapturedMessages.DhclientSolicit);
        Assert.Equal(DuidType.LinkLayerPlusTime, solicit.ClientId!.Type);
        Assert.Equal([Dhcp6OptionCode.DnsServers, Dhcp6OptionCode.DomainList, Dhcp6OptionCode.ClientFqdn, 31], solicit.RequestedOptions);
        Assert.Equal(new Dhcp6IaNa(0x123456, 3600, 5400, []), Assert.Single(solicit.IaNas));

        var reply = Read(Dhcp6CapturedMessages.DnsmasqReply);
        Assert.Equal(Dnsmasq, reply.ServerId);
        var address = Assert.Single(Assert.Single(reply.IaNas).Addresses);
        Assert.Equal(new Dhcp6IaAddress(IPAddress.Parse("fd00:5::1a4"), 3600, 3600), address);
        Assert.Equal(new Dhcp6Status(Dhcp6StatusCode.Success, "success"), reply.Status);
        Assert.Equal([IPAddress.Parse("fd00:5::1")], reply.DnsServers);

        Assert.Equal(new Dhcp6Status(Dhcp6StatusCode.Success, "release received"), Read(Dhcp6CapturedMessages.DnsmasqReleaseReply).Status);
    }

    [Fact]
    public void Our_server_advertises_to_dhclients_solicit_and_ignores_what_it_sends_to_dnsmasq()
    {
        var server = new Dhcp6Server(Scope());
        var advertise = OnWire(server.Handle(Dhcp6CapturedMessages.DhclientSolicit, Multicast, T0));
        Assert.Equal(Dhcp6MessageType.Advertise, advertise.MessageType);
        Assert.Equal(0x667e54u, advertise.TransactionId);
        Assert.Equal(Dhclient, advertise.ClientId);
        var ia = Assert.Single(advertise.IaNas);
        Assert.Equal((0x123456u, 1800u, 2880u), (ia.Iaid, ia.T1, ia.T2));
        Assert.Single(ia.Addresses);
        Assert.Equal([ServerIp], advertise.DnsServers);

        foreach (var forDnsmasq in new[] { Dhcp6CapturedMessages.DhclientRequest, Dhcp6CapturedMessages.DhclientRelease })
        {
            var result = server.Handle(forDnsmasq, Multicast, T0);
            Assert.Null(result.Reply);
            Assert.Contains($"for server {Dnsmasq}", result.Summary);
        }
        Assert.Empty(server.Leases);
    }
}
