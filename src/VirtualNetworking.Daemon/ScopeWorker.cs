using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Serves one network's DHCP from the daemon's <see cref="EventLoop"/>: the network's <see cref="DhcpServer"/>,
/// and its lease file behind the shared <see cref="LeaseCommitter"/>. Requests come in through a
/// <see cref="PacketReceiver"/> on the bridge (before netfilter); replies leave through a UDP socket on
/// 0.0.0.0:67 bound to the bridge, which receives nothing itself (a drop-all filter: no request is handled
/// twice, and the kernel sends no port-unreachable). The loop never touches the disk: a reply that announces
/// lease changes is sent by the committer once they are durable; a reply without changes (an OFFER, a NAK, an
/// INFORM's ACK) promises nothing and leaves at once. Made, changed and disposed on the loop thread.
/// </summary>
internal sealed class ScopeWorker : IDisposable
{
    /// <summary>Datagrams handled back to back before the loop serves its other sockets (level-triggered: the rest wait their turn).</summary>
    private const int MaxBurst = 64;
    /// <summary>The serving thread's receive buffers, shared by every network it serves.</summary>
    [ThreadStatic] private static PacketBatch? t_batch;
    /// <summary>
    /// Room for ~100 ms of datagrams at 8,000/s, so a loop that the scheduler holds off for a while
    /// (a busy host) loses nothing; the default (rmem_default, 208 KiB) overflows within ~25 ms. Memory is only
    /// used while datagrams wait.
    /// </summary>
    private const int ReceiveBufferBytes = 2 * 1024 * 1024;

    private readonly DaemonLog _log;
    private readonly EventLoop _loop;
    private readonly LeaseCommitter _committer;
    private readonly Socket _socket;
    private readonly PacketReceiver _receiver;
    private readonly ReplySender _sender;
    private readonly LeaseJournal<DhcpLease, DhcpLeaseChange> _journal;
    private readonly LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply> _sink;
    /// <summary>Between the loop (which handles packets) and the committer (which reads the live leases to compact).</summary>
    private readonly Lock _serverLock = new();
    private DhcpServer _server;
    private DhcpStatistics? _logged;
    private LoopTimer _housekeeping;

    public ScopeWorker(string name, string bridge, int interfaceIndex, DhcpScope scope, string leaseFile, LinkLayerSender linkLayer,
                       EventLoop loop, LeaseCommitter committer, DaemonLog log)
    {
        Name = name;
        Bridge = bridge;
        InterfaceIndex = interfaceIndex;
        _log = log;
        _loop = loop;
        _committer = committer;
        _server = new DhcpServer(scope);
        var stored = LeaseJournal.Read(leaseFile);
        foreach (var skipped in stored.SkippedLines) log.Write($"{name}: lease file {skipped}");
        var restored = _server.Restore(stored.Leases, DateTimeOffset.UtcNow);
        _journal = LeaseJournal.Create(leaseFile, _server.Leases);
        try
        {
            _socket = BindToBridge(bridge);
            _receiver = new PacketReceiver(interfaceIndex, ReceiveBufferBytes);
            _sender = new ReplySender(_socket, linkLayer, interfaceIndex, scope.ServerAddress);
            loop.Watch(_receiver.Fd, Native.EPOLLIN, OnReadable);
        }
        catch
        {
            _receiver?.Dispose();
            _socket?.Dispose();
            _journal.Dispose();
            throw;
        }
        _sink = new(name, _journal, Send, LiveLeases, Flush);
        _housekeeping = loop.Schedule(Housekeeping.Interval, Housekeep);
        log.Write($"{name}: serving {scope.Subnet} on {bridge} (ifindex {interfaceIndex}), {restored} lease(s) restored");
    }

    public string Name { get; }
    public string Bridge { get; }
    public int InterfaceIndex { get; }

    /// <summary>Raised on the loop thread after leases were bound, released or expired (the DNS names follow them).</summary>
    public event Action? LeasesChanged;

    /// <summary>The bound and declined leases now.</summary>
    public IReadOnlyCollection<DhcpLease> Leases => LiveLeases();

    /// <summary>A changed definition: a new server over the same socket, keeping the bound leases.</summary>
    public void UpdateScope(DhcpScope scope)
    {
        var replacement = new DhcpServer(scope);
        lock (_serverLock)
        {
            replacement.Restore(_server.Leases, DateTimeOffset.UtcNow);
            _server = replacement;
        }
        _log.Write($"{Name}: scope updated");
    }

    public DhcpStatistics GetStatistics()
    {
        lock (_serverLock) return _server.GetStatistics(DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Stops receiving, lets the committer write and answer what was queued, and closes the sockets and the
    /// lease file before returning.
    /// </summary>
    public void Dispose()
    {
        _loop.Unwatch(_receiver.Fd);
        _housekeeping.Cancel();
        _committer.Flush();
        _receiver.Dispose();
        _socket.Dispose();
        _journal.Dispose();
        LogCounters();
        _log.Write($"{Name}: stopped serving on {Bridge}");
    }

    private static Socket BindToBridge(string bridge)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Several networks each bind 0.0.0.0:67, told apart by device; SO_BINDTODEVICE also keeps us off every other interface.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Broadcast, true);
            socket.SetRawSocketOption(Native.SOL_SOCKET, Native.SO_BINDTODEVICE, Encoding.ASCII.GetBytes(bridge + "\0"));
            Native.AttachFilter((int)socket.Handle, [new(Native.BPF_RET_K, 0, 0, 0)]); // "ret #0": accept nothing
            socket.Bind(new IPEndPoint(IPAddress.Any, 67));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void OnReadable(uint events)
    {
        var batch = t_batch ??= new PacketBatch();
        var changed = false;
        try
        {
            for (var handled = 0; handled < MaxBurst;)
            {
                var count = _receiver.Receive(batch);
                for (var i = 0; i < count; i++)
                    if (batch[i] is { IsEmpty: false } packet) changed |= HandleOne(packet);
                handled += count;
                if (count < PacketBatch.Capacity) break;
            }
        }
        catch (SocketException e)
        {
            // Seen once when the bridge goes down (ENETDOWN): the error is reported once, then the socket reads on.
            _log.Write($"{Name}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            // The burst's replies that promise nothing (OFFERs, NAKs) leave together.
            Flush();
        }
        if (changed) LeasesChanged?.Invoke();
    }

    private void Housekeep()
    {
        IReadOnlyList<DhcpLeaseChange> expired;
        DateTimeOffset? next;
        var now = DateTimeOffset.UtcNow;
        lock (_serverLock)
        {
            expired = _server.RemoveExpired(now);
            next = _server.NextExpiry;
        }
        if (expired.Count > 0)
        {
            _committer.Enqueue(_sink, expired, null);
            LeasesChanged?.Invoke();
        }
        LogCounters();
        _housekeeping = Housekeeping.ScheduleNext(_loop, next, now, Housekeep);
    }

    /// <summary>Answers one datagram; true when it changed the leases.</summary>
    private bool HandleOne(ReadOnlySpan<byte> packet)
    {
        if (!Ipv4UdpDatagram.TryParse(packet, out var header, out var payload)) return false;
        DhcpResult result;
        lock (_serverLock)
        {
            var scope = _server.Scope;
            var broadcast = header.IsTo(IPAddress.Broadcast) || header.IsTo(scope.EffectiveBroadcastAddress);
            // What a UDP socket would have been given: to a guest's router, port 67 of any other address is not us.
            if (!broadcast && !header.IsTo(scope.ServerAddress)) return false;
            result = _server.Handle(packet[payload], new DhcpReceiveInfo(Bridge, broadcast), DateTimeOffset.UtcNow);
        }
        if (_log.Debug) _log.Write($"{Name}: {result.Summary}");
        if (result.LeaseChanges.Count > 0) _committer.Enqueue(_sink, result.LeaseChanges, result.Reply);
        else if (result.Reply is { } reply) Send(reply);
        return result.LeaseChanges.Count > 0;
    }

    private IReadOnlyCollection<DhcpLease> LiveLeases()
    {
        lock (_serverLock) return _server.Leases;
    }

    /// <summary>One line with the counters when they changed since the last one: the log's record of traffic below debug level.</summary>
    private void LogCounters()
    {
        var now = GetStatistics();
        if (now == _logged) return;
        _logged = now;
        _log.Write($"{Name}: {now.Discovers} discovers, {now.Offers} offers, {now.Requests} requests, {now.Acks} acks, {now.Naks} naks, " +
                   $"{now.Releases} releases, {now.Declines} declines, {now.Informs} informs, {now.Dropped} dropped, " +
                   $"{now.PoolExhausted} pool exhausted, {now.ActiveLeases} active leases");
    }

    private void Send(DhcpReply reply)
    {
        try
        {
            _sender.Send(reply);
        }
        catch (SocketException e)
        {
            _log.Write($"{Name}: sending to {reply.Destination.EndPoint} failed: {e.Message}");
        }
    }

    private void Flush()
    {
        try
        {
            ReplySender.Flush();
        }
        catch (SocketException e)
        {
            _log.Write($"{Name}: replies not sent: {e.Message}");
        }
    }
}
