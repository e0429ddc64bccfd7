using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Pure planning of firewall changes: the network's rule plan, and the single nft JSON transaction that
/// applies or removes it. Apply and remove need no listing (removal uses the handles learnt at apply); the
/// listing-based removal is the fallback for unknown or stale handles. The Linux adapter only runs nft.
/// </summary>
public static class FirewallPlanner
{
    public static FirewallPlan Plan(FirewallNetwork network) => FirewallRuleBuilder.Build(network);

    /// <summary>
    /// Creates our tables/chains if missing (`add` is a no-op for existing ones), deletes
    /// <paramref name="replacing"/> (the handles of an earlier apply of this network, so applying twice is
    /// harmless), inserts the plan's rules and rebuilds the shared forward jumps, all atomically. Needs no
    /// listing; run it with `nft -e` to learn the new handles (<see cref="RuleHandle.ParseEcho"/>), or use the
    /// overload with <see cref="HandleCounters"/>, which predicts them. A plan without rules (open mode) only
    /// deletes <paramref name="replacing"/>.
    /// </summary>
    public static NftTransaction BuildApplyTransaction(FirewallPlan plan, IReadOnlyList<RuleHandle>? replacing = null) =>
        Build(plan, replacing, counters: null).Transaction;

    /// <summary>
    /// The apply transaction with its rules' handles predicted from <paramref name="counters"/>. Per family the
    /// transaction adds a probe rule to the freshly flushed forward chain and deletes the predicted probe
    /// handle right away: that delete finds the probe only if the prediction is exact (after the flush nothing
    /// else is active in that chain), so a wrong prediction fails the whole transaction with ENOENT and nothing
    /// changes. Handles are allocated in transaction order: new chains (one per FirewallLayout.Chains entry in a new table), the family's rules in
    /// plan order, the probe, the three jumps.
    /// </summary>
    public static PredictedApply BuildApplyTransaction(FirewallPlan plan, HandleCounters counters, IReadOnlyList<RuleHandle>? replacing = null)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return Build(plan, replacing, counters);
    }

    /// <summary>The comment of the probe rule; it never outlives its transaction.</summary>
    public const string ProbeComment = "vnet-handle-probe";

    private static PredictedApply Build(FirewallPlan plan, IReadOnlyList<RuleHandle>? replacing, HandleCounters? counters)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var transaction = new NftTransaction();
        if (plan.Rules.Count == 0)
        {
            foreach (var stale in replacing ?? []) NftJsonRenderer.DeleteRule(transaction, stale);
            return new PredictedApply(transaction, [], counters ?? HandleCounters.Absent);
        }
        var bridge = plan.Network.BridgeName;

        foreach (var family in Families)
        {
            NftJsonRenderer.AddTable(transaction, family);
            foreach (var chain in Chains) NftJsonRenderer.AddChain(transaction, family, chain);
            foreach (var set in Sets) NftJsonRenderer.AddSet(transaction, family, set);
        }
        foreach (var stale in replacing ?? []) NftJsonRenderer.DeleteRule(transaction, stale);

        // Next handle per family: after the chains and sets a new table creates.
        var next = Families.ToDictionary(f => f, f => counters is null ? 0 : counters.For(f) + (counters.For(f) == 0 ? Chains.Count + Sets.Count : 0));
        var handles = new List<RuleHandle>();
        foreach (var rule in plan.Rules)
        {
            NftJsonRenderer.Rule(transaction, "insert", rule, bridge, plan.Network.Tag);
            next[rule.Family] += HandlesTaken(rule);
            handles.Add(new RuleHandle(rule.Family, rule.Chain, next[rule.Family]));
        }
        var after = counters;
        foreach (var family in Families)
        {
            // The shared chains hold only the shared rules; flushing and re-adding them keeps exactly one set however
            // often networks are applied, without needing to know whether the table existed.
            var shared = FirewallRuleBuilder.SharedRules(family);
            foreach (var chain in shared.Select(r => r.Chain).Distinct().Where(c => c != Forward))
            {
                NftJsonRenderer.FlushChain(transaction, family, chain);
                foreach (var rule in shared.Where(r => r.Chain == chain)) AddShared(rule);
            }
            NftJsonRenderer.FlushChain(transaction, family, Forward);
            if (counters is not null)
            {
                var probe = ++next[family];
                NftJsonRenderer.Rule(transaction, "add", new FirewallRule(family, Forward, [], new ReturnAction(), IsLibvirtRule: false), bridge, ProbeComment);
                NftJsonRenderer.DeleteRule(transaction, new RuleHandle(family, Forward, probe));
            }
            foreach (var rule in shared.Where(r => r.Chain == Forward)) AddShared(rule);
            foreach (var target in ForwardJumps) AddShared(new FirewallRule(family, Forward, [], new JumpAction(target)));
            after = after?.With(family, next[family]);

            void AddShared(FirewallRule rule)
            {
                NftJsonRenderer.Rule(transaction, "add", rule, bridge, comment: null);
                next[family] += HandlesTaken(rule);
            }
        }
        NftJsonRenderer.Elements(transaction, "add", plan.Network.ForwardElements);
        return new PredictedApply(transaction, counters is null ? [] : handles, after ?? HandleCounters.Absent);
    }

    /// <summary>A rule's handle, and one before it for each anonymous set it holds (nft numbers those from the table's counter too).</summary>
    private static int HandlesTaken(FirewallRule rule) => 1 + rule.Matches.Count(m => m is TcpOrUdpMatch);

    /// <summary>
    /// A live change of a running network's port forwards: the elements <paramref name="before"/>'s forwards have and
    /// <paramref name="after"/>'s do not are deleted, then the new ones added, in one transaction that touches no rule.
    /// It fails as a whole (ENOENT) when an element to delete or our tables are gone; re-apply the network then.
    /// </summary>
    public static NftTransaction BuildForwardChangeTransaction(FirewallNetwork before, FirewallNetwork after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var (delete, add) = PortForwardElements.Changes(before.ForwardElements, after.ForwardElements);
        var transaction = new NftTransaction();
        NftJsonRenderer.Elements(transaction, "delete", delete);
        NftJsonRenderer.Elements(transaction, "add", add);
        return transaction;
    }

    /// <summary>
    /// Removal by the handles learnt at apply, and of the network's port forward elements: one transaction, no listing.
    /// When <paramref name="othersHaveRules"/> is false our tables are deleted instead (which takes the shared
    /// chains, sets, jumps and any leftovers with them). The transaction fails as a whole (ENOENT) if a handle, an
    /// element or a table is gone; fall back to <see cref="BuildRemoveTransaction(FirewallNetwork, NftListing)"/> then.
    /// </summary>
    public static NftTransaction BuildRemoveTransaction(FirewallNetwork network, IReadOnlyList<RuleHandle> handles, bool othersHaveRules)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(handles);
        var transaction = new NftTransaction();
        if (othersHaveRules)
        {
            foreach (var handle in handles) NftJsonRenderer.DeleteRule(transaction, handle);
            NftJsonRenderer.Elements(transaction, "delete", network.ForwardElements);
        }
        else
            foreach (var family in Families) NftJsonRenderer.DeleteTable(transaction, family);
        return transaction;
    }

    /// <summary>
    /// The fallback removal from a listing (handles unknown: a start killed before it recorded them, or handles
    /// gone stale): deletes the rules tagged with the network's tag and the port forward elements that send to its
    /// subnets (whatever forwards made them); when no other network has rules left, deletes our tables instead.
    /// Empty when there is nothing to do.
    /// </summary>
    public static NftTransaction BuildRemoveTransaction(FirewallNetwork network, NftListing current)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(current);
        var networkTag = network.Tag;
        var transaction = new NftTransaction();
        var othersRemain = current.Rules.Any(r => FirewallTag.IsNetworkTag(r.Comment) && r.Comment != networkTag);
        if (othersRemain)
        {
            foreach (var rule in current.Rules.Where(r => r.Comment == networkTag))
                NftJsonRenderer.DeleteRule(transaction, new RuleHandle(rule.Family, rule.Chain, rule.Handle));
            NftJsonRenderer.DeleteListedElements(transaction,
                current.Elements.Where(e => e.Guest is { } guest && network.Subnets.Any(s => s.Contains(guest))));
        }
        else
        {
            foreach (var family in current.Tables)
                NftJsonRenderer.DeleteTable(transaction, family);
        }
        return transaction;
    }
}
