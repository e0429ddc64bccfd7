using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Pure planning of firewall changes: the network's rule plan, and the single nft JSON transaction that
/// applies or removes it given what is currently in our tables. The Linux adapter only lists and runs.
/// </summary>
public static class FirewallPlanner
{
    public static FirewallPlan Plan(FirewallNetwork network) => FirewallRuleBuilder.Build(network);

    /// <summary>
    /// Creates our tables/chains if missing, rebuilds the shared forward jumps, replaces any rules this
    /// network already has (so applying twice is harmless) and inserts the plan's rules, all atomically.
    /// A plan without rules (open mode) just removes leftovers, like <see cref="BuildRemoveTransaction"/>.
    /// </summary>
    /// <param name="bridgeIfIndex">The bridge's ifindex, known once the engine has created it.</param>
    /// <param name="current">Our tables as listed now (<see cref="NftListing.Empty"/> if none).</param>
    public static NftTransaction BuildApplyTransaction(FirewallPlan plan, int bridgeIfIndex, NftListing current)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(current);
        if (plan.Rules.Count == 0) return BuildRemoveTransaction(plan.Network.Tag, current);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bridgeIfIndex);

        var transaction = new NftTransaction();
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
        foreach (var stale in current.Rules.Where(r => r.Comment == plan.Network.Tag))
            NftJsonRenderer.DeleteRule(transaction, stale);
        foreach (var rule in plan.Rules)
            NftJsonRenderer.Rule(transaction, "insert", rule, bridgeIfIndex, plan.Network.Tag);
        return transaction;
    }

    /// <summary>
    /// Deletes the rules tagged <paramref name="networkTag"/>; when no other network has rules left, deletes our
    /// tables instead (which takes the shared chains and jumps with them). Empty when there is nothing to do.
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
                NftJsonRenderer.DeleteRule(transaction, rule);
        }
        else
        {
            foreach (var family in current.Tables)
                NftJsonRenderer.DeleteTable(transaction, family);
        }
        return transaction;
    }
}
