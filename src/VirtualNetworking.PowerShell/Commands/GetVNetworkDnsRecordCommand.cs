using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>What each active network's DNS answers itself: guests' lease names, reservations, &lt;dns&gt; records, the gateway.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkDnsRecord")]
[OutputType(typeof(VNetworkDnsRecord))]
public sealed class GetVNetworkDnsRecordCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    [Parameter]
    [SupportsWildcards]
    public string Name { get; set; } = "*";

    protected override void ProcessRecord()
    {
        var dns = ModuleContext.Dns();
        var active = new Lazy<IReadOnlyList<string>>(() => ForAll(dns.ActiveNetworks));
        var name = WildcardPattern.Get(Name, WildcardOptions.IgnoreCase);
        var now = DateTimeOffset.UtcNow;
        foreach (var pattern in Network ?? ["*"])
        {
            var networks = WildcardPattern.ContainsWildcardCharacters(pattern)
                ? active.Value.Where(WildcardPattern.Get(pattern, WildcardOptions.None).IsMatch)
                : [pattern];
            foreach (var network in networks)
                ForTarget(network, () =>
                {
                    if (dns.Records(network, now) is not { } records)
                    {
                        WriteVerbose($"Network '{network}' serves no DNS (<dns enable='no'>, or a mode whose DNS is not ours).");
                        return;
                    }
                    foreach (var record in records.Select(r => new VNetworkDnsRecord(r)).Where(r => name.IsMatch(r.Name)))
                        WriteObject(record);
                });
        }
    }
}
