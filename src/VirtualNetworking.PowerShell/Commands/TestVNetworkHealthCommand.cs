using System.Management.Automation;
using VirtualNetworking.Core.Health;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Checks what running networks need on the host, and the foreign firewalls that break them; one object per check.</summary>
[Cmdlet(VerbsDiagnostic.Test, "VNetworkHealth")]
[OutputType(typeof(VNetworkHealthResult))]
public sealed class TestVNetworkHealthCommand : VNetworkCommandBase
{
    private NetworkHealth? health;

    /// <summary>Networks to check (wildcards match defined networks); default: every active network.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void BeginProcessing() => health = ModuleContext.Health();

    protected override void ProcessRecord()
    {
        foreach (var name in NetworkNames(Name, health!))
            ForTarget(name, () => WriteObject(health!.Check(name).Select(r => new VNetworkHealthResult(r)), enumerateCollection: true));
    }
}
