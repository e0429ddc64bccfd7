using System.Net;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>Options 6, 15 and 119: how guests learn their DNS server, domain and search list.</summary>
public sealed class DhcpDnsOptionTests
{
    [Fact]
    public void Option_119_encodes_rfc_3397s_example_byte_for_byte()
    {
        // RFC 3397 §2: "eng.apple.com." and "marketing.apple.com.", the second ending in a pointer to offset 4.
        var options = new DhcpOptions();
        options.SetDomainNames(DhcpOptionCode.DomainSearch, [DnsName.Parse("eng.apple.com"), DnsName.Parse("marketing.apple.com")]);

        byte[] expected =
        [
            3, (byte)'e', (byte)'n', (byte)'g', 5, (byte)'a', (byte)'p', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
            9, (byte)'m', (byte)'a', (byte)'r', (byte)'k', (byte)'e', (byte)'t', (byte)'i', (byte)'n', (byte)'g', 0xC0, 0x04,
        ];
        Assert.Equal(expected, options.Get(DhcpOptionCode.DomainSearch));
    }

    [Fact]
    public void Rfc_3397s_example_as_it_is_drawn_there_in_three_instances_reads_back_as_the_same_value()
    {
        // The RFC draws the 27 octets as three 9-octet instances of option 119 (RFC 3396 concatenation).
        byte[] wire =
        [
            119, 9, 3, (byte)'e', (byte)'n', (byte)'g', 5, (byte)'a', (byte)'p', (byte)'p', (byte)'l',
            119, 9, (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0, 9, (byte)'m', (byte)'a',
            119, 9, (byte)'r', (byte)'k', (byte)'e', (byte)'t', (byte)'i', (byte)'n', (byte)'g', 0xC0, 0x04,
        ];
        var bytes = new DhcpPacket { Op = DhcpPacket.BootReply, MessageType = DhcpMessageType.Ack }.ToArray().ToList();
        var at = DhcpPacket.HeaderLength + 4;
        while (bytes[at] != DhcpOptionCode.End) at += 2 + bytes[at + 1];
        bytes.InsertRange(at, wire);

        Assert.True(DhcpPacket.TryParse(bytes.ToArray(), out var parsed, out var problem), problem);
        var ours = new DhcpOptions();
        ours.SetDomainNames(DhcpOptionCode.DomainSearch, [DnsName.Parse("eng.apple.com"), DnsName.Parse("marketing.apple.com")]);
        Assert.Equal(ours.Get(DhcpOptionCode.DomainSearch), parsed.Options.Get(DhcpOptionCode.DomainSearch));
    }

    [Fact]
    public void A_long_search_list_goes_out_as_several_instances_and_reads_back_whole()
    {
        var names = Enumerable.Range(0, 30).Select(i => DnsName.Parse($"zone{i:D2}-with-a-long-label.example{i}.test")).ToList();
        var reply = new DhcpPacket { Op = DhcpPacket.BootReply, MessageType = DhcpMessageType.Ack };
        reply.Options.SetDomainNames(DhcpOptionCode.DomainSearch, names);
        var value = reply.Options.Get(DhcpOptionCode.DomainSearch)!;
        Assert.True(value.Length > 255);

        Assert.True(DhcpPacket.TryParse(reply.ToArray(), out var parsed, out var problem), problem);
        Assert.Equal(value, parsed.Options.Get(DhcpOptionCode.DomainSearch));
    }

    [Fact]
    public void Offer_ack_and_inform_ack_carry_dns_server_domain_and_the_search_list_when_asked()
    {
        var server = new DhcpServer(Scope() with { DomainSearch = [DnsName.Parse("vm.test")] });
        byte[] asks = [DhcpOptionCode.SubnetMask, DhcpOptionCode.Router, DhcpOptionCode.DomainNameServer, DhcpOptionCode.DomainName, DhcpOptionCode.DomainSearch];
        void Ask(DhcpPacket p) => p.Options.Set(DhcpOptionCode.ParameterRequestList, asks);

        var offer = OnWire(server.Handle(Discover(Mac(1), Ask), Broadcast, T0).Reply!);
        var request = Select(Mac(1), offer.YourAddress);
        Ask(request);
        var ack = OnWire(server.Handle(request, Broadcast, T0).Reply!);
        var inform = OnWire(server.Handle(Packet(DhcpMessageType.Inform, Mac(2), p =>
        {
            p.ClientAddress = Ip("192.168.122.250");
            Ask(p);
        }), Unicast, T0).Reply!);

        byte[] searchList = [2, (byte)'v', (byte)'m', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0];
        foreach (var reply in new[] { offer, ack, inform })
        {
            Assert.Equal(ServerIp.GetAddressBytes(), reply.Options.Get(DhcpOptionCode.DomainNameServer));
            Assert.Equal("vm.test", reply.Options.GetString(DhcpOptionCode.DomainName));
            Assert.Equal(searchList, reply.Options.Get(DhcpOptionCode.DomainSearch));
            // In the order the client asked, after the server's own options.
            Assert.Equal(asks, reply.Options.Codes.Where(asks.Contains));
        }
    }

    [Fact]
    public void The_search_list_is_left_to_clients_that_ask_for_option_119()
    {
        var server = new DhcpServer(Scope() with { DomainSearch = [DnsName.Parse("vm.test")] });
        var offer = OnWire(server.Handle(Discover(Mac(1), p => p.Options.Set(DhcpOptionCode.ParameterRequestList, [DhcpOptionCode.DomainNameServer])), Broadcast, T0).Reply!);

        Assert.False(offer.Options.Contains(DhcpOptionCode.DomainSearch));
        Assert.Equal("vm.test", offer.Options.GetString(DhcpOptionCode.DomainName));
        Assert.True(offer.Options.Contains(DhcpOptionCode.DomainNameServer));
    }

    [Fact]
    public void Without_dns_servers_no_option_6_is_sent()
    {
        var server = new DhcpServer(Scope() with { DnsServers = [] });
        var offer = OnWire(server.Handle(Discover(Mac(1), p => p.Options.Set(DhcpOptionCode.ParameterRequestList, [DhcpOptionCode.DomainNameServer])), Broadcast, T0).Reply!);

        Assert.False(offer.Options.Contains(DhcpOptionCode.DomainNameServer));
    }
}
