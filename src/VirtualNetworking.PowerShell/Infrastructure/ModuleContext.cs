using VirtualNetworking.Platform;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Health;
using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.Core.Host;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Boot;
using VirtualNetworking.Linux.Dhcp;
using VirtualNetworking.Linux.Dns;
using VirtualNetworking.Linux.Host;
using VirtualNetworking.Linux.Live;
using VirtualNetworking.Linux.Store;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>
/// Composes the module: Core's services over the Linux adapters, for the current VNET_ROOT (read per call, so tests
/// can switch it). The only place in the cmdlet layer that names a Linux type.
/// </summary>
internal static class ModuleContext
{
    public static StatePaths Paths =>
        StatePaths.FromRootVariable(Environment.GetEnvironmentVariable(StatePaths.RootVariable), Environment.CurrentDirectory);

    /// <summary>The adapters, created per command: netlink and nftables contexts open lazily, on first use.</summary>
    public static EnginePorts Ports()
    {
        var paths = Paths;
        return new EnginePorts(
            new FileDefinitionStore(paths),
            new FileLiveNetworkStore(paths),
            new FilePortRecordStore(paths),
            new LinuxHostNetwork(),
            new LinuxGuestLinks(),
            new LinuxHostUsers(),
            new ProcSysctl(),
            new NftablesNetworkFirewall(paths),
            new DaemonDhcpProblems(new DaemonDhcpService(paths)),
            new LinuxBridgeInventory(),
            new SystemdBootUnitHost(paths, Path.Combine(Path.GetDirectoryName(typeof(ModuleContext).Assembly.Location)!, "VirtualNetworking.psd1")),
            SystemRandomSource.Instance,
            EnvironmentFaultInjector.For(paths),
            new ResolvedDnsRegistration(paths),
            new NetlinkConntrack());
    }

    public static NetworkCatalog Catalog() => new(Ports());

    public static NetworkRuntime Runtime() => new(Ports());

    public static ReservationService Reservations()
    {
        var ports = Ports();
        return new ReservationService(new NetworkCatalog(ports), new NetworkRuntime(ports));
    }

    public static PortForwardService PortForwards()
    {
        var ports = Ports();
        var catalog = new NetworkCatalog(ports);
        return new PortForwardService(catalog, new NetworkRuntime(ports), new LeaseQuery(ports, catalog));
    }

    public static PortService GuestPorts()
    {
        var ports = Ports();
        var catalog = new NetworkCatalog(ports);
        return new PortService(ports, catalog, new ReservationService(catalog, new NetworkRuntime(ports)));
    }

    public static ConfigurationExecutor Configurations()
    {
        var ports = Ports();
        return new ConfigurationExecutor(new NetworkCatalog(ports), new NetworkRuntime(ports));
    }

    public static LeaseQuery Leases()
    {
        var ports = Ports();
        return new LeaseQuery(ports, new NetworkCatalog(ports));
    }

    public static NetworkDns Dns()
    {
        var ports = Ports();
        // The daemon this session starts reads the same variable; a value it refuses keeps it from starting, which
        // Start-VNetwork reports, so the listing only needs a value it can show.
        var ttl = DnsServerOptions.TryParseLocalTtl(Environment.GetEnvironmentVariable(DnsServerOptions.LocalTtlVariable), out var seconds) ? seconds : 0;
        return new NetworkDns(ports, new NetworkCatalog(ports), new SocketDnsQueryClient(), ttl);
    }

    public static NetworkHealth Health()
    {
        var ports = Ports();
        return new NetworkHealth(ports, new NetworkCatalog(ports), new LinuxHealthProbe(new DaemonDhcpService(Paths)));
    }

    /// <summary>Repair-VNetwork's service, and the health it asks (a fresh look for each question).</summary>
    public static (NetworkHealth Health, NetworkRepair Repair) Repair()
    {
        var ports = Ports();
        var catalog = new NetworkCatalog(ports);
        var probe = new LinuxHealthProbe(new DaemonDhcpService(Paths));
        return (new NetworkHealth(ports, catalog, probe),
            new NetworkRepair(ports, () => new NetworkHealth(ports, catalog, probe), new FirewallRestore(ports.LiveNetworks, ports.Firewall)));
    }

    public static BridgeQuery Bridges()
    {
        var ports = Ports();
        return new BridgeQuery(ports, new NetworkCatalog(ports));
    }

    public static HostSetup Setup()
    {
        var ports = Ports();
        return new HostSetup(ports, new NetworkCatalog(ports), new NetworkRuntime(ports));
    }

    /// <summary>Export-VNetwork -Path: temp file and rename, so a reader never sees half a document.</summary>
    public static void WriteFile(string path, string text) => AtomicFile.WriteAllText(path, text);
}
