using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Sends one network's router advertisements (RFC 4861) from the daemon's <see cref="EventLoop"/>, around the pure
/// <see cref="RouterAdvertiser"/>: a raw ICMPv6 socket bound to the bridge that receives only router solicitations, a
/// loop timer at the advertiser's next wake-up, and a last RA with router lifetime 0 when it is disposed (the network
/// stops, leaves the daemon, or the daemon ends).
/// <para>
/// An RA must come from the bridge's link-local address, which a bridge gets only once it has carrier (its first port)
/// and after duplicate address detection. Until then there is nothing to send from and nobody to hear it, so the
/// advertiser is not started: <see cref="LinkLocalWatch"/> reports the address when it becomes usable, and only then does
/// the advertiser start, its first RA leaving at once (a solicitation that came earlier is answered by it). When the
/// address becomes unusable again (DAD runs again when carrier comes back), the advertiser is stopped without its final
/// RA, which could not leave, and starts afresh later, so guests that just arrived get the quick initial RAs. Made,
/// changed and disposed on the loop thread.
/// </para>
/// </summary>
internal sealed unsafe class AdvertisementWorker : IDisposable
{
    /// <summary>Solicitations read back to back before the loop serves its other sockets.</summary>
    private const int MaxBurst = 16;
    /// <summary>A standard Ethernet MTU: a longer solicitation is cut short and then fails to parse.</summary>
    private const int MessageBytes = 1500;
    private const int ControlBytes = 64;
    private static readonly IPAddress AllRouters = IPAddress.Parse("ff02::2");

    private readonly EventLoop _loop;
    private readonly DaemonLog _log;
    private readonly LinkLocalWatch _linkLocal;
    private readonly int _fd;
    private RouterAdvertiser _advertiser;
    private IPAddress? _source;
    private LoopTimer? _timer;
    private long _sent;
    private long _solicitations;

    public AdvertisementWorker(string name, string bridge, int interfaceIndex, RouterAdvertisementPolicy policy, LinkLocalWatch linkLocal,
                               EventLoop loop, DaemonLog log)
    {
        Name = name;
        Bridge = bridge;
        InterfaceIndex = interfaceIndex;
        _loop = loop;
        _log = log;
        _linkLocal = linkLocal;
        _advertiser = new RouterAdvertiser(policy, KernelRandomSource.Instance);
        _fd = Open(bridge, interfaceIndex);
        try { loop.Watch(_fd, Native.EPOLLIN, _ => OnReadable()); }
        catch
        {
            LibC.Close(_fd);
            throw;
        }
        _source = linkLocal.Subscribe(interfaceIndex, OnLinkLocal);
        log.Write($"{name}: router advertisements on {bridge} for {string.Join(", ", policy.Advertisement.Prefixes.Select(p => p.Prefix))}, " +
                  $"router lifetime {policy.Advertisement.RouterLifetime} s" + (_source is null ? "; waiting for the bridge's link-local address" : ""));
        if (_source is not null) Act(_advertiser.Start(DateTimeOffset.UtcNow));
    }

    public string Name { get; }
    public string Bridge { get; }
    public int InterfaceIndex { get; }
    /// <summary>RAs sent since the worker was made.</summary>
    public long Sent => _sent;
    /// <summary>Router solicitations received (valid or not).</summary>
    public long Solicitations => _solicitations;

    /// <summary>
    /// A changed definition: when the advertisement or its intervals change, a new advertiser starts and its first RA
    /// tells the guests at once (RFC 4861 §6.2.4 lets a router send its initial RAs again after a change).
    /// </summary>
    public void Update(RouterAdvertisementPolicy policy)
    {
        var current = _advertiser.Policy;
        if (current.MinInterval == policy.MinInterval && current.MaxInterval == policy.MaxInterval &&
            current.Advertisement.ToArray().AsSpan().SequenceEqual(policy.Advertisement.ToArray())) return;
        _advertiser.Stop(DateTimeOffset.UtcNow); // its final RA is not sent: the new one follows at once
        _advertiser = new RouterAdvertiser(policy, KernelRandomSource.Instance);
        if (_source is not null) Act(_advertiser.Start(DateTimeOffset.UtcNow));
        else Reschedule();
        _log.Write($"{Name}: router advertisement updated");
    }

    /// <summary>Sends the last RA (router lifetime 0: guests drop this default router at once), then closes the socket.</summary>
    public void Dispose()
    {
        _linkLocal.Unsubscribe(InterfaceIndex);
        _timer?.Cancel();
        var final = _advertiser.Stop(DateTimeOffset.UtcNow);
        if (_source is not null) Send(final);
        _loop.Unwatch(_fd);
        LibC.Close(_fd);
        _log.Write($"{Name}: stopped router advertisements on {Bridge} ({_sent} sent, {_solicitations} solicitation(s))");
    }

    private void OnLinkLocal(IPAddress? address)
    {
        var had = _source;
        _source = address;
        if (address is null)
        {
            _advertiser.Stop(DateTimeOffset.UtcNow);
            Reschedule();
            _log.Write($"{Name}: {Bridge} has no usable link-local address (in duplicate address detection, or gone); router advertisements wait for it");
        }
        else if (had is null)
        {
            _log.Write($"{Name}: {Bridge} has link-local {address}; router advertisements start");
            Act(_advertiser.Start(DateTimeOffset.UtcNow));
        }
    }

    private void OnReadable()
    {
        var message = stackalloc byte[MessageBytes];
        var control = stackalloc byte[ControlBytes];
        for (var handled = 0; handled < MaxBurst; handled++)
        {
            var from = new Native.SockAddrIn6();
            var vector = new Native.IoVector { Base = message, Length = MessageBytes };
            var header = new Native.MultiMessageHeader
            {
                Name = &from, NameLength = sizeof(Native.SockAddrIn6), Vectors = &vector, VectorCount = 1,
                Control = control, ControlLength = ControlBytes,
            };
            if (Native.ReceiveMultiple(_fd, &header, 1, Native.MSG_DONTWAIT, null) != 1)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error is Native.EAGAIN or LibC.EINTR) return;
                // Reported, not fatal: the socket reads on at its next readiness.
                _log.Write($"{Name}: receiving solicitations on {Bridge}: {new SocketException(error).Message}");
                return;
            }
            _solicitations++;
            var source = new IPAddress(new ReadOnlySpan<byte>(from.Address, 16), from.ScopeId);
            var length = (int)Math.Min(header.Length, MessageBytes);
            // Without the hop limit (never on Linux once IPV6_RECVHOPLIMIT is set) the solicitation counts as invalid.
            var hopLimit = HopLimit(control, (int)header.ControlLength) ?? -1;
            if (_log.Debug) _log.Write($"{Name}: router solicitation from {source}, hop limit {hopLimit}");
            Act(_advertiser.HandleSolicitation(new ReadOnlySpan<byte>(message, length), source, hopLimit, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>The IPV6_HOPLIMIT ancillary data of a received packet.</summary>
    private static int? HopLimit(byte* control, int length)
    {
        for (var at = 0; at + sizeof(Native.ControlMessageHeader) <= length;)
        {
            var cmsg = (Native.ControlMessageHeader*)(control + at);
            if ((int)cmsg->Length < sizeof(Native.ControlMessageHeader)) return null;
            if (cmsg->Level == Native.SOL_IPV6 && cmsg->Type == Native.IPV6_HOPLIMIT) return *(int*)(control + at + sizeof(Native.ControlMessageHeader));
            at += Native.ControlAlign((int)cmsg->Length);
        }
        return null;
    }

    private void Tick()
    {
        _timer = null;
        Act(_advertiser.Tick(DateTimeOffset.UtcNow));
    }

    private void Act(IReadOnlyList<RouterAdvertisementSend> sends)
    {
        Send(sends);
        Reschedule();
    }

    private void Reschedule()
    {
        _timer?.Cancel();
        _timer = null;
        if (_advertiser.NextWakeUp is not { } at) return;
        var wait = at - DateTimeOffset.UtcNow;
        _timer = _loop.Schedule(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Tick);
    }

    /// <summary>
    /// Each RA from the link-local address (IPV6_PKTINFO: the kernel would otherwise pick a global address while the
    /// link-local is still in DAD, and guests drop an RA that is not from a link-local address); the kernel fills in the
    /// checksum. A failure is logged: the next scheduled RA tries again.
    /// </summary>
    private void Send(IReadOnlyList<RouterAdvertisementSend> sends)
    {
        if (sends.Count == 0 || _source is not { } source) return;
        var controlLength = sizeof(Native.ControlMessageHeader) + Native.ControlAlign(sizeof(Native.In6PacketInfo));
        var control = stackalloc byte[controlLength];
        foreach (var send in sends)
        {
            var to = new Native.SockAddrIn6 { Family = Native.AF_INET6, ScopeId = (uint)InterfaceIndex };
            send.Destination.TryWriteBytes(new Span<byte>(to.Address, 16), out _);
            new Span<byte>(control, controlLength).Clear();
            var cmsg = (Native.ControlMessageHeader*)control;
            *cmsg = new Native.ControlMessageHeader
            {
                Length = (nuint)(sizeof(Native.ControlMessageHeader) + sizeof(Native.In6PacketInfo)), Level = Native.SOL_IPV6, Type = Native.IPV6_PKTINFO,
            };
            var info = (Native.In6PacketInfo*)(control + sizeof(Native.ControlMessageHeader));
            info->InterfaceIndex = InterfaceIndex;
            source.TryWriteBytes(new Span<byte>(info->Address, 16), out _);
            fixed (byte* message = send.Message)
            {
                var vector = new Native.IoVector { Base = message, Length = (nuint)send.Message.Length };
                var header = new Native.MultiMessageHeader
                {
                    Name = &to, NameLength = sizeof(Native.SockAddrIn6), Vectors = &vector, VectorCount = 1,
                    Control = control, ControlLength = (nuint)controlLength,
                };
                if (Native.SendMultiple(_fd, &header, 1, Native.MSG_DONTWAIT) != 1)
                {
                    _log.Write($"{Name}: sending the {send.Reason} router advertisement on {Bridge} failed: {new SocketException(Marshal.GetLastPInvokeError()).Message}");
                    continue;
                }
            }
            _sent++;
            if (_log.Debug) _log.Write($"{Name}: {send.Reason} router advertisement sent on {Bridge} from {source}");
        }
    }

    /// <summary>
    /// The raw ICMPv6 socket of one bridge: on the bridge only (SO_BINDTODEVICE), hop limit 255 out as RFC 4861 §6.1.2
    /// requires, the hop limit of what comes in reported (a solicitation must have crossed no router), only router
    /// solicitations queued (ICMP6_FILTER), and the all-routers group joined so solicitations reach it whether or not the
    /// host forwards IPv6 (a forwarding host joins it by itself; an isolated network's may not).
    /// </summary>
    private static int Open(string bridge, int interfaceIndex)
    {
        var fd = LibC.Socket(Native.AF_INET6, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC | Native.SOCK_NONBLOCK, Native.IPPROTO_ICMPV6);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        try
        {
            var device = Encoding.ASCII.GetBytes(bridge + "\0");
            fixed (byte* name = device) Check(LibC.SetSockOpt(fd, Native.SOL_SOCKET, Native.SO_BINDTODEVICE, name, device.Length));
            var hops = RouterSolicitation.RequiredHopLimit;
            Check(LibC.SetSockOpt(fd, Native.SOL_IPV6, Native.IPV6_MULTICAST_HOPS, &hops, sizeof(int)));
            Check(LibC.SetSockOpt(fd, Native.SOL_IPV6, Native.IPV6_UNICAST_HOPS, &hops, sizeof(int)));
            var off = 0;
            Check(LibC.SetSockOpt(fd, Native.SOL_IPV6, Native.IPV6_MULTICAST_LOOP, &off, sizeof(int)));
            var on = 1;
            Check(LibC.SetSockOpt(fd, Native.SOL_IPV6, Native.IPV6_RECVHOPLIMIT, &on, sizeof(int)));
            // struct icmp6_filter: a set bit blocks that type; every type is blocked but the router solicitation.
            var filter = stackalloc uint[8];
            for (var i = 0; i < 8; i++) filter[i] = uint.MaxValue;
            filter[RouterSolicitation.Type >> 5] &= ~(1u << (RouterSolicitation.Type & 31));
            Check(LibC.SetSockOpt(fd, Native.IPPROTO_ICMPV6, Native.ICMP6_FILTER, filter, 8 * sizeof(uint)));
            var group = new Native.Ipv6MulticastRequest { InterfaceIndex = interfaceIndex };
            AllRouters.TryWriteBytes(new Span<byte>(group.Group, 16), out _);
            Check(LibC.SetSockOpt(fd, Native.SOL_IPV6, Native.IPV6_ADD_MEMBERSHIP, &group, sizeof(Native.Ipv6MulticastRequest)));
            return fd;
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    private static void Check(int result)
    {
        if (result < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }
}
