using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// virsh net-update NET add ip-dhcp-host --live --config: a fixed address for a MAC, applied to the running
/// DHCP server without a restart. Leases from Get-VNetworkDhcpLease bind by property name, so they can be pinned.
/// </summary>
[Cmdlet(VerbsCommon.Add, "VNetworkDhcpReservation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VNetworkDhcpReservation))]
public sealed class AddVNetworkDhcpReservationCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string MacAddress { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string IPAddress { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HostName { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForTarget(MacAddress, () =>
        {
            var address = ParameterText.HostAddress(IPAddress);
            if (!ShouldProcess($"{Network}: {MacAddress} -> {address}", "Add DHCP reservation")) return;
            var entry = ModuleContext.Reservations().Add(Network, MacAddress, address, string.IsNullOrEmpty(HostName) ? null : HostName);
            if (PassThru) WriteObject(new VNetworkDhcpReservation(entry));
        });
    }
}
