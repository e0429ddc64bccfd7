using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-undefine: removes a network's definition and autostart link.</summary>
[Cmdlet(VerbsCommon.Remove, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Remove virtual network definition")) continue;
            try
            {
                ModuleContext.Catalog().Remove(name);
            }
            catch (NetworkProblemException e)
            {
                WriteProblems(e);
            }
        }
    }
}
