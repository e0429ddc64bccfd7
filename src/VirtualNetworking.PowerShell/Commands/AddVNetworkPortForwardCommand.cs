using System.Management.Automation;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// Forwards a host port (or range) to a guest, on a running network at once (no restart) and in its stored definition.
/// Leases, reservations and ports from the pipeline bind Network and GuestAddress (their IPAddress).
/// </summary>
[Cmdlet(VerbsCommon.Add, "VNetworkPortForward", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VNetworkPortForward))]
public sealed class AddVNetworkPortForwardCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateSet("Tcp", "Udp")]
    public string Protocol { get; set; } = "";

    /// <summary>A port (8080) or a range (8000-8010).</summary>
    [Parameter(Mandatory = true)]
    public string HostPort { get; set; } = "";

    [Parameter]
    public string? HostAddress { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("IPAddress")]
    public string GuestAddress { get; set; } = "";

    [Parameter]
    public string? GuestPort { get; set; }

    [Parameter]
    public string[]? SourcePrefix { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForTarget(Network, () =>
        {
            var forward = Definition();
            if (!ShouldProcess($"{Network}: {forward}", "Add port forward")) return;
            var (entry, warnings) = ModuleContext.PortForwards().Add(Network, forward);
            WriteWarnings(warnings);
            if (PassThru) WriteObject(new VNetworkPortForward(entry));
        });
    }

    private PortForwardDefinition Definition()
    {
        var (hostFirst, hostLast) = ParameterText.PortRange(HostPort, nameof(HostPort));
        var forward = new PortForwardDefinition
        {
            Protocol = Enum.Parse<PortProtocol>(Protocol, ignoreCase: true),
            HostPort = hostFirst,
            HostPortEnd = hostLast,
            HostAddress = HostAddress is null ? null : ParameterText.HostAddress(HostAddress),
            GuestAddress = ParameterText.HostAddress(GuestAddress),
            Description = string.IsNullOrEmpty(Description) ? null : Description,
        };
        if (GuestPort is not null) (forward.GuestPort, forward.GuestPortEnd) = ParameterText.PortRange(GuestPort, nameof(GuestPort));
        forward.SourcePrefixes.AddRange(SourcePrefix ?? []);
        return forward;
    }
}
