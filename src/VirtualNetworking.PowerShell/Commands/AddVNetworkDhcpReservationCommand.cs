using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// virsh net-update NET add ip-dhcp-host --live --config: a fixed address for a MAC (IPv4) or a DUID or name (IPv6),
/// applied to the running DHCP server without a restart. Leases from Get-VNetworkDhcpLease bind by property name, so
/// they can be pinned; which identifier goes with which family is Core's to check, so neither is mandatory here.
/// </summary>
[Cmdlet(VerbsCommon.Add, "VNetworkDhcpReservation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VNetworkDhcpReservation))]
public sealed class AddVNetworkDhcpReservationCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    /// <summary>Not mandatory: an IPv6 lease piped in has none (binding a null to a mandatory parameter fails).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LeaseMacAddressCompleter))]
    public string? MacAddress { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Duid { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string IPAddress { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HostName { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var mac = Given(MacAddress);
        var duid = Given(Duid);
        var hostName = Given(HostName);
        ForTarget(mac ?? duid ?? hostName ?? IPAddress, () =>
        {
            var address = ParameterText.HostAddress(IPAddress);
            if (!ShouldProcess($"{Network}: {mac ?? duid ?? hostName} -> {address}", "Add DHCP reservation")) return;
            var entry = ModuleContext.Reservations().Add(Network, mac, duid, address, hostName);
            if (PassThru) WriteObject(new VNetworkDhcpReservation(entry));
        });
    }
}
