using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-list --all / net-info: networks by name (wildcards) and state.</summary>
[Cmdlet(VerbsCommon.Get, "VNetwork")]
[OutputType(typeof(VNetwork))]
public sealed class GetVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public NetworkState State { get; set; }

    private IReadOnlyList<NetworkRecord>? all;

    protected override void ProcessRecord()
    {
        try
        {
            all ??= ModuleContext.Catalog().List();
        }
        catch (NetworkProblemException e)
        {
            ThrowProblems(e);
            return;
        }
        var stateFilter = MyInvocation.BoundParameters.ContainsKey(nameof(State));
        foreach (var pattern in Name ?? new[] { "*" })
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.None);
            var matches = all.Where(r => wildcard.IsMatch(r.Definition.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                WriteProblems(NetworkCatalog.NotFound(pattern));
                continue;
            }
            foreach (var record in matches.Where(r => !stateFilter || r.State == State))
                WriteObject(new VNetwork(record));
        }
    }
}
