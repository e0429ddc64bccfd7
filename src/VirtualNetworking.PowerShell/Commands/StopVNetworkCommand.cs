using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-destroy: takes down exactly what the start made; a transient network is gone afterwards.</summary>
[Cmdlet(VerbsLifecycle.Stop, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VNetwork))]
public sealed class StopVNetworkCommand : NetworkLifecycleCommandBase
{
    protected override string Action => "Stop virtual network";

    protected override bool AutostartTakes(NetworkRecord record) => record.State == NetworkState.Active;

    protected override IReadOnlyList<NetworkProblem> Act(string name)
    {
        ModuleContext.Runtime().Stop(name);
        return [];
    }
}
