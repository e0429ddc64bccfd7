using System.Globalization;
using System.Runtime.InteropServices;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Linux.Live;
using VirtualNetworking.Platform;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace VirtualNetworking.Daemon;

/// <summary>
/// vnetd: one daemon per state root (VNET_ROOT) serving every active network's DHCP and DNS on its bridge; its
/// upstream DNS servers are the nameservers of VNET_RESOLV_CONF (default /etc/resolv.conf).
/// Exit codes: 0 after SIGTERM or the idle grace period, 2 bad arguments, 3 another daemon holds the pid file.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        DaemonOptions options;
        try { options = DaemonOptions.Parse(args); }
        catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }

        var paths = StatePaths.FromRootVariable(Environment.GetEnvironmentVariable(StatePaths.RootVariable), Environment.CurrentDirectory);
        Directory.CreateDirectory(paths.RunDirectory);
        Directory.CreateDirectory(paths.LeaseDirectory);
        using var log = new DaemonLog(options.Foreground ? Console.Error
            : new StreamWriter(new FileStream(Path.Combine(paths.RunDirectory, "vnetd.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)), options.DebugLog);
        using var pidFile = PidFile.TryAcquire(Path.Combine(paths.RunDirectory, "vnetd.pid"));
        if (pidFile is null)
        {
            log.Write("another vnetd holds the pid file; exiting");
            return 3;
        }

        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });

        using var host = new NetworkHost(paths, log, Environment.GetEnvironmentVariable(HostResolvers.PathVariable),
            new DnsServerOptions { LocalTtl = options.DnsLocalTtl },
            new FirewallRestore(new FileLiveNetworkStore(paths), new NftablesNetworkFirewall(paths)));
        using (new ControlServer(Path.Combine(paths.RunDirectory, "vnetd.sock"), host, log))
        {
            log.Write(string.Create(CultureInfo.InvariantCulture,
                $"vnetd {Environment.ProcessId} started (root {paths.Root}, netns {NetworkNamespace.CurrentInode()}, idle grace {options.IdleGrace.TotalSeconds} s, log level {(options.DebugLog ? "debug" : "info")})"));
            while (!stop.Wait(TimeSpan.FromMilliseconds(250)))
            {
                if (host.IdleFor() >= options.IdleGrace)
                {
                    log.Write("no network to serve; exiting");
                    break;
                }
            }
        }
        // The control socket is closed: no request can add a network while the workers stop.
        File.Delete(Path.Combine(paths.RunDirectory, "vnetd.sock"));
        log.Write("stopped");
        return 0;
    }
}
