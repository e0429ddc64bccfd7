using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Linux.Host;
using VirtualNetworking.Linux.Netlink;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>brctl show: every bridge on the host, ours or not, with the network that uses it.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkBridge")]
[OutputType(typeof(VNetworkBridge))]
public sealed class GetVNetworkBridgeCommand : VNetworkCommandBase
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Bridges of these networks; a network object from the pipeline binds here (by its name).</summary>
    [Parameter(ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            // Several bridged networks may share one host bridge: the bridge names them all.
            var active = ModuleContext.Catalog().List().Where(r => r.State == NetworkState.Active && r.Definition.Bridge?.Name is not null)
                .GroupBy(r => r.Definition.Bridge!.Name!).ToDictionary(g => g.Key, g => g.Select(r => r.Definition.Name).ToList());
            var activeNames = active.Values.SelectMany(n => n).ToHashSet(StringComparer.Ordinal);
            var bridges = BridgeInventory.List();
            var patterns = (Name ?? new[] { "*" }).Select(n => WildcardPattern.Get(n, WildcardOptions.None)).ToList();
            foreach (var network in Network ?? Array.Empty<string>())
                if (!activeNames.Contains(network))
                    WriteProblems(ModuleContext.Catalog().Find(network) is null ? NetworkCatalog.NotFound(network)
                        : new NetworkProblemException("VNetworkNotActive", ProblemCategory.InvalidOperation,
                            $"Network '{network}' is not active, so it has no bridge. Start it with Start-VNetwork.", network));
            foreach (var bridge in bridges)
            {
                var owners = active.GetValueOrDefault(bridge.Name) ?? new List<string>();
                if (!patterns.Any(p => p.IsMatch(bridge.Name))) continue;
                if (Network is not null && !owners.Any(Network.Contains)) continue;
                WriteObject(new VNetworkBridge(bridge, owners.Count == 0 ? null : string.Join(", ", owners)));
            }
        }
        catch (NetworkProblemException e)
        {
            WriteProblems(e);
        }
        catch (NetlinkException e)
        {
            WriteProblem("VNetworkHostOperationFailed", ProblemCategory.ReadError, $"Cannot list the host's bridges: {e.Message}", null);
        }
    }
}
