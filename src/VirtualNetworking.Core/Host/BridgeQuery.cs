using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Host;

/// <summary>A host bridge and the active networks that use it (several bridged networks may share one host bridge).</summary>
public sealed record BridgeView(BridgeState Bridge, IReadOnlyList<string> Networks);

/// <summary>brctl show joined with our networks: every bridge of the host, ours or not.</summary>
public sealed class BridgeQuery(EnginePorts ports, NetworkCatalog catalog)
{
    /// <summary>
    /// The bridges whose name passes <paramref name="nameFilter"/>; with <paramref name="networks"/>, only those of
    /// these networks. A requested network that is unknown or not active is a problem of its own; the others are
    /// still listed.
    /// </summary>
    public (IReadOnlyList<BridgeView> Bridges, IReadOnlyList<NetworkProblem> Problems) List(Func<string, bool> nameFilter, IReadOnlyList<string>? networks)
    {
        var records = catalog.List();
        var owners = records.Where(r => r.State == NetworkState.Active && r.Definition.Bridge?.Name is not null)
            .GroupBy(r => r.Definition.Bridge!.Name!)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Definition.Name).ToList(), StringComparer.Ordinal);
        var problems = new List<NetworkProblem>();
        foreach (var network in networks ?? [])
        {
            var record = records.FirstOrDefault(r => r.Definition.Name == network);
            if (record is null) problems.Add(NetworkCatalog.NotFound(network).First);
            else if (record.State != NetworkState.Active)
                problems.Add(new NetworkProblem(ErrorIds.NotActive, ProblemCategory.InvalidOperation,
                    $"Network '{network}' is not active, so it has no bridge. Start it with Start-VNetwork.", network));
        }
        var bridges = ports.Bridges.List()
            .Select(b => new BridgeView(b, owners.GetValueOrDefault(b.Name) ?? []))
            .Where(v => nameFilter(v.Bridge.Name) && (networks is null || v.Networks.Any(networks.Contains)))
            .ToList();
        return (bridges, problems);
    }
}
