using System.Net;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// Port forwards added to and removed from an active network live: only elements of the shared forward maps change, in
/// one nftables transaction (no rule, no handle, no listing), so the cost does not grow with the forwards already there.
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
        var before = FirewallNetworkMapper.FromDefinition(current.Definition);
        var after = FirewallNetworkMapper.FromDefinition(next);
        // The forward as the firewall has it: the last of the new definition's, or the removed one of the old's.
        var changed = adding ? after.Forwards[^1] : before.Forwards[current.Definition.PortForwards.FindIndex(f => f.IsSameForward(forward))];

        faults.At("port-forward");
        // A stop takes the live definition's forwards out of the maps (by listing when some are missing), so the live
        // definition holds every forward that may be in them: saved first when adding, last when removing.
        if (adding) live.SaveLiveDefinition(next);
        try
        {
            // Only the forwards to the changed one's guest: the others' elements are the same before and after (a guest's
            // forwarded ports are shared by its forwards), and computing them would cost in proportion to every forward.
            if (!firewall.ChangeForwards(ToGuest(before, changed.Guest), ToGuest(after, changed.Guest))) ApplyWhole(after);
        }
        catch
        {
            if (adding) live.SaveLiveDefinition(current.Definition);
            throw;
        }
        SetRouteLocalnet(after);
        if (!adding) live.SaveLiveDefinition(next);
        return ForgetStaleFlows(name, [changed], adding);
    }

    private static FirewallNetwork ToGuest(FirewallNetwork network, IPAddress guest) =>
        network with { PortForwards = [.. network.Forwards.Where(f => f.Guest.Equals(guest))] };

    /// <summary>
    /// Our tables or the network's elements are not as the live definition says (flushed, changed by hand): whatever of
    /// the network is there is found by listing and removed (its tagged rules, the elements to its subnets), then the
    /// whole plan applied with its forwards.
    /// </summary>
    private void ApplyWhole(FirewallNetwork network)
    {
        // As a start: a kill between the apply and its handles' line leaves a stop that lists.
        live.Append(network.Name, new UndoStep.RemoveFirewall());
        firewall.Remove(network, handles: null, OthersHaveFirewall(network.Name));
        var applied = firewall.Apply(network);
        live.Append(network.Name, new UndoStep.RemoveFirewall(applied.Handles));
        live.ForgetHandlesIn(applied.CreatedTables, except: network.Name);
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
