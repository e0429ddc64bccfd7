using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Serves one network: a serving thread, the network's <see cref="DhcpServer"/>, and its lease file behind a
/// <see cref="LeaseCommitter"/>. Requests come in through a <see cref="PacketReceiver"/> on the bridge (before
/// netfilter); replies leave through a UDP socket on 0.0.0.0:67 bound to the bridge, which receives nothing
/// itself (a drop-all filter: no request is handled twice, and the kernel sends no port-unreachable). The
/// serving thread never touches the disk: a reply that announces lease changes is sent by the committer once
/// they are durable; a reply without changes (an OFFER, a NAK, an INFORM's ACK) promises nothing and leaves at once.
/// </summary>
internal sealed class ScopeWorker : IDisposable
{
    /// <summary>Datagrams handled back to back before the thread looks at its wakeup and the expiry clock again.</summary>
    private const int MaxBurst = 64;
    /// <summary>Pause after a socket error, so a persistent one does not spin the thread.</summary>
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(200);
    /// <summary>How often expired leases are removed and, when anything happened, the counters logged.</summary>
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Room for ~100 ms of datagrams at 8,000/s, so a serving thread that the scheduler holds off for a while
    /// (a busy host) loses nothing; the default (rmem_default, 208 KiB) overflows within ~25 ms. Memory is only
    /// used while datagrams wait.
    /// </summary>
    private const int ReceiveBufferBytes = 2 * 1024 * 1024;

    private readonly DaemonLog _log;
    private readonly Socket _socket;
    private readonly PacketReceiver _receiver;
    private readonly ReplySender _sender;
    private readonly LeaseJournal _journal;
    private readonly LeaseCommitter _committer;
    private readonly Wakeup _wakeup;
    private readonly Thread _thread;
    private readonly Lock _serverLock = new();
    private DhcpServer _server;
    private DhcpStatistics? _logged;
    private volatile bool _stopping;

    public ScopeWorker(string name, string bridge, int interfaceIndex, DhcpScope scope, string leaseFile, LinkLayerSender linkLayer, DaemonLog log)
    {
        Name = name;
        Bridge = bridge;
        InterfaceIndex = interfaceIndex;
        _log = log;
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
            _wakeup = new Wakeup();
        }
        catch
        {
            _receiver?.Dispose();
            _socket?.Dispose();
            _journal.Dispose();
            throw;
        }
        _committer = new LeaseCommitter(name, _journal, Send, LiveLeases, log);
        log.Write($"{name}: serving {scope.Subnet} on {bridge} (ifindex {interfaceIndex}), {restored} lease(s) restored");
        _thread = new Thread(Run) { Name = "dhcp " + name, IsBackground = true };
        _thread.Start();
    }

    public string Name { get; }
    public string Bridge { get; }
    public int InterfaceIndex { get; }

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
    /// Stops the serving thread (woken at once, not at its next timeout), commits and answers what it had
    /// queued, and closes the socket before returning.
    /// </summary>
    public void Dispose()
    {
        _stopping = true;
        _wakeup.Signal();
        _thread.Join();
        _committer.Dispose();
        _wakeup.Dispose();
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

    private void Run()
    {
        var buffer = new byte[1500];
        var housekeeping = DateTimeOffset.UtcNow + HousekeepingInterval;
        while (!_stopping)
        {
            try
            {
                if (_wakeup.Wait(_receiver.Fd, housekeeping - DateTimeOffset.UtcNow))
                    for (var handled = 0; handled < MaxBurst && _receiver.TryReceive(buffer, out var length); handled++)
                        if (length > 0) HandleOne(buffer.AsSpan(0, length));
                if (DateTimeOffset.UtcNow >= housekeeping)
                {
                    IReadOnlyList<DhcpLeaseChange> expired;
                    lock (_serverLock) expired = _server.RemoveExpired(DateTimeOffset.UtcNow);
                    if (expired.Count > 0) _committer.Enqueue(expired, null);
                    LogCounters();
                    housekeeping = DateTimeOffset.UtcNow + HousekeepingInterval;
                }
            }
            catch (SocketException e)
            {
                // Seen once when the bridge goes down (ENETDOWN); a stop still ends the pause at once.
                _log.Write($"{Name}: {e.GetType().Name}: {e.Message}");
                _wakeup.Wait(-1, ErrorBackoff);
            }
        }
    }

    private void HandleOne(ReadOnlySpan<byte> packet)
    {
        if (!Ipv4UdpDatagram.TryParse(packet, out var header, out var payload)) return;
        DhcpResult result;
        lock (_serverLock)
        {
            var scope = _server.Scope;
            var broadcast = header.IsTo(IPAddress.Broadcast) || header.IsTo(scope.EffectiveBroadcastAddress);
            // What a UDP socket would have been given: to a guest's router, port 67 of any other address is not us.
            if (!broadcast && !header.IsTo(scope.ServerAddress)) return;
            result = _server.Handle(packet[payload], new DhcpReceiveInfo(Bridge, broadcast), DateTimeOffset.UtcNow);
        }
        if (_log.Debug) _log.Write($"{Name}: {result.Summary}");
        if (result.LeaseChanges.Count > 0) _committer.Enqueue(result.LeaseChanges, result.Reply);
        else if (result.Reply is { } reply) Send(reply);
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
}
