using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Dhcp;
using VirtualNetworking.Linux.Host;
using VirtualNetworking.Linux.Live;
using VirtualNetworking.Linux.Store;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Wires Core's engine to the Linux adapters for the current VNET_ROOT (read per call, so tests can switch it).</summary>
internal static class ModuleContext
{
    public static StatePaths Paths => StatePaths.FromRootVariable(Environment.GetEnvironmentVariable(StatePaths.RootVariable));

    public static NetworkCatalog Catalog()
    {
        var paths = Paths;
        return new NetworkCatalog(new FileDefinitionStore(paths), new FileLiveStore(paths), new LinuxHostNetwork(), SystemRandomSource.Instance);
    }

    public static NetworkRuntime Runtime()
    {
        var paths = Paths;
        return new NetworkRuntime(new FileDefinitionStore(paths), new FileLiveStore(paths), new LinuxHostNetwork(),
            new NftablesNetworkFirewall(paths), new ProcSysctl(), Dhcp(paths), EnvironmentFaultInjector.For(paths));
    }

    private static IDhcpService Dhcp(StatePaths paths) => new DaemonDhcpProblems(new DaemonDhcpService(paths));

    public static ReservationService Reservations() => new(Catalog(), Runtime());

    public static PortService Ports() => new(Catalog(), new FileLiveStore(Paths), new LinuxHostNetwork(), SystemRandomSource.Instance, Reservations(),
        Dhcp(Paths));
}
