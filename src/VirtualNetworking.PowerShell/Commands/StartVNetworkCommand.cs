using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-start: bridge, firewall, addresses, routes, forwarding — all or nothing.</summary>
[Cmdlet(VerbsLifecycle.Start, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VNetwork))]
public sealed class StartVNetworkCommand : NetworkLifecycleCommandBase
{
    protected override string Action => "Start virtual network";

    /// <summary>At boot, networks already running are left alone.</summary>
    protected override bool AutostartTakes(NetworkRecord record) => record.State == NetworkState.Inactive;

    protected override IReadOnlyList<NetworkProblem> Act(string name) => ModuleContext.Runtime().Start(name);
}
