using System.Net;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Which bridges have a usable IPv6 link-local address, the only source an RA may have (RFC 4861 §6.1.2): one rtnetlink
/// socket subscribed to IPv6 address changes, watched on the loop, for every network. An address is usable once
/// duplicate address detection is over (not tentative, not failed); the kernel reports each change of its flags, so a
/// bridge that gets its link-local late (a bridge without ports has no carrier and so none yet) or runs DAD again (its
/// carrier came back) is seen at once, without polling. Loop thread only.
/// </summary>
internal sealed class LinkLocalWatch : IDisposable
{
    private readonly EventLoop _loop;
    private readonly DaemonLog _log;
    /// <summary>Usable link-local addresses by interface index.</summary>
    private readonly Dictionary<int, List<IPAddress>> _usable = [];
    private readonly Dictionary<int, Action<IPAddress?>> _listeners = [];
    private NetlinkSocket? _notifications;

    public LinkLocalWatch(EventLoop loop, DaemonLog log)
    {
        _loop = loop;
        _log = log;
    }

    /// <summary>Subscribes, then reads the addresses there are: a change meanwhile is queued and applied after them.</summary>
    public void Start()
    {
        try
        {
            _notifications = new NetlinkSocket(RtnetlinkGroups.Ipv6Address);
            Reload();
            _loop.Watch(_notifications.Descriptor, Native.EPOLLIN, _ => Receive());
        }
        catch (NetlinkException e)
        {
            _notifications?.Dispose();
            _notifications = null;
            _log.Write($"ipv6: cannot watch link-local addresses ({e.Message}); no router advertisement will be sent");
        }
    }

    /// <summary>
    /// Tells <paramref name="changed"/> about the interface's usable link-local address from now on (null when it has
    /// none); returns the one it has now.
    /// </summary>
    public IPAddress? Subscribe(int interfaceIndex, Action<IPAddress?> changed)
    {
        _listeners[interfaceIndex] = changed;
        return Current(interfaceIndex);
    }

    public void Unsubscribe(int interfaceIndex) => _listeners.Remove(interfaceIndex);

    public void Dispose()
    {
        if (_notifications is null) return;
        _loop.Unwatch(_notifications.Descriptor);
        _notifications.Dispose();
        _notifications = null;
    }

    private IPAddress? Current(int interfaceIndex) => _usable.TryGetValue(interfaceIndex, out var list) && list.Count > 0 ? list[0] : null;

    private void Reload()
    {
        using var dump = new NetlinkSocket();
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetAddress, NetlinkFlags.Dump)
            .Write(new InterfaceAddressMessage { Family = LinuxAddressFamily.Inet6 });
        var before = _usable.Keys.ToDictionary(index => index, Current);
        _usable.Clear();
        foreach (var message in dump.Request(request, "list IPv6 addresses")) Apply(message, notify: false);
        foreach (var (index, listener) in _listeners.ToList())
            if (!Equals(before.GetValueOrDefault(index), Current(index))) listener(Current(index));
    }

    private void Receive()
    {
        IEnumerable<NetlinkMessage> messages;
        try { messages = _notifications!.ReceiveNotifications(TimeSpan.Zero, "watch IPv6 addresses"); }
        catch (NetlinkException e) when (e.Errno == Errno.ENOBUFS)
        {
            // The kernel dropped notifications (a burst of address changes): read the state afresh.
            Reload();
            return;
        }
        foreach (var message in messages) Apply(message, notify: true);
    }

    private void Apply(NetlinkMessage message, bool notify)
    {
        if (message.Type is not (NetlinkMessageType.NewAddress or NetlinkMessageType.DeleteAddress)) return;
        var header = message.ReadHeader<InterfaceAddressMessage>(out var attributes);
        if (header.Family != LinuxAddressFamily.Inet6 || attributes.GetIpAddress(AddressAttribute.Address) is not { IsIPv6LinkLocal: true } address) return;
        var flags = attributes.GetUInt32(AddressAttribute.Flags) ?? header.Flags;
        var usable = message.Type == NetlinkMessageType.NewAddress && (flags & (AddressFlags.Tentative | AddressFlags.DadFailed)) == 0;
        if ((flags & AddressFlags.DadFailed) != 0) _log.Write($"ipv6: link-local {address} on ifindex {header.Index} failed duplicate address detection");

        var before = Current(header.Index);
        if (!_usable.TryGetValue(header.Index, out var list)) _usable[header.Index] = list = [];
        list.Remove(address);
        if (usable) list.Add(address);
        if (list.Count == 0) _usable.Remove(header.Index);
        var after = Current(header.Index);
        if (notify && !Equals(before, after) && _listeners.TryGetValue(header.Index, out var listener)) listener(after);
    }
}
