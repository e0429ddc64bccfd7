using System.Management.Automation;
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

    protected override void ProcessRecord()
    {
        if (!TryMacFilter(MacAddress, out var mac)) return;
        var reservations = ModuleContext.Reservations();
        foreach (var name in Network ?? ForAll(() => ModuleContext.Catalog().List().Select(r => r.Definition.Name).ToArray()))
            ForTarget(name, () =>
            {
                foreach (var entry in reservations.List(name).Where(e => mac is null || e.MacAddress == mac))
                    WriteObject(new VNetworkDhcpReservation(entry));
            });
    }
}
