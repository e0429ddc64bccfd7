using System.Management.Automation;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
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

    protected override void ProcessRecord()
    {
        if (!TryMacFilter(MacAddress, out var mac)) return;
        var catalog = ModuleContext.Catalog();
        foreach (var name in Network ?? catalog.List().Select(r => r.Definition.Name).ToArray())
        {
            try
            {
                foreach (var entry in DhcpReservations.List(catalog.Get(name).Definition).Where(e => mac is null || e.MacAddress == mac))
                    WriteObject(new VNetworkDhcpReservation(entry));
            }
            catch (NetworkProblemException e)
            {
                WriteProblems(e);
            }
        }
    }
}
