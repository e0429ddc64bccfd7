using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-dhcp-leases: the DHCPv4 and DHCPv6 leases our daemon holds, per active network; expired ones are left out.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkDhcpLease")]
[OutputType(typeof(VNetworkDhcpLease))]
public sealed class GetVNetworkDhcpLeaseCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(LeaseMacAddressCompleter))]
    public string? MacAddress { get; set; }

    [Parameter]
    public string? Duid { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryFilter(MacAddress, ParameterText.MacAddress, out var mac) || !TryFilter(Duid, ParameterText.Duid, out var duid)) return;
        var leases = ModuleContext.Leases();
        foreach (var network in Network ?? ForAll(leases.ActiveNetworks))
            ForTarget(network, () =>
            {
                foreach (var lease in leases.List(network, mac, duid)) WriteObject(new VNetworkDhcpLease(lease));
            });
    }
}
