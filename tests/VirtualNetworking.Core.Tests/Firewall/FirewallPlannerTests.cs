using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Tests.Firewall;

public sealed class FirewallPlannerTests
{
    private static readonly FirewallNetwork Nat = FirewallNetworkMapper.FromDefinition(WithDev(TestNetworks.LibvirtCase("nat-ipv6"), "eth0"));

    [Fact]
    public void Apply_creates_both_tables_and_all_chains_with_libvirts_hooks()
    {
        var commands = Apply(Nat);

        Assert.Equal(2, commands.Count(c => c["add"]?["table"] is not null));
        var chains = commands.Select(c => c["add"]?["chain"]).OfType<JsonObject>().ToList();
        Assert.Equal(2 * FirewallLayout.Chains.Count, chains.Count);
        var nat = chains.Single(c => (string?)c["family"] == "ip" && (string?)c["name"] == "guest_nat");
        Assert.Equal("""{"family":"ip","table":"virtualnetworking","name":"guest_nat","type":"nat","hook":"postrouting","prio":100,"policy":"accept"}""", nat.ToJsonString());
        Assert.All(commands.Select(c => c.Single().Value!.AsObject().Single()), target =>
            Assert.Equal("virtualnetworking", (string?)(target.Key == "table" ? target.Value!["name"] : target.Value!["table"])));
    }

    [Fact]
    public void Apply_rebuilds_the_shared_rules_once_per_family_without_a_network_tag()
    {
        var commands = Apply(Nat);

        Assert.Equal(
            ["ip guest_dnat", "ip guest_dnat_output", "ip forward", "ip6 guest_dnat", "ip6 guest_dnat_output", "ip6 forward"],
            commands.Select(c => c["flush"]?["chain"]).OfType<JsonObject>().Select(c => $"{c["family"]} {c["name"]}"));
        var shared = commands.Select(c => c["add"]?["rule"]).OfType<JsonObject>().ToList();
        Assert.Equal(2 * (FirewallRuleBuilder.SharedRules(NftFamily.Ip).Count + 3), shared.Count);
        var jumps = shared.Where(r => (string?)r["chain"] == "forward" && r["expr"]![1]!["jump"] is not null).ToList();
        Assert.Equal(["guest_cross", "guest_input", "guest_output"], jumps.Take(3).Select(j => (string?)j["expr"]![1]!["jump"]!["target"]));
        Assert.All(shared, j => Assert.Null(j["comment"]));
        // The forwarded connections' accept comes before the jumps to any network's rejects.
        Assert.Equal("forward", (string?)shared.First(r => r.ToJsonString().Contains("@forwarded", StringComparison.Ordinal))["chain"]);
        Assert.True(shared.FindIndex(r => r.ToJsonString().Contains("@forwarded", StringComparison.Ordinal)) < shared.IndexOf(jumps[0]));
    }

    [Fact]
    public void Apply_inserts_every_rule_of_the_plan_with_the_network_tag_and_the_bridge_by_name()
    {
        var inserts = Apply(Nat).Select(c => c["insert"]?["rule"]).OfType<JsonObject>().ToList();

        Assert.Equal(FirewallPlanner.Plan(Nat).Rules.Count, inserts.Count);
        Assert.All(inserts, r => Assert.Equal(Nat.Tag, (string?)r["comment"]));
        Assert.Equal($$$"""{"family":"ip","table":"virtualnetworking","chain":"guest_output","comment":"{{{Nat.Tag}}}","expr":[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"virbr0"}},{"counter":null},{"reject":null}]}""",
            inserts[0].ToJsonString());
    }

    [Fact]
    public void Apply_renders_masquerade_forward_device_and_conntrack_as_nft_json()
    {
        var rules = Apply(Nat).Select(c => c["insert"]?["rule"]).OfType<JsonObject>().Select(r => r["expr"]!.ToJsonString()).ToList();

        Assert.Contains("""[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"udp"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"==","left":{"meta":{"key":"oifname"}},"right":"eth0"}},{"counter":null},{"masquerade":{"port":{"range":[1024,65535]}}}]""", rules);
        Assert.Contains("""[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"eth0"}},{"match":{"op":"==","left":{"meta":{"key":"oifname"}},"right":"virbr0"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["related","established"]}},{"counter":null},{"accept":null}]""", rules);
        Assert.Contains("""[{"match":{"op":"==","left":{"meta":{"key":"oifname"}},"right":"eth0"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"255.255.255.255"}},{"counter":null},{"return":null}]""", rules);
        Assert.Contains("""[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"virbr0"}},{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":67}},{"counter":null},{"accept":null}]""", rules);
    }

    [Fact]
    public void Apply_renders_snat_ranges_as_nft_json()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat, "10.0.0.1/255.255.255.0");
        definition.Forward!.Nat = new NatDefinition
        {
            AddressStart = System.Net.IPAddress.Parse("198.51.100.10"), AddressEnd = System.Net.IPAddress.Parse("198.51.100.20"), PortStart = 2000, PortEnd = 3000,
        };

        var json = FirewallPlanner.BuildApplyTransaction(TestNetworks.Plan(definition)).ToJsonString();

        Assert.Contains("""{"snat":{"addr":{"range":["198.51.100.10","198.51.100.20"]}}}""", json);
        Assert.Contains("""{"snat":{"addr":{"range":["198.51.100.10","198.51.100.20"]},"port":{"range":[2000,3000]}}}""", json);
    }

    [Fact]
    public void Apply_replaces_the_networks_earlier_rules_by_handle_in_the_same_transaction()
    {
        var commands = Apply(Nat, [new RuleHandle(NftFamily.Ip, "guest_output", 11)]);

        var deletes = commands.Select(c => c["delete"]?["rule"]).OfType<JsonObject>().ToList();
        Assert.Equal(["""{"family":"ip","table":"virtualnetworking","chain":"guest_output","handle":11}"""], deletes.Select(d => d.ToJsonString()));
        // Before the inserts, after the tables exist.
        var deleteAt = commands.FindIndex(c => c["delete"] is not null);
        Assert.True(deleteAt > commands.FindLastIndex(c => c["add"]?["table"] is not null));
        Assert.True(deleteAt < commands.FindIndex(c => c["insert"] is not null));
    }

    [Fact]
    public void Apply_needs_no_listing_and_deletes_nothing_on_a_first_apply()
    {
        var commands = Apply(Nat);

        Assert.DoesNotContain(commands, c => c["delete"] is not null);
        Assert.Equal(FirewallPlanner.Plan(Nat).Rules.Count, commands.Count(c => c["insert"] is not null));
    }

    [Fact]
    public void Applying_an_open_network_does_nothing_or_only_cleans_up()
    {
        var open = FirewallNetworkMapper.FromDefinition(TestNetworks.Define("o", NetworkMode.Open, "10.0.0.1/255.255.255.0"));

        Assert.True(FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(open)).IsEmpty);
        Assert.Equal(
            ["""{"delete":{"rule":{"family":"ip","table":"virtualnetworking","chain":"guest_nat","handle":3}}}"""],
            FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(open), [new RuleHandle(NftFamily.Ip, "guest_nat", 3)]).Commands.Select(c => c.ToJsonString()));
    }

    [Fact]
    public void Remove_by_handle_deletes_exactly_those_rules_while_others_have_rules()
    {
        var commands = FirewallPlanner.BuildRemoveTransaction(Nat,
            [new RuleHandle(NftFamily.Ip, "guest_output", 10), new RuleHandle(NftFamily.Ip6, "guest_input", 11)], othersHaveRules: true).Commands;

        Assert.Equal(
            ["""{"delete":{"rule":{"family":"ip","table":"virtualnetworking","chain":"guest_output","handle":10}}}""",
             """{"delete":{"rule":{"family":"ip6","table":"virtualnetworking","chain":"guest_input","handle":11}}}"""],
            commands.Select(c => c.ToJsonString()));
    }

    [Fact]
    public void Remove_by_handle_of_the_last_network_deletes_our_tables()
    {
        var commands = FirewallPlanner.BuildRemoveTransaction(Nat, [new RuleHandle(NftFamily.Ip, "guest_output", 10)], othersHaveRules: false).Commands;

        Assert.Equal(
            ["""{"delete":{"table":{"family":"ip","name":"virtualnetworking"}}}""", """{"delete":{"table":{"family":"ip6","name":"virtualnetworking"}}}"""],
            commands.Select(c => c.ToJsonString()));
    }

    [Fact]
    public void Echo_parser_returns_the_handles_of_the_networks_rules_only()
    {
        // What `nft -e -j -f -` (1.0.6) prints: the commands as sent, with the new handles.
        const string echo = """
            {"nftables": [{"add": {"table": {"family": "ip", "name": "virtualnetworking", "handle": 1}}},
             {"flush": {"chain": {"family": "ip", "table": "virtualnetworking", "name": "forward"}}},
             {"add": {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "forward", "expr": [{"jump": {"target": "guest_cross"}}], "handle": 2}}},
             {"delete": {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "guest_nat", "handle": 9}}},
             {"insert": {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "guest_nat", "comment": "vnet:a", "expr": [], "handle": 14}}},
             {"insert": {"rule": {"family": "ip6", "table": "virtualnetworking", "chain": "guest_input", "comment": "vnet:a", "expr": [], "handle": 15}}},
             {"insert": {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "guest_nat", "comment": "vnet:b", "expr": [], "handle": 16}}}]}
            """;

        Assert.Equal([new RuleHandle(NftFamily.Ip, "guest_nat", 14), new RuleHandle(NftFamily.Ip6, "guest_input", 15)], RuleHandle.ParseEcho(echo, "vnet:a"));
        Assert.Empty(RuleHandle.ParseEcho("", "vnet:a"));
    }

    [Fact]
    public void Predicted_apply_numbers_rules_in_transaction_order_and_probes_the_prediction()
    {
        var plan = FirewallPlanner.Plan(Nat);
        var predicted = FirewallPlanner.BuildApplyTransaction(plan, new HandleCounters(40, 0));

        var ipRules = plan.Rules.Count(r => r.Family == NftFamily.Ip);
        var ip6Rules = plan.Rules.Count - ipRules;
        Assert.Equal(plan.Rules.Select(r => (r.Family, r.Chain)), predicted.Handles.Select(h => (h.Family, h.Chain)));
        // ip table exists (counter 40): rules 41…; ip6 table is new: its 9 chains and 7 sets take 1-16, rules 17…
        Assert.Equal(Enumerable.Range(41, ipRules).Select(i => (long)i), predicted.Handles.Where(h => h.Family == NftFamily.Ip).Select(h => h.Handle));
        Assert.Equal(Enumerable.Range(17, ip6Rules).Select(i => (long)i), predicted.Handles.Where(h => h.Family == NftFamily.Ip6).Select(h => h.Handle));
        // then the six DNAT lookups (each with an anonymous set: 12 handles), the probe (added and deleted by its predicted
        // handle), the forwarded connections' accept and the three jumps
        Assert.Equal(new HandleCounters(40 + ipRules + 12 + 1 + 1 + 3, 16 + ip6Rules + 12 + 1 + 1 + 3), predicted.After);

        var commands = predicted.Transaction.Commands.ToList();
        var probeDeletes = commands.Select(c => c["delete"]?["rule"]).OfType<JsonObject>().Select(d => d.ToJsonString()).ToList();
        Assert.Equal(
            [$$"""{"family":"ip","table":"virtualnetworking","chain":"forward","handle":{{40 + ipRules + 12 + 1}}}""",
             $$"""{"family":"ip6","table":"virtualnetworking","chain":"forward","handle":{{16 + ip6Rules + 12 + 1}}}"""],
            probeDeletes);
        // Each probe follows its family's flush of forward and precedes the jumps; every insert comes before.
        var lastInsert = commands.FindLastIndex(c => c["insert"] is not null);
        var firstFlush = commands.FindIndex(c => (string?)c["flush"]?["chain"]?["name"] == FirewallLayout.Forward);
        Assert.True(lastInsert < firstFlush);
        var probeAdd = commands.FindIndex(c => (string?)c["add"]?["rule"]?["comment"] == FirewallPlanner.ProbeComment);
        Assert.Equal(firstFlush + 1, probeAdd);
        Assert.NotNull(commands[probeAdd + 1]["delete"]);
        Assert.Contains("@forwarded", commands[probeAdd + 2].ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("guest_cross", (string?)commands[probeAdd + 3]["add"]?["rule"]?["expr"]?[1]?["jump"]?["target"]);
    }

    [Fact]
    public void Predicted_and_plain_apply_install_the_same_rules()
    {
        static IEnumerable<string> Installed(IEnumerable<JsonObject> commands) => commands
            .Where(c => c["insert"] is not null || (c["add"]?["rule"] is JsonObject r && (string?)r["comment"] != FirewallPlanner.ProbeComment))
            .Select(c => c.ToJsonString());

        var plan = FirewallPlanner.Plan(Nat);
        Assert.Equal(Installed(FirewallPlanner.BuildApplyTransaction(plan).Commands),
            Installed(FirewallPlanner.BuildApplyTransaction(plan, new HandleCounters(9, 9)).Transaction.Commands));
    }

    [Fact]
    public void Counters_round_trip_and_come_from_the_echo()
    {
        Assert.Equal(new HandleCounters(12, 0), HandleCounters.TryParse(new HandleCounters(12, 0).ToString()));
        Assert.Null(HandleCounters.TryParse("ip=1"));
        Assert.Null(HandleCounters.TryParse("ip=x ip6=2"));
        Assert.Null(HandleCounters.TryParse(null));
        const string echo = """
            {"nftables": [{"add": {"table": {"family": "ip", "name": "virtualnetworking", "handle": 99}}},
             {"add": {"chain": {"family": "ip6", "table": "virtualnetworking", "name": "forward", "handle": 7}}},
             {"insert": {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "guest_nat", "comment": "vnet:a", "expr": [], "handle": 14}}},
             {"add": {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "forward", "expr": [], "handle": 17}}},
             {"add": {"rule": {"family": "ip", "table": "other", "chain": "forward", "expr": [], "handle": 500}}}]}
            """;
        Assert.Equal(new HandleCounters(17, 7), RuleHandle.CountersFromEcho(echo)); // the table handle is a different counter
    }

    [Fact]
    public void Rule_handles_round_trip_as_text()
    {
        var handle = new RuleHandle(NftFamily.Ip6, "guest_nat", 1234567890123);
        Assert.Equal("ip6:guest_nat:1234567890123", handle.ToString());
        Assert.Equal(handle, RuleHandle.Parse(handle.ToString()));
        Assert.Throws<FormatException>(() => RuleHandle.Parse("inet:forward:1"));
        Assert.Throws<FormatException>(() => RuleHandle.Parse("ip:forward:-1"));
    }

    [Fact]
    public void Fallback_remove_deletes_only_that_networks_handles_while_others_remain()
    {
        var listing = new NftListing([NftFamily.Ip, NftFamily.Ip6],
        [
            new(NftFamily.Ip, "forward", 1, null),
            new(NftFamily.Ip, "guest_output", 10, "vnet:a"),
            new(NftFamily.Ip6, "guest_input", 11, "vnet:a"),
            new(NftFamily.Ip, "guest_output", 12, "vnet:b"),
        ], []);

        var commands = FirewallPlanner.BuildRemoveTransaction(Nat with { Tag = "vnet:a" }, listing).Commands;

        Assert.Equal(
            ["""{"delete":{"rule":{"family":"ip","table":"virtualnetworking","chain":"guest_output","handle":10}}}""",
             """{"delete":{"rule":{"family":"ip6","table":"virtualnetworking","chain":"guest_input","handle":11}}}"""],
            commands.Select(c => c.ToJsonString()));
    }

    [Fact]
    public void Fallback_remove_of_the_last_network_deletes_our_tables()
    {
        var listing = new NftListing([NftFamily.Ip, NftFamily.Ip6], [new(NftFamily.Ip, "forward", 1, null), new(NftFamily.Ip, "guest_output", 10, "vnet:a")], []);

        var commands = FirewallPlanner.BuildRemoveTransaction(Nat with { Tag = "vnet:a" }, listing).Commands;

        Assert.Equal(
            ["""{"delete":{"table":{"family":"ip","name":"virtualnetworking"}}}""", """{"delete":{"table":{"family":"ip6","name":"virtualnetworking"}}}"""],
            commands.Select(c => c.ToJsonString()));
    }

    [Fact]
    public void Fallback_remove_without_our_tables_does_nothing()
    {
        Assert.True(FirewallPlanner.BuildRemoveTransaction(Nat with { Tag = "vnet:a" }, NftListing.Empty).IsEmpty);
    }

    [Fact]
    public void Listing_parser_keeps_our_tables_and_rules_and_ignores_others()
    {
        const string ip = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"table": {"family": "ip", "name": "virtualnetworking", "handle": 4}},
             {"chain": {"family": "ip", "table": "virtualnetworking", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}},
             {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "forward", "handle": 8, "expr": [{"jump": {"target": "guest_cross"}}]}},
             {"rule": {"family": "ip", "table": "virtualnetworking", "chain": "guest_nat", "handle": 21, "comment": "vnet:a", "expr": []}},
             {"table": {"family": "ip", "name": "libvirt_network", "handle": 5}},
             {"rule": {"family": "ip", "table": "libvirt_network", "chain": "guest_nat", "handle": 3, "comment": "vnet:a", "expr": []}}]}
            """;
        const string ip6 = """{"nftables": [{"table": {"family": "ip6", "name": "virtualnetworking", "handle": 9}}]}""";

        var listing = NftListing.Parse(ip, ip6);

        Assert.Equal([NftFamily.Ip, NftFamily.Ip6], listing.Tables);
        Assert.Equal([new ListedRule(NftFamily.Ip, "forward", 8, null), new ListedRule(NftFamily.Ip, "guest_nat", 21, "vnet:a")], listing.Rules);
    }

    private static List<JsonObject> Apply(FirewallNetwork network, IReadOnlyList<RuleHandle>? replacing = null) =>
        FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(network), replacing).Commands.ToList();

    private static NetworkDefinition WithDev(NetworkDefinition definition, string dev)
    {
        definition.Forward!.Interfaces.Add(dev);
        return definition;
    }
}
