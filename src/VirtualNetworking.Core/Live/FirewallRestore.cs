using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Live;

/// <summary>What a restore did.</summary>
/// <param name="Restored">The active networks whose rules were missing or incomplete and were applied again, by name.</param>
/// <param name="RecreatedTables">Our tables that were gone and were created again.</param>
/// <param name="Problems">The networks whose rules could not be applied again (the others were).</param>
public sealed record FirewallRestoreResult(IReadOnlyList<string> Restored, IReadOnlyList<NftFamily> RecreatedTables, IReadOnlyList<NetworkProblem> Problems)
{
    public static FirewallRestoreResult Nothing { get; } = new([], [], []);
}

/// <summary>
/// Puts back the nftables rules that active networks lost behind our back (nft flush ruleset, a firewall service's
/// reload, a deleted table, chain or rule), and keeps every journal's handles true to the tables as they are now, so
/// that no stop deletes by a stale handle. Repair-VNetwork runs it, and vnetd when nftables reports a deletion in
/// our tables.
/// </summary>
public sealed class FirewallRestore(ILiveNetworkStore live, INetworkFirewall firewall)
{
    /// <summary>Waits for the live store's lock as a start does.</summary>
    /// <param name="names">Only these networks' rules are applied again; null: every active network's.</param>
    public FirewallRestoreResult Restore(IReadOnlyCollection<string>? names = null)
    {
        using var _ = live.Lock();
        return RestoreLocked(names);
    }

    /// <summary>
    /// Null when another session holds the lock for longer than <paramref name="wait"/>: vnetd must not wait long,
    /// since a start holding the lock may be waiting for vnetd's answer.
    /// </summary>
    /// <param name="lostTags">
    /// The tags of the rules nftables reported deleted, when no table, chain or shared rule went: unless one of them is
    /// an active network's, there is nothing to do and nothing is listed (a stop's deletions). Null: check everything.
    /// </param>
    /// <param name="lostRules">
    /// The handles of the rules reported deleted, when known: a deletion the network's journal no longer names was the
    /// network's own change (a port forward change that re-applied it), and there is nothing to do.
    /// </param>
    public FirewallRestoreResult? TryRestore(TimeSpan wait, IReadOnlySet<string>? lostTags = null, IReadOnlySet<RuleHandle>? lostRules = null)
    {
        using var held = live.TryLock(wait);
        return held is null ? null : RestoreLocked(names: null, lostTags, lostRules);
    }

    /// <summary>For a caller that holds the live store's lock already (Repair-VNetwork).</summary>
    internal FirewallRestoreResult RestoreLocked(IReadOnlyCollection<string>? names, IReadOnlySet<string>? lostTags = null, IReadOnlySet<RuleHandle>? lostRules = null)
    {
        // The networks that journaled rules. None (the last network's stop deleted our tables): done without a listing.
        var journaled = new List<Journaled>();
        foreach (var name in live.Names().Order(StringComparer.Ordinal))
            if (live.FirewallLine(name) is { } line && live.Load(name) is { } network)
                journaled.Add(new Journaled(FirewallNetworkMapper.FromDefinition(network.Definition), line,
                    network.Active && (names is null || names.Contains(name)), Listed: []));
        if (journaled.Count == 0 || (lostTags is not null && !journaled.Any(j => j.Restorable && lostTags.Contains(j.Rules.Tag)
                && (lostRules is null || j.Line.Handles is not { } handles || handles.Any(lostRules.Contains)))))
            return FirewallRestoreResult.Nothing;

        var listing = firewall.List();
        var networks = journaled.Select(j => j with
        {
            Listed = [.. listing.Rules.Where(r => r.Comment == j.Rules.Tag).Select(r => new RuleHandle(r.Family, r.Chain, r.Handle))],
        }).ToList();
        var missing = networks.Where(n => n.Restorable && (n.Listed.Count != FirewallPlanner.Plan(n.Rules).Rules.Count || !ElementsComplete(n.Rules, listing))).ToList();
        // The shared rules (forward jumps, port forward lookups) are the same for all: any network's apply puts them back.
        if (missing.Count == 0 && !SharedComplete(listing) && networks.FirstOrDefault(n => n.Restorable) is { } any) missing.Add(any);

        // Rules left in place, but the journal names others (our tables were recreated since): it names them now.
        foreach (var n in networks.Where(n => !missing.Contains(n)))
            if (n.Line.Handles is { } handles && !handles.ToHashSet().SetEquals(n.Listed))
                live.Append(n.Rules.Name, new UndoStep.RemoveFirewall(n.Listed));

        var restored = new List<string>();
        var recreated = new List<NftFamily>();
        var problems = new List<NetworkProblem>();
        foreach (var n in missing)
        {
            try
            {
                // As a start: a kill between the apply and its handles' line leaves a stop that lists.
                live.Append(n.Rules.Name, new UndoStep.RemoveFirewall());
                var applied = firewall.Apply(n.Rules, replacing: n.Listed);
                live.Append(n.Rules.Name, new UndoStep.RemoveFirewall(applied.Handles));
                restored.Add(n.Rules.Name);
                recreated.AddRange(applied.CreatedTables.Except(recreated));
            }
            catch (NetworkProblemException e) { problems.AddRange(e.Problems); }
        }
        return new FirewallRestoreResult(restored, recreated, problems);
    }

    /// <summary>Every family's chains hold as many untagged rules as an apply writes there.</summary>
    private static bool SharedComplete(NftListing listing) => FirewallLayout.Families.All(f =>
        FirewallRuleBuilder.SharedRules(f).Select(r => r.Chain).Append(FirewallLayout.Forward).Distinct().All(chain =>
            listing.Rules.Count(r => r.Family == f && r.Chain == chain && r.Comment is null)
            == FirewallRuleBuilder.SharedRules(f).Count(r => r.Chain == chain) + (chain == FirewallLayout.Forward ? FirewallLayout.ForwardJumps.Count : 0)));

    /// <summary>As many elements send to the network's subnets in each map and set as its forwards make (none deleted by hand).</summary>
    private static bool ElementsComplete(FirewallNetwork network, NftListing listing)
    {
        var expected = NftJsonRenderer.ElementsOf(network.ForwardElements, withValues: false).CountBy(e => (e.Family, e.Set)).ToHashSet();
        var listed = listing.Elements.Where(e => e.Guest is { } guest && network.Subnets.Any(s => s.Contains(guest))).CountBy(e => (e.Family, e.Set)).ToHashSet();
        return expected.SetEquals(listed);
    }

    /// <param name="Restorable">Active (an interrupted start is only undone), and among the networks asked for.</param>
    /// <param name="Listed">Its rules in our tables now.</param>
    private sealed record Journaled(FirewallNetwork Rules, UndoStep.RemoveFirewall Line, bool Restorable, IReadOnlyList<RuleHandle> Listed);
}
