using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>brctl show: every bridge on the host, ours or not, with the network that uses it.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkBridge")]
[OutputType(typeof(VNetworkBridge))]
public sealed class GetVNetworkBridgeCommand : VNetworkCommandBase
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(BridgeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Bridges of these networks; a network object from the pipeline binds here (by its name).</summary>
    [Parameter(ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = (Name ?? ["*"]).Select(n => WildcardPattern.Get(n, WildcardOptions.None)).ToList();
        ForTarget(Network is null ? null : string.Join(", ", Network), () =>
        {
            var (bridges, problems) = ModuleContext.Bridges().List(name => patterns.Any(p => p.IsMatch(name)), Network);
            WriteProblems(problems);
            foreach (var view in bridges) WriteObject(new VNetworkBridge(view));
        });
    }
}
