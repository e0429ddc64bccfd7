using System.Diagnostics;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Dhcp;

namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>
/// What one daemon test builds and tears down: a sandbox state root, bridges with addresses, guests, and the
/// daemon the service starts (stopped by its PID at the end if still there).
/// </summary>
internal sealed class DaemonTestBed : IDisposable
{
    private readonly List<string> _bridges = [];
    private readonly List<GuestNamespace> _guests = [];

    public DaemonTestBed(TimeSpan? idleGrace = null, string? daemonPath = null)
    {
        Root = Directory.CreateTempSubdirectory("vnet-dhcp-").FullName;
        Service = new DaemonDhcpService(new StatePaths(Root), daemonPath ?? FindDaemon(), idleGrace ?? TimeSpan.FromSeconds(30));
    }

    public string Root { get; }
    public DaemonDhcpService Service { get; }

    /// <summary>VNET_TEST_VNETD (e.g. the NativeAOT build), else the daemon project's Debug build in this repository.</summary>
    public static string FindDaemon()
    {
        if (Environment.GetEnvironmentVariable("VNET_TEST_VNETD") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "VirtualNetworking.Daemon", "bin", "Debug", "net10.0", DaemonDhcpService.DaemonFileName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new Xunit.Sdk.XunitException("vnetd not built: build src/VirtualNetworking.Daemon (or set VNET_TEST_VNETD).");
    }

    public void CreateBridge(string name, string cidr)
    {
        IpCommand.Run("link", "add", name, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        _bridges.Add(name);
        IpCommand.Run("addr", "add", cidr, "dev", name);
        IpCommand.Run("link", "set", name, "up");
    }

    public void DeleteBridge(string name) => IpCommand.Run("link", "delete", name);

    public GuestNamespace AddGuest(string bridge, string mac, params string[] sysctls)
    {
        var guest = new GuestNamespace(bridge, mac, sysctls);
        _guests.Add(guest);
        return guest;
    }

    /// <summary>A libvirt network on <paramref name="bridge"/> with 10.x.y.1/24 and a DHCP range .100-.150.</summary>
    public static NetworkDefinition Network(string name, string bridge, string prefix, string extra = "<forward mode='nat'/>", string dhcpExtra = "") =>
        NetworkXml.Parse($"""
            <network>
              <name>{name}</name>
              {extra}
              <bridge name='{bridge}'/>
              <ip address='{prefix}.1' netmask='255.255.255.0'>
                <dhcp>
                  <range start='{prefix}.100' end='{prefix}.150'/>
                  {dhcpExtra}
                </dhcp>
              </ip>
            </network>
            """);

    public static bool IsRunning(int pid)
    {
        // A zombie is not running; setsid --fork leaves the daemon to init, so none should linger anyway.
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Split(' ')[2].Equals("Z", StringComparison.Ordinal);
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        var pid = DaemonPid();
        if (pid is { } p)
        {
            Signal(p, "TERM");
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (IsRunning(p) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            if (IsRunning(p)) Signal(p, "KILL");
        }
        foreach (var guest in _guests) guest.Dispose();
        foreach (var bridge in _bridges)
            try { IpCommand.Run("link", "delete", bridge); } catch (Xunit.Sdk.XunitException) { }
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    /// <summary>The PID in the daemon's pid file, if it is still a live process.</summary>
    public int? DaemonPid() =>
        File.Exists(Service.PidFilePath) && int.TryParse(File.ReadAllText(Service.PidFilePath).Trim(), out var pid) && IsRunning(pid) ? pid : null;

    public string Log() => File.Exists(Service.LogPath) ? File.ReadAllText(Service.LogPath) : "(no log)";
}
