using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Puts our nftables rules back when they go behind our back (nft flush ruleset, a firewall service's reload, a deleted
/// table): the nftables monitor is watched on the loop, and each loss runs Core's <see cref="FirewallRestore"/> on a
/// thread of its own. Not on the loop: a start holds the live store's lock while it waits for this daemon's answer, so
/// waiting for that lock on the loop would deadlock; the worker waits a bounded time and tries again. Watches only
/// while the daemon runs, which is while it serves a network (it exits when idle).
/// </summary>
internal sealed unsafe class FirewallWatch : IDisposable
{
    /// <summary>A flush sends a burst (one message per rule, chain and table, then one per transaction): restore once after it.</summary>
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LockWait = TimeSpan.FromMilliseconds(500);
    private const int NetlinkNetfilter = 12; // NETLINK_NETFILTER
    private const int NetlinkAddMembership = 1;
    private const int GroupNftables = 7; // NFNLGRP_NFTABLES
    private const int ENOBUFS = 105;
    /// <summary>A flush of a thousand networks' rules is a few MB of messages; more is lost (ENOBUFS) and read as "check all".</summary>
    private const int ReceiveBuffer = 4 * 1024 * 1024;

    private readonly EventLoop _loop;
    private readonly DaemonLog _log;
    private readonly FirewallRestore _restore;
    private readonly NftMonitorReader _reader = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly AutoResetEvent _wake = new(false);
    private readonly Lock _gate = new();
    private Thread? _worker;
    private int _fd = -1;
    private LoopTimer? _debounce;
    private FirewallLoss? _pending;
    private long _pendingSince;
    private long _restores;
    private volatile bool _stopping;

    public FirewallWatch(EventLoop loop, DaemonLog log, FirewallRestore restore)
    {
        _loop = loop;
        _log = log;
        _restore = restore;
    }

    /// <summary>How many times rules were put back since the daemon started.</summary>
    public long Restores => Interlocked.Read(ref _restores);

    /// <summary>Subscribes to the monitor and watches it. Loop thread only. Without it (no CAP_NET_ADMIN) only Repair-VNetwork restores.</summary>
    public void Start()
    {
        var fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC | Native.SOCK_NONBLOCK, NetlinkNetfilter);
        var address = new LibC.SockAddrNetlink { Family = LibC.AF_NETLINK };
        var group = GroupNftables;
        var size = ReceiveBuffer;
        if (fd < 0 || LibC.Bind(fd, &address, sizeof(LibC.SockAddrNetlink)) != 0
            || LibC.SetSockOpt(fd, LibC.SOL_NETLINK, NetlinkAddMembership, &group, sizeof(int)) != 0)
        {
            var error = new SocketException(Marshal.GetLastPInvokeError());
            if (fd >= 0) LibC.Close(fd);
            _log.Write($"firewall: cannot watch nftables ({error.Message}); rules deleted behind our back stay deleted until Repair-VNetwork");
            return;
        }
        // Best effort: SO_RCVBUFFORCE needs CAP_NET_ADMIN, which the subscription needs too.
        LibC.SetSockOpt(fd, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, &size, sizeof(int));
        _fd = fd;
        _worker = new Thread(Work) { Name = "firewall", IsBackground = true };
        _worker.Start();
        _loop.Watch(fd, Native.EPOLLIN, _ => Receive());
    }

    /// <summary>Loop thread only, before the loop ends.</summary>
    public void Stop()
    {
        _debounce?.Cancel();
        if (_fd < 0) return;
        _loop.Unwatch(_fd);
        LibC.Close(_fd);
        _fd = -1;
    }

    /// <summary>After <see cref="Stop"/>: ends the worker (a restore under way finishes first).</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _worker?.Join();
        _wake.Dispose();
    }

    private void Receive()
    {
        while (true)
        {
            nint received;
            fixed (byte* buffer = _buffer) received = Native.Read(_fd, buffer, (nuint)_buffer.Length);
            if (received < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == Native.EAGAIN) return;
                if (error == LibC.EINTR) continue;
                // The socket overran (a burst larger than its buffer): what was lost is unknown, so everything is checked.
                if (error == ENOBUFS)
                {
                    Queue(new FirewallLoss(Shared: true, new HashSet<string>(), Rules: null));
                    continue;
                }
                _log.Write($"firewall: reading the nftables monitor failed: {new SocketException(error).Message}");
                return;
            }
            if (_reader.Read(_buffer.AsMemory(0, (int)received)) is { } loss) Queue(loss);
        }
    }

    /// <summary>Loop thread: the restore runs once the burst is over.</summary>
    private void Queue(FirewallLoss loss)
    {
        lock (_gate)
        {
            if (_pending is null) _pendingSince = Stopwatch.GetTimestamp();
            _pending = _pending is null ? loss : _pending.With(loss);
        }
        _debounce ??= _loop.Schedule(Debounce, () =>
        {
            _debounce = null;
            _wake.Set();
        });
    }

    private void Work()
    {
        while (true)
        {
            _wake.WaitOne();
            if (_stopping) return;
            FirewallLoss? loss;
            long since;
            lock (_gate)
            {
                (loss, since) = (_pending, _pendingSince);
                _pending = null;
            }
            if (loss is null) continue;
            try
            {
                FirewallRestoreResult? result;
                // Busy: a start or stop holds the lock (and may wait for this daemon's answer); try again.
                while ((result = _restore.TryRestore(LockWait, loss.Shared ? null : loss.Tags, loss.Rules)) is null)
                    if (_stopping) return;
                Report(result, Stopwatch.GetElapsedTime(since));
            }
            catch (Exception e)
            {
                // nft refusing, or a defect: either must not end the daemon that serves every network's DHCP and DNS.
                _log.Write($"firewall: restoring our rules failed: {(e is NetworkProblemException ? "" : e.GetType().Name + ": ")}{e.Message}");
            }
        }
    }

    private void Report(FirewallRestoreResult result, TimeSpan latency)
    {
        foreach (var problem in result.Problems) _log.Write($"firewall: could not restore: {problem.Message}");
        if (result.Restored.Count == 0) return;
        Interlocked.Increment(ref _restores);
        var networks = (result.Restored.Count == 1 ? "network " : "networks ") + string.Join(", ", result.Restored);
        var families = string.Join(" and ", result.RecreatedTables.Select(f => f.ToNft()));
        var cause = result.RecreatedTables.Count switch
        {
            0 => "some of their rules were deleted",
            1 => $"table {families} {FirewallLayout.TableName} was deleted",
            _ => $"tables {families} {FirewallLayout.TableName} were deleted",
        };
        _log.Write(string.Create(CultureInfo.InvariantCulture,
            $"firewall: restored the firewall rules of {networks}: {cause} ({latency.TotalMilliseconds:0} ms after nftables reported it)"));
    }
}
