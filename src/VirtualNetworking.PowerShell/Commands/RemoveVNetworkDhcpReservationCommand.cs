using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-update NET delete ip-dhcp-host --live --config: the MAC's fixed address goes, without a restart.</summary>
[Cmdlet(VerbsCommon.Remove, "VNetworkDhcpReservation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetworkDhcpReservation))]
public sealed class RemoveVNetworkDhcpReservationCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string MacAddress { get; set; } = "";

    /// <summary>Only the reservation with this address (when a MAC has several).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? IPAddress { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForTarget(MacAddress, () =>
        {
            var address = IPAddress is null ? null : ParameterText.HostAddress(IPAddress);
            if (!ShouldProcess($"{Network}: {MacAddress}", "Remove DHCP reservation")) return;
            var entry = ModuleContext.Reservations().Remove(Network, MacAddress, address);
            if (PassThru) WriteObject(new VNetworkDhcpReservation(entry));
        });
    }
}
