using System.Management.Automation;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Linux.Dhcp;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-port-list: the ports of active networks, with their link's state and the guest's address.</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkPort")]
[OutputType(typeof(VNetworkPort))]
public sealed class GetVNetworkPortCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var service = ModuleContext.Ports();
        var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.None)).ToList();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in Network ?? new string?[] { null })
        {
            IReadOnlyList<PortStatus> ports;
            try { ports = service.List(network); }
            catch (NetworkProblemException e)
            {
                WriteProblems(e);
                continue;
            }
            var addresses = new GuestAddresses();
            foreach (var status in ports.Where(s => patterns is null || patterns.Any(p => p.IsMatch(s.Port.Name))))
            {
                found.Add(status.Port.Name);
                WriteObject(new VNetworkPort(status, addresses.Of(status.Port)));
            }
        }
        // A plain name that matched nothing is an error, as for Get-VNetwork; a wildcard that matched nothing is not.
        foreach (var name in Name ?? [])
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !found.Contains(name))
                WriteProblems(PortService.NotFound(Network is { Length: 1 } n ? n[0] : "any network", name));
    }

    /// <summary>The reserved address of a port's MAC, else its current lease; each network's leases are read once.</summary>
    private sealed class GuestAddresses
    {
        private readonly NetworkCatalog catalog = ModuleContext.Catalog();
        private readonly DaemonDhcpService daemon = new(ModuleContext.Paths);
        private readonly Dictionary<string, IReadOnlyList<DhcpLease>> leases = new(StringComparer.Ordinal);

        public string? Of(NetworkPort port)
        {
            if (catalog.Find(port.Network) is { } record &&
                DhcpReservations.List(record.Definition).FirstOrDefault(r => r.MacAddress == port.MacAddress) is { } reserved)
                return reserved.IPAddress.ToString();
            if (!leases.TryGetValue(port.Network, out var held)) leases[port.Network] = held = daemon.ReadLeases(port.Network);
            return held.FirstOrDefault(l => l.State == DhcpLeaseState.Bound && Core.Addressing.MacAddressText.Format(l.HardwareAddress.GetAddressBytes()) == port.MacAddress)
                ?.Address.ToString();
        }
    }
}
