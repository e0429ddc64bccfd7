using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using static VirtualNetworking.Core.Tests.Dhcp6.Dhcp6TestKit;

namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>The RFC 8415 §18.3 exchanges, one client message at a time.</summary>
public class Dhcp6ServerExchangeTests
{
    [Fact]
    public void Solicit_advertise_request_reply_renew_release()
    {
        var server = new Dhcp6Server(Scope());
        var client = Client(1);

        var advertised = server.Handle(Solicit(client, 7), Multicast, T0);
        var advertise = OnWire(advertised);
        Assert.Equal(Dhcp6MessageType.Advertise, advertise.MessageType);
        Assert.Equal(0xabcdefu, advertise.TransactionId);
        Assert.Equal(ServerDuid, advertise.ServerId);
        Assert.Equal(client, advertise.ClientId);
        Assert.Equal((byte)255, advertise.Preference);
        Assert.Empty(advertised.LeaseChanges);
        var offered = Assert.Single(Assert.Single(advertise.IaNas).Addresses);
        Assert.InRange(IpNetwork.ToInteger(offered.Address), IpNetwork.ToInteger(Ip("fd00:5::100")), IpNetwork.ToInteger(Ip("fd00:5::1ff")));
        Assert.Empty(server.Leases);

        var replied = server.Handle(WithServer(Dhcp6MessageType.Request, client, 7, offered.Address.ToString()), Multicast, T0);
        var reply = OnWire(replied);
        Assert.Equal(Dhcp6MessageType.Reply, reply.MessageType);
        var ia = Assert.Single(reply.IaNas);
        Assert.Equal((7u, 1800u, 2880u), (ia.Iaid, ia.T1, ia.T2));
        Assert.Equal(new Dhcp6IaAddress(offered.Address, 3600, 3600), Assert.Single(ia.Addresses));
        Assert.Equal([ServerIp], reply.DnsServers);
        Assert.Equal("vm.test", Assert.Single(reply.DomainList).ToString());
        // The binding comes with the reply, to be made durable before the reply is sent.
        var bound = Assert.Single(replied.LeaseChanges);
        Assert.Equal(DhcpLeaseChangeKind.Upsert, bound.Kind);
        Assert.Equal(new Dhcp6Lease(offered.Address, client, 7, null, T0.AddHours(1), Dhcp6LeaseState.Bound), bound.Lease);

        var renewed = server.Handle(WithServer(Dhcp6MessageType.Renew, client, 7, offered.Address.ToString()), Multicast, T0.AddMinutes(30));
        Assert.Equal(T0.AddMinutes(90), Assert.Single(renewed.LeaseChanges).Lease.Expires);
        Assert.Equal(offered.Address, Assert.Single(Assert.Single(OnWire(renewed).IaNas).Addresses).Address);

        var released = server.Handle(WithServer(Dhcp6MessageType.Release, client, 7, offered.Address.ToString()), Multicast, T0.AddMinutes(31));
        var releaseReply = OnWire(released);
        Assert.Equal(Dhcp6StatusCode.Success, releaseReply.Status!.Code);
        Assert.Empty(releaseReply.IaNas);
        Assert.Equal(DhcpLeaseChangeKind.Remove, Assert.Single(released.LeaseChanges).Kind);
        Assert.Empty(server.Leases);
    }

    [Fact]
    public void Allocation_is_deterministic_per_ia_and_survives_lost_state()
    {
        var first = Exchange(new Dhcp6Server(Scope()), Client(5), T0);
        Assert.Equal(first, Exchange(new Dhcp6Server(Scope()), Client(5), T0));
        Assert.NotEqual(first, Exchange(new Dhcp6Server(Scope()), Client(5), T0, iaid: 2));
    }

    [Fact]
    public void Two_ias_of_one_client_get_two_addresses()
    {
        var server = new Dhcp6Server(Scope());
        var reply = OnWire(server.Handle(Message(Dhcp6MessageType.Request, Client(1), [Ia(1), Ia(2)], ServerDuid), Multicast, T0));
        Assert.Equal(2, reply.IaNas.SelectMany(ia => ia.Addresses).Select(a => a.Address).Distinct().Count());
        Assert.Equal(2, server.Leases.Count);
    }

    [Fact]
    public void Rapid_commit_binds_at_solicit_only_when_the_scope_allows_it()
    {
        var rapid = Solicit(Client(1), 1, Dhcp6Option.RapidCommit());
        Assert.Equal(Dhcp6MessageType.Advertise, OnWire(new Dhcp6Server(Scope()).Handle(rapid, Multicast, T0)).MessageType);

        var server = new Dhcp6Server(Scope() with { RapidCommit = true });
        var result = server.Handle(rapid, Multicast, T0);
        var reply = OnWire(result);
        Assert.Equal(Dhcp6MessageType.Reply, reply.MessageType);
        Assert.True(reply.RapidCommit);
        Assert.Equal(Assert.Single(result.LeaseChanges).Lease.Address, Assert.Single(Assert.Single(reply.IaNas).Addresses).Address);
        Assert.Equal(Dhcp6MessageType.Advertise, OnWire(server.Handle(Solicit(Client(2)), Multicast, T0)).MessageType);
    }

    [Fact]
    public void Hosts_get_their_address_by_duid_or_by_name_and_no_one_else_gets_it()
    {
        var byDuid = new Dhcp6Reservation(Client(1), "one", Ip("fd00:5::10"));
        var byName = new Dhcp6Reservation(null, "guest2", Ip("fd00:5::20"));
        // A one-address range holding the reserved address: the only other client finds no room.
        var server = new Dhcp6Server(Scope("fd00:5::10", "fd00:5::10") with { Reservations = [byDuid, byName] });

        Assert.Equal(Ip("fd00:5::10"), Exchange(server, Client(1), T0));
        Assert.Equal("one", server.Leases.Single().HostName);
        var fqdn = new Dhcp6Option(Dhcp6OptionCode.ClientFqdn, [0, 6, .. "GUEST2"u8.ToArray()]);
        var named = OnWire(server.Handle(Message(Dhcp6MessageType.Request, Client(2), [Ia(1), fqdn], ServerDuid), Multicast, T0));
        Assert.Equal(Ip("fd00:5::20"), Assert.Single(Assert.Single(named.IaNas).Addresses).Address);

        var stranger = OnWire(server.Handle(Solicit(Client(3)), Multicast, T0));
        Assert.Equal(Dhcp6StatusCode.NoAddrsAvail, Assert.Single(stranger.IaNas).Status!.Code);
    }

    [Fact]
    public void A_host_reserved_by_name_keeps_its_address_when_it_renews_without_its_name()
    {
        var server = new Dhcp6Server(Scope() with { Reservations = [new(null, "guest2", Ip("fd00:5::20"))] });
        var fqdn = new Dhcp6Option(Dhcp6OptionCode.ClientFqdn, [0, 6, .. "guest2"u8.ToArray()]);
        server.Handle(Message(Dhcp6MessageType.Request, Client(2), [Ia(1), fqdn], ServerDuid), Multicast, T0);
        var renewed = OnWire(server.Handle(WithServer(Dhcp6MessageType.Renew, Client(2), 1, "fd00:5::20"), Multicast, T0.AddMinutes(30)));
        Assert.Equal(new Dhcp6IaAddress(Ip("fd00:5::20"), 3600, 3600), Assert.Single(Assert.Single(renewed.IaNas).Addresses));
        Assert.Equal("guest2", server.Leases.Single().HostName);
    }

    [Fact]
    public void A_reservation_made_for_a_client_moves_it_there_at_its_next_renewal()
    {
        var address = Exchange(new Dhcp6Server(Scope()), Client(1), T0);
        var server = new Dhcp6Server(Scope() with { Reservations = [new(Client(1), null, Ip("fd00:5::10"))] });
        server.Restore([new Dhcp6Lease(address, Client(1), 1, null, T0.AddHours(1), Dhcp6LeaseState.Bound)], T0);
        var renewed = server.Handle(WithServer(Dhcp6MessageType.Renew, Client(1), 1, address.ToString()), Multicast, T0.AddMinutes(30));
        Assert.Equal([new Dhcp6IaAddress(Ip("fd00:5::10"), 3600, 3600), new Dhcp6IaAddress(address, 0, 0)], Assert.Single(OnWire(renewed).IaNas).Addresses);
        Assert.Equal([(DhcpLeaseChangeKind.Remove, address), (DhcpLeaseChangeKind.Upsert, Ip("fd00:5::10"))], renewed.LeaseChanges.Select(c => (c.Kind, c.Lease.Address)));
    }

    [Fact]
    public void A_reservations_own_lease_time_applies()
    {
        var host = new Dhcp6Reservation(Client(1), null, Ip("fd00:5::10")) { LeaseTime = new DhcpLeaseTime(null) };
        var server = new Dhcp6Server(Scope() with { Reservations = [host] });
        var reply = OnWire(server.Handle(WithServer(Dhcp6MessageType.Request, Client(1), 1, null), Multicast, T0));
        var ia = Assert.Single(reply.IaNas);
        Assert.Equal((Dhcp6Message.Infinity, Dhcp6Message.Infinity), (ia.T1, ia.T2));
        Assert.Equal(Dhcp6Message.Infinity, Assert.Single(ia.Addresses).ValidLifetime);
        Assert.Null(server.Leases.Single().Expires);
    }

    [Fact]
    public void An_exhausted_range_answers_no_addrs_avail_in_the_ia()
    {
        var server = new Dhcp6Server(Scope("fd00:5::100", "fd00:5::102"));
        var given = Enumerable.Range(1, 3).Select(n => Exchange(server, Client(n), T0)).ToList();
        Assert.Equal(3, given.Distinct().Count());

        var advertise = OnWire(server.Handle(Solicit(Client(9)), Multicast, T0));
        var ia = Assert.Single(advertise.IaNas);
        Assert.Equal(Dhcp6StatusCode.NoAddrsAvail, ia.Status!.Code);
        Assert.Empty(ia.Addresses);
        Assert.Equal(Dhcp6StatusCode.NoAddrsAvail, advertise.Status!.Code);
        var request = server.Handle(WithServer(Dhcp6MessageType.Request, Client(9), 1, null), Multicast, T0);
        Assert.Equal(Dhcp6StatusCode.NoAddrsAvail, Assert.Single(OnWire(request).IaNas).Status!.Code);
        Assert.Empty(request.LeaseChanges);

        // Once a lease lapses its address is free again.
        Assert.Equal(3, server.RemoveExpired(T0.AddHours(1)).Count);
        Assert.Single(Assert.Single(OnWire(server.Handle(Solicit(Client(9)), Multicast, T0.AddHours(1))).IaNas).Addresses);
    }

    [Fact]
    public void A_request_for_an_address_held_by_another_ia_gets_a_free_one_and_the_hint_back_with_lifetime_zero()
    {
        var server = new Dhcp6Server(Scope());
        var held = Exchange(server, Client(1), T0);
        var reply = OnWire(server.Handle(WithServer(Dhcp6MessageType.Request, Client(2), 1, held.ToString()), Multicast, T0));
        var addresses = Assert.Single(reply.IaNas).Addresses;
        Assert.Equal(2, addresses.Count);
        Assert.NotEqual(held, addresses[0].Address);
        Assert.Equal(new Dhcp6IaAddress(held, 0, 0), addresses[1]);
    }

    [Fact]
    public void Renew_and_rebind_of_an_unknown_ia_get_no_binding()
    {
        var server = new Dhcp6Server(Scope());
        var renew = OnWire(server.Handle(WithServer(Dhcp6MessageType.Renew, Client(1), 1, "fd00:5::150"), Multicast, T0));
        Assert.Equal(Dhcp6StatusCode.NoBinding, Assert.Single(renew.IaNas).Status!.Code);

        var rebind = Message(Dhcp6MessageType.Rebind, Client(1), [Ia(1, "fd00:5::150")]);
        Assert.Equal(Dhcp6StatusCode.NoBinding, Assert.Single(OnWire(server.Handle(rebind, Multicast, T0)).IaNas).Status!.Code);
        // Off-link addresses come back with lifetimes 0, so the client drops them at once.
        var moved = OnWire(server.Handle(Message(Dhcp6MessageType.Rebind, Client(1), [Ia(1, "fd00:99::5")]), Multicast, T0));
        Assert.Equal(new Dhcp6IaAddress(Ip("fd00:99::5"), 0, 0), Assert.Single(Assert.Single(moved.IaNas).Addresses));
        Assert.Empty(server.Leases);
    }

    [Fact]
    public void Rebind_extends_a_known_binding_from_any_server()
    {
        var server = new Dhcp6Server(Scope());
        var address = Exchange(server, Client(1), T0);
        var rebind = server.Handle(Message(Dhcp6MessageType.Rebind, Client(1), [Ia(1, address.ToString())]), Multicast, T0.AddMinutes(50));
        Assert.Equal(address, Assert.Single(Assert.Single(OnWire(rebind).IaNas).Addresses).Address);
        Assert.Equal(T0.AddMinutes(110), Assert.Single(rebind.LeaseChanges).Lease.Expires);
    }

    [Fact]
    public void A_renew_after_expiry_gets_no_binding()
    {
        var server = new Dhcp6Server(Scope());
        var address = Exchange(server, Client(1), T0);
        var renew = OnWire(server.Handle(WithServer(Dhcp6MessageType.Renew, Client(1), 1, address.ToString()), Multicast, T0.AddHours(2)));
        Assert.Equal(Dhcp6StatusCode.NoBinding, Assert.Single(renew.IaNas).Status!.Code);
    }

    [Fact]
    public void A_declined_address_leaves_the_pool_for_the_quarantine()
    {
        var server = new Dhcp6Server(Scope("fd00:5::100", "fd00:5::100"));
        var address = Exchange(server, Client(1), T0);
        var declined = server.Handle(WithServer(Dhcp6MessageType.Decline, Client(1), 1, address.ToString()), Multicast, T0);
        Assert.Equal(Dhcp6StatusCode.Success, OnWire(declined).Status!.Code);
        var quarantine = Assert.Single(declined.LeaseChanges).Lease;
        Assert.Equal((Dhcp6LeaseState.Declined, T0.AddMinutes(10)), (quarantine.State, quarantine.Expires));

        Assert.Equal(Dhcp6StatusCode.NoAddrsAvail, Assert.Single(OnWire(server.Handle(Solicit(Client(1)), Multicast, T0)).IaNas).Status!.Code);
        Assert.Single(server.RemoveExpired(T0.AddMinutes(10)));
        Assert.Equal(address, Exchange(server, Client(2), T0.AddMinutes(10)));
    }

    [Fact]
    public void Only_the_holder_can_decline_or_release()
    {
        var server = new Dhcp6Server(Scope());
        var address = Exchange(server, Client(1), T0);
        var decline = OnWire(server.Handle(WithServer(Dhcp6MessageType.Decline, Client(2), 1, address.ToString()), Multicast, T0));
        Assert.Equal(Dhcp6StatusCode.NoBinding, Assert.Single(decline.IaNas).Status!.Code);
        var release = server.Handle(WithServer(Dhcp6MessageType.Release, Client(2), 1, address.ToString()), Multicast, T0);
        Assert.Equal(Dhcp6StatusCode.NoBinding, Assert.Single(OnWire(release).IaNas).Status!.Code);
        Assert.Empty(release.LeaseChanges);
        Assert.Equal(Dhcp6LeaseState.Bound, server.Leases.Single().State);
    }

    [Fact]
    public void Confirm_says_whether_the_addresses_are_on_link()
    {
        var server = new Dhcp6Server(Scope());
        var onLink = Message(Dhcp6MessageType.Confirm, Client(1), [Ia(1, "fd00:5::123")]);
        Assert.Equal(Dhcp6StatusCode.Success, OnWire(server.Handle(onLink, Multicast, T0)).Status!.Code);
        var moved = Message(Dhcp6MessageType.Confirm, Client(1), [Ia(1, "fd00:5::123"), Ia(2, "2001:db8::1")]);
        Assert.Equal(Dhcp6StatusCode.NotOnLink, OnWire(server.Handle(moved, Multicast, T0)).Status!.Code);
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Confirm, Client(1), [Ia(1)]), Multicast, T0).Reply);
    }

    [Fact]
    public void Information_request_gets_options_and_no_ia()
    {
        var server = new Dhcp6Server(Scope());
        var reply = OnWire(server.Handle(Message(Dhcp6MessageType.InformationRequest, null, []), Multicast, T0));
        Assert.Equal(Dhcp6MessageType.Reply, reply.MessageType);
        Assert.Null(reply.ClientId);
        Assert.Empty(reply.IaNas);
        Assert.Equal([ServerIp], reply.DnsServers);
        Assert.Equal("vm.test", Assert.Single(reply.DomainList).ToString());
        Assert.Null(server.Handle(Message(Dhcp6MessageType.InformationRequest, Client(1), [Ia(1)]), Multicast, T0).Reply);
    }

    [Fact]
    public void Dns_options_go_only_to_clients_that_ask_and_only_when_served()
    {
        var silentDns = new Dhcp6Server(Scope() with { DnsServers = [], DomainList = [] });
        var reply = OnWire(silentDns.Handle(Message(Dhcp6MessageType.InformationRequest, Client(1), []), Multicast, T0));
        Assert.Empty(reply.DnsServers);
        Assert.Empty(reply.DomainList);

        var unasked = new Dhcp6Message(Dhcp6MessageType.InformationRequest, 1, [Dhcp6Option.ClientId(Client(1))]);
        Assert.DoesNotContain(OnWire(new Dhcp6Server(Scope()).Handle(unasked, Multicast, T0)).Options, o => o.Code is Dhcp6OptionCode.DnsServers or Dhcp6OptionCode.DomainList);
    }

    [Theory]
    [InlineData(Dhcp6MessageType.Request)]
    [InlineData(Dhcp6MessageType.Renew)]
    [InlineData(Dhcp6MessageType.Release)]
    [InlineData(Dhcp6MessageType.Decline)]
    public void Messages_for_another_server_are_ignored(Dhcp6MessageType type)
    {
        var server = new Dhcp6Server(Scope());
        var address = Exchange(server, Client(1), T0);
        var other = Duid.Parse("00:03:00:01:52:54:00:99:99:99");
        var result = server.Handle(WithServer(type, Client(1), 1, address.ToString(), other), Multicast, T0);
        Assert.Null(result.Reply);
        Assert.Empty(result.LeaseChanges);
        Assert.Contains("for server 00:03:00:01:52:54:00:99:99:99", result.Summary);
        Assert.Equal(Dhcp6LeaseState.Bound, server.Leases.Single().State);
    }

    [Fact]
    public void Identifiers_are_checked_per_rfc_8415_section_16()
    {
        var server = new Dhcp6Server(Scope());
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Solicit, null, [Ia(1)]), Multicast, T0).Reply);
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Solicit, Client(1), [Ia(1)], ServerDuid), Multicast, T0).Reply);
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Request, Client(1), [Ia(1)]), Multicast, T0).Reply);
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Rebind, Client(1), [Ia(1)], ServerDuid), Multicast, T0).Reply);
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Confirm, Client(1), [Ia(1, "fd00:5::5")], ServerDuid), Multicast, T0).Reply);
        Assert.Null(server.Handle(Message(Dhcp6MessageType.Advertise, Client(1), [Ia(1)], ServerDuid), Multicast, T0).Reply);
        var tooMany = Message(Dhcp6MessageType.Solicit, Client(1), [.. Enumerable.Range(1, Dhcp6Server.MaximumIaNas + 1).Select(i => Ia((uint)i))]);
        Assert.Null(server.Handle(tooMany, Multicast, T0).Reply);
        Assert.Empty(server.Leases);
    }

    [Fact]
    public void A_reply_too_large_for_a_datagram_is_not_sent_but_its_bindings_are_still_persisted()
    {
        var server = new Dhcp6Server(Scope());
        // Each IA lists 200 addresses the client does not get; all come back with lifetimes 0.
        var hints = Enumerable.Range(0, 200).Select(i => $"fd00:9::{i:x}").ToArray();
        var huge = Message(Dhcp6MessageType.Request, Client(1), [.. Enumerable.Range(1, Dhcp6Server.MaximumIaNas).Select(i => Ia((uint)i, hints))], ServerDuid);
        var result = server.Handle(huge, Multicast, T0);
        Assert.Null(result.Reply);
        Assert.StartsWith("unanswered: the reply to Request would not fit a datagram", result.Summary);
        Assert.Equal(Dhcp6Server.MaximumIaNas, result.LeaseChanges.Count);
        Assert.Equal(Dhcp6Server.MaximumIaNas, server.Leases.Count);
    }

    [Fact]
    public void A_request_that_arrived_unicast_is_told_to_use_multicast()
    {
        var server = new Dhcp6Server(Scope());
        var result = server.Handle(WithServer(Dhcp6MessageType.Request, Client(1), 1, null), Unicast, T0);
        var reply = OnWire(result);
        Assert.Equal(Dhcp6StatusCode.UseMulticast, reply.Status!.Code);
        // RFC 8415 §18.3.1: the ids, the status and no other options.
        Assert.Equal([Dhcp6OptionCode.ServerId, Dhcp6OptionCode.ClientId, Dhcp6OptionCode.StatusCode], reply.Options.Select(o => o.Code));
        Assert.Empty(result.LeaseChanges);
    }

    [Fact]
    public void Restored_leases_keep_their_addresses()
    {
        var first = new Dhcp6Server(Scope());
        var address = Exchange(first, Client(1), T0);
        var second = new Dhcp6Server(Scope());
        Assert.Equal(1, second.Restore(first.Leases, T0));
        Assert.Equal(address, Exchange(second, Client(1), T0));
        // Someone else's restored lease is respected too.
        Assert.NotEqual(address, Exchange(second, Client(2), T0));
        Assert.Equal(0, new Dhcp6Server(Scope()).Restore(first.Leases, T0.AddHours(2)));
    }
}
