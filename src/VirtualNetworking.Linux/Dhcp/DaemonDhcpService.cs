using System.Globalization;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Linux.Dhcp;

/// <summary>
/// The client of vnetd, the DHCP and DNS daemon of a state root (the engine reaches it through DaemonDhcpProblems): talks to its control socket,
/// starting it (detached, in the calling thread's network namespace) when none answers, and refuses a
/// daemon that runs in another network namespace.
/// </summary>
public sealed class DaemonDhcpService
{
    public const string DaemonFileName = "vnetd";
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(50);
    private readonly TimeSpan? _idleGrace;

    /// <param name="daemonPath">The vnetd binary; default: beside this assembly (the module ships it there).</param>
    /// <param name="idleGrace">Passed to a daemon this instance starts (--idle-seconds); null = the daemon's default (30 s).</param>
    /// <param name="startTimeout">How long a started daemon has to answer; default 5 s.</param>
    public DaemonDhcpService(StatePaths paths, string? daemonPath = null, TimeSpan? idleGrace = null, TimeSpan? startTimeout = null)
    {
        Paths = paths;
        DaemonPath = daemonPath ?? Path.Combine(Path.GetDirectoryName(typeof(DaemonDhcpService).Assembly.Location)!, DaemonFileName);
        _idleGrace = idleGrace;
        StartTimeout = startTimeout ?? TimeSpan.FromSeconds(5);
    }

    public StatePaths Paths { get; }
    public string DaemonPath { get; }
    public TimeSpan StartTimeout { get; }
    public string SocketPath => Path.Combine(Paths.RunDirectory, "vnetd.sock");
    public string PidFilePath => Path.Combine(Paths.RunDirectory, "vnetd.pid");
    public string LogPath => Path.Combine(Paths.RunDirectory, "vnetd.log");
    public string LeaseFile(string networkName) => Path.Combine(Paths.LeaseDirectory, networkName + ".leases");
    /// <summary>The network's DHCPv6 leases, in <see cref="Dhcp6LeaseFileFormat"/>.</summary>
    public string Lease6File(string networkName) => Path.Combine(Paths.LeaseDirectory, networkName + ".leases6");

    /// <summary>
    /// Serves the network's first IPv4 DHCP block, its DNS (unless &lt;dns enable='no'/&gt;) and its router advertisements
    /// (when it has IPv6) on its bridge; throws DhcpDaemonException when the daemon cannot.
    /// </summary>
    public void Serve(NetworkDefinition liveDefinition)
    {
        // Mapped here too, so a definition the daemon would refuse fails before any daemon is started.
        var scope = DhcpScopeBuilder.FromNetwork(liveDefinition);
        if (scope is null && DnsPolicy.FromNetwork(liveDefinition) is null && RouterAdvertisementPolicy.FromNetwork(liveDefinition) is null)
        {
            Release(liveDefinition.Name);
            return;
        }
        if (scope?.Validate() is { Count: > 0 } problems)
            throw new DhcpDaemonException($"Network '{liveDefinition.Name}' has an unusable DHCP block: {string.Join("; ", problems)}.");
        Dhcp6Scope? scope6;
        try { scope6 = Dhcp6ScopeBuilder.FromNetwork(liveDefinition); }
        catch (ArgumentException e) { throw new DhcpDaemonException($"Network '{liveDefinition.Name}' has an unusable IPv6 DHCP block: {e.Message}", e); }
        if (scope6?.Validate() is { Count: > 0 } problems6)
            throw new DhcpDaemonException($"Network '{liveDefinition.Name}' has an unusable IPv6 DHCP block: {string.Join("; ", problems6)}.");
        var bridge = liveDefinition.Bridge?.Name
            ?? throw new DhcpDaemonException($"Network '{liveDefinition.Name}' has no bridge name to serve DHCP and DNS on.");
        EnsureRunning();
        Request(new DhcpControlMessage(DhcpControlMessage.AddOrUpdate,
            ("name", liveDefinition.Name), ("bridge", bridge), ("xml", NetworkXml.Format(liveDefinition))), $"serve network '{liveDefinition.Name}'");
    }

    /// <summary>The daemon rebuilds the scope and keeps the bound leases (its counters restart).</summary>
    public void Update(NetworkDefinition liveDefinition) => Serve(liveDefinition);

    /// <summary>Stops serving the network (its socket is closed when this returns); nothing to do without a daemon.</summary>
    public void Release(string networkName)
    {
        if (Ping() is not null)
            Request(new DhcpControlMessage(DhcpControlMessage.Remove, ("name", networkName)), $"release network '{networkName}'");
        // A lease file that holds no live lease carries nothing worth keeping: a start that failed, or a network
        // no guest ever asked, leaves no trace. Files with leases stay, so addresses survive restarts.
        var path = LeaseFile(networkName);
        if (File.Exists(path) && ReadLeases(networkName).Count == 0) File.Delete(path);
        // Declined records count as for IPv4: they keep an address someone else uses out of the pool until they expire.
        var path6 = Lease6File(networkName);
        if (File.Exists(path6) && !UnexpiredLeases6(networkName, DateTimeOffset.UtcNow).Any()) File.Delete(path6);
    }

    /// <summary>The daemon answering on the control socket, or null when none does. Throws if it is in another namespace.</summary>
    public DhcpDaemonInfo? Ping()
    {
        if (DaemonControlClient.TryExchange(SocketPath, new DhcpControlMessage(DhcpControlMessage.Ping)) is not { } answer) return null;
        var ok = DaemonControlClient.Items(answer, "answer ping")[^1];
        var info = new DhcpDaemonInfo(int.Parse(ok.Required("pid"), CultureInfo.InvariantCulture), ulong.Parse(ok.Required("netns"), CultureInfo.InvariantCulture));
        ulong ours;
        try { ours = NetworkNamespace.CurrentInode(); }
        catch (IOException e) { throw new DhcpDaemonException(e.Message, e); }
        if (info.NetworkNamespaceInode != ours)
            throw new DhcpDaemonException($"The DHCP daemon at {SocketPath} (pid {info.ProcessId}) runs in network namespace {info.NetworkNamespaceInode}, " +
                                          $"not in this one ({ours}); it would serve other bridges. Stop it or use another {StatePaths.RootVariable}.");
        return info;
    }

    /// <summary>The running daemon, started first if none answers.</summary>
    public DhcpDaemonInfo EnsureRunning()
    {
        if (Ping() is { } running) return running;
        if (!File.Exists(DaemonPath)) throw new DhcpDaemonException($"The DHCP daemon binary {DaemonPath} is missing.");
        EnsureExecutable();
        Directory.CreateDirectory(Paths.RunDirectory);
        var arguments = _idleGrace is { } idle ? new[] { "--idle-seconds", idle.TotalSeconds.ToString(CultureInfo.InvariantCulture) } : [];
        DetachedProcess.Start(DaemonPath, arguments, new Dictionary<string, string> { [StatePaths.RootVariable] = Paths.Root }, LogPath);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Ping() is { } started) return started;
            Thread.Sleep(PollStep);
        }
        throw new DhcpDaemonException($"The DHCP daemon did not answer on {SocketPath} within {StartTimeout.TotalSeconds} s; see {LogPath}.");
    }

    /// <summary>
    /// A module installed from its package (Install-PSResource) has vnetd without any execute bit: NuGet's packer records
    /// no Unix modes. Each class that may read the binary gets execute; a binary with any execute bit is left as it is.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "CA1416", Justification = "This assembly and vnetd run on Linux only.")]
    private void EnsureExecutable()
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(DaemonPath);
        if ((mode & anyExecute) != 0) return;
        if (mode.HasFlag(UnixFileMode.UserRead)) mode |= UnixFileMode.UserExecute;
        if (mode.HasFlag(UnixFileMode.GroupRead)) mode |= UnixFileMode.GroupExecute;
        if (mode.HasFlag(UnixFileMode.OtherRead)) mode |= UnixFileMode.OtherExecute;
        try { File.SetUnixFileMode(DaemonPath, mode); }
        catch (UnauthorizedAccessException e)
        {
            throw new DhcpDaemonException($"The DHCP daemon binary {DaemonPath} is not executable (a package install drops the execute bit) " +
                                          $"and this user may not change its mode: run chmod +x '{DaemonPath}' as its owner.", e);
        }
    }

    /// <summary>What the daemon serves, with its counters; empty when no daemon runs.</summary>
    public IReadOnlyList<DhcpNetworkStatus> GetStatus()
    {
        if (Ping() is null) return [];
        return [.. Request(new DhcpControlMessage(DhcpControlMessage.Status), "report its status")
            .Where(m => m.Verb == DhcpControlMessage.Network).Select(ToStatus)];
    }

    public IReadOnlyList<DhcpLease> ReadLeases(string networkName, DateTimeOffset? now = null)
    {
        var path = LeaseFile(networkName);
        if (!File.Exists(path)) return [];
        var at = now ?? DateTimeOffset.UtcNow;
        return [.. LeaseFileFormat.Parse(File.ReadAllText(path)).Leases.Where(l => !l.IsExpired(at))];
    }

    /// <summary>The network's bound DHCPv6 leases; expired and declined ones are left out.</summary>
    public IReadOnlyList<Dhcp6Lease> ReadLeases6(string networkName, DateTimeOffset? now = null) =>
        [.. UnexpiredLeases6(networkName, now ?? DateTimeOffset.UtcNow).Where(l => l.State == Dhcp6LeaseState.Bound)];

    private IEnumerable<Dhcp6Lease> UnexpiredLeases6(string networkName, DateTimeOffset now)
    {
        var path = Lease6File(networkName);
        return File.Exists(path) ? Dhcp6LeaseFileFormat.Parse(File.ReadAllText(path)).Leases.Where(l => !l.IsExpired(now)) : [];
    }

    private IReadOnlyList<DhcpControlMessage> Request(DhcpControlMessage request, string what)
    {
        var answer = DaemonControlClient.TryExchange(SocketPath, request)
            ?? throw new DhcpDaemonException($"The DHCP daemon stopped answering on {SocketPath}; could not {what}.");
        return DaemonControlClient.Items(answer, what);
    }

    private static DhcpNetworkStatus ToStatus(DhcpControlMessage m)
    {
        long N(string key) => long.Parse(m.Required(key), CultureInfo.InvariantCulture);
        return new DhcpNetworkStatus(m.Required("name"), m.Required("bridge"), (int)N("ifindex"),
            m["discovers"] is null ? null
                : new DhcpStatistics(N("discovers"), N("offers"), N("requests"), N("acks"), N("naks"), N("releases"),
                    N("declines"), N("informs"), N("dropped"), N("poolExhausted"), (int)N("activeLeases")),
            m["dnsQueries"] is null ? null
                : new DnsServingStatistics(N("dnsQueries"), N("dnsLocal"), N("dnsForwarded"), N("dnsNxdomain"), N("dnsRefused"),
                    N("dnsMalformed"), N("dnsDropped")),
            m["raSent"] is null ? null : new RouterAdvertisementStatistics(N("raSent"), N("raSolicitations")),
            m["dhcp6Received"] is null ? null : new Dhcp6ServingStatistics(N("dhcp6Received"), N("dhcp6Replies"), N("dhcp6Dropped"), (int)N("dhcp6ActiveLeases")));
    }
}
