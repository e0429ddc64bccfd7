using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Stop then start, picking up the stored definition (what net-destroy + net-start do).</summary>
[Cmdlet(VerbsLifecycle.Restart, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VNetwork))]
public sealed class RestartVNetworkCommand : NetworkLifecycleCommandBase
{
    protected override string Action => "Restart virtual network";

    protected override bool AutostartTakes(NetworkRecord record) => record.State == NetworkState.Active;

    protected override IReadOnlyList<NetworkProblem> Act(string name) => ModuleContext.Runtime().Restart(name);
}
