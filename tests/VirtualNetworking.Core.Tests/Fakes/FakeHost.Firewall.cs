using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <remarks>
/// Our tables as nftables keeps them: each table numbers its chains and rules from one counter, which starts again
/// when the table is recreated, and a delete by handle deletes whatever rule has that handle now (or fails the whole
/// transaction when none has). That is what makes stale handles dangerous, so the fake models it.
/// </remarks>
internal sealed partial class FakeHost : INetworkFirewall
{
    /// <summary>Every Remove call: (tag, handles, othersHaveRules).</summary>
    public readonly List<(string Tag, IReadOnlyList<RuleHandle>? Handles, bool OthersHaveRules)> Removals = new();
    /// <summary>Our tables present: the last handle each allocated.</summary>
    private readonly Dictionary<NftFamily, long> tables = new();
    /// <summary>The rules of our tables; the forward jumps have no tag.</summary>
    private readonly List<(RuleHandle Handle, string? Tag, string Text)> ruleset = new();

    public bool TablesExist => tables.Count > 0;
    /// <summary>How many listings were asked for (they cost in proportion to the ruleset).</summary>
    public int Lists;

    /// <summary>The networks' rules as "TAG RULE" (the shared jumps left out).</summary>
    public SortedSet<string> Rules => new(ruleset.Where(r => r.Tag is not null).Select(r => $"{r.Tag} {r.Text}"), StringComparer.Ordinal);

    public AppliedRules Apply(FirewallNetwork network, IReadOnlyList<RuleHandle>? replacing = null)
    {
        Check($"firewall {network.Name}");
        // One transaction: a handle to replace that is gone fails it all (ENOENT) before anything changes.
        if (replacing?.FirstOrDefault(h => !ruleset.Any(r => r.Handle == h)) is { } missing)
            throw new NetworkProblemException(ErrorIds.FirewallFailed, ProblemCategory.InvalidOperation, $"fake ENOENT: {missing}");
        ruleset.RemoveAll(r => replacing?.Contains(r.Handle) == true);
        return Add(FirewallPlanner.Plan(network));
    }

    /// <summary>The port forwards' map and set elements: (family, set, key as nft takes it) and the guest each sends to.</summary>
    private readonly Dictionary<(NftFamily Family, string Set, string Key), System.Net.IPAddress> elements = new();

    /// <summary>The elements as "SET KEY", sorted.</summary>
    public SortedSet<string> Elements => new(elements.Keys.Select(e => $"{e.Set} {e.Key}"), StringComparer.Ordinal);

    /// <summary>How many ChangeForwards calls there were.</summary>
    public int ForwardChanges;

    public bool ChangeForwards(FirewallNetwork before, FirewallNetwork after)
    {
        Check($"firewall {after.Name} forwards");
        ForwardChanges++;
        var (delete, add) = PortForwardElements.Changes(before.ForwardElements, after.ForwardElements);
        // One transaction: an element to delete that is gone fails it all (ENOENT) before anything changes.
        if (tables.Count == 0 || Keys(delete).Any(k => !elements.ContainsKey(k.Key))) return false;
        foreach (var (key, _) in Keys(delete)) elements.Remove(key);
        foreach (var (key, guest) in Keys(add)) elements[key] = guest;
        return true;
    }

    private static IEnumerable<((NftFamily, string, string) Key, System.Net.IPAddress Guest)> Keys(PortForwardElements of)
    {
        foreach (var e in of.Addresses) yield return ((e.Key.Family, AddressMap(e.Key.Kind), KeyText(e.Key)), e.Guest);
        foreach (var e in of.Ports) yield return ((e.Key.Family, PortMap(e.Key.Kind), KeyText(e.Key)), of.Addresses.First(a => a.Key == e.Key).Guest);
        foreach (var g in of.Guests) yield return ((g.Family, Forwarded, $"{g.Address} {g.Protocol} {g.Port}"), g.Address);
    }

    private static string KeyText(ForwardKey key) =>
        $"{key.Source} {key.Destination?.First}-{key.Destination?.Last} {key.Protocol} {key.Port}";

    /// <summary>`nft delete element`: one forward's element gone behind our back.</summary>
    public void DeleteElement(string set) => elements.Remove(elements.Keys.First(k => k.Set == set));

    private AppliedRules Add(FirewallPlan rules)
    {
        var network = rules.Network;
        var handles = new List<RuleHandle>();
        var plan = rules.Rules;
        if (plan.Count == 0) return new AppliedRules(handles, []);
        var created = Families.Where(f => tables.TryAdd(f, Chains.Count + Sets.Count)).ToList();
        foreach (var rule in plan)
        {
            var handle = new RuleHandle(rule.Family, rule.Chain, ++tables[rule.Family]);
            // Inserted at the head of its chain, as nft's insert does: a chain lists its rules in evaluation order.
            var head = ruleset.FindIndex(r => r.Handle.Family == rule.Family && r.Handle.Chain == rule.Chain);
            ruleset.Insert(head < 0 ? ruleset.Count : head, (handle, network.Tag, Text(rule, network)));
            handles.Add(handle);
        }
        foreach (var family in Families)
        {
            var shared = FirewallRuleBuilder.SharedRules(family);
            ruleset.RemoveAll(r => r.Tag is null && r.Handle.Family == family && shared.Any(s => s.Chain == r.Handle.Chain));
            foreach (var rule in shared) ruleset.Add((new RuleHandle(family, rule.Chain, ++tables[family]), null, Text(rule, network)));
            foreach (var target in ForwardJumps) ruleset.Add((new RuleHandle(family, Forward, ++tables[family]), null, $"jump {target}"));
        }
        foreach (var (key, guest) in Keys(network.ForwardElements)) elements[key] = guest;
        return new AppliedRules(handles, created);
    }

    /// <summary>The rule as nft would be given it (its matches spelled out).</summary>
    private static string Text(FirewallRule rule, FirewallNetwork network)
    {
        var transaction = new NftTransaction();
        NftJsonRenderer.Rule(transaction, "insert", rule, network.BridgeName, network.Tag);
        return transaction.ToJsonString();
    }

    public void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules)
    {
        Removals.Add((network.Tag, handles, othersHaveRules));
        if (handles is null) RemoveByListing(network);
        else if (!othersHaveRules) DeleteTables();
        // One transaction: a handle or element that is gone fails it all (ENOENT), and the adapter falls back to the listing.
        else if (handles.Any(h => !ruleset.Any(r => r.Handle == h)) || Keys(network.ForwardElements).Any(k => !elements.ContainsKey(k.Key)))
            RemoveByListing(network);
        else
        {
            ruleset.RemoveAll(r => handles.Contains(r.Handle));
            foreach (var (key, _) in Keys(network.ForwardElements)) elements.Remove(key);
        }
    }

    public NftListing List()
    {
        Lists++;
        return new NftListing([.. tables.Keys], [.. ruleset.Select(r => new ListedRule(r.Handle.Family, r.Handle.Chain, r.Handle.Handle, r.Tag))],
            [.. elements.Select(e => new ListedElement(e.Key.Family, e.Key.Set, System.Text.Json.Nodes.JsonValue.Create(e.Key.Key), e.Value))]);
    }

    /// <summary>`nft delete rule`: one rule gone behind our back.</summary>
    public void DeleteRule(RuleHandle handle) => ruleset.RemoveAll(r => r.Handle == handle);

    /// <summary>`nft flush ruleset`, or a firewall service's reload: our tables are gone.</summary>
    public void DeleteTables(params NftFamily[] families)
    {
        foreach (var family in families.Length == 0 ? Families : families)
        {
            tables.Remove(family);
            ruleset.RemoveAll(r => r.Handle.Family == family);
            foreach (var key in elements.Keys.Where(k => k.Family == family).ToList()) elements.Remove(key);
        }
    }

    private void RemoveByListing(FirewallNetwork network)
    {
        if (ruleset.Any(r => r.Tag is not null && r.Tag != network.Tag))
        {
            ruleset.RemoveAll(r => r.Tag == network.Tag);
            foreach (var key in elements.Where(e => network.Subnets.Any(s => s.Contains(e.Value))).Select(e => e.Key).ToList()) elements.Remove(key);
        }
        else DeleteTables();
    }
}
