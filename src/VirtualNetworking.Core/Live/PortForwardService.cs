using System.Net;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Live;

/// <summary>A port forward of a network, as listed.</summary>
/// <param name="Active">Whether its rules are in place now (the network runs).</param>
public sealed record PortForwardEntry(string Network, PortForwardDefinition Forward, bool Active);

/// <summary>
/// Port forwards added and removed like reservations (net-update --live --config): checked on copies first, so bad input
/// changes nothing; then the running network's rules, without a restart; then the stored definition.
/// </summary>
public sealed class PortForwardService(NetworkCatalog catalog, NetworkRuntime runtime, LeaseQuery leases)
{
    public IReadOnlyList<PortForwardEntry> List(string network)
    {
        var record = catalog.Get(network);
        return [.. record.Definition.PortForwards.Select(f => new PortForwardEntry(network, f.Clone(), record.State == NetworkState.Active))];
    }

    /// <summary>Returns the forward as stored and the warnings (a guest nobody holds yet, flows that could not be cleared).</summary>
    public (PortForwardEntry Entry, IReadOnlyList<NetworkProblem> Warnings) Add(string network, PortForwardDefinition forward)
    {
        var record = catalog.Get(network);
        var stored = record.Persistent ? catalog.FindPersistent(network) : null;
        var problems = NetworkValidator.ValidateNewPortForward(record.Definition, forward).ToList();
        if (stored is not null && problems.Count == 0) problems.AddRange(NetworkValidator.ValidateNewPortForward(stored, forward));
        if (problems.Count == 0)
            foreach (var other in catalog.List().Where(r => r.Definition.Name != network))
                if (other.Definition.PortForwards.FirstOrDefault(forward.ClaimsSameHostPort) is { } taken)
                    problems.Add(NetworkRuntime.PortForwardTaken(network, forward, other.Definition.Name, taken));
        if (problems.Count > 0) throw new NetworkProblemException(problems);

        var warnings = new List<NetworkProblem>();
        if (record.State == NetworkState.Active) warnings.AddRange(runtime.AddPortForwardLive(network, forward) ?? []);
        if (record.Persistent) catalog.UpdateDefinition(network, d => d.PortForwards.Add(forward.Clone()), autostart: null);
        if (!Known(record, forward.GuestAddress))
            warnings.Add(new NetworkProblem(ErrorIds.PortForwardGuestUnknown, ProblemCategory.ObjectNotFound,
                $"No lease or reservation of network '{network}' holds {forward.GuestAddress}, so nothing answers port forward {forward} yet. It works once a guest has that address; Add-VNetworkDhcpReservation pins it to a guest's MAC.",
                network));
        return (new PortForwardEntry(network, forward.Clone(), record.State == NetworkState.Active), warnings);
    }

    /// <summary>
    /// Removes the forward that takes <paramref name="hostPort"/> of <paramref name="protocol"/> (on
    /// <paramref name="hostAddress"/>, needed only when forwards on several host addresses take that port).
    /// </summary>
    public (PortForwardEntry Entry, IReadOnlyList<NetworkProblem> Warnings) Remove(string network, PortProtocol protocol, int hostPort, IPAddress? hostAddress)
    {
        var record = catalog.Get(network);
        var stored = record.Persistent ? catalog.FindPersistent(network) : null;
        var forward = Find(network, record.Definition.PortForwards.Concat(stored?.PortForwards ?? []).ToList(), protocol, hostPort, hostAddress);

        IReadOnlyList<NetworkProblem> warnings = [];
        if (record.State == NetworkState.Active && record.Definition.PortForwards.Any(forward.IsSameForward))
            warnings = runtime.RemovePortForwardLive(network, forward) ?? [];
        if (stored?.PortForwards.Any(forward.IsSameForward) == true)
            catalog.UpdateDefinition(network, d => d.PortForwards.RemoveAll(forward.IsSameForward), autostart: null);
        return (new PortForwardEntry(network, forward, Active: false), warnings);
    }

    private static PortForwardDefinition Find(string network, IReadOnlyList<PortForwardDefinition> forwards, PortProtocol protocol, int hostPort, IPAddress? hostAddress)
    {
        var matches = forwards.Where(f => f.Takes(protocol, hostPort, hostAddress)).DistinctBy(f => f.ToString()).ToList();
        var what = $"{protocol.ToString().ToLowerInvariant()} port {hostPort}{(hostAddress is null ? "" : $" on {hostAddress}")}";
        return matches.Count switch
        {
            0 => throw new NetworkProblemException(ErrorIds.PortForwardNotFound, ProblemCategory.ObjectNotFound,
                $"Network '{network}' forwards no {what}. Run Get-VNetworkPortForward -Network '{network}' to see its forwards.", network),
            1 => matches[0],
            _ => throw new NetworkProblemException(ErrorIds.PortForwardAmbiguous, ProblemCategory.InvalidArgument,
                $"Network '{network}' forwards {what} on several host addresses ({string.Join(", ", matches)}). Give -HostAddress to say which.", network),
        };
    }

    /// <summary>Whether a reservation or a bound lease holds the address.</summary>
    private bool Known(NetworkRecord record, IPAddress address) =>
        DhcpReservations.List(record.Definition).Any(r => r.IPAddress.Equals(address))
        || (record.State == NetworkState.Active && leases.List(record.Definition.Name, macAddress: null).Any(l => l.Address.Equals(address)));
}
