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
            var active = ModuleContext.Catalog().List().Where(r => r.State == NetworkState.Active && r.Definition.Bridge?.Name is not null)
                .GroupBy(r => r.Definition.Bridge!.Name!).ToDictionary(g => g.Key, g => g.First().Definition.Name);
            var bridges = BridgeInventory.List();
            var patterns = (Name ?? new[] { "*" }).Select(n => WildcardPattern.Get(n, WildcardOptions.None)).ToList();
            foreach (var network in Network ?? Array.Empty<string>())
                if (!active.ContainsValue(network))
                    WriteProblems(ModuleContext.Catalog().Find(network) is null ? NetworkCatalog.NotFound(network)
                        : new NetworkProblemException("VNetworkNotActive", ProblemCategory.InvalidOperation,
                            $"Network '{network}' is not active, so it has no bridge. Start it with Start-VNetwork.", network));
            foreach (var bridge in bridges)
            {
                var owner = active.GetValueOrDefault(bridge.Name);
                if (!patterns.Any(p => p.IsMatch(bridge.Name))) continue;
                if (Network is not null && (owner is null || !Network.Contains(owner))) continue;
                WriteObject(new VNetworkBridge(bridge, owner));
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
