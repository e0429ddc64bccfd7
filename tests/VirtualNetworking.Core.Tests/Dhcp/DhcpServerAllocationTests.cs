using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>Which address a client gets: reservations, stability, holds, exhaustion, expiry.</summary>
public class DhcpServerAllocationTests
{
    [Fact]
    public void Reservation_by_mac_wins_and_is_never_given_to_another_client()
    {
        var reserved = Ip("192.168.122.50");
        var server = new DhcpServer(Scope("192.168.122.50", "192.168.122.51") with { Reservations = [new(Mac(9), "db", reserved)] });
        // Another client asking for the reserved address gets something else.
        var other = server.Handle(Discover(Mac(1), p => p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, reserved)), Broadcast, T0);
        Assert.Equal(Ip("192.168.122.51"), other.Reply!.Packet.YourAddress);
        Assert.Equal(DhcpMessageType.Nak, server.Handle(InitReboot(Mac(2), reserved), Broadcast, T0).Reply!.Packet.MessageType);
        Assert.Null(server.Handle(Discover(Mac(2)), Broadcast, T0).Reply);   // pool exhausted for non-reserved clients

        var offer = OnWire(server.Handle(Discover(Mac(9)), Broadcast, T0).Reply!);
        Assert.Equal(reserved, offer.YourAddress);
        Assert.Equal("db", offer.HostName);                                  // reserved name is echoed
        Assert.Equal(reserved, Dora(server, Mac(9), T0));
    }

    [Fact]
    public void Reservation_by_host_name_matches_option_12_and_may_lie_outside_the_ranges()
    {
        var server = new DhcpServer(Scope() with { Reservations = [new(null, "VM2", Ip("192.168.122.3"))] });
        Assert.Equal(Ip("192.168.122.3"), server.Handle(DhcpCapturedPackets.DhclientDiscover, Broadcast, T0).Reply!.Packet.YourAddress);
        var server2 = new DhcpServer(Scope("192.168.122.100", "192.168.122.200") with { Reservations = [new(Mac(7), null, Ip("192.168.122.3"))] });
        Assert.Equal(Ip("192.168.122.3"), Dora(server2, Mac(7), T0));
    }

    [Fact]
    public void Same_client_gets_the_same_address_after_the_server_lost_all_state()
    {
        var addresses = Enumerable.Range(1, 20).Select(i => Dora(new DhcpServer(Scope()), Mac(i), T0)).ToList();
        var fresh = new DhcpServer(Scope());
        Assert.Equal(addresses, Enumerable.Range(1, 20).Select(i => Dora(fresh, Mac(i), T0)));
        Assert.True(addresses.Distinct().Count() >= 15);                    // spread, not packed from the start

        // The client id, not the MAC, is the identity when present.
        byte[] id = [0xff, 1, 2, 3, 4];
        var a = Dora(new DhcpServer(Scope()), Mac(1), T0, p => p.Options.Set(DhcpOptionCode.ClientIdentifier, id));
        var b = Dora(new DhcpServer(Scope()), Mac(2), T0, p => p.Options.Set(DhcpOptionCode.ClientIdentifier, id));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Colliding_clients_probe_to_the_next_free_address_and_offers_hold_it()
    {
        var server = new DhcpServer(Scope("192.168.122.10", "192.168.122.12"));
        var offers = Enumerable.Range(1, 3).Select(i => server.Handle(Discover(Mac(i)), Broadcast, T0).Reply!.Packet.YourAddress).ToList();
        Assert.Equal(3, offers.Distinct().Count());
        // The holds lapse after 30 s: a fourth client then gets one.
        Assert.Null(server.Handle(Discover(Mac(4)), Broadcast, T0.AddSeconds(10)).Reply);
        Assert.NotNull(server.Handle(Discover(Mac(4)), Broadcast, T0.AddSeconds(31)).Reply);
    }

    [Fact]
    public void Existing_lease_is_offered_again_and_requested_address_is_honoured_when_free()
    {
        var server = new DhcpServer(Scope());
        var mine = Dora(server, Mac(1), T0);
        Assert.Equal(mine, server.Handle(Discover(Mac(1), p => p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ip("192.168.122.9"))), Broadcast, T0).Reply!.Packet.YourAddress);
        Assert.Equal(Ip("192.168.122.9"), server.Handle(Discover(Mac(2), p => p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, Ip("192.168.122.9"))), Broadcast, T0).Reply!.Packet.YourAddress);
        Assert.Single(server.Leases);                                          // the offer is not a lease
    }

    [Fact]
    public void Exhausted_pool_gives_no_reply_and_is_counted()
    {
        var server = new DhcpServer(Scope("192.168.122.10", "192.168.122.11"));
        Dora(server, Mac(1), T0);
        Dora(server, Mac(2), T0);
        var result = server.Handle(Discover(Mac(3)), Broadcast, T0);
        Assert.Null(result.Reply);
        var stats = server.GetStatistics(T0);
        Assert.Equal(1, stats.PoolExhausted);
        Assert.Equal(2, stats.ActiveLeases);
    }

    [Fact]
    public void Expired_leases_are_reclaimable_and_removed()
    {
        var server = new DhcpServer(Scope("192.168.122.10", "192.168.122.10"));
        var address = Dora(server, Mac(1), T0);
        Assert.Null(server.Handle(Discover(Mac(2)), Broadcast, T0.AddMinutes(59)).Reply);
        Assert.Equal(0, server.GetStatistics(T0.AddHours(1)).ActiveLeases);
        Assert.Equal(address, Dora(server, Mac(2), T0.AddHours(1)));
        Assert.Equal(DhcpMessageType.Nak, server.Handle(Renew(Mac(1), address), Unicast, T0.AddHours(1)).Reply!.Packet.MessageType);

        var server2 = new DhcpServer(Scope());
        Assert.Null(server2.NextExpiry);
        var lease = Dora(server2, Mac(1), T0);
        Dora(server2, Mac(2), T0.AddMinutes(10));
        Assert.Equal(T0.AddHours(1), server2.NextExpiry);
        Assert.Empty(server2.RemoveExpired(T0.AddMinutes(59)));
        var removed = Assert.Single(server2.RemoveExpired(T0.AddHours(1)));
        Assert.Equal((DhcpLeaseChangeKind.Remove, lease), (removed.Kind, removed.Lease.Address));
        Assert.Equal(T0.AddMinutes(70), server2.NextExpiry);
        Assert.Single(server2.RemoveExpired(T0.AddMinutes(70)));
        Assert.Empty(server2.Leases);
    }

    [Fact]
    public void Reservations_change_live_without_losing_leases()
    {
        var server = new DhcpServer(Scope());
        var leased = Dora(server, Mac(1), T0);
        var other = Dora(server, Mac(3), T0);

        // Reserve Mac(1)'s address for Mac(2): Mac(1) keeps it until its renewal, which is NAKed.
        server.AddReservation(new(Mac(2), "new", leased));
        Assert.Equal(2, server.Leases.Count);
        var waiting = server.Handle(Discover(Mac(2)), Broadcast, T0).Reply!.Packet.YourAddress;
        Assert.NotEqual(leased, waiting);                                   // still taken: pool address meanwhile
        Dora(server, Mac(2), T0);
        var nak = server.Handle(Renew(Mac(1), leased), Unicast, T0.AddMinutes(30));
        Assert.Equal(DhcpMessageType.Nak, nak.Reply!.Packet.MessageType);
        Assert.Equal(DhcpLeaseChangeKind.Remove, Assert.Single(nak.LeaseChanges).Kind);   // NAKed holder lets go
        Assert.Equal(leased, server.Handle(Discover(Mac(2)), Broadcast, T0.AddMinutes(30)).Reply!.Packet.YourAddress);

        // Removing a reservation keeps the lease and its renewals.
        server.AddReservation(new(Mac(3), null, other));
        Assert.True(server.RemoveReservation(other));
        Assert.Equal(DhcpMessageType.Ack, server.Handle(Renew(Mac(3), other), Unicast, T0.AddMinutes(30)).Reply!.Packet.MessageType);
        Assert.Single(server.Scope.Reservations);
        Assert.Throws<ArgumentException>(() => server.AddReservation(new(Mac(4), null, Ip("10.0.0.1"))));
    }

    [Fact]
    public void Lease_on_a_removed_out_of_range_reservation_renews_until_it_lapses()
    {
        var reserved = Ip("192.168.122.3");
        var server = new DhcpServer(Scope("192.168.122.100", "192.168.122.200") with { Reservations = [new(Mac(3), null, reserved)] });
        Assert.Equal(reserved, Dora(server, Mac(3), T0));
        Assert.True(server.RemoveReservation(reserved));
        Assert.Equal(DhcpMessageType.Ack, server.Handle(Renew(Mac(3), reserved), Unicast, T0.AddMinutes(30)).Reply!.Packet.MessageType);
        Assert.Equal(DhcpMessageType.Nak, server.Handle(Renew(Mac(3), reserved), Unicast, T0.AddHours(2)).Reply!.Packet.MessageType);
        Assert.NotEqual(reserved, server.Handle(Discover(Mac(3)), Broadcast, T0.AddHours(2)).Reply!.Packet.YourAddress);
    }

    [Fact]
    public void Restore_brings_back_leases_so_renewals_are_acked_and_others_cannot_take_them()
    {
        var before = new DhcpServer(Scope());
        Dora(before, Mac(1), T0);
        var address = Dora(before, Mac(2), T0, p => p.Options.Set(DhcpOptionCode.ClientIdentifier, [1, 2, 3]));
        var file = LeaseFileFormat.Serialize(before.Leases);

        var after = new DhcpServer(Scope() with { Authoritative = false });
        Assert.Equal(2, after.Restore(LeaseFileFormat.Parse(file).Leases, T0.AddMinutes(1)));
        Assert.Equal(DhcpMessageType.Ack, after.Handle(Packet(DhcpMessageType.Request, Mac(7), p =>
        {
            p.ClientAddress = address;
            p.Options.Set(DhcpOptionCode.ClientIdentifier, [1, 2, 3]);
        }), Unicast, T0.AddMinutes(30)).Reply!.Packet.MessageType);
        var intruder = after.Handle(Discover(Mac(5), p => p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, address)), Broadcast, T0);
        Assert.NotEqual(address, intruder.Reply!.Packet.YourAddress);
        Assert.Equal(0, new DhcpServer(Scope()).Restore(LeaseFileFormat.Parse(file).Leases, T0.AddHours(2)));
    }

    [Fact]
    public void Invalid_scope_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new DhcpServer(Scope("192.168.123.2", "192.168.123.9")));
        Assert.Throws<ArgumentException>(() => new DhcpServer(Scope() with { Ranges = [new(Ip("192.168.122.9"), Ip("192.168.122.2"))] }));
        Assert.NotEmpty((Scope() with { Reservations = [new(Mac(1), null, Ip("192.168.122.5")), new(Mac(1), null, Ip("192.168.122.6"))] }).Validate());
    }
}
