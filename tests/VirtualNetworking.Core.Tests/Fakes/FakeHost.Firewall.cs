using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Fakes;

internal sealed partial class FakeHost : INetworkFirewall
{
    /// <summary>Every Remove call: (tag, handles, othersHaveRules).</summary>
    public readonly List<(string Tag, IReadOnlyList<RuleHandle>? Handles, bool OthersHaveRules)> Removals = new();
    public bool TablesExist;
    private long nextHandle = 100;

    public IReadOnlyList<RuleHandle> Apply(FirewallNetwork network)
    {
        Check("firewall");
        TablesExist = true;
        var handles = new List<RuleHandle>();
        foreach (var rule in FirewallPlanner.Plan(network).Rules)
        {
            Rules.Add($"{network.Tag} {rule}");
            handles.Add(new RuleHandle(rule.Family, rule.Chain, nextHandle++));
        }
        return handles;
    }

    public void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules)
    {
        Removals.Add((network.Tag, handles, othersHaveRules));
        Rules.RemoveWhere(r => r.StartsWith(network.Tag + " ", StringComparison.Ordinal));
        if (!othersHaveRules) { Rules.Clear(); TablesExist = false; }
    }
}
