using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Whether the host matches a configuration document; -Detailed: the differences, as Invoke- would plan them.</summary>
[Cmdlet(VerbsDiagnostic.Test, "VNetworkConfiguration", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool), typeof(VNetworkDifference))]
public sealed class TestVNetworkConfigurationCommand : ConfigurationCommandBase
{
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        var plan = PlanHost();
        if (Detailed) WriteObject(plan.Differences.Select(s => new VNetworkDifference(s)), enumerateCollection: true);
        else WriteObject(plan.IsEmpty);
    }
}
