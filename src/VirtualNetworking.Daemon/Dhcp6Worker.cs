using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp6;

namespace VirtualNetworking.Daemon;

/// <summary>A DHCPv6 reply and where it goes: the address and port the client's message came from (RFC 8415 §18.3).</summary>
internal sealed record Dhcp6Outgoing(Dhcp6Message Message, IPEndPoint Destination);

/// <summary>
/// Serves one network's DHCPv6 from the daemon's <see cref="EventLoop"/>: the network's <see cref="Dhcp6Server"/>, and its
/// lease file (network.leases6) behind the shared <see cref="LeaseCommitter"/>, with DHCPv4's guarantee: a Reply that binds
/// an address leaves only once the binding is durable. One UDP socket on [::]:547 bound to the bridge (so never another
/// interface; several networks share the port, told apart by device) that joined All_DHCP_Relay_Agents_and_Servers
/// (ff02::1:2) there; each message's destination (IPV6_PKTINFO) tells multicast from unicast. Clients send from their
/// link-local address, which a UDP socket answers without help. Made, changed and disposed on the loop thread.
/// </summary>
internal sealed class Dhcp6Worker : IDisposable
{
    public const int ServerPort = 547;
    private static readonly IPAddress AllServers = IPAddress.Parse("ff02::1:2");
    /// <summary>Datagrams handled back to back before the loop serves its other sockets.</summary>
    private const int MaxBurst = 64;
    /// <summary>As <see cref="ScopeWorker"/>'s: room for bursts while the loop is held off.</summary>
    private const int ReceiveBufferBytes = 2 * 1024 * 1024;
    /// <summary>The largest message read: a standard Ethernet MTU (a longer one is truncated and then fails to parse).</summary>
    private const int MessageBytes = 1500;
    [ThreadStatic] private static byte[]? t_buffer;

    private readonly DaemonLog _log;
    private readonly EventLoop _loop;
    private readonly LeaseCommitter _committer;
    private readonly Socket _socket;
    private readonly LeaseJournal<Dhcp6Lease, Dhcp6LeaseChange> _journal;
    private readonly LeaseSink<Dhcp6Lease, Dhcp6LeaseChange, Dhcp6Outgoing> _sink;
    /// <summary>Between the loop (which handles messages) and the committer (which reads the live leases to compact).</summary>
    private readonly Lock _serverLock = new();
    private Dhcp6Server _server;
    private LoopTimer _housekeeping;
    private long _received, _replies, _dropped;
    private (long, long, long) _logged;

    public Dhcp6Worker(string name, string bridge, int interfaceIndex, Dhcp6Scope scope, string leaseFile, EventLoop loop, LeaseCommitter committer,
                       DaemonLog log)
    {
        Name = name;
        Bridge = bridge;
        InterfaceIndex = interfaceIndex;
        _log = log;
        _loop = loop;
        _committer = committer;
        _server = new Dhcp6Server(scope);
        var stored = LeaseJournal.Read6(leaseFile);
        foreach (var skipped in stored.SkippedLines) log.Write($"{name}: DHCPv6 lease file {skipped}");
        var restored = _server.Restore(stored.Leases, DateTimeOffset.UtcNow);
        _journal = LeaseJournal.Create6(leaseFile, _server.Leases);
        try
        {
            _socket = Bind(bridge, interfaceIndex);
            loop.Watch((int)_socket.Handle, Native.EPOLLIN, _ => OnReadable());
        }
        catch
        {
            _socket?.Dispose();
            _journal.Dispose();
            throw;
        }
        _sink = new(name, _journal, Send, LiveLeases);
        _housekeeping = loop.Schedule(Housekeeping.Interval, Housekeep);
        log.Write($"{name}: serving DHCPv6 {scope.Subnet} on {bridge} (ifindex {interfaceIndex}), {restored} lease(s) restored");
    }

    public string Name { get; }
    public string Bridge { get; }
    public int InterfaceIndex { get; }
    /// <summary>Messages received (read on the loop thread, as they are counted).</summary>
    public long Received => _received;
    /// <summary>Replies sent, by the loop or the committer.</summary>
    public long Replies => Interlocked.Read(ref _replies);
    /// <summary>Messages left unanswered: garbage, not for this server, or a reply that would not fit.</summary>
    public long Dropped => _dropped;

    /// <summary>The bound and declined leases now.</summary>
    public IReadOnlyCollection<Dhcp6Lease> Leases => LiveLeases();

    /// <summary>A changed definition: a new server keeping the bindings (the server DUID, from the network's UUID, stays).</summary>
    public void UpdateScope(Dhcp6Scope scope)
    {
        var replacement = new Dhcp6Server(scope);
        lock (_serverLock)
        {
            replacement.Restore(_server.Leases, DateTimeOffset.UtcNow);
            _server = replacement;
        }
        _log.Write($"{Name}: DHCPv6 scope updated");
    }

    /// <summary>Stops receiving, lets the committer write and answer what was queued, then closes the socket and the lease file.</summary>
    public void Dispose()
    {
        _loop.Unwatch((int)_socket.Handle);
        _housekeeping.Cancel();
        _committer.Flush();
        _socket.Dispose();
        _journal.Dispose();
        LogCounters();
        _log.Write($"{Name}: stopped serving DHCPv6 on {Bridge}");
    }

    private static Socket Bind(string bridge, int interfaceIndex)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetRawSocketOption(Native.SOL_SOCKET, Native.SO_BINDTODEVICE, Encoding.ASCII.GetBytes(bridge + "\0"));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            socket.ReceiveBufferSize = ReceiveBufferBytes;
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, ServerPort));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(AllServers, interfaceIndex));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void OnReadable()
    {
        var buffer = t_buffer ??= new byte[MessageBytes];
        var changed = false;
        for (var handled = 0; handled < MaxBurst && _socket.Available > 0; handled++)
        {
            EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
            var flags = SocketFlags.None;
            int length;
            IPPacketInformation info;
            try { length = _socket.ReceiveMessageFrom(buffer, ref flags, ref from, out info); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { break; }
            catch (SocketException e)
            {
                _log.Write($"{Name}: receiving DHCPv6 on {Bridge}: {e.Message}");
                break;
            }
            _received++;
            changed |= HandleOne(buffer.AsSpan(0, length), (IPEndPoint)from, info.Address.IsIPv6Multicast);
        }
        if (changed) LeasesChanged?.Invoke();
    }

    /// <summary>Raised on the loop thread after leases were bound, released or expired.</summary>
    public event Action? LeasesChanged;

    /// <summary>Answers one message; true when it changed the leases.</summary>
    private bool HandleOne(ReadOnlySpan<byte> message, IPEndPoint from, bool multicast)
    {
        Dhcp6Result result;
        lock (_serverLock) result = _server.Handle(message, new Dhcp6ReceiveInfo(Bridge, multicast), DateTimeOffset.UtcNow);
        if (_log.Debug) _log.Write($"{Name}: DHCPv6 from {from}: {result.Summary}");
        if (result.Reply is null) _dropped++;
        var reply = result.Reply is { } m ? new Dhcp6Outgoing(m, from) : null;
        if (result.LeaseChanges.Count > 0) _committer.Enqueue(_sink, result.LeaseChanges, reply);
        else if (reply is not null) Send(reply);
        return result.LeaseChanges.Count > 0;
    }

    private void Housekeep()
    {
        IReadOnlyList<Dhcp6LeaseChange> expired;
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

    private IReadOnlyCollection<Dhcp6Lease> LiveLeases()
    {
        lock (_serverLock) return _server.Leases;
    }

    /// <summary>One line with the counters when they changed since the last one: the log's record of traffic below debug level.</summary>
    private void LogCounters()
    {
        var now = (Received, Replies, Dropped);
        if (now == _logged) return;
        _logged = now;
        _log.Write($"{Name}: DHCPv6 {now.Item1} received, {now.Item2} replies, {now.Item3} dropped, {Leases.Count} leases");
    }

    /// <summary>On the loop thread (replies that bind nothing) or the committer's (replies it made durable).</summary>
    private void Send(Dhcp6Outgoing reply)
    {
        try
        {
            _socket.SendTo(reply.Message.ToArray(), reply.Destination);
            Interlocked.Increment(ref _replies);
        }
        catch (SocketException e)
        {
            _log.Write($"{Name}: sending DHCPv6 to {reply.Destination} failed: {e.Message}");
        }
    }
}
