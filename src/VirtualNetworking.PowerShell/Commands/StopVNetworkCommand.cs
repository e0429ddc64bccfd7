using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-destroy: takes down exactly what the start made; a transient network is gone afterwards.</summary>
[Cmdlet(VerbsLifecycle.Stop, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VNetwork))]
public sealed class StopVNetworkCommand : NetworkLifecycleCommandBase
{
    protected override string Action => "Stop virtual network";

    protected override IEnumerable<string> AutostartTargets() =>
        ModuleContext.Catalog().List().Where(r => r.Autostart && r.State == NetworkState.Active).Select(r => r.Definition.Name);

    protected override IReadOnlyList<NetworkProblem> Act(string name)
    {
        ModuleContext.Runtime().Stop(name);
        return Array.Empty<NetworkProblem>();
    }
}
