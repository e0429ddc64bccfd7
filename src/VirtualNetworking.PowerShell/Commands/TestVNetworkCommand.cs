using System.Collections.Specialized;
using System.Management.Automation;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// DSC's Test for one network: New-VNetwork's parameters plus -State and -Ensure, read as one network of a
/// configuration document (the same rules), compared by Core's plan. Only the parameters given are compared.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "VNetwork")]
[OutputType(typeof(bool), typeof(VNetworkDifference))]
public sealed class TestVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [AllowEmptyString]
    public string Name { get; set; } = "";

    [Parameter]
    public NetworkMode Mode { get; set; }

    [Parameter]
    public string? Subnet { get; set; }

    [Parameter]
    public string[]? DhcpRange { get; set; }

    [Parameter]
    public SwitchParameter NoDhcp { get; set; }

    [Parameter]
    public string? BridgeName { get; set; }

    [Parameter]
    public string? ForwardDevice { get; set; }

    [Parameter]
    public SwitchParameter Stp { get; set; }

    /// <summary>0: no MTU setting (the kernel default).</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Mtu { get; set; }

    [Parameter]
    public string? Domain { get; set; }

    [Parameter]
    public string? MacAddress { get; set; }

    [Parameter]
    public SwitchParameter Autostart { get; set; }

    [Parameter]
    public NetworkState State { get; set; }

    [Parameter]
    public Ensure Ensure { get; set; }

    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord() => ForTarget(Name, () =>
    {
        // The bound parameters under the document's keys: Core reads them as it reads a network of a document.
        var network = new OrderedDictionary();
        foreach (var key in ConfigurationKeys.Network)
            if (MyInvocation.BoundParameters.TryGetValue(key, out var value))
                network[key] = value switch
                {
                    SwitchParameter flag => flag.IsPresent,
                    Enum choice => choice.ToString(),
                    _ => value,
                };
        var desired = ConfigurationDocument.ParseOne(network, path: null);
        var plan = ConfigurationPlanner.Plan(desired, ModuleContext.Catalog().Find(Name));
        var differences = plan.Steps.Where(s => s.IsDifference).ToList();
        if (Detailed) WriteObject(differences.Select(s => new VNetworkDifference(s)), enumerateCollection: true);
        else WriteObject(differences.Count == 0);
    });
}
