namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// One port forward's rules within its network's plan, and the network's journaled handles kept in plan order as
/// forwards come and go live: an apply returns handles in plan order, a forward added live is the definition's last
/// (its block of rules comes after the other forwards', its rules go to the head of their chains, which is where a
/// fresh apply of the whole plan would put them), and a forward removed takes exactly its own handles.
/// </summary>
public static class PortForwardRules
{
    /// <summary>The rules of <paramref name="forward"/> (an element of the plan's network's forwards), in plan order.</summary>
    public static FirewallPlan Of(FirewallPlan plan, ForwardedPort forward) =>
        new(plan.Network, [.. plan.Rules.Where(r => ReferenceEquals(r.PortForward, forward))]);

    /// <summary>Whether <paramref name="handles"/> name the plan's rules one by one (same count, family and chain each).</summary>
    public static bool Aligned(FirewallPlan plan, IReadOnlyList<RuleHandle>? handles) =>
        handles is not null && handles.Count == plan.Rules.Count
        && plan.Rules.Select((r, i) => r.Family == handles[i].Family && r.Chain == handles[i].Chain).All(same => same);

    /// <summary>
    /// The network's rules of a listing in plan order, or null when a chain holds more or fewer of them than the plan
    /// (then they are not as generated and only a whole apply makes them so). A chain lists its rules in evaluation
    /// order, which is the reverse of the plan's, since each rule was inserted at the head.
    /// </summary>
    public static IReadOnlyList<RuleHandle>? AlignListed(FirewallPlan plan, IEnumerable<ListedRule> listed)
    {
        var chains = listed.Where(r => r.Comment == plan.Network.Tag)
            .GroupBy(r => (r.Family, r.Chain))
            .ToDictionary(g => g.Key, g => new Stack<ListedRule>(g));
        var handles = new List<RuleHandle>(plan.Rules.Count);
        foreach (var rule in plan.Rules)
        {
            if (!chains.TryGetValue((rule.Family, rule.Chain), out var chain) || chain.Count == 0) return null;
            handles.Add(new RuleHandle(rule.Family, rule.Chain, chain.Pop().Handle));
        }
        return chains.Values.All(c => c.Count == 0) ? handles : null;
    }

    /// <summary>The handles of <paramref name="after"/>'s plan: <paramref name="before"/>'s for the rules it had, <paramref name="added"/> for the new forward's.</summary>
    public static IReadOnlyList<RuleHandle> WithAdded(FirewallPlan after, ForwardedPort forward, IReadOnlyList<RuleHandle> before, IReadOnlyList<RuleHandle> added)
    {
        using var old = before.GetEnumerator();
        using var fresh = added.GetEnumerator();
        var handles = new List<RuleHandle>(after.Rules.Count);
        foreach (var rule in after.Rules)
        {
            var source = ReferenceEquals(rule.PortForward, forward) ? fresh : old;
            if (!source.MoveNext()) throw new ArgumentException("The handles do not match the plans.");
            handles.Add(source.Current);
        }
        return handles;
    }

    /// <summary>Splits the handles of <paramref name="before"/>'s plan into the forward's and the rest (still in plan order).</summary>
    public static (IReadOnlyList<RuleHandle> Forward, IReadOnlyList<RuleHandle> Others) Split(FirewallPlan before, ForwardedPort forward, IReadOnlyList<RuleHandle> handles)
    {
        var mine = new List<RuleHandle>();
        var rest = new List<RuleHandle>();
        for (var i = 0; i < before.Rules.Count; i++)
            (ReferenceEquals(before.Rules[i].PortForward, forward) ? mine : rest).Add(handles[i]);
        return (mine, rest);
    }
}
