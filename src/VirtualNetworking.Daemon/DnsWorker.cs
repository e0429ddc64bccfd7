using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Serves one network's DNS from the daemon's <see cref="EventLoop"/>, around the pure <see cref="DnsServer"/>: UDP and
/// TCP port 53 on each of the network's addresses, bound to the address and to the bridge (so never on another
/// interface), like dnsmasq's bind-dynamic; forwarded queries leave through one UDP socket per family (the kernel picks
/// a random source port), or a TCP connection per query when the client asked over TCP. Every socket is non-blocking
/// and watched by the loop, so a network costs sockets, not threads. Made, changed and disposed on the loop thread.
/// </summary>
internal sealed class DnsWorker : IDisposable
{
    /// <summary>TCP clients held at once per network; a new one closes the one idle longest (RFC 7766 §6.2.2).</summary>
    private const int MaxTcpConnections = 20;
    /// <summary>A TCP client silent this long is closed (RFC 7766 §6.2.3 suggests seconds, not minutes).</summary>
    private static readonly TimeSpan TcpIdleTimeout = TimeSpan.FromSeconds(10);
    /// <summary>Datagrams handled back to back before the loop serves its other sockets.</summary>
    private const int MaxBurst = 64;
    /// <summary>Answers queued for a TCP client that does not read; beyond this it is closed rather than buffered.</summary>
    private const int MaxPendingOutput = 256 * 1024;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    private readonly DnsServerOptions _options;

    private readonly EventLoop _loop;
    private readonly DaemonLog _log;
    /// <summary>One per address; the index is the <see cref="DnsClient.ConnectionId"/> of UDP clients, so a forwarded answer leaves from the address that was asked.</summary>
    private readonly List<Socket> _udp = [];
    private readonly List<Socket> _tcpListeners = [];
    private readonly Dictionary<long, TcpClient> _clients = [];
    private readonly Dictionary<int, UpstreamTcp> _upstreamTcp = [];
    /// <summary>
    /// The datagram being handled: one per loop thread, shared by every network it serves (a buffer per network
    /// would cost 64 KiB each, 64 MB for a thousand networks).
    /// </summary>
    [ThreadStatic] private static byte[]? t_buffer;
    private Socket? _upstream4;
    private Socket? _upstream6;
    private DnsServer _server;
    private NetworkDefinition _definition;
    /// <summary>TCP connection ids start above any UDP listener index.</summary>
    private long _nextConnectionId = 1 << 16;
    private LoopTimer? _expiry;
    private DateTimeOffset? _expiryAt;
    private LoopTimer? _sweep;

    /// <summary>Binds every address's port 53 or nothing: a <see cref="DnsPortInUseException"/> when another process holds one.</summary>
    public DnsWorker(string name, string bridge, int interfaceIndex, NetworkDefinition definition, DnsPolicy policy,
                     IReadOnlyList<IPEndPoint> hostResolvers, DnsServerOptions options, EventLoop loop, DaemonLog log)
    {
        Name = name;
        _options = options;
        Bridge = bridge;
        InterfaceIndex = interfaceIndex;
        Addresses = AddressesOf(definition);
        _loop = loop;
        _log = log;
        _definition = definition;
        _server = NewServer(definition, policy, [], [], hostResolvers);
        try
        {
            foreach (var address in Addresses)
            {
                var udp = Bind(address, SocketType.Dgram, ProtocolType.Udp);
                var index = _udp.Count;
                _udp.Add(udp);
                loop.Watch(Fd(udp), Native.EPOLLIN, _ => OnQueryReadable(index));
                var tcp = Bind(address, SocketType.Stream, ProtocolType.Tcp);
                _tcpListeners.Add(tcp);
                tcp.Listen(MaxTcpConnections);
                loop.Watch(Fd(tcp), Native.EPOLLIN, _ => OnAcceptable(tcp));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        log.Write($"{name}: serving DNS on {string.Join(", ", Addresses)} port {DnsPolicy.DnsPort} ({bridge}), " +
                  (policy.Forwards ? $"{_server.HostResolvers.Count} host resolver(s) usable" : "no upstream (isolated)"));
    }

    public string Name { get; }
    public string Bridge { get; }
    public int InterfaceIndex { get; }
    /// <summary>Where it listens: the addresses of the definition's &lt;ip&gt; elements.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    public static IReadOnlyList<IPAddress> AddressesOf(NetworkDefinition definition) => [.. definition.Ips.Select(ip => ip.Address).Distinct()];

    /// <summary>A changed definition on the same addresses: a new server (new policy and records; queries in flight are dropped, clients retry).</summary>
    public void Update(NetworkDefinition definition, DnsPolicy policy, IReadOnlyCollection<DhcpLease> leases, IReadOnlyCollection<Dhcp6Lease> leases6)
    {
        _definition = definition;
        _server = NewServer(definition, policy, leases, leases6, _server.HostResolvers);
        _expiry?.Cancel();
        _expiry = null;
        _expiryAt = null;
        _log.Write($"{Name}: DNS updated");
    }

    /// <summary>Guests' names follow their leases: the zone is built afresh from the definition and the leases now.</summary>
    public void Rebuild(IReadOnlyCollection<DhcpLease> leases, IReadOnlyCollection<Dhcp6Lease> leases6) =>
        _server.Zone = DnsZone.Build(_definition, leases, leases6, DateTimeOffset.UtcNow);

    /// <summary>New resolv.conf nameservers; the server leaves out this network's own addresses.</summary>
    public void UseHostResolvers(IReadOnlyList<IPEndPoint> resolvers) => _server.UseHostResolvers(resolvers);

    public DnsStatistics GetStatistics() => _server.GetStatistics();

    public void Dispose()
    {
        _expiry?.Cancel();
        _sweep?.Cancel();
        foreach (var client in _clients.Values.ToList()) Close(client);
        foreach (var upstream in _upstreamTcp.Values.ToList()) Close(upstream);
        foreach (var socket in _udp.Concat(_tcpListeners).Append(_upstream4).Append(_upstream6).OfType<Socket>()) Close(socket);
        _udp.Clear();
        _tcpListeners.Clear();
        _upstream4 = _upstream6 = null;
    }

    private DnsServer NewServer(NetworkDefinition definition, DnsPolicy policy, IReadOnlyCollection<DhcpLease> leases, IReadOnlyCollection<Dhcp6Lease> leases6,
                                IReadOnlyList<IPEndPoint> resolvers)
    {
        var server = new DnsServer(policy, DnsZone.Build(definition, leases, leases6, DateTimeOffset.UtcNow), KernelRandomSource.Instance, _options);
        server.UseHostResolvers(resolvers);
        return server;
    }

    private Socket Bind(IPAddress address, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(address.AddressFamily, type, protocol) { Blocking = false };
        try
        {
            // TCP only: a restarted network must not wait out TIME_WAIT. Never on UDP, where it would let us share the
            // port with another server that set it too (dnsmasq does) instead of reporting it.
            if (protocol == ProtocolType.Tcp) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetRawSocketOption(Native.SOL_SOCKET, Native.SO_BINDTODEVICE, Encoding.ASCII.GetBytes(Bridge + "\0"));
            // An IPv6 address in duplicate address detection (a bridge just made) cannot be bound without it.
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
                socket.SetRawSocketOption(Native.SOL_IPV6, Native.IPV6_FREEBIND, BitConverter.GetBytes(1));
            else
                socket.SetRawSocketOption(Native.SOL_IP, Native.IP_FREEBIND, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(address, DnsPolicy.DnsPort));
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new DnsPortInUseException(Name, Bridge, address, protocol, SocketOwner.Describe(protocol, address, DnsPolicy.DnsPort));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static int Fd(Socket socket) => (int)socket.Handle;

    private void Close(Socket socket)
    {
        _loop.Unwatch(Fd(socket));
        socket.Dispose();
    }

    // ---- queries from guests ----

    private static byte[] Buffer => t_buffer ??= new byte[DnsMessage.MaxLength];

    private void OnQueryReadable(int index)
    {
        var socket = _udp[index];
        var buffer = Buffer;
        var from = new SocketAddress(socket.AddressFamily);
        for (var handled = 0; handled < MaxBurst; handled++)
        {
            int length;
            try { length = socket.ReceiveFrom(buffer, SocketFlags.None, from); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { return; }
            var client = new DnsClient(DnsTransport.Udp, EndPointOf(from), index);
            Act(_server.Handle(buffer.AsSpan(0, length), client, DateTimeOffset.UtcNow));
            // Asked before the next read, so that a drained socket does not cost an exception (FIONREAD: the next datagram's size).
            if (socket.Available == 0) return;
        }
    }

    private static IPEndPoint EndPointOf(SocketAddress address) =>
        (IPEndPoint)(address.Family == AddressFamily.InterNetworkV6 ? IPv6Any : IPv4Any).Create(address);

    private static readonly IPEndPoint IPv4Any = new(IPAddress.Any, 0);
    private static readonly IPEndPoint IPv6Any = new(IPAddress.IPv6Any, 0);

    private void OnAcceptable(Socket listener)
    {
        Socket accepted;
        try { accepted = listener.Accept(); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionAborted) { return; }
        accepted.Blocking = false;
        if (_clients.Count >= MaxTcpConnections) Close(_clients.Values.MinBy(c => c.LastActive)!);
        var client = new TcpClient(_nextConnectionId++, accepted, (IPEndPoint)accepted.RemoteEndPoint!, _loop.Now);
        _clients[client.Id] = client;
        _loop.Watch(Fd(accepted), Native.EPOLLIN, events => OnClientEvent(client, events));
        ArmSweep();
    }

    private void OnClientEvent(TcpClient client, uint events)
    {
        if ((events & Native.EPOLLOUT) != 0 && !Flush(client)) return;
        if ((events & (Native.EPOLLIN | Native.EPOLLHUP | Native.EPOLLERR)) == 0) return;
        if (!client.Input.Receive(client.Socket))
        {
            Close(client);
            return;
        }
        client.LastActive = _loop.Now;
        while (client.Input.TryTake(out var message))
        {
            Act(_server.Handle(message, new DnsClient(DnsTransport.Tcp, client.Remote, client.Id), DateTimeOffset.UtcNow));
            if (!_clients.ContainsKey(client.Id)) return; // closed by its own answer (output overflow)
        }
    }

    private void Send(TcpClient client, byte[] message)
    {
        var framed = DnsTcpFraming.Frame(message);
        if (client.Pending.Count == 0)
        {
            var sent = client.Socket.Send(framed, SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                Close(client);
                return;
            }
            if (sent == framed.Length) return;
            client.Pending.Enqueue(framed[Math.Max(sent, 0)..]);
            Rewatch(client, Native.EPOLLIN | Native.EPOLLOUT);
            return;
        }
        client.Pending.Enqueue(framed);
        if (client.Pending.Sum(p => p.Length) > MaxPendingOutput) Close(client);
    }

    /// <summary>Writes what waits; false when the connection was closed.</summary>
    private bool Flush(TcpClient client)
    {
        while (client.Pending.TryPeek(out var head))
        {
            var sent = client.Socket.Send(head, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return true;
            if (error != SocketError.Success)
            {
                Close(client);
                return false;
            }
            client.Pending.Dequeue();
            if (sent < head.Length)
            {
                // Put the rest back at the front: a queue has no front insert, so rebuild it (rare: a full socket buffer).
                var rest = new[] { head[sent..] }.Concat(client.Pending).ToList();
                client.Pending.Clear();
                foreach (var part in rest) client.Pending.Enqueue(part);
                return true;
            }
        }
        Rewatch(client, Native.EPOLLIN);
        return true;
    }

    /// <summary>The loop has no "modify": a connection whose output backs up is watched again with EPOLLOUT (rare).</summary>
    private void Rewatch(TcpClient client, uint events)
    {
        _loop.Unwatch(Fd(client.Socket));
        _loop.Watch(Fd(client.Socket), events, e => OnClientEvent(client, e));
    }

    private void Close(TcpClient client)
    {
        if (!_clients.Remove(client.Id)) return;
        Close(client.Socket);
    }

    // ---- what the server decided ----

    private void Act(DnsResult result)
    {
        switch (result)
        {
            case DnsAnswer answer: Deliver(answer); break;
            case DnsForward forward: Forward(forward); break;
            case DnsDrop drop when _log.Debug: _log.Write($"{Name}: DNS dropped: {drop.Reason}"); break;
        }
        ArmExpiry();
    }

    private void Deliver(DnsAnswer answer)
    {
        if (answer.Client.Transport == DnsTransport.Tcp)
        {
            if (_clients.TryGetValue(answer.Client.ConnectionId, out var client)) Send(client, answer.Message);
            return;
        }
        try { _udp[(int)answer.Client.ConnectionId].SendTo(answer.Message, SocketFlags.None, answer.Client.EndPoint); }
        catch (SocketException e)
        {
            // A full send buffer or an unreachable guest: UDP loses it, the client asks again.
            if (_log.Debug) _log.Write($"{Name}: DNS answer to {answer.Client.EndPoint} not sent: {e.Message}");
        }
    }

    private void Forward(DnsForward forward)
    {
        if (forward.Transport == DnsTransport.Tcp)
        {
            ForwardOverTcp(forward);
            return;
        }
        var socket = UpstreamSocket(forward.Upstream.AddressFamily);
        try { socket.SendTo(forward.Query, SocketFlags.None, forward.Upstream); }
        catch (SocketException e)
        {
            // No route, say: the server's timer moves on to the next upstream.
            _log.Write($"{Name}: forwarding to {forward.Upstream} failed: {e.Message}");
        }
    }

    private Socket UpstreamSocket(AddressFamily family)
    {
        ref var slot = ref family == AddressFamily.InterNetworkV6 ? ref _upstream6 : ref _upstream4;
        if (slot is not null) return slot;
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        // Port 0: the kernel draws a random ephemeral port, which with the server's random ids makes spoofing hard.
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        _loop.Watch(Fd(socket), Native.EPOLLIN, _ => OnUpstreamReadable(socket));
        return slot = socket;
    }

    private void OnUpstreamReadable(Socket socket)
    {
        var from = new SocketAddress(socket.AddressFamily);
        var buffer = Buffer;
        for (var handled = 0; handled < MaxBurst; handled++)
        {
            int length;
            try { length = socket.ReceiveFrom(buffer, SocketFlags.None, from); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { return; }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // An upstream's port unreachable, reported on the next read: its query times out and fails over.
                continue;
            }
            Act(_server.HandleUpstreamReply(buffer.AsSpan(0, length), EndPointOf(from), DateTimeOffset.UtcNow));
            if (socket.Available == 0) return;
        }
    }

    private void ForwardOverTcp(DnsForward forward)
    {
        var socket = new Socket(forward.Upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        try { socket.Connect(forward.Upstream); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress) { }
        catch (SocketException e)
        {
            socket.Dispose();
            _log.Write($"{Name}: forwarding to {forward.Upstream} over TCP failed: {e.Message}");
            return;
        }
        var upstream = new UpstreamTcp(socket, forward.Upstream, DnsTcpFraming.Frame(forward.Query), _loop.Now);
        _upstreamTcp[Fd(socket)] = upstream;
        _loop.Watch(Fd(socket), Native.EPOLLOUT, events => OnUpstreamTcpEvent(upstream, events));
        ArmSweep();
    }

    private void OnUpstreamTcpEvent(UpstreamTcp upstream, uint events)
    {
        if (!upstream.QuerySent)
        {
            var error = (int)upstream.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != 0 || upstream.Socket.Send(upstream.Query, SocketFlags.None, out var sendError) != upstream.Query.Length || sendError != SocketError.Success)
            {
                // Refused or reset: the server's deadline fails over to the next upstream.
                Close(upstream);
                return;
            }
            upstream.QuerySent = true;
            _loop.Unwatch(Fd(upstream.Socket));
            _loop.Watch(Fd(upstream.Socket), Native.EPOLLIN, e => OnUpstreamTcpEvent(upstream, e));
            return;
        }
        if (!upstream.Input.Receive(upstream.Socket))
        {
            Close(upstream);
            return;
        }
        if (upstream.Input.TryTake(out var reply))
        {
            var result = _server.HandleUpstreamReply(reply, upstream.Upstream, DateTimeOffset.UtcNow);
            Close(upstream);
            Act(result);
        }
    }

    private void Close(UpstreamTcp upstream)
    {
        if (!_upstreamTcp.Remove(Fd(upstream.Socket))) return;
        Close(upstream.Socket);
    }

    // ---- time ----

    /// <summary>
    /// Keeps one loop timer at or before the server's next deadline. A later deadline does not move it: the timer then
    /// fires early, finds nothing due and re-arms, which costs less than a cancelled timer per answered query.
    /// </summary>
    private void ArmExpiry()
    {
        if (_server.NextDeadline is not { } next || (_expiryAt is { } armed && armed <= next)) return;
        _expiry?.Cancel();
        _expiryAt = next;
        var delay = next - DateTimeOffset.UtcNow;
        _expiry = _loop.Schedule(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, OnExpiry);
    }

    private void OnExpiry()
    {
        _expiry = null;
        _expiryAt = null;
        foreach (var result in _server.Expire(DateTimeOffset.UtcNow)) Act(result);
        ArmExpiry();
    }

    /// <summary>Closes idle TCP clients and upstream connections whose query has had its time; runs while any is open.</summary>
    private void ArmSweep()
    {
        if (_sweep is not null) return;
        _sweep = _loop.Schedule(SweepInterval, () =>
        {
            _sweep = null;
            var now = _loop.Now;
            foreach (var client in _clients.Values.Where(c => now - c.LastActive >= TcpIdleTimeout).ToList()) Close(client);
            foreach (var upstream in _upstreamTcp.Values.Where(u => now - u.Started >= _options.UpstreamTimeout).ToList()) Close(upstream);
            if (_clients.Count > 0 || _upstreamTcp.Count > 0) ArmSweep();
        });
    }

    /// <summary>What a TCP connection delivered so far, read into a buffer that grows to the largest message (64 KiB) only when one needs it.</summary>
    private sealed class TcpInput
    {
        private byte[] _data = new byte[512];
        private int _length;
        private int _consumed;

        /// <summary>Reads what is there; false when the peer closed or the connection failed.</summary>
        public bool Receive(Socket socket)
        {
            if (_consumed > 0)
            {
                _data.AsSpan(_consumed, _length - _consumed).CopyTo(_data);
                _length -= _consumed;
                _consumed = 0;
            }
            if (_length == _data.Length) Array.Resize(ref _data, Math.Min(_data.Length * 2, DnsTcpFraming.PrefixLength + DnsMessage.MaxLength));
            var received = socket.Receive(_data.AsSpan(_length), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return true;
            if (error != SocketError.Success || received == 0) return false;
            _length += received;
            return true;
        }

        public bool TryTake(out ReadOnlySpan<byte> message)
        {
            if (!DnsTcpFraming.TryReadMessage(_data.AsSpan(_consumed, _length - _consumed), out message, out var consumed)) return false;
            _consumed += consumed;
            return true;
        }
    }

    private sealed class TcpClient(long id, Socket socket, IPEndPoint remote, TimeSpan now)
    {
        public long Id { get; } = id;
        public Socket Socket { get; } = socket;
        public IPEndPoint Remote { get; } = remote;
        public TimeSpan LastActive { get; set; } = now;
        public TcpInput Input { get; } = new();
        public Queue<byte[]> Pending { get; } = new();
    }

    private sealed class UpstreamTcp(Socket socket, IPEndPoint upstream, byte[] query, TimeSpan started)
    {
        public Socket Socket { get; } = socket;
        public IPEndPoint Upstream { get; } = upstream;
        public byte[] Query { get; } = query;
        public TimeSpan Started { get; } = started;
        public bool QuerySent { get; set; }
        public TcpInput Input { get; } = new();
    }
}

/// <summary>Another process holds port 53 on one of a network's addresses (bind: EADDRINUSE).</summary>
internal sealed class DnsPortInUseException(string network, string bridge, IPAddress address, ProtocolType protocol, string owner)
    : IOException($"Network '{network}' cannot serve DNS: {protocol.ToString().ToUpperInvariant()} port {DnsPolicy.DnsPort} on {address} (bridge {bridge}) " +
                  $"is already in use by {owner}. Stop that process or make it listen elsewhere (dnsmasq: --bind-interfaces --except-interface={bridge}), " +
                  "or disable the network's DNS with <dns enable='no'/>, then start the network again.");
