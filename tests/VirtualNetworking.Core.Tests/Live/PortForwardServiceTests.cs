using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Live;

/// <summary>
/// Forwards added to and removed from running networks: each change touches that forward's map elements alone (no rule,
/// no listing), and rules and elements are always exactly what a fresh start of the definition would apply.
/// </summary>
public sealed class PortForwardServiceTests
{
    private const string Web = """
        <network><name>web</name><forward mode='nat'/><bridge name='vrw0'/><mac address='52:54:00:0a:00:01'/>
        <ip address='10.0.1.1' prefix='24'><dhcp><range start='10.0.1.100' end='10.0.1.200'/><host mac='52:54:00:0a:00:10' ip='10.0.1.10'/></dhcp></ip>
        <ip family='ipv6' address='fd00:1::1' prefix='64'/></network>
        """;

    private const string Other = """
        <network><name>other</name><forward mode='route'/><bridge name='vro0'/><mac address='52:54:00:0b:00:01'/>
        <ip address='10.0.2.1' prefix='24'/></network>
        """;

    private const string Lab = """
        <network><name>lab</name><bridge name='vrl0'/><mac address='52:54:00:0c:00:01'/>
        <ip address='10.0.3.1' prefix='24'/></network>
        """;

    private readonly TestHost test = new();
    private readonly FakeHost host;

    public PortForwardServiceTests()
    {
        host = test.Host;
        host.AddLink("lo", null, null, 65536);
        host.AddLink("eth0", "veth");
        host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        host.AddAddress("lo", IpNetwork.Parse("127.0.0.1/8"));
        foreach (var xml in new[] { Web, Other, Lab }) test.Definitions.Save(NetworkXml.Parse(xml));
    }

    private NetworkRuntime Runtime(IFaultInjector? faults = null) => new(test.Ports(faults));

    private PortForwardService Service(IFaultInjector? faults = null)
    {
        var ports = test.Ports(faults);
        var catalog = new NetworkCatalog(ports);
        return new PortForwardService(catalog, new NetworkRuntime(ports), new LeaseQuery(ports, catalog));
    }

    private static PortForwardDefinition Forward(int hostPort, string guest = "10.0.1.10", int? guestPort = null, PortProtocol protocol = PortProtocol.Tcp,
        int? hostPortEnd = null, string? hostAddress = null) =>
        new()
        {
            Protocol = protocol, HostPort = hostPort, HostPortEnd = hostPortEnd, GuestAddress = IPAddress.Parse(guest), GuestPort = guestPort,
            HostAddress = hostAddress is null ? null : IPAddress.Parse(hostAddress),
        };

    /// <summary>The rules and elements a fresh start of the network's live definition applies, as the fake lists them.</summary>
    private SortedSet<string> FreshRules(string name)
    {
        var definition = test.Live.Load(name)!.Definition;
        var fresh = new TestHost();
        fresh.Host.AddLink("lo", null, null, 65536);
        fresh.Host.Apply(FirewallNetworkMapper.FromDefinition(definition));
        return new([.. fresh.Host.Rules, .. fresh.Host.Elements], StringComparer.Ordinal);
    }

    /// <summary>The network's rules, and every forward element (only "web" has forwards in these tests).</summary>
    private SortedSet<string> RulesOf(string name)
    {
        var tag = FirewallNetworkMapper.FromDefinition(test.Live.Load(name)!.Definition).Tag;
        return new([.. host.Rules.Where(r => r.StartsWith(tag + " ", StringComparison.Ordinal)), .. name == "web" ? host.Elements : []], StringComparer.Ordinal);
    }

    private void AssertJournalNamesTheRules(string name)
    {
        var definition = test.Live.Load(name)!.Definition;
        var plan = FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(definition));
        var handles = test.Live.FirewallLine(name)!.Handles;
        var listed = host.List().Rules.Where(r => r.Comment == plan.Network.Tag).Select(r => new RuleHandle(r.Family, r.Chain, r.Handle));
        Assert.True(listed.ToHashSet().SetEquals(handles!));
    }

    [Fact]
    public void Forwards_added_and_removed_live_in_any_order_leave_exactly_the_rules_of_a_fresh_start_and_never_list()
    {
        Runtime().Start("web");
        Runtime().Start("other");
        var otherRules = RulesOf("other");
        var service = Service();
        var added = new List<PortForwardDefinition>();
        for (var i = 0; i < 12; i++)
        {
            var forward = i % 3 == 0 ? Forward(9000 + i, "fd00:1::10") : Forward(8000 + i, guestPort: i % 2 == 0 ? 80 : null, protocol: i % 4 == 1 ? PortProtocol.Udp : PortProtocol.Tcp);
            var lists = host.Lists;
            service.Add("web", forward);
            Assert.Equal(lists, host.Lists);
            added.Add(forward);
            Assert.Equal(FreshRules("web"), RulesOf("web"));
            AssertJournalNamesTheRules("web");
        }
        Assert.Equal(12, test.Definitions.Load("web")!.Definition.PortForwards.Count);

        foreach (var forward in added.OrderBy(f => (f.HostPort * 7919) % 13))
        {
            var lists = host.Lists;
            service.Remove("web", forward.Protocol, forward.HostPort, null);
            Assert.Equal(lists, host.Lists);
            Assert.Equal(FreshRules("web"), RulesOf("web"));
            AssertJournalNamesTheRules("web");
        }
        Assert.Empty(test.Definitions.Load("web")!.Definition.PortForwards);
        Assert.Equal(otherRules, RulesOf("other"));
        var listsBeforeStop = host.Lists;
        Runtime().Stop("web");
        Assert.Equal(otherRules, host.Rules);
        Assert.Equal(listsBeforeStop, host.Lists);
    }

    [Fact]
    public void Adding_and_removing_forwards_changes_elements_only_leaving_rules_and_journal_as_they_were()
    {
        Runtime().Start("web");
        var (rules, journal) = (host.Rules, test.Live.ReadUndo("web"));
        var service = Service();

        service.Add("web", Forward(8080, guestPort: 80));
        service.Add("web", Forward(2222, guestPort: 22));
        Assert.NotEmpty(host.Elements);
        service.Remove("web", PortProtocol.Tcp, 8080, null);

        Assert.Equal(3, host.ForwardChanges);
        Assert.Equal(rules, host.Rules);
        Assert.Equal(journal, test.Live.ReadUndo("web"));
        Assert.Equal(FreshRules("web"), RulesOf("web"));
        service.Remove("web", PortProtocol.Tcp, 2222, null);
        Assert.Empty(host.Elements);
    }

    [Fact]
    public void After_our_tables_were_flushed_an_added_forward_brings_back_the_whole_network_and_others_forget_their_handles()
    {
        Runtime().Start("web");
        Runtime().Start("other");
        host.DeleteTables(); // nft flush ruleset

        Service().Add("web", Forward(8080));

        Assert.Equal(FreshRules("web"), RulesOf("web"));
        AssertJournalNamesTheRules("web");
        Assert.Null(test.Live.FirewallLine("other")!.Handles); // its stop lists instead of deleting by a stale handle
    }

    [Fact]
    public void A_forward_whose_elements_went_behind_our_back_is_removed_by_applying_the_whole_plan_again()
    {
        Runtime().Start("web");
        var service = Service();
        service.Add("web", Forward(8080));
        service.Add("web", Forward(8081));
        host.DeleteElement(FirewallLayout.ForwardAny); // nft delete element …: 8080's

        service.Remove("web", PortProtocol.Tcp, 8080, null);

        Assert.Equal(FreshRules("web"), RulesOf("web"));
        AssertJournalNamesTheRules("web");
    }

    [Fact]
    public void A_failure_before_the_firewall_changes_leaves_host_definitions_and_journal_as_they_were()
    {
        Runtime().Start("web");
        Service().Add("web", Forward(8080));
        var (snapshot, stored, liveXml, journal) = (host.Snapshot(), NetworkXml.Format(test.Definitions.Load("web")!.Definition),
            NetworkXml.Format(test.Live.Load("web")!.Definition), test.Live.ReadUndo("web"));

        Assert.Throws<NetworkProblemException>(() => Service(new StepFault("port-forward")).Add("web", Forward(8081)));
        Assert.Throws<NetworkProblemException>(() => Service(new StepFault("port-forward")).Remove("web", PortProtocol.Tcp, 8080, null));

        Assert.Equal(snapshot, host.Snapshot());
        Assert.Equal(stored, NetworkXml.Format(test.Definitions.Load("web")!.Definition));
        Assert.Equal(liveXml, NetworkXml.Format(test.Live.Load("web")!.Definition));
        Assert.Equal(journal, test.Live.ReadUndo("web"));
    }

    [Fact]
    public void A_stopped_network_keeps_its_forwards_and_applies_them_at_the_next_start()
    {
        Service().Add("web", Forward(8080, guestPort: 80));
        Assert.Empty(host.Rules);

        Runtime().Start("web");
        Assert.Equal(FreshRules("web"), RulesOf("web"));
        Assert.Contains(RulesOf("web"), r => r.StartsWith(FirewallLayout.ForwardAny, StringComparison.Ordinal));
        Runtime().Restart("web");
        Assert.Single(test.Live.Load("web")!.Definition.PortForwards);
    }

    [Theory]
    [InlineData("web", 0, "10.0.1.10", Ids.PortForwardPortInvalid)]
    [InlineData("web", 70000, "10.0.1.10", Ids.PortForwardPortInvalid)]
    [InlineData("web", 8080, "10.9.9.9", Ids.PortForwardGuestOutsideSubnet)]
    [InlineData("web", 8080, "10.0.1.1", Ids.PortForwardGuestOutsideSubnet)]
    [InlineData("web", 2222, "10.0.1.11", Ids.PortForwardDuplicate)]
    [InlineData("other", 2222, "10.0.2.10", Ids.PortForwardDuplicate)]
    [InlineData("lab", 8080, "10.0.3.10", Ids.PortForwardNotAllowed)]
    public void Bad_input_changes_nothing(string network, int hostPort, string guest, string errorId)
    {
        Runtime().Start("web");
        Service().Add("web", Forward(2222, guestPort: 22));
        var (snapshot, web, other) = (host.Snapshot(), NetworkXml.Format(test.Definitions.Load("web")!.Definition), NetworkXml.Format(test.Definitions.Load("other")!.Definition));

        var e = Assert.Throws<NetworkProblemException>(() => Service().Add(network, Forward(hostPort, guest)));

        Assert.Contains(errorId, e.Problems.Select(p => p.ErrorId));
        Assert.Equal(snapshot, host.Snapshot());
        Assert.Equal(web, NetworkXml.Format(test.Definitions.Load("web")!.Definition));
        Assert.Equal(other, NetworkXml.Format(test.Definitions.Load("other")!.Definition));
    }

    [Fact]
    public void A_range_of_another_length_and_a_prefix_that_is_no_cidr_are_refused()
    {
        var range = Forward(8000, hostPortEnd: 8009, guestPort: 9000);
        range.GuestPortEnd = 9004;
        Assert.Equal(Ids.PortForwardPortInvalid, Assert.Throws<NetworkProblemException>(() => Service().Add("web", range)).First.ErrorId);
        var sourced = Forward(8080);
        sourced.SourcePrefixes.Add("10.0.0.1/8");
        Assert.Equal(Ids.PortForwardSourceInvalid, Assert.Throws<NetworkProblemException>(() => Service().Add("web", sourced)).First.ErrorId);
        Assert.Empty(test.Definitions.Load("web")!.Definition.PortForwards);
    }

    [Fact]
    public void Starting_a_network_whose_forward_an_active_network_already_takes_is_refused_and_changes_nothing()
    {
        Runtime().Start("web");
        Service().Add("web", Forward(8080));
        var other = NetworkXml.Parse(Other);
        other.PortForwards.Add(Forward(8080, "10.0.2.10", hostAddress: "203.0.113.2"));
        test.Definitions.Save(other);
        var snapshot = host.Snapshot();

        var e = Assert.Throws<NetworkProblemException>(() => Runtime().Start("other"));

        Assert.Equal(Ids.PortForwardDuplicate, e.First.ErrorId);
        Assert.Contains("'web'", e.First.Message, StringComparison.Ordinal);
        Assert.Equal(snapshot, host.Snapshot());
    }

    [Fact]
    public void Removing_a_forward_that_does_not_exist_or_is_ambiguous_says_so()
    {
        Service().Add("web", Forward(8080, hostAddress: "203.0.113.2"));
        Service().Add("web", Forward(8080, hostAddress: "127.0.0.1"));

        Assert.Equal(Ids.PortForwardNotFound, Assert.Throws<NetworkProblemException>(() => Service().Remove("web", PortProtocol.Udp, 8080, null)).First.ErrorId);
        Assert.Equal(Ids.PortForwardAmbiguous, Assert.Throws<NetworkProblemException>(() => Service().Remove("web", PortProtocol.Tcp, 8080, null)).First.ErrorId);
        Service().Remove("web", PortProtocol.Tcp, 8080, IPAddress.Loopback);
        Assert.Equal("203.0.113.2", Assert.Single(test.Definitions.Load("web")!.Definition.PortForwards).HostAddress!.ToString());
    }

    [Fact]
    public void A_guest_no_lease_or_reservation_holds_gets_a_warning()
    {
        Runtime().Start("web");
        var service = Service();
        Assert.Empty(service.Add("web", Forward(8080, "10.0.1.10")).Warnings); // reserved
        Assert.Equal(Ids.PortForwardGuestUnknown, Assert.Single(service.Add("web", Forward(8081, "10.0.1.150")).Warnings).ErrorId);
        test.Dhcp.Leases.Add(new DhcpLease(IPAddress.Parse("10.0.1.151"), System.Net.NetworkInformation.PhysicalAddress.Parse("52-54-00-0A-00-11"),
            null, null, DateTimeOffset.UtcNow.AddHours(1), DhcpLeaseState.Bound));
        Assert.Empty(service.Add("web", Forward(8082, "10.0.1.151")).Warnings);
    }

    [Fact]
    public void Udp_flows_from_before_a_forward_are_forgotten_when_it_is_added_and_its_own_when_it_is_removed()
    {
        Runtime().Start("web");
        var client = IPAddress.Parse("198.51.100.7");
        var host1 = IPAddress.Parse("203.0.113.2");
        var guest = IPAddress.Parse("10.0.1.10");
        ConntrackEntry Flow(IPAddress to, int port, IPAddress replyFrom, int replyPort) =>
            new(PortForwardConntrack.Udp, new ConntrackTuple(client, to, 40000, port), new ConntrackTuple(replyFrom, client, replyPort, 40000));
        var toHost = Flow(host1, 5353, host1, 5353);           // reached the host before the forward: must go
        var otherPort = Flow(host1, 5354, host1, 5354);        // another port: stays
        var passing = Flow(IPAddress.Parse("192.0.2.9"), 5353, IPAddress.Parse("192.0.2.9"), 5353); // through the host to elsewhere: stays
        host.Flows.AddRange([(false, toHost), (false, otherPort), (false, passing)]);

        Service().Add("web", Forward(5353, protocol: PortProtocol.Udp));
        Assert.Equal([otherPort, passing], host.Flows.Select(f => f.Entry));

        var forwarded = Flow(host1, 5353, guest, 5353);
        host.Flows.Add((false, forwarded));
        Service().Remove("web", PortProtocol.Udp, 5353, null);
        Assert.Equal([otherPort, passing], host.Flows.Select(f => f.Entry));
    }

    [Fact]
    public void A_start_forgets_the_udp_flows_every_udp_forward_of_the_network_takes_over()
    {
        Service().Add("web", Forward(5353, protocol: PortProtocol.Udp));
        Service().Add("web", Forward(6000, protocol: PortProtocol.Udp));
        Service().Add("web", Forward(6001)); // tcp: no flow of it is forgotten
        var client = IPAddress.Parse("198.51.100.7");
        var hostAddress = IPAddress.Parse("203.0.113.2");
        ConntrackEntry ToHost(int port, byte protocol = PortForwardConntrack.Udp) =>
            new(protocol, new ConntrackTuple(client, hostAddress, 40000, port), new ConntrackTuple(hostAddress, client, port, 40000));
        var other = ToHost(7000);
        var tcp = ToHost(6001, protocol: 6);
        host.Flows.AddRange([(false, ToHost(5353)), (false, ToHost(6000)), (false, other), (false, tcp)]);

        Runtime().Start("web");

        Assert.Equal([other, tcp], host.Flows.Select(f => f.Entry));
    }

    [Fact]
    public void A_loopback_forward_turns_route_localnet_on_for_the_bridge_and_off_again()
    {
        Runtime().Start("web");
        host.Sysctls["net/ipv4/conf/vrw0/route_localnet"] = "0";
        Service().Add("web", Forward(8080, hostAddress: "127.0.0.1"));
        Assert.Equal("1", host.Sysctls["net/ipv4/conf/vrw0/route_localnet"]);
        Assert.DoesNotContain(RulesOf("web"), r => r.Contains("\"prerouting\"", StringComparison.Ordinal));
        Service().Remove("web", PortProtocol.Tcp, 8080, null);
        Assert.Equal("0", host.Sysctls["net/ipv4/conf/vrw0/route_localnet"]);
    }
}
