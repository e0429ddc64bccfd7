using System.Net;
using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>The RFC 2131 message exchanges and the options and routing of the replies.</summary>
public class DhcpServerExchangeTests
{
    [Fact]
    public void Full_dora_with_the_hand_written_rfc2131_packets()
    {
        var server = new DhcpServer(Scope());
        var offer = server.Handle(DhcpCapturedPackets.Rfc2131Discover, Broadcast, T0);
        Assert.Empty(offer.LeaseChanges);
        var o = OnWire(offer.Reply!);
        Assert.Equal(DhcpMessageType.Offer, o.MessageType);
        Assert.Equal(Ip("192.168.122.100"), o.YourAddress);
        Assert.Equal(DhcpReplyRoute.Broadcast, offer.Reply!.Destination.Route);
        Assert.Equal(new IPEndPoint(IPAddress.Broadcast, 68), offer.Reply.Destination.EndPoint);
        Assert.Equal(0x3903f326u, o.TransactionId);

        var ack = server.Handle(DhcpCapturedPackets.Rfc2131Request, Broadcast, T0);
        var a = OnWire(ack.Reply!);
        Assert.Equal(DhcpMessageType.Ack, a.MessageType);
        Assert.Equal(Ip("192.168.122.100"), a.YourAddress);
        var change = Assert.Single(ack.LeaseChanges);
        Assert.Equal(DhcpLeaseChangeKind.Upsert, change.Kind);
        Assert.Equal(DhcpLeaseState.Bound, change.Lease.State);
        Assert.Equal(T0.AddHours(1), change.Lease.Expires);

        // The DISCOVER listed 1, 3, 15, 6: that order first, then the rest by code; the REQUEST listed nothing.
        Assert.Equal([53, 54, 51, 58, 59, 1, 3, 15, 6, 28], o.Options.Codes);
        Assert.Equal([53, 54, 51, 58, 59, 1, 3, 6, 15, 28], a.Options.Codes);
        Assert.Equal(3600u, a.LeaseTimeSeconds);
        Assert.Equal(1800u, a.Options.GetUInt32(DhcpOptionCode.RenewalTime));
        Assert.Equal(3150u, a.Options.GetUInt32(DhcpOptionCode.RebindingTime));
        Assert.Equal(Ip("255.255.255.0"), a.Options.GetAddress(DhcpOptionCode.SubnetMask));
        Assert.Equal(Ip("192.168.122.255"), a.Options.GetAddress(DhcpOptionCode.BroadcastAddress));
        Assert.Equal("vm.test", a.Options.GetString(DhcpOptionCode.DomainName));
        Assert.Equal(ServerIp, a.ServerIdentifier);
        var stats = server.GetStatistics(T0);
        Assert.Equal((1, 1, 1, 1, 1), (stats.Discovers, stats.Offers, stats.Requests, stats.Acks, stats.ActiveLeases));
    }

    [Fact]
    public void Udhcpc_discover_gets_its_requested_address_unicast_to_its_mac_with_client_id_echoed()
    {
        var server = new DhcpServer(Scope());
        var reply = server.Handle(DhcpCapturedPackets.UdhcpcDiscover, Broadcast, T0).Reply!;
        Assert.Equal(DhcpReplyRoute.ClientHardware, reply.Destination.Route);
        Assert.Equal(Ip("192.168.122.50"), reply.Destination.Address);
        Assert.Equal("525400123456", reply.Destination.HardwareAddress!.ToString());
        var o = OnWire(reply);
        Assert.Equal(Convert.FromHexString("01525400123456"), o.ClientIdentifier);
        Assert.Null(o.HostName);                               // not a reserved name: not echoed
        Assert.True(reply.ToArray().Length <= 576 - 28);
    }

    [Fact]
    public void Dhclient_init_reboot_for_a_free_address_is_acked_by_an_authoritative_server()
    {
        var server = new DhcpServer(Scope());
        var result = server.Handle(DhcpCapturedPackets.DhclientInitRebootRequest, Broadcast, T0);
        Assert.Equal(DhcpMessageType.Ack, result.Reply!.Packet.MessageType);
        Assert.Equal(Ip("192.168.122.77"), result.Reply.Packet.YourAddress);
        Assert.Equal("vm2", Assert.Single(result.LeaseChanges).Lease.HostName);
        // dhclient asked for the MTU but none is configured; it asked for host name, but none is reserved.
        Assert.DoesNotContain(DhcpOptionCode.InterfaceMtu, result.Reply.Packet.Options.Codes);
    }

    [Fact]
    public void Init_reboot_on_the_wrong_network_or_someone_elses_address_is_naked_by_broadcast()
    {
        var server = new DhcpServer(Scope());
        var taken = Dora(server, Mac(1), T0);
        var wrongNet = server.Handle(InitReboot(Mac(2), Ip("10.0.0.5")), Broadcast, T0).Reply!;
        Assert.Equal(DhcpMessageType.Nak, wrongNet.Packet.MessageType);
        Assert.Equal(DhcpReplyRoute.Broadcast, wrongNet.Destination.Route);
        Assert.Equal(IPAddress.Any, wrongNet.Packet.YourAddress);
        var stolen = server.Handle(InitReboot(Mac(2), taken), Broadcast, T0).Reply!;
        Assert.Equal(DhcpMessageType.Nak, stolen.Packet.MessageType);
        Assert.Equal(2, server.GetStatistics(T0).Naks);
    }

    [Fact]
    public void Non_authoritative_server_is_silent_to_unknown_clients_but_naks_known_ones()
    {
        var server = new DhcpServer(Scope() with { Authoritative = false });
        Assert.Null(server.Handle(InitReboot(Mac(2), Ip("10.0.0.5")), Broadcast, T0).Reply);
        Assert.Null(server.Handle(InitReboot(Mac(2), Ip("192.168.122.9")), Broadcast, T0).Reply);
        var mine = Dora(server, Mac(1), T0);
        Assert.Equal(DhcpMessageType.Ack, server.Handle(InitReboot(Mac(1), mine), Broadcast, T0).Reply!.Packet.MessageType);
        Assert.Equal(DhcpMessageType.Nak, server.Handle(InitReboot(Mac(1), Ip("10.0.0.5")), Broadcast, T0).Reply!.Packet.MessageType);
    }

    [Fact]
    public void Renewing_is_unicast_to_ciaddr_and_rebinding_is_answered_too()
    {
        var server = new DhcpServer(Scope());
        var address = Dora(server, Mac(1), T0);
        var renew = server.Handle(Renew(Mac(1), address), Unicast, T0.AddMinutes(30));
        Assert.Equal(DhcpMessageType.Ack, renew.Reply!.Packet.MessageType);
        Assert.Equal(new(DhcpReplyRoute.ClientAddress, address, 68, null), renew.Reply.Destination);
        Assert.Equal(address, renew.Reply.Packet.ClientAddress);
        Assert.Equal(T0.AddMinutes(90), Assert.Single(renew.LeaseChanges).Lease.Expires);
        Assert.Contains("RENEWING", renew.Summary);

        var rebind = server.Handle(Renew(Mac(1), address), Broadcast, T0.AddMinutes(55));
        Assert.Equal(DhcpMessageType.Ack, rebind.Reply!.Packet.MessageType);
        Assert.Contains("REBINDING", rebind.Summary);

        var other = server.Handle(Renew(Mac(2), address), Unicast, T0.AddMinutes(55)).Reply!;
        Assert.Equal(DhcpMessageType.Nak, other.Packet.MessageType);
        Assert.Equal(DhcpReplyRoute.Broadcast, other.Destination.Route);
    }

    [Fact]
    public void Relayed_requests_go_back_to_the_relay_port_67_and_naks_set_the_broadcast_bit()
    {
        var server = new DhcpServer(Scope());
        var relay = Ip("192.168.122.254");
        var offer = server.Handle(Discover(Mac(1), p => p.RelayAddress = relay), Broadcast, T0).Reply!;
        Assert.Equal(new(DhcpReplyRoute.Relay, relay, 67, null), offer.Destination);
        Assert.Equal(relay, offer.Packet.RelayAddress);
        var nak = server.Handle(Packet(DhcpMessageType.Request, Mac(1), p =>
        {
            p.RelayAddress = relay;
            p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ip("10.1.1.1"));
        }), Broadcast, T0).Reply!;
        Assert.Equal(DhcpReplyRoute.Relay, nak.Destination.Route);
        Assert.True(nak.Packet.IsBroadcast);
        Assert.Null(server.Handle(Discover(Mac(1), p => p.RelayAddress = Ip("10.9.9.9")), Broadcast, T0).Reply);
    }

    [Fact]
    public void Broadcast_flag_makes_the_offer_broadcast()
    {
        var server = new DhcpServer(Scope());
        var reply = server.Handle(Discover(Mac(1), p => p.IsBroadcast = true), Broadcast, T0).Reply!;
        Assert.Equal(DhcpReplyRoute.Broadcast, reply.Destination.Route);
        Assert.True(reply.Packet.IsBroadcast);
    }

    [Fact]
    public void Request_naming_another_server_is_ignored_and_frees_our_offer()
    {
        var server = new DhcpServer(Scope("192.168.122.10", "192.168.122.10"));
        var offered = server.Handle(Discover(Mac(1)), Broadcast, T0).Reply!.Packet.YourAddress;
        Assert.Null(server.Handle(Select(Mac(1), offered, Ip("192.168.122.2")), Broadcast, T0).Reply);
        Assert.Equal(offered, server.Handle(Discover(Mac(2)), Broadcast, T0).Reply!.Packet.YourAddress);
    }

    [Fact]
    public void Release_frees_the_lease_and_only_the_holder_may_release()
    {
        var server = new DhcpServer(Scope());
        var address = Dora(server, Mac(1), T0);
        var release = Packet(DhcpMessageType.Release, Mac(1), p =>
        {
            p.ClientAddress = address;
            p.Options.SetAddress(DhcpOptionCode.ServerIdentifier, ServerIp);
        });
        var foreign = Packet(DhcpMessageType.Release, Mac(2), p => p.ClientAddress = address);
        Assert.Empty(server.Handle(foreign, Unicast, T0).LeaseChanges);
        var result = server.Handle(release, Unicast, T0);
        Assert.Null(result.Reply);
        Assert.Equal(DhcpLeaseChangeKind.Remove, Assert.Single(result.LeaseChanges).Kind);
        Assert.Empty(server.Leases);
        Assert.Equal(2, server.GetStatistics(T0).Releases);
    }

    [Fact]
    public void Declined_address_is_quarantined_then_returns_to_the_pool()
    {
        var server = new DhcpServer(Scope("192.168.122.10", "192.168.122.11"));
        var first = Dora(server, Mac(1), T0);
        var decline = Packet(DhcpMessageType.Decline, Mac(1), p =>
        {
            p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, first);
            p.Options.SetAddress(DhcpOptionCode.ServerIdentifier, ServerIp);
        });
        var result = server.Handle(decline, Broadcast, T0);
        Assert.Equal(DhcpLeaseState.Declined, Assert.Single(result.LeaseChanges).Lease.State);
        Assert.Equal(1, server.GetStatistics(T0).Declines);

        var second = Dora(server, Mac(1), T0.AddMinutes(1));
        Assert.NotEqual(first, second);
        Assert.Null(server.Handle(Discover(Mac(2)), Broadcast, T0.AddMinutes(1)).Reply);   // one quarantined, one leased

        Assert.Equal(DhcpLeaseState.Declined, Assert.Single(server.RemoveExpired(T0.AddMinutes(11))).Lease.State);
        Assert.Equal(first, server.Handle(Discover(Mac(2)), Broadcast, T0.AddMinutes(11)).Reply!.Packet.YourAddress);
    }

    [Fact]
    public void Inform_gets_configuration_without_lease_or_yiaddr_unicast_to_ciaddr()
    {
        var server = new DhcpServer(Scope());
        var result = server.Handle(Packet(DhcpMessageType.Inform, Mac(1), p => p.ClientAddress = Ip("192.168.122.200")), Unicast, T0);
        var reply = result.Reply!;
        Assert.Equal(DhcpMessageType.Ack, reply.Packet.MessageType);
        Assert.Equal(IPAddress.Any, reply.Packet.YourAddress);
        Assert.Equal(DhcpReplyRoute.ClientAddress, reply.Destination.Route);
        Assert.Null(reply.Packet.LeaseTimeSeconds);
        Assert.False(reply.Packet.Options.Contains(DhcpOptionCode.RenewalTime));
        Assert.True(reply.Packet.Options.Contains(DhcpOptionCode.DomainNameServer));
        Assert.Empty(result.LeaseChanges);
        Assert.Equal(1, server.GetStatistics(T0).Informs);
    }

    [Fact]
    public void Isolated_network_sends_no_router_and_infinite_lease_sends_all_ones()
    {
        var server = new DhcpServer(Scope() with { Router = null, DnsServers = [], LeaseTime = null });
        var offer = OnWire(server.Handle(Discover(Mac(1)), Broadcast, T0).Reply!);
        Assert.False(offer.Options.Contains(DhcpOptionCode.Router));
        Assert.False(offer.Options.Contains(DhcpOptionCode.DomainNameServer));
        Assert.Equal(uint.MaxValue, offer.LeaseTimeSeconds);
        Assert.False(offer.Options.Contains(DhcpOptionCode.RenewalTime));
        Dora(server, Mac(1), T0);
        Assert.Null(Assert.Single(server.Leases).Expires);
        Assert.Empty(server.RemoveExpired(T0.AddYears(50)));
        Assert.Equal(1, server.GetStatistics(T0.AddYears(50)).ActiveLeases);
    }

    [Fact]
    public void Mtu_and_pxe_options_are_sent_when_asked_for()
    {
        var server = new DhcpServer(Scope() with { Mtu = 9000, BootFileName = "pxelinux.0", NextServer = Ip("192.168.122.5") });
        var plain = OnWire(server.Handle(Discover(Mac(1), p => p.Options.Set(DhcpOptionCode.ParameterRequestList, [1, 3])), Broadcast, T0).Reply!);
        Assert.False(plain.Options.Contains(DhcpOptionCode.InterfaceMtu));
        Assert.Equal("pxelinux.0", plain.BootFileName);
        Assert.Equal(Ip("192.168.122.5"), plain.NextServerAddress);

        var pxe = OnWire(server.Handle(Discover(Mac(2), p => p.Options.Set(DhcpOptionCode.ParameterRequestList, [67, 66, 26, 1])), Broadcast, T0).Reply!);
        Assert.Equal([53, 54, 51, 58, 59, 67, 66, 26, 1, 3, 6, 15, 28], pxe.Options.Codes);
        Assert.Equal((ushort)9000, pxe.Options.GetUInt16(DhcpOptionCode.InterfaceMtu));
        Assert.Equal("192.168.122.5", pxe.Options.GetString(DhcpOptionCode.TftpServerName));
    }

    [Fact]
    public void Options_that_do_not_fit_the_576_byte_limit_are_left_out()
    {
        var dns = Enumerable.Range(1, 60).Select(i => Ip($"10.0.0.{i}")).ToList();
        var server = new DhcpServer(Scope() with { DnsServers = dns, DomainName = new string('d', 200) });
        var small = server.Handle(Discover(Mac(1)), Broadcast, T0).Reply!;
        Assert.True(small.ToArray().Length <= 548);
        Assert.True(small.Packet.Options.Contains(DhcpOptionCode.LeaseTime));
        var big = server.Handle(Discover(Mac(2), p => p.Options.SetUInt16(DhcpOptionCode.MaximumMessageSize, 1500)), Broadcast, T0).Reply!;
        Assert.Equal(60 * 4, big.Packet.Options.Get(DhcpOptionCode.DomainNameServer)!.Length);
        Assert.Equal(200, big.Packet.Options.GetString(DhcpOptionCode.DomainName)!.Length);
    }
}
