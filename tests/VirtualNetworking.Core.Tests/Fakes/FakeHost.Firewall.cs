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

    public AppliedRules Insert(FirewallPlan rules)
    {
        Check($"firewall {rules.Network.Name}");
        return Add(rules);
    }

    /// <summary>Every Delete call's handles.</summary>
    public readonly List<IReadOnlyList<RuleHandle>> Deletions = new();

    public bool Delete(IReadOnlyList<RuleHandle> handles)
    {
        Check("firewall delete");
        Deletions.Add(handles);
        if (handles.Any(h => !ruleset.Any(r => r.Handle == h))) return false;
        ruleset.RemoveAll(r => handles.Contains(r.Handle));
        return true;
    }

    private AppliedRules Add(FirewallPlan rules)
    {
        var network = rules.Network;
        var handles = new List<RuleHandle>();
        var plan = rules.Rules;
        if (plan.Count == 0) return new AppliedRules(handles, []);
        var created = Families.Where(f => tables.TryAdd(f, Chains.Count)).ToList();
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
            ruleset.RemoveAll(r => r.Handle.Family == family && r.Handle.Chain == Forward);
            foreach (var target in ForwardJumps) ruleset.Add((new RuleHandle(family, Forward, ++tables[family]), null, $"jump {target}"));
        }
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
        if (handles is null) RemoveByListing(network.Tag);
        else if (!othersHaveRules) DeleteTables();
        // One transaction: a handle that is gone fails it all (ENOENT), and the adapter falls back to the listing.
        else if (handles.Any(h => !ruleset.Any(r => r.Handle == h))) RemoveByListing(network.Tag);
        else ruleset.RemoveAll(r => handles.Contains(r.Handle));
    }

    public NftListing List()
    {
        Lists++;
        return new NftListing([.. tables.Keys], [.. ruleset.Select(r => new ListedRule(r.Handle.Family, r.Handle.Chain, r.Handle.Handle, r.Tag))]);
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
        }
    }

    private void RemoveByListing(string tag)
    {
        if (ruleset.Any(r => r.Tag is not null && r.Tag != tag)) ruleset.RemoveAll(r => r.Tag == tag);
        else DeleteTables();
    }
}
