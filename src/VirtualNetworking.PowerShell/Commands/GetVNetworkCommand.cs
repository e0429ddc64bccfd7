using System.Management.Automation;
using VirtualNetworking.Core.Engine;
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
        all ??= ForAll(() => ModuleContext.Catalog().List());
        var stateFilter = IsBound(nameof(State));
        foreach (var pattern in Name ?? ["*"])
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.None);
            var matches = all.Where(r => wildcard.IsMatch(r.Definition.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                ForTarget(pattern, () => throw NetworkCatalog.NotFound(pattern));
                continue;
            }
            foreach (var record in matches.Where(r => !stateFilter || r.State == State))
                WriteObject(new VNetwork(record));
        }
    }
}
