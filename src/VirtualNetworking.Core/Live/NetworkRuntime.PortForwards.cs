using System.Net;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// Port forwards added to and removed from an active network live: only that forward's rules change, in one nftables
/// transaction by handle (no listing, no other rule touched), so the cost does not grow with the forwards already there.
/// </summary>
public sealed partial class NetworkRuntime
{
    /// <summary>Null when the network is not active (nothing done); otherwise the warnings.</summary>
    public IReadOnlyList<NetworkProblem>? AddPortForwardLive(string name, PortForwardDefinition forward) =>
        ChangePortForwardLive(name, forward, adding: true);

    /// <summary><paramref name="forward"/>: as the live definition has it. Null when the network is not active.</summary>
    public IReadOnlyList<NetworkProblem>? RemovePortForwardLive(string name, PortForwardDefinition forward) =>
        ChangePortForwardLive(name, forward, adding: false);

    private List<NetworkProblem>? ChangePortForwardLive(string name, PortForwardDefinition forward, bool adding)
    {
        using var _ = live.Lock();
        if (live.Load(name) is not { Active: true } current) return null;
        users.EnsureCanChange();
        var next = current.Definition.Clone();
        if (adding) next.PortForwards.Add(forward.Clone());
        else next.PortForwards.RemoveAt(next.PortForwards.FindIndex(f => f.IsSameForward(forward)));

        var before = FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(current.Definition));
        var after = FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(next));
        // The forward as the firewall has it: the last of the new plan's, or the removed one of the old plan's.
        var changed = adding ? after.Network.Forwards[^1]
            : before.Network.Forwards[current.Definition.PortForwards.FindIndex(f => f.IsSameForward(forward))];
        var journaled = live.FirewallLine(name)?.Handles;
        var handles = PortForwardRules.Aligned(before, journaled) ? journaled : null;

        faults.At("port-forward");
        // From here until the new handles are journaled, a kill leaves a stop that finds the rules by listing.
        live.ReplaceFirewallLine(name, new UndoStep.RemoveFirewall());
        IReadOnlyList<RuleHandle>? now;
        try
        {
            now = handles is null ? ApplyWhole(after)
                : adding ? InsertForward(after, changed, handles)
                : DeleteForward(before, after, changed, handles);
        }
        catch
        {
            if (handles is not null) live.ReplaceFirewallLine(name, new UndoStep.RemoveFirewall(handles));
            throw;
        }
        if (now is not null) live.ReplaceFirewallLine(name, new UndoStep.RemoveFirewall(now));
        SetRouteLocalnet(after.Network);
        live.SaveLiveDefinition(next);
        return ForgetStaleFlows(name, [changed], adding);
    }

    /// <summary>The forward's rules alone. Our tables gone behind our back (created anew): the whole plan, as a repair would.</summary>
    private IReadOnlyList<RuleHandle>? InsertForward(FirewallPlan after, ForwardedPort forward, IReadOnlyList<RuleHandle> before)
    {
        var rules = PortForwardRules.Of(after, forward);
        var applied = firewall.Insert(rules);
        if (applied.CreatedTables.Count > 0)
        {
            live.ForgetHandlesIn(applied.CreatedTables, except: after.Network.Name);
            return firewall.Apply(after.Network, replacing: applied.Handles).Handles;
        }
        return applied.Handles.Count == rules.Rules.Count ? PortForwardRules.WithAdded(after, forward, before, applied.Handles) : null;
    }

    private IReadOnlyList<RuleHandle>? DeleteForward(FirewallPlan before, FirewallPlan after, ForwardedPort forward, IReadOnlyList<RuleHandle> handles)
    {
        var (mine, rest) = PortForwardRules.Split(before, forward, handles);
        return firewall.Delete(mine) ? rest : ApplyWhole(after);
    }

    /// <summary>
    /// The network's rules are not as journaled (a handle gone, a chain changed): its tagged rules, whatever they are,
    /// are replaced by the whole plan in one transaction.
    /// </summary>
    private IReadOnlyList<RuleHandle> ApplyWhole(FirewallPlan plan)
    {
        var listed = firewall.List().Rules.Where(r => r.Comment == plan.Network.Tag).Select(r => new RuleHandle(r.Family, r.Chain, r.Handle)).ToList();
        var applied = firewall.Apply(plan.Network, replacing: listed);
        live.ForgetHandlesIn(applied.CreatedTables, except: plan.Network.Name);
        return applied.Handles;
    }

    /// <summary>
    /// Clears the UDP flows that forwards just added or removed leave stale (see <see cref="PortForwardConntrack"/>): the
    /// host's addresses read once, one conntrack pass per family. The forwards are in place by then, so a failure is a
    /// warning: such a flow keeps its old path until it is idle for the kernel's UDP timeout.
    /// </summary>
    private List<NetworkProblem> ForgetStaleFlows(string name, IReadOnlyList<ForwardedPort> forwards, bool added)
    {
        var udp = forwards.Where(f => f.Protocol == "udp").ToList();
        if (udp.Count == 0) return [];
        var ports = string.Join(", ", udp.Select(f => f.HostFirst));
        try
        {
            IReadOnlyCollection<IPAddress> addresses = added ? [.. host.Addresses().Select(a => a.Network.Address)] : [];
            foreach (var family in udp.GroupBy(f => f.Guest.AddressFamily))
            {
                var matches = family.Select(f => added ? PortForwardConntrack.BeforeAdd(f, addresses) : PortForwardConntrack.AfterRemove(f)).ToList();
                conntrack.Delete(PortForwardConntrack.Udp, family.Key == System.Net.Sockets.AddressFamily.InterNetworkV6, e => matches.Any(m => m(e)));
            }
            return [];
        }
        catch (NetworkProblemException e)
        {
            return [new NetworkProblem(ErrorIds.PortForwardFlowsNotCleared, ProblemCategory.InvalidOperation,
                $"Network '{name}': the UDP flows to host port(s) {ports} that existed before this change could not be cleared ({e.First.Message}); they keep their old path until idle for the kernel's UDP timeout (nf_conntrack_udp_timeout_stream, 120 s by default). Stop the client, or clear them with conntrack -D -p udp --orig-port-dst PORT for each of those ports.", name)];
        }
    }

    /// <summary>A forward on 127.0.0.1 needs the kernel to route loopback-sourced packets out of the bridge.</summary>
    private void SetRouteLocalnet(FirewallNetwork network)
    {
        var key = $"net/ipv4/conf/{network.BridgeName}/route_localnet";
        var wanted = network.Forwards.Any(f => f.IsLoopback) ? "1" : "0";
        if (sysctl.Read(key) is { } value && value.Trim() != wanted) sysctl.Write(key, wanted);
    }
}
