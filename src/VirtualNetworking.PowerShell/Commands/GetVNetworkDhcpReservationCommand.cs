using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>The static DHCP hosts of networks (their &lt;host&gt; entries).</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkDhcpReservation")]
[OutputType(typeof(VNetworkDhcpReservation))]
public sealed class GetVNetworkDhcpReservationCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    [Parameter]
    public string? MacAddress { get; set; }

    [Parameter]
    public string? Duid { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryFilter(MacAddress, ParameterText.MacAddress, out var mac) || !TryFilter(Duid, ParameterText.Duid, out var duid)) return;
        var duidText = duid?.ToString();
        var reservations = ModuleContext.Reservations();
        foreach (var name in Network ?? ForAll(() => ModuleContext.Catalog().List().Select(r => r.Definition.Name).ToArray()))
            ForTarget(name, () =>
            {
                foreach (var entry in reservations.List(name).Where(e => (mac is null || e.MacAddress == mac) && (duidText is null || e.Duid == duidText)))
                    WriteObject(new VNetworkDhcpReservation(entry));
            });
    }
}
