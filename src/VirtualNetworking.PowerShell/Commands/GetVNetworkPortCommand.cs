using System.Management.Automation;
using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-port-list: the ports of active networks, with their link's state and the guest's address.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkPort")]
[OutputType(typeof(VNetworkPort))]
public sealed class GetVNetworkPortCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(PortNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var service = ModuleContext.GuestPorts();
        var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.None)).ToList();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in Network ?? new string?[] { null })
            ForTarget(network, () =>
            {
                foreach (var status in service.List(network).Where(s => patterns is null || patterns.Any(p => p.IsMatch(s.Port.Name))))
                {
                    found.Add(status.Port.Name);
                    WriteObject(new VNetworkPort(status));
                }
            });
        // A plain name that matched nothing is an error, as for Get-VNetwork; a wildcard that matched nothing is not.
        foreach (var name in Name ?? [])
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !found.Contains(name))
                ForTarget(name, () => throw PortService.NotFound(Network is { Length: 1 } n ? n[0] : "any network", name));
    }
}
