using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Puts back what Test-VNetworkHealth finds missing from running networks, without a restart; one object per action.</summary>
[Cmdlet(VerbsDiagnostic.Repair, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetworkRepairResult))]
public sealed class RepairVNetworkCommand : VNetworkCommandBase
{
    /// <summary>Networks to repair (wildcards match defined networks); default: every active network.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var (health, repair) = ModuleContext.Repair();
        foreach (var name in NetworkNames(Name, health))
            ForTarget(name, () => WriteObject(repair.Repair(name, action => ShouldProcess(name, action)).Select(o => new VNetworkRepairResult(o)), enumerateCollection: true));
    }
}
