using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Serves one network: a UDP socket on 0.0.0.0:67 bound to the bridge, one thread, the network's
/// <see cref="DhcpServer"/> and lease file. Datagrams waiting together form a batch: the batch's lease
/// changes are appended and fsynced once (group commit), then its replies are sent.
/// </summary>
internal sealed class ScopeWorker : IDisposable
{
    private const int MaxBatch = 64;
    /// <summary>Pause after a socket or disk error, so a persistent one does not spin the thread.</summary>
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(30);

    private readonly DaemonLog _log;
    private readonly Socket _socket;
    private readonly ReplySender _sender;
    private readonly LeaseJournal _journal;
    private readonly Wakeup _wakeup;
    private readonly Thread _thread;
    private readonly Lock _serverLock = new();
    private DhcpServer _server;
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
            _sender = new ReplySender(_socket, linkLayer, interfaceIndex, scope.ServerAddress);
            _wakeup = new Wakeup();
        }
        catch
        {
            _socket?.Dispose();
            _journal.Dispose();
            throw;
        }
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

    /// <summary>Stops the thread (woken at once, not at its next timeout) and closes the socket before returning.</summary>
    public void Dispose()
    {
        _stopping = true;
        _wakeup.Signal();
        if (Thread.CurrentThread != _thread) _thread.Join();
        _wakeup.Dispose();
        _socket.Dispose();
        _journal.Dispose();
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
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
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
        var replies = new List<DhcpReply>();
        var changes = new List<DhcpLeaseChange>();
        var nextExpiry = DateTimeOffset.UtcNow + ExpiryInterval;
        while (!_stopping)
        {
            try
            {
                if (_wakeup.Wait(_socket, nextExpiry - DateTimeOffset.UtcNow))
                {
                    do HandleOne(buffer, replies, changes);
                    while (replies.Count < MaxBatch && _socket.Available > 0);
                    _journal.Commit(changes);
                    foreach (var reply in replies) Send(reply);
                }
                if (DateTimeOffset.UtcNow >= nextExpiry)
                {
                    lock (_serverLock) changes.AddRange(_server.RemoveExpired(DateTimeOffset.UtcNow));
                    _journal.Commit(changes);
                    nextExpiry = DateTimeOffset.UtcNow + ExpiryInterval;
                }
                if (_journal.NeedsCompaction)
                    lock (_serverLock) _journal.Compact(_server.Leases);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // A reply that was not sent is retried by the client; a failed fsync means its reply is never sent.
                _log.Write($"{Name}: {e.GetType().Name}: {e.Message}");
                Thread.Sleep(ErrorBackoff);
            }
            finally
            {
                replies.Clear();
                changes.Clear();
            }
        }
    }

    private void HandleOne(byte[] buffer, List<DhcpReply> replies, List<DhcpLeaseChange> changes)
    {
        var flags = SocketFlags.None;
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = _socket.ReceiveMessageFrom(buffer, 0, buffer.Length, ref flags, ref from, out var info);
        if (info.Interface != InterfaceIndex) return; // SO_BINDTODEVICE already ensures this; never answer elsewhere
        var broadcast = info.Address.Equals(IPAddress.Broadcast);
        DhcpResult result;
        lock (_serverLock)
        {
            broadcast |= info.Address.Equals(_server.Scope.EffectiveBroadcastAddress);
            result = _server.Handle(buffer.AsSpan(0, length), new DhcpReceiveInfo(Bridge, broadcast), DateTimeOffset.UtcNow);
        }
        _log.Write($"{Name}: {result.Summary}");
        changes.AddRange(result.LeaseChanges);
        if (result.Reply is { } reply) replies.Add(reply);
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
