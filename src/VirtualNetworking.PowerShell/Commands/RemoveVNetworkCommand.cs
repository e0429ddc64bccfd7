using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-undefine: removes a network's definition and autostart link; -Force also stops it.</summary>
[Cmdlet(VerbsCommon.Remove, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Stop an active network first, instead of leaving it running as a transient one.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Remove virtual network definition")) continue;
            ForTarget(name, () =>
            {
                if (Force) ModuleContext.Runtime().StopIfActive(name);
                WriteWarnings(ModuleContext.Catalog().Remove(name));
            });
        }
    }
}
