using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

/// <summary>Our rules put back after they went behind our back, without a stop ever deleting by a stale handle.</summary>
public sealed class FirewallRestoreTests
{
    /// <summary>Dual stack: rules in both tables.</summary>
    private const string A = """
        <network><name>a</name><forward mode='nat'/><bridge name='vra0'/><mac address='52:54:00:0a:00:01'/>
        <ip address='10.0.1.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.254'/></dhcp></ip>
        <ip family='ipv6' address='fd00:1::1' prefix='64'/></network>
        """;

    /// <summary>IPv4 only: rules in the ip table only.</summary>
    private const string B = """
        <network><name>b</name><forward mode='nat'/><bridge name='vrb0'/><mac address='52:54:00:0b:00:01'/>
        <ip address='10.0.2.1' prefix='24'/></network>
        """;

    private readonly TestHost test = new();
    private readonly FakeHost host;
    private readonly MemoryLiveNetworkStore live;

    public FirewallRestoreTests()
    {
        (host, live) = (test.Host, test.Live);
        host.AddLink("lo", null, null, 65536);
        host.AddLink("eth0", "veth");
        host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        test.Definitions.Save(NetworkXml.Parse(A));
        test.Definitions.Save(NetworkXml.Parse(B));
    }

    private NetworkRuntime Runtime() => new(test.Ports());
    private FirewallRestore Restore() => new(live, host);

    private static string Tag(string xml) => FirewallNetworkMapper.FromDefinition(NetworkXml.Parse(xml)).Tag;
    private SortedSet<string> RulesOf(string xml) => new(host.Rules.Where(r => r.StartsWith(Tag(xml) + " ", StringComparison.Ordinal)));
    private IReadOnlyList<RuleHandle>? JournaledHandles(string name) => live.FirewallLine(name)!.Handles;
    private HashSet<RuleHandle> Listed(string xml) =>
        [.. host.List().Rules.Where(r => r.Comment == Tag(xml)).Select(r => new RuleHandle(r.Family, r.Chain, r.Handle))];

    [Fact]
    public void Without_a_network_with_rules_there_is_nothing_to_do_and_nothing_is_listed()
    {
        Assert.Same(FirewallRestoreResult.Nothing, Restore().Restore());
        Runtime().Start("a");
        Runtime().Stop("a"); // the last network's stop deletes our tables, which vnetd sees

        Assert.Same(FirewallRestoreResult.Nothing, Restore().Restore());
        Assert.Equal(0, host.Lists);
    }

    [Fact]
    public void After_our_tables_were_deleted_every_active_network_gets_its_rules_back_and_each_stop_leaves_the_others_alone()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        var (rulesA, rulesB) = (RulesOf(A), RulesOf(B));
        host.DeleteTables(); // nft flush ruleset

        var result = Restore().Restore();

        Assert.Equal(["a", "b"], result.Restored.Order());
        Assert.Equal(FirewallLayout.Families, result.RecreatedTables);
        Assert.Empty(result.Problems);
        Assert.Equal(rulesA, RulesOf(A));
        Assert.Equal(rulesB, RulesOf(B));
        Assert.True(Listed(A).SetEquals(JournaledHandles("a")!));
        Assert.True(Listed(B).SetEquals(JournaledHandles("b")!));
        Runtime().Stop("a");
        Assert.Equal(rulesB, host.Rules);
        Runtime().Stop("b");
        Assert.False(host.TablesExist);
    }

    [Fact]
    public void A_deleted_rule_is_put_back_for_its_network_alone_without_duplicating_the_rest()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        var before = host.Rules;
        var journalA = live.ReadUndo("a");
        var gone = host.List().Rules.First(r => r.Comment == Tag(B));
        host.DeleteRule(new RuleHandle(gone.Family, gone.Chain, gone.Handle));

        var result = Restore().Restore();

        Assert.Equal(["b"], result.Restored);
        Assert.Empty(result.RecreatedTables);
        Assert.Equal(before, host.Rules);
        Assert.Equal(FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(NetworkXml.Parse(B))).Rules.Count, Listed(B).Count);
        Assert.Equal(journalA, live.ReadUndo("a"));
        Assert.True(Listed(B).SetEquals(JournaledHandles("b")!));
    }

    [Fact]
    public void Rules_in_place_change_nothing_and_a_second_restore_after_one_finds_nothing()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        host.DeleteTables();
        Restore().Restore();
        var (snapshot, journalA, journalB) = (host.Snapshot(), live.ReadUndo("a"), live.ReadUndo("b"));

        var again = Restore().Restore();

        Assert.Empty(again.Restored);
        Assert.Empty(again.RecreatedTables);
        Assert.Equal(snapshot, host.Snapshot());
        Assert.Equal(journalA, live.ReadUndo("a"));
        Assert.Equal(journalB, live.ReadUndo("b"));
    }

    [Fact]
    public void The_ip6_table_deleted_alone_is_put_back_by_the_network_with_ip6_rules_and_the_other_keeps_its_handles()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        var before = host.Rules;
        var journalB = live.ReadUndo("b");
        host.DeleteTables(NftFamily.Ip6);

        var result = Restore().Restore();

        Assert.Equal(["a"], result.Restored);
        Assert.Equal([NftFamily.Ip6], result.RecreatedTables);
        Assert.Equal(before, host.Rules);
        Assert.Equal(journalB, live.ReadUndo("b"));
    }

    [Fact]
    public void The_shared_forward_jumps_deleted_alone_are_put_back()
    {
        Runtime().Start("b");
        foreach (var jump in host.List().Rules.Where(r => r.Family == NftFamily.Ip && r.Chain == FirewallLayout.Forward))
            host.DeleteRule(new RuleHandle(jump.Family, jump.Chain, jump.Handle));

        var result = Restore().Restore();

        Assert.Equal(["b"], result.Restored);
        foreach (var family in FirewallLayout.Families)
            Assert.Equal(FirewallLayout.ForwardJumps.Count + 1, host.List().Rules.Count(r => r.Family == family && r.Chain == FirewallLayout.Forward && r.Comment is null)); // and the forwarded connections' accept
    }

    [Fact]
    public void A_journal_whose_handles_name_another_networks_rules_is_made_to_name_its_own()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        var rulesB = RulesOf(B);
        live.AppendUndo("a", new UndoStep.RemoveFirewall([.. Listed(B)]).Encode()); // stale: what a recreated table leaves

        var result = Restore().Restore();

        Assert.Empty(result.Restored);
        Assert.True(Listed(A).SetEquals(JournaledHandles("a")!));
        Runtime().Stop("a");
        Assert.Equal(rulesB, host.Rules);
    }

    [Fact]
    public void An_interrupted_start_is_not_restored_and_its_undo_deletes_no_other_networks_rules()
    {
        Runtime().Start("b");
        Runtime().Start("a");
        live.State["b"] = live.State["b"] with { Marker = null }; // killed before it was marked active
        host.DeleteTables();

        var result = Restore().Restore();

        Assert.Equal(["a"], result.Restored);
        var rulesA = RulesOf(A);
        Runtime().Start("b"); // undoes the interrupted start first, then starts it
        Assert.Equal(rulesA, RulesOf(A));
    }

    [Fact]
    public void Networks_asked_for_are_restored_and_the_others_stops_still_spare_their_rules()
    {
        Runtime().Start("b"); // first: its handles in the old tables are those a's rules get in the new ones
        Runtime().Start("a");
        var rulesA = RulesOf(A);
        host.DeleteTables();

        var result = Restore().Restore(["a"]);

        Assert.Equal(["a"], result.Restored);
        Assert.Empty(RulesOf(B));
        Runtime().Stop("b"); // its handles are those of the old table, where a's rules have them now
        Assert.Equal(rulesA, host.Rules);
    }

    [Fact]
    public void A_network_whose_rules_cannot_be_applied_is_reported_and_the_others_are_restored()
    {
        Runtime().Start("b"); // first: its handles in the old tables are those a's rules get in the new ones
        Runtime().Start("a");
        var rulesA = RulesOf(A);
        host.DeleteTables();
        host.FailOn = "firewall b";

        var result = Restore().Restore();

        Assert.Equal(["a"], result.Restored);
        Assert.Contains("firewall b", Assert.Single(result.Problems).Message);
        host.FailOn = null;
        Runtime().Stop("b");
        Assert.Equal(rulesA, host.Rules);
    }

    [Fact]
    public void A_stops_deletions_reported_by_tag_need_nothing_and_no_listing()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        Runtime().Stop("b");

        Assert.Same(FirewallRestoreResult.Nothing, Restore().TryRestore(TimeSpan.FromSeconds(1), new HashSet<string> { Tag(B) }));
        Assert.Equal(0, host.Lists);
    }

    [Fact]
    public void A_rule_of_an_active_network_reported_deleted_by_tag_is_put_back()
    {
        Runtime().Start("a");
        Runtime().Start("b");
        var before = host.Rules;
        var gone = host.List().Rules.First(r => r.Comment == Tag(A));
        host.DeleteRule(new RuleHandle(gone.Family, gone.Chain, gone.Handle));

        var result = Restore().TryRestore(TimeSpan.FromSeconds(1), new HashSet<string> { Tag(A) });

        Assert.Equal(["a"], result!.Restored);
        Assert.Equal(before, host.Rules);
    }

    [Fact]
    public void While_another_session_holds_the_lock_TryRestore_gives_up_and_changes_nothing()
    {
        Runtime().Start("b");
        host.DeleteTables();
        live.Busy = true;

        Assert.Null(Restore().TryRestore(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(0, host.Lists);
        Assert.False(host.TablesExist);

        live.Busy = false;
        Assert.Equal(["b"], Restore().TryRestore(TimeSpan.FromMilliseconds(10))!.Restored);
    }

    [Fact]
    public void Rules_a_network_removed_itself_live_are_no_loss_and_need_no_listing_but_a_journaled_one_is_put_back()
    {
        Runtime().Start("a");
        var ports = test.Ports();
        var catalog = new VirtualNetworking.Core.Engine.NetworkCatalog(ports);
        var forwards = new PortForwardService(catalog, new NetworkRuntime(ports), new LeaseQuery(ports, catalog));
        var forward = new VirtualNetworking.Core.Model.PortForwardDefinition { HostPort = 8080, GuestAddress = System.Net.IPAddress.Parse("10.0.1.10") };
        forwards.Add("a", forward);
        var before = JournaledHandles("a")!;
        forwards.Remove("a", VirtualNetworking.Core.Model.PortProtocol.Tcp, 8080, null);
        var removed = before.Except(JournaledHandles("a")!).ToHashSet();
        var lists = host.Lists;

        Assert.Same(FirewallRestoreResult.Nothing, Restore().TryRestore(TimeSpan.Zero, new HashSet<string> { Tag(A) }, removed));
        Assert.Equal(lists, host.Lists);

        var gone = JournaledHandles("a")![0];
        host.DeleteRule(gone); // nft delete rule …: the journal names it
        Assert.Equal(["a"], Restore().TryRestore(TimeSpan.Zero, new HashSet<string> { Tag(A) }, new HashSet<RuleHandle> { gone })!.Restored);
    }
}
