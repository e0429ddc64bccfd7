using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Stop then start, picking up the stored definition (what net-destroy + net-start do).</summary>
[Cmdlet(VerbsLifecycle.Restart, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VNetwork))]
public sealed class RestartVNetworkCommand : NetworkLifecycleCommandBase
{
    protected override string Action => "Restart virtual network";

    protected override IEnumerable<string> AutostartTargets() =>
        ModuleContext.Catalog().List().Where(r => r.Autostart && r.State == NetworkState.Active).Select(r => r.Definition.Name);

    protected override IReadOnlyList<NetworkProblem> Act(string name) => ModuleContext.Runtime().Restart(name);
}
