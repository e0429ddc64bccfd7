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
    /// Creates our tables/chains if missing (`add` is a no-op for existing ones), rebuilds the shared forward
    /// jumps, deletes <paramref name="replacing"/> (the handles of an earlier apply of this network, so applying
    /// twice is harmless) and inserts the plan's rules, all atomically. Needs no listing: run it with
    /// `nft -e` and read the new rules' handles with <see cref="RuleHandle.ParseEcho"/>.
    /// A plan without rules (open mode) only deletes <paramref name="replacing"/>.
    /// </summary>
    /// <param name="bridgeIfIndex">The bridge's ifindex, known once the engine has created it.</param>
    public static NftTransaction BuildApplyTransaction(FirewallPlan plan, int bridgeIfIndex, IReadOnlyList<RuleHandle>? replacing = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var transaction = new NftTransaction();
        if (plan.Rules.Count == 0)
        {
            foreach (var stale in replacing ?? []) NftJsonRenderer.DeleteRule(transaction, stale);
            return transaction;
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bridgeIfIndex);

        foreach (var family in Families)
        {
            NftJsonRenderer.AddTable(transaction, family);
            foreach (var chain in Chains) NftJsonRenderer.AddChain(transaction, family, chain);
            // The forward chain holds only the jumps; flushing and re-adding them keeps exactly one set however
            // often networks are applied, without needing to know whether the table existed.
            NftJsonRenderer.FlushChain(transaction, family, Forward);
            foreach (var target in ForwardJumps)
                NftJsonRenderer.Rule(transaction, "add", new FirewallRule(family, Forward, [], new JumpAction(target)), bridgeIfIndex, comment: null);
        }
        foreach (var stale in replacing ?? []) NftJsonRenderer.DeleteRule(transaction, stale);
        foreach (var rule in plan.Rules)
            NftJsonRenderer.Rule(transaction, "insert", rule, bridgeIfIndex, plan.Network.Tag);
        return transaction;
    }

    /// <summary>
    /// Removal by the handles learnt at apply: one transaction, no listing. When
    /// <paramref name="othersHaveRules"/> is false our tables are deleted instead (which takes the shared
    /// chains, the jumps and any leftovers with them). The transaction fails as a whole (ENOENT) if a handle
    /// or table is gone; fall back to <see cref="BuildRemoveTransaction(string, NftListing)"/> then.
    /// </summary>
    public static NftTransaction BuildRemoveTransaction(IReadOnlyList<RuleHandle> handles, bool othersHaveRules)
    {
        ArgumentNullException.ThrowIfNull(handles);
        var transaction = new NftTransaction();
        if (othersHaveRules)
            foreach (var handle in handles) NftJsonRenderer.DeleteRule(transaction, handle);
        else
            foreach (var family in Families) NftJsonRenderer.DeleteTable(transaction, family);
        return transaction;
    }

    /// <summary>
    /// The fallback removal from a listing (handles unknown: a start killed before it recorded them, or handles
    /// gone stale): deletes the rules tagged <paramref name="networkTag"/>; when no other network has rules
    /// left, deletes our tables instead. Empty when there is nothing to do.
    /// </summary>
    public static NftTransaction BuildRemoveTransaction(string networkTag, NftListing current)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkTag);
        ArgumentNullException.ThrowIfNull(current);
        var transaction = new NftTransaction();
        var othersRemain = current.Rules.Any(r => FirewallTag.IsNetworkTag(r.Comment) && r.Comment != networkTag);
        if (othersRemain)
        {
            foreach (var rule in current.Rules.Where(r => r.Comment == networkTag))
                NftJsonRenderer.DeleteRule(transaction, new RuleHandle(rule.Family, rule.Chain, rule.Handle));
        }
        else
        {
            foreach (var family in current.Tables)
                NftJsonRenderer.DeleteTable(transaction, family);
        }
        return transaction;
    }
}
