using System.Management.Automation;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// Removes a port forward from a running network at once (no restart) and from its stored definition: by the objects
/// Get-VNetworkPortForward writes, or by network, protocol and a host port it takes.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VNetworkPortForward", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetworkPortForward))]
public sealed class RemoveVNetworkPortForwardCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Tcp", "Udp")]
    public string Protocol { get; set; } = "";

    /// <summary>A port the forward takes (the first of its range, or any port in it).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int HostPort { get; set; }

    /// <summary>Needed only when forwards on several host addresses take the port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HostAddress { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForTarget(Network, () =>
        {
            var address = string.IsNullOrEmpty(HostAddress) ? null : ParameterText.HostAddress(HostAddress);
            var protocol = Enum.Parse<PortProtocol>(Protocol, ignoreCase: true);
            if (!ShouldProcess($"{Network}: {Protocol.ToLowerInvariant()} port {HostPort}{(address is null ? "" : $" on {address}")}", "Remove port forward")) return;
            var (entry, warnings) = ModuleContext.PortForwards().Remove(Network, protocol, HostPort, address);
            WriteWarnings(warnings);
            if (PassThru) WriteObject(new VNetworkPortForward(entry));
        });
    }
}
