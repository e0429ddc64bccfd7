using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// virsh net-update NET delete ip-dhcp-host --live --config: the reservation of a MAC, a DUID or an address goes,
/// without a restart. Reservations from Get-VNetworkDhcpReservation bind by property name.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VNetworkDhcpReservation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetworkDhcpReservation))]
public sealed class RemoveVNetworkDhcpReservationCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    /// <summary>Not mandatory: an IPv6 reservation piped in has none (binding a null to a mandatory parameter fails).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? MacAddress { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Duid { get; set; }

    /// <summary>The reservation with this address; with -MacAddress or -Duid, the one of theirs with it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ReservationAddressCompleter))]
    public string? IPAddress { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var mac = Given(MacAddress);
        var duid = Given(Duid);
        var ip = Given(IPAddress);
        ForTarget(mac ?? duid ?? ip ?? Network, () =>
        {
            var address = ip is null ? null : ParameterText.HostAddress(ip);
            if (!ShouldProcess($"{Network}: {string.Join(" ", new[] { mac, duid, ip }.Where(w => w is not null))}", "Remove DHCP reservation")) return;
            var entry = ModuleContext.Reservations().Remove(Network, mac, duid, address);
            if (PassThru) WriteObject(new VNetworkDhcpReservation(entry));
        });
    }
}
