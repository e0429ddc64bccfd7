using System.Management.Automation;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Linux.Dhcp;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-dhcp-leases: the leases our DHCP server holds, per active network; expired ones are left out.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkDhcpLease")]
[OutputType(typeof(VNetworkDhcpLease))]
public sealed class GetVNetworkDhcpLeaseCommand : VNetworkCommandBase
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
        var daemon = new DaemonDhcpService(ModuleContext.Paths);
        IEnumerable<string> networks;
        if (Network is null) networks = catalog.List().Where(r => r.State == NetworkState.Active).Select(r => r.Definition.Name);
        else
        {
            var known = new List<string>();
            foreach (var name in Network)
            {
                if (catalog.Find(name) is null) WriteProblems(NetworkCatalog.NotFound(name));
                else known.Add(name);
            }
            networks = known;
        }
        foreach (var network in networks)
            foreach (var lease in daemon.ReadLeases(network).Where(l => l.State == DhcpLeaseState.Bound).OrderBy(l => IpNetwork.ToInteger(l.Address)))
            {
                var shown = new VNetworkDhcpLease(network, lease);
                if (mac is null || shown.MacAddress == mac) WriteObject(shown);
            }
    }
}
