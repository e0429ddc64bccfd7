using System.Text.Json.Nodes;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>Applies and removes real rules through libnftables, inside a throwaway network namespace only.</summary>
[Trait("Category", "Privileged")]
[Collection(NftablesCollection.Name)]
public sealed class NftablesFirewallTests : IDisposable
{
    private readonly List<string> links = [];
    private readonly NftablesFirewall firewall;

    public NftablesFirewallTests()
    {
        TestNamespace.AssertIsolated();
        firewall = new NftablesFirewall();
    }

    public void Dispose()
    {
        // Leave the namespace as found: our tables and the links this test made.
        TestNamespace.Run("nft", "flush", "ruleset");
        foreach (var link in links) TestNamespace.Run("ip", "link", "del", link);
    }

    [Fact]
    public void Apply_installs_the_plan_and_remove_leaves_nothing_of_ours()
    {
        var bridge = Bridge();
        var network = Network("a", NetworkMode.Nat, forwardDevice: "eth9", "10.77.1.1/24", "fd77::1/64") with { BridgeName = bridge };

        firewall.Apply(network);

        var rules = RulesOf(Ruleset(), network.Tag);
        Assert.Equal(FirewallPlanner.Plan(network).Rules.Count, rules.Count);
        Assert.True(firewall.TablesExist());
        Assert.Contains(rules, r => r["expr"]!.ToJsonString().Contains($"\"right\":\"{bridge}\"", StringComparison.Ordinal)); // the bridge is matched by name
        Assert.Contains(rules, r => r["expr"]!.ToJsonString().Contains("\"masquerade\":{\"port\":{\"range\":[1024,65535]}}", StringComparison.Ordinal));

        firewall.Remove(network);

        Assert.DoesNotContain(FirewallLayout.TableName, TestNamespace.Run("nft", "-j", "list", "ruleset"));
        Assert.False(firewall.TablesExist());
        Assert.Empty(firewall.List().Rules);
    }

    [Fact]
    public void Removing_one_of_two_networks_keeps_the_others_rules()
    {
        var first = Network("first", NetworkMode.Nat, null, "10.77.2.1/24");
        var second = Network("second", NetworkMode.Routed, null, "10.77.3.1/24", "fd78::1/64");
        firewall.Apply(first);
        firewall.Apply(second);

        firewall.Remove(first);

        var ruleset = Ruleset();
        Assert.Empty(RulesOf(ruleset, first.Tag));
        Assert.Equal(FirewallPlanner.Plan(second).Rules.Count, RulesOf(ruleset, second.Tag).Count);
        Assert.Equal(6, ForwardJumps(ruleset));

        firewall.Remove(second);
        Assert.False(firewall.TablesExist());
    }

    [Fact]
    public void Applying_again_with_the_earlier_handles_replaces_instead_of_duplicating()
    {
        var network = Network("again", NetworkMode.Isolated, null, "10.77.4.1/24");
        var earlier = firewall.Apply(network).Handles;
        firewall.Apply(network, earlier);

        var ruleset = Ruleset();
        Assert.Equal(FirewallPlanner.Plan(network).Rules.Count, RulesOf(ruleset, network.Tag).Count);
        Assert.Equal(6, ForwardJumps(ruleset));
    }

    [Fact]
    public void Apply_returns_the_handles_of_exactly_the_rules_it_inserted()
    {
        var other = Network("other", NetworkMode.Nat, null, "10.77.7.1/24");
        var network = Network("echo", NetworkMode.Nat, "eth9", "10.77.8.1/24", "fd79::1/64");
        firewall.Apply(other);

        var handles = firewall.Apply(network).Handles;

        var listed = RulesOf(Ruleset(), network.Tag)
            .Select(r => new RuleHandle(NftFamilyNames.TryParse((string?)r["family"], out var f) ? f : throw new FormatException(), (string)r["chain"]!, (long)r["handle"]!))
            .ToHashSet();
        Assert.Equal(FirewallPlanner.Plan(network).Rules.Count, handles.Count);
        Assert.True(listed.SetEquals(handles));
    }

    [Fact]
    public void Apply_and_remove_by_handle_run_one_nft_call_each_and_never_list()
    {
        var calls = new RecordingNft();
        var counted = new NftablesFirewall(calls, countersFile: null);
        var first = Network("one", NetworkMode.Nat, null, "10.77.9.1/24");
        var second = Network("two", NetworkMode.Routed, null, "10.77.10.1/24");

        var firstHandles = counted.Apply(first).Handles;
        var secondHandles = counted.Apply(second).Handles;
        counted.Remove(first, firstHandles, othersHaveRules: true);
        Assert.Empty(RulesOf(Ruleset(), first.Tag));
        Assert.Equal(FirewallPlanner.Plan(second).Rules.Count, RulesOf(Ruleset(), second.Tag).Count);
        counted.Remove(second, secondHandles, othersHaveRules: false);

        Assert.Equal(["nft -e -j -f -", "nft -e -j -f -", "nft -j -f -", "nft -j -f -"], calls.CommandLines);
        Assert.False(firewall.TablesExist());
    }

    [Fact]
    public void An_echo_without_handles_falls_back_to_a_listing_and_the_handles_still_remove_exactly_the_rules()
    {
        var firewall = new NftablesFirewall(new EchoWithoutHandles(), countersFile: null);
        var network = Network("nohandle", NetworkMode.Nat, null, "10.77.11.1/24");
        var handles = firewall.Apply(network).Handles;
        Assert.True(Listed(Ruleset(), network.Tag).SetEquals(handles));
        firewall.Remove(network, handles, othersHaveRules: true);
        Assert.Empty(RulesOf(Ruleset(), network.Tag));
    }

    [Fact]
    public void With_counters_apply_predicts_the_handles_in_one_process_without_echo_and_relearns_after_foreign_changes()
    {
        var counters = Path.Combine(Path.GetTempPath(), TestNamespace.UniqueName("nftcounters"));
        try
        {
            var calls = new RecordingNft();
            var predicting = new NftablesFirewall(calls, counters);
            var networks = Enumerable.Range(0, 4).Select(i => Network($"p{i}", i % 2 == 0 ? NetworkMode.Nat : NetworkMode.Routed, null, $"10.77.{20 + i}.1/24", $"fd7{i}::1/64")).ToList();
            var handles = new List<IReadOnlyList<RuleHandle>>();

            var created = predicting.Apply(networks[0]); // no file, no tables: predicted fresh
            Assert.Equal(FirewallLayout.Families, created.CreatedTables);
            handles.Add(created.Handles);
            var predicted = predicting.Apply(networks[1]);
            Assert.Empty(predicted.CreatedTables);
            handles.Add(predicted.Handles);
            TestNamespace.Run("nft", "add", "rule", "ip", FirewallLayout.TableName, FirewallLayout.GuestNat, "counter"); // behind our back
            handles.Add(predicting.Apply(networks[2]).Handles); // probe refused → echo
            handles.Add(predicting.Apply(networks[3]).Handles); // predicted again

            var ruleset = Ruleset();
            for (var i = 0; i < networks.Count; i++)
                Assert.True(Listed(ruleset, networks[i].Tag).SetEquals(handles[i]), $"network {i}");
            Assert.DoesNotContain(FirewallPlanner.ProbeComment, ruleset.ToJsonString());
            Assert.Equal(6, ForwardJumps(ruleset));
            Assert.Equal(["nft -j -f -", "nft -j -f -", "nft -j -f -", "nft -e -j -f -", "nft -j -f -"], calls.CommandLines);

            predicting.Remove(networks[1], handles[1], othersHaveRules: true);
            Assert.Empty(RulesOf(Ruleset(), networks[1].Tag));
            predicting.Remove(networks[0], handles[0], othersHaveRules: false);
            Assert.False(firewall.TablesExist());
            Assert.False(File.Exists(counters)); // nothing of ours is left behind
            var fresh = predicting.Apply(networks[1]); // predicted on new tables
            Assert.True(Listed(Ruleset(), networks[1].Tag).SetEquals(fresh.Handles));
            Assert.Equal(FirewallLayout.Families, fresh.CreatedTables);
            Assert.Equal("nft -j -f -", calls.CommandLines[^1]);
        }
        finally
        {
            File.Delete(counters);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_apply_after_our_tables_were_deleted_says_it_created_them_and_its_handles_are_those_the_old_tables_had(bool withCounters)
    {
        var counters = Path.Combine(Path.GetTempPath(), TestNamespace.UniqueName("nftcounters"));
        try
        {
            var nft = new NftablesFirewall(withCounters ? counters : null);
            var first = Network("before", NetworkMode.Nat, null, "10.77.30.1/24");
            var second = Network("after", NetworkMode.Nat, null, "10.77.31.1/24");
            var old = nft.Apply(first);
            Assert.Equal(FirewallLayout.Families, old.CreatedTables); // the first network's apply makes our tables
            Assert.Empty(nft.Apply(first, old.Handles).CreatedTables);
            TestNamespace.Run("nft", "flush", "ruleset");

            var applied = nft.Apply(second);

            Assert.Equal(FirewallLayout.Families, applied.CreatedTables);
            Assert.True(Listed(Ruleset(), second.Tag).SetEquals(applied.Handles));
            // Why a recreated table matters: the first network's handles from the old tables now name the second's rules.
            Assert.Equal(old.Handles, applied.Handles);
        }
        finally
        {
            File.Delete(counters);
        }
    }

    [Fact]
    public void Without_a_counters_file_but_with_our_tables_present_the_fresh_prediction_is_refused_and_echo_learns()
    {
        var counters = Path.Combine(Path.GetTempPath(), TestNamespace.UniqueName("nftcounters"));
        try
        {
            TestNamespace.Run("nft", "add", "table", "ip", FirewallLayout.TableName);
            TestNamespace.Run("nft", "add", "chain", "ip", FirewallLayout.TableName, "spare");
            TestNamespace.Run("nft", "add", "rule", "ip", FirewallLayout.TableName, "spare", "counter"); // the counter moves on
            var calls = new RecordingNft();
            var network = Network("leftover", NetworkMode.Nat, null, "10.77.13.1/24");
            var handles = new NftablesFirewall(calls, counters).Apply(network).Handles;
            Assert.True(Listed(Ruleset(), network.Tag).SetEquals(handles));
            Assert.Equal(["nft -j -f -", "nft -e -j -f -"], calls.CommandLines);
            Assert.True(File.Exists(counters));
        }
        finally
        {
            File.Delete(counters);
        }
    }

    [Fact]
    public void Remove_with_stale_handles_falls_back_to_the_listing()
    {
        var network = Network("stale", NetworkMode.Nat, null, "10.77.11.1/24");
        var keep = Network("keep", NetworkMode.Nat, null, "10.77.12.1/24");
        var handles = firewall.Apply(network).Handles;
        firewall.Apply(keep);
        var first = handles[0];
        TestNamespace.Run("nft", "delete", "rule", first.Family.ToNft(), FirewallLayout.TableName, first.Chain, "handle", first.Handle.ToString(System.Globalization.CultureInfo.InvariantCulture));

        firewall.Remove(network, handles, othersHaveRules: true);

        var ruleset = Ruleset();
        Assert.Empty(RulesOf(ruleset, network.Tag));
        Assert.Equal(FirewallPlanner.Plan(keep).Rules.Count, RulesOf(ruleset, keep.Tag).Count);
    }

    [Fact]
    public void Remove_of_the_last_network_without_our_tables_is_not_an_error()
    {
        var network = Network("gone", NetworkMode.Nat, null, "10.77.13.1/24");
        var handles = firewall.Apply(network).Handles;
        TestNamespace.Run("nft", "delete", "table", "ip6", FirewallLayout.TableName);

        firewall.Remove(network, handles, othersHaveRules: false);

        Assert.False(firewall.TablesExist());
    }

    [Fact]
    public void Listing_and_removing_without_our_tables_is_not_an_error()
    {
        Assert.Equal(NftListing.Empty.Tables, firewall.List().Tables);
        firewall.Remove(Network("absent", NetworkMode.Nat, null, "10.77.5.1/24"));
        Assert.False(firewall.TablesExist());
    }

    [Fact]
    public void A_rejected_transaction_raises_NftablesException_with_nfts_message()
    {
        var network = Network("bad", NetworkMode.Nat, forwardDevice: new string('x', 40), "10.77.6.1/24"); // longer than IFNAMSIZ

        var error = Assert.Throws<NftablesException>(() => firewall.Apply(network));

        Assert.Equal(1, error.ExitCode);
        Assert.Contains("apply the rules of network 'bad'", error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.StandardError));
        Assert.False(firewall.TablesExist()); // atomic: nothing half-applied
    }

    private string Bridge()
    {
        var name = TestNamespace.UniqueName("vnfbr");
        TestNamespace.Run("ip", "link", "add", name, "type", "bridge");
        links.Add(name);
        return name;
    }

    internal static FirewallNetwork Network(string name, NetworkMode mode, string? forwardDevice, params string[] subnets) =>
        new(name, FirewallTag.For(null, name), "vnf-" + name, mode, [.. subnets.Select(s => IpNetwork.Parse(s).Canonical)], ForwardDevice: forwardDevice);

    private static JsonNode Ruleset() => JsonNode.Parse(TestNamespace.Run("nft", "-j", "list", "ruleset"))!;

    private static HashSet<RuleHandle> Listed(JsonNode ruleset, string tag) =>
        RulesOf(ruleset, tag)
            .Select(r => new RuleHandle(NftFamilyNames.TryParse((string?)r["family"], out var f) ? f : throw new FormatException(), (string)r["chain"]!, (long)r["handle"]!))
            .ToHashSet();

    private static List<JsonObject> RulesOf(JsonNode ruleset, string tag) =>
        [.. ruleset["nftables"]!.AsArray().Select(i => i?["rule"]).OfType<JsonObject>().Where(r => (string?)r["comment"] == tag)];

    private static int ForwardJumps(JsonNode ruleset) =>
        ruleset["nftables"]!.AsArray().Select(i => i?["rule"]).OfType<JsonObject>()
            .Count(r => (string?)r["table"] == FirewallLayout.TableName && (string?)r["chain"] == FirewallLayout.Forward && r["expr"]!.AsArray()[^1]!["jump"] is not null);
}

/// <summary>Runs through libnftables and keeps the nft command line of every call.</summary>
internal sealed class RecordingNft : INftRunner
{
    public List<string> CommandLines { get; } = [];

    public NftResult Run(string commands, bool echo = false)
    {
        var result = Libnftables.Instance.Run(commands, echo);
        CommandLines.Add(result.CommandLine);
        return result;
    }
}

/// <summary>Runs through libnftables, but drops every "handle" from an echo (as libnftables once did under load).</summary>
internal sealed class EchoWithoutHandles : INftRunner
{
    public NftResult Run(string commands, bool echo = false)
    {
        var result = Libnftables.Instance.Run(commands, echo);
        return echo ? result with { StandardOutput = System.Text.RegularExpressions.Regex.Replace(result.StandardOutput, @",\s*""handle"":\s*\d+", "") } : result;
    }
}

/// <summary>These tests share one namespace's ruleset, so they must not run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NftablesCollection
{
    public const string Name = "nftables";
}
