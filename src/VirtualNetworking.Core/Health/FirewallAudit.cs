using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;
using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Health;

/// <summary>
/// Compares our tables in a listing of the whole ruleset with what a network's plan generates: the tables and their
/// chains (hooks included), the shared rules (forward jumps, port forward lookups), the network's rules, expression by
/// expression and in evaluation order, and its port forwards' elements. Pure: the listing is `nft -j list ruleset`'s JSON.
/// </summary>
public static class FirewallAudit
{
    public static HealthFinding Check(FirewallNetwork network, JsonNode? ruleset)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!network.HasRules)
            return new(HealthCheckIds.FirewallRules, HealthStatus.Pass, $"Mode {network.Mode} needs no firewall rules.");
        if (ruleset?["nftables"] is not JsonArray items)
            return new(HealthCheckIds.FirewallRules, HealthStatus.Warning, "The nftables ruleset could not be read, so the network's rules were not checked.",
                "Run as root with the nftables package installed (libnftables).");

        var problems = new List<string>();
        var tables = items.OfType<JsonObject>().Select(i => i["table"]).OfType<JsonObject>().Where(t => Ours(t, "name")).ToList();
        var chains = items.OfType<JsonObject>().Select(i => i["chain"]).OfType<JsonObject>().Where(c => Ours(c, "table")).ToList();
        var rules = items.OfType<JsonObject>().Select(i => i["rule"]).OfType<JsonObject>().Where(r => Ours(r, "table")).ToList();
        var planned = FirewallPlanner.Plan(network).Rules;

        foreach (var family in Families)
        {
            var name = family.ToNft();
            if (!tables.Any(t => (string?)t["family"] == name))
            {
                problems.Add($"table {name} {TableName} is missing");
                continue;
            }
            foreach (var spec in Chains)
            {
                var chain = chains.FirstOrDefault(c => (string?)c["family"] == name && (string?)c["name"] == spec.Name);
                if (chain is null) problems.Add($"chain {name} {spec.Name} is missing");
                else if (spec.Hook is { } hook && ((string?)chain["hook"] != hook.Hook || (string?)chain["type"] != hook.Type
                         || (int?)chain["prio"] != hook.Priority || (string?)chain["policy"] != "accept"))
                    problems.Add($"chain {name} {spec.Name} is not a {hook.Type} chain on hook {hook.Hook} with priority {hook.Priority} and policy accept");
            }
            var jumps = rules.Where(r => (string?)r["family"] == name && (string?)r["chain"] == Forward && r["comment"] is null)
                .Select(r => (string?)r["expr"]?.AsArray().LastOrDefault()?["jump"]?["target"]).Where(t => t is not null).ToList();
            if (!jumps.SequenceEqual(ForwardJumps)) problems.Add($"chain {name} {Forward} does not jump to {string.Join(", ", ForwardJumps)} (in that order)");
            foreach (var group in FirewallRuleBuilder.SharedRules(family).GroupBy(r => r.Chain))
            {
                var expected = group.Select(r => Signature(Rendered(r, network))).ToList();
                var actual = rules.Where(r => (string?)r["family"] == name && (string?)r["chain"] == group.Key && r["comment"] is null
                        && r["expr"]?.AsArray().LastOrDefault()?["jump"] is null)
                    .Select(r => Signature(r["expr"])).ToList();
                if (!actual.SequenceEqual(expected))
                    problems.Add($"chain {name} {group.Key} does not hold the port forwards' shared rules as generated");
            }

            foreach (var group in planned.Where(r => r.Family == family).GroupBy(r => r.Chain))
            {
                // Each rule is inserted at the head of its chain, so the chain evaluates them in reverse plan order.
                var expected = group.Reverse().Select(r => Signature(Rendered(r, network))).ToList();
                var actual = rules.Where(r => (string?)r["family"] == name && (string?)r["chain"] == group.Key && (string?)r["comment"] == network.Tag)
                    .Select(r => Signature(r["expr"])).ToList();
                if (actual.Count < expected.Count)
                    problems.Add($"chain {name} {group.Key} has {actual.Count} of the network's {expected.Count} rules");
                else if (actual.Count > expected.Count)
                    problems.Add($"chain {name} {group.Key} has {actual.Count - expected.Count} more rules tagged for the network than it generates");
                else if (!actual.SequenceEqual(expected))
                    problems.Add($"chain {name} {group.Key} has the network's rules changed or reordered");
            }
            foreach (var extra in rules.Where(r => (string?)r["family"] == name && (string?)r["comment"] == network.Tag)
                         .Select(r => (string?)r["chain"]).Distinct().Where(c => !planned.Any(p => p.Family == family && p.Chain == c)))
                problems.Add($"chain {name} {extra} has rules tagged for the network that it does not generate");
        }
        problems.AddRange(ElementProblems(network, items));
        if (problems.Count == 0)
            return new(HealthCheckIds.FirewallRules, HealthStatus.Pass, $"Our tables hold the network's {planned.Count} rules as generated.");
        return new(HealthCheckIds.FirewallRules, HealthStatus.Fail,
            $"The network's firewall rules are not as generated ({string.Join("; ", problems)}): guests may lose NAT, their way out, DHCP and DNS, or be let through where the mode forbids it.",
            $"Repair-VNetwork -Name '{network.Name}' re-applies them. If they keep disappearing, a firewall service flushes the ruleset (nft flush ruleset in its reload): make it keep table {TableName}.");
    }

    /// <summary>The network's port forwards against the maps' and set's elements that send to its subnets.</summary>
    private static IEnumerable<string> ElementProblems(FirewallNetwork network, JsonArray items)
    {
        var listed = NftListing.Parse([new JsonObject { ["nftables"] = items.DeepClone() }]).Elements
            .Where(e => e.Guest is { } guest && network.Subnets.Any(s => s.Contains(guest)))
            .Select(e => (e.Family, e.Set, Key: e.Key.ToJsonString())).ToHashSet();
        var expected = NftJsonRenderer.ElementsOf(network.ForwardElements, withValues: false)
            .Select(e => (e.Family, e.Set, Key: e.Element.ToJsonString())).ToHashSet();
        if (expected.Except(listed).Count() is var missing and > 0)
            yield return $"{missing} of the port forwards' {expected.Count} map and set elements are missing";
        if (listed.Except(expected).Count() is var extra and > 0)
            yield return $"{extra} map and set elements send to the network's guests without a port forward of it";
    }

    private static bool Ours(JsonObject node, string tableKey) => (string?)node[tableKey] == TableName;

    private static JsonNode? Rendered(FirewallRule rule, FirewallNetwork network)
    {
        var transaction = new NftTransaction();
        NftJsonRenderer.Rule(transaction, "add", rule, network.BridgeName, network.Tag);
        return transaction.Commands[0]["add"]!["rule"]!["expr"];
    }

    /// <summary>
    /// An expression list as text, with what nft's listing adds or spells differently taken out: counters' values,
    /// the reject's default type, the order of set elements.
    /// </summary>
    private static string Signature(JsonNode? expressions)
    {
        var normalized = new JsonArray();
        foreach (var expression in expressions?.AsArray() ?? [])
        {
            if (expression is not JsonObject statement) continue;
            if (statement.ContainsKey("counter")) continue;
            if (statement.ContainsKey("reject")) { normalized.Add(new JsonObject { ["reject"] = null }); continue; }
            var copy = statement.DeepClone().AsObject();
            // nft lists a dnat whose address comes from a map without its family.
            if (copy["dnat"] is JsonObject dnat) dnat.Remove("family");
            if (copy["match"]?["right"] is JsonArray set)
                copy["match"]!["right"] = new JsonArray([.. set.Select(e => e?.ToJsonString()).Order(StringComparer.Ordinal).Select(s => JsonNode.Parse(s!))]);
            normalized.Add(copy);
        }
        return normalized.ToJsonString();
    }
}
