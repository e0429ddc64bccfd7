using System.Text.Json.Nodes;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Health;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Tests.Health;

/// <summary>
/// The fixture is `nft -j list ruleset` captured in a namespace after Start-VNetwork of a NAT network 10.77.0.0/24 on
/// virbr0 (nftables 1.0.6): the listing spells things its own way (counters with values, reject with its type).
/// </summary>
public sealed class FirewallAuditTests
{
    private static readonly FirewallNetwork Network = new("n1", "vnet:175aa17b-de44-4da4-a47a-c5d8ab4cfec1", "virbr0", NetworkMode.Nat, [IpNetwork.Parse("10.77.0.0/24")]);

    private static JsonNode Captured() => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Health", "Fixtures", "nat-network.ruleset.json")))!;

    private static JsonArray Items(JsonNode ruleset) => ruleset["nftables"]!.AsArray();

    private static List<JsonObject> Rules(JsonNode ruleset, string family, string chain) =>
        [.. Items(ruleset).OfType<JsonObject>().Where(i => i["rule"] is JsonObject r && (string?)r["family"] == family && (string?)r["chain"] == chain)];

    [Fact]
    public void The_rules_nft_lists_after_a_start_pass()
    {
        var finding = FirewallAudit.Check(Network, Captured());

        Assert.Equal(HealthStatus.Pass, finding.Status);
        Assert.Equal("Our tables hold the network's 16 rules as generated.", finding.Detail);
    }

    [Fact]
    public void A_deleted_rule_fails_naming_its_chain()
    {
        var ruleset = Captured();
        Items(ruleset).Remove(Rules(ruleset, "ip", "guest_output")[0]);

        var finding = FirewallAudit.Check(Network, ruleset);

        Assert.Equal(HealthStatus.Fail, finding.Status);
        Assert.Contains("chain ip guest_output has 1 of the network's 2 rules", finding.Detail);
        Assert.Contains("Repair-VNetwork -Name 'n1'", finding.Remedy);
    }

    [Fact]
    public void A_changed_verdict_and_a_swapped_order_fail()
    {
        var changed = Captured();
        var accept = Rules(changed, "ip", "guest_cross")[0]["rule"]!["expr"]!.AsArray();
        accept[^1] = new JsonObject { ["drop"] = null };
        Assert.Contains("chain ip guest_cross has the network's rules changed or reordered", FirewallAudit.Check(Network, changed).Detail);

        var swapped = Captured();
        var output = Rules(swapped, "ip", "guest_output");
        var items = Items(swapped);
        var (first, second) = (items.IndexOf(output[0]), items.IndexOf(output[1]));
        items.RemoveAt(second);
        items.Insert(first, output[1]);
        var finding = FirewallAudit.Check(Network, swapped);
        Assert.Equal(HealthStatus.Fail, finding.Status);
        Assert.Contains("chain ip guest_output has the network's rules changed or reordered", finding.Detail);
    }

    [Fact]
    public void A_missing_table_a_drop_policy_and_lost_jumps_fail()
    {
        var ruleset = Captured();
        foreach (var item in Items(ruleset).OfType<JsonObject>().Where(i => (string?)(i["table"] ?? i["chain"] ?? i["rule"])?["family"] == "ip6").ToList())
            Items(ruleset).Remove(item);
        var forward = Items(ruleset).OfType<JsonObject>().Select(i => i["chain"]).OfType<JsonObject>().Single(c => (string?)c["family"] == "ip" && (string?)c["name"] == "forward");
        forward["policy"] = "drop";
        foreach (var jump in Rules(ruleset, "ip", "forward")) Items(ruleset).Remove(jump);

        var detail = FirewallAudit.Check(Network, ruleset).Detail;

        Assert.Contains("table ip6 virtualnetworking is missing", detail);
        Assert.Contains("chain ip forward is not a filter chain on hook forward with priority 0 and policy accept", detail);
        Assert.Contains("chain ip forward does not jump to guest_cross, guest_input, guest_output (in that order)", detail);
    }

    [Fact]
    public void A_rule_tagged_for_the_network_in_a_chain_it_does_not_use_fails()
    {
        var ruleset = Captured();
        var stray = Rules(ruleset, "ip", "guest_cross")[0].DeepClone().AsObject();
        stray["rule"]!["chain"] = "forward";
        Items(ruleset).Add(stray);

        Assert.Contains("chain ip forward has rules tagged for the network that it does not generate", FirewallAudit.Check(Network, ruleset).Detail);
    }

    [Fact]
    public void Other_networks_rules_do_not_count_and_no_tables_at_all_fail()
    {
        var other = Network with { Name = "other", Tag = "vnet:00000000-0000-4000-8000-000000000001", BridgeName = "virbr9", Subnets = [IpNetwork.Parse("10.9.0.0/24")] };
        Assert.Contains("table ip virtualnetworking is missing", FirewallAudit.Check(other, JsonNode.Parse("""{"nftables":[]}""")).Detail);
        var finding = FirewallAudit.Check(other, Captured());
        Assert.Equal(HealthStatus.Fail, finding.Status);
        Assert.Contains("has 0 of the network's", finding.Detail);
    }

    [Fact]
    public void An_unreadable_ruleset_is_a_warning_and_open_mode_needs_no_rules()
    {
        Assert.Equal(HealthStatus.Warning, FirewallAudit.Check(Network, null).Status);
        var open = FirewallAudit.Check(Network with { Mode = NetworkMode.Open }, null);
        Assert.Equal(HealthStatus.Pass, open.Status);
        Assert.Equal(HealthCheckIds.FirewallRules, open.Check);
    }
}
