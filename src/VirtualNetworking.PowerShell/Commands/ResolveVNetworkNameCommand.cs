using System.Management.Automation;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Asks a network's own DNS server (its bridge address, port 53) a question, the way one of its guests would.</summary>
[Cmdlet(VerbsDiagnostic.Resolve, "VNetworkName")]
[OutputType(typeof(VNetworkDnsAnswer))]
public sealed class ResolveVNetworkNameCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    public string Name { get; set; } = "";

    [Parameter]
    [ValidateSet("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "ANY")]
    public DnsType Type { get; set; } = DnsType.A;

    [Parameter]
    public SwitchParameter Tcp { get; set; }

    [Parameter]
    [ValidateRange(1, 60)]
    public int TimeoutSec { get; set; } = 2;

    [Parameter]
    public SwitchParameter AllSections { get; set; }

    protected override void ProcessRecord() =>
        ForTarget(Network, () =>
        {
            var lookup = ModuleContext.Dns().Resolve(Network, Name, IsBound(nameof(Type)) ? Type : null,
                Tcp ? DnsTransport.Tcp : DnsTransport.Udp, TimeSpan.FromSeconds(TimeoutSec));
            WriteVerbose($"{lookup.Question.Name} {DnsRecordText.Of(lookup.Question.Type)} asked of {lookup.Server} over {lookup.Transport}: {lookup.ResponseCode}, {lookup.Records.Count} record(s).");
            var records = lookup.Records.Where(r => AllSections || r.Section == DnsSection.Answer).ToList();
            if (lookup.Problem is null && records.Count == 0)
                WriteVerbose($"'{lookup.Question.Name}' exists but has no {DnsRecordText.Of(lookup.Question.Type)} record; try another -Type.");
            foreach (var record in records) WriteObject(new VNetworkDnsAnswer(lookup, record));
            if (lookup.Problem is { } problem) WriteProblems([problem]);
        });
}
