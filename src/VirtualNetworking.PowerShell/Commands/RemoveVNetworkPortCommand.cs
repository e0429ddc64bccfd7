using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-port-delete: deletes the port's link (a veth's far end goes with it) and the reservation it made.</summary>
[Cmdlet(VerbsCommon.Remove, "VNetworkPort", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveVNetworkPortCommand : VNetworkCommandBase
{
    /// <summary>Ports from Get-VNetworkPort bind by property name (Network, Name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PortNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess($"{Network}: {name}", "Remove port")) continue;
            ForTarget(name, () => ModuleContext.GuestPorts().Remove(Network, name));
        }
    }
}
