using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Linux.Dhcp;

namespace VirtualNetworking.Linux.Live;

/// <summary>The engine's DHCP and DNS port over vnetd; the daemon's failures become the module's problems (and so roll a start back).</summary>
public sealed class DaemonDhcpProblems(DaemonDhcpService daemon) : IDhcpService
{
    public void Serve(NetworkDefinition liveDefinition) => Binding(liveDefinition.Name, () => daemon.Serve(liveDefinition));

    public void Update(NetworkDefinition liveDefinition) => Binding(liveDefinition.Name, () => daemon.Update(liveDefinition));

    public void Release(string networkName) => Do(networkName, () => daemon.Release(networkName));

    public IReadOnlyList<DhcpLease> ReadLeases(string networkName) =>
        Reading(networkName, daemon.LeaseFile(networkName), () => daemon.ReadLeases(networkName));

    public IReadOnlyList<Dhcp6Lease> ReadLeases6(string networkName) =>
        Reading(networkName, daemon.Lease6File(networkName), () => daemon.ReadLeases6(networkName));

    private static IReadOnlyList<T> Reading<T>(string networkName, string file, Func<IReadOnlyList<T>> read)
    {
        try { return read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetworkProblemException(ErrorIds.DhcpUnavailable, ProblemCategory.ReadError,
                $"The leases of network '{networkName}' cannot be read: {e.Message} Check {file}.", networkName);
        }
    }

    /// <summary>A request that may bind port 53 (a new network, or a bridge or addresses that changed); a release never does.</summary>
    private static void Binding(string network, Action action) => Do(network, () =>
    {
        try { action(); }
        catch (DhcpDaemonException e) when (e.Reason == DhcpControlMessage.DnsPortInUseReason)
        {
            // The daemon's message names the address, the process holding it and what to do.
            throw new NetworkProblemException(ErrorIds.DnsPortInUse, ProblemCategory.ResourceExists, e.DaemonMessage, network);
        }
    });

    private static void Do(string network, Action action)
    {
        try { action(); }
        catch (DhcpDaemonException e)
        {
            throw new NetworkProblemException(ErrorIds.DhcpUnavailable, ProblemCategory.ResourceUnavailable,
                $"DHCP and DNS cannot be served on network '{network}': {e.Message} See /run/virtualnetworking/vnetd.log (under VNET_ROOT when set).", network);
        }
    }
}
