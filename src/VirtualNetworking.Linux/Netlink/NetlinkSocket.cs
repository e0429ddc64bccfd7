using System.Runtime.InteropServices;
using VirtualNetworking.Linux.Interop;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>
/// One netlink socket (rtnetlink unless another protocol is asked for). <see cref="Request"/> sends a message with the next sequence number and collects
/// the replies to it: a dump until NLMSG_DONE, anything else until its NLMSG_ERROR acknowledgement.
/// Requests are serialised, so replies never interleave.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int MaxDumpAttempts = 5;

    private readonly SafeNetlinkHandle _handle;
    private readonly Lock _lock = new();
    private byte[] _receiveBuffer = new byte[64 * 1024];
    private uint _sequence;

    /// <param name="groups">Multicast groups to receive notifications from (RTMGRP_* bits); 0 = requests only.</param>
    /// <param name="protocol">The netlink family: NETLINK_ROUTE, or NETLINK_NETFILTER for conntrack.</param>
    public unsafe NetlinkSocket(uint groups = 0, int protocol = LibC.NETLINK_ROUTE)
    {
        var fd = Platform.LibC.Socket(Platform.LibC.AF_NETLINK, Platform.LibC.SOCK_RAW | Platform.LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw NetlinkException.FromLastError("open netlink socket");
        }
        _handle = new SafeNetlinkHandle(fd);
        // Port id 0 lets the kernel pick a unique one, so several clients in one process do not collide.
        var address = new Platform.LibC.SockAddrNetlink { Family = Platform.LibC.AF_NETLINK, Groups = groups };
        if (Platform.LibC.Bind(fd, &address, sizeof(Platform.LibC.SockAddrNetlink)) != 0)
        {
            var error = NetlinkException.FromLastError("bind netlink socket");
            _handle.Dispose();
            throw error;
        }
        // Best effort (older kernels lack them): the kernel's own error text, and acks without the echoed request.
        EnableOption(LibC.NETLINK_EXT_ACK);
        EnableOption(LibC.NETLINK_CAP_ACK);
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Sends <paramref name="message"/>; returns the data messages of the reply; throws on an error reply.</summary>
    public IReadOnlyList<NetlinkMessage> Request(NetlinkMessageWriter message, string operation)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            for (var attempt = 1; ; attempt++)
            {
                var replies = Exchange(message, operation, out var interrupted);
                // A dump that raced with a change (NLM_F_DUMP_INTR) may be inconsistent: take it again.
                if (!interrupted || attempt == MaxDumpAttempts)
                {
                    return replies;
                }
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>The notifications of one datagram, or none when nothing arrives within <paramref name="timeout"/>.</summary>
    public unsafe IEnumerable<NetlinkMessage> ReceiveNotifications(TimeSpan timeout, string operation)
    {
        lock (_lock)
        {
            var poll = new Platform.LibC.PollFd { Fd = Descriptor, Events = Platform.LibC.POLLIN };
            var ready = Platform.LibC.Poll(&poll, 1, (int)timeout.TotalMilliseconds);
            if (ready < 0 && Marshal.GetLastPInvokeError() != Platform.LibC.EINTR)
            {
                throw NetlinkException.FromLastError($"{operation} (poll)");
            }
            return ready > 0 ? NetlinkMessage.Split(Receive(operation)).ToList() : [];
        }
    }

    private List<NetlinkMessage> Exchange(NetlinkMessageWriter message, string operation, out bool interrupted)
    {
        var sequence = ++_sequence;
        Send(message.ToMessage(sequence), operation);
        var replies = new List<NetlinkMessage>();
        interrupted = false;
        while (true)
        {
            foreach (var reply in NetlinkMessage.Split(Receive(operation)))
            {
                if (reply.Sequence != sequence)
                {
                    continue; // a late answer to an earlier, abandoned request
                }
                interrupted |= (reply.Flags & NetlinkFlags.DumpInterrupted) != 0;
                switch (reply.Type)
                {
                    case NetlinkMessageType.Error:
                        ThrowIfError(reply, operation);
                        return replies; // errno 0: the acknowledgement
                    case NetlinkMessageType.Done:
                        ThrowIfError(reply, operation); // a dump that failed part-way carries its errno here
                        return replies;
                    case NetlinkMessageType.Noop:
                        break;
                    default:
                        replies.Add(reply);
                        break;
                }
            }
        }
    }

    /// <summary>NLMSG_ERROR and NLMSG_DONE start with an int errno, negative on failure.</summary>
    private static void ThrowIfError(NetlinkMessage reply, string operation)
    {
        var span = reply.Payload.Span;
        var error = span.Length >= 4 ? MemoryMarshal.Read<int>(span) : 0;
        if (error >= 0)
        {
            return;
        }
        throw new NetlinkException(operation, -error, ReadKernelMessage(reply));
    }

    /// <summary>The NLMSGERR_ATTR_MSG text, which follows the errno and the echoed request (capped to its header).</summary>
    private static string? ReadKernelMessage(NetlinkMessage reply)
    {
        if (reply.Type != NetlinkMessageType.Error || (reply.Flags & NetlinkFlags.AckTlvs) == 0)
        {
            return null;
        }
        var echoed = MemoryMarshal.Read<NetlinkMessageHeader>(reply.Payload.Span[4..]);
        var echoedLength = (reply.Flags & NetlinkFlags.Capped) != 0 ? NetlinkMessage.HeaderSize : (int)echoed.Length;
        var start = 4 + NetlinkMessageWriter.Align(echoedLength);
        return start < reply.Payload.Length
            ? NetlinkAttributes.Parse(reply.Payload[start..]).GetString(ExtendedAckAttribute.Message)
            : null;
    }

    private unsafe void Send(ReadOnlySpan<byte> bytes, string operation)
    {
        fixed (byte* pointer = bytes)
        {
            nint sent;
            do
            {
                sent = LibC.Send(Descriptor, pointer, (nuint)bytes.Length, 0);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == Platform.LibC.EINTR);
            if (sent < 0)
            {
                throw NetlinkException.FromLastError($"{operation} (send)");
            }
        }
    }

    /// <summary>
    /// Receives one datagram whole, growing the buffer first if it would not fit. Returns a copy: the parsed
    /// messages outlive the next receive into the shared buffer.
    /// </summary>
    private byte[] Receive(string operation)
    {
        var size = ReceiveInto(operation, LibC.MSG_PEEK | LibC.MSG_TRUNC);
        if (size > _receiveBuffer.Length)
        {
            _receiveBuffer = new byte[size];
        }
        return _receiveBuffer.AsSpan(0, ReceiveInto(operation, 0)).ToArray();
    }

    private unsafe int ReceiveInto(string operation, int flags)
    {
        fixed (byte* pointer = _receiveBuffer)
        {
            nint received;
            do
            {
                received = LibC.Recv(Descriptor, pointer, (nuint)_receiveBuffer.Length, flags);
            }
            while (received < 0 && Marshal.GetLastPInvokeError() == Platform.LibC.EINTR);
            if (received < 0)
            {
                throw NetlinkException.FromLastError($"{operation} (receive)");
            }
            return (int)received;
        }
    }

    /// <summary>The socket's descriptor, for an event loop to watch a notification socket.</summary>
    internal int Descriptor => (int)_handle.DangerousGetHandle();

    private unsafe void EnableOption(int option)
    {
        var enabled = 1;
        Platform.LibC.SetSockOpt(Descriptor, Platform.LibC.SOL_NETLINK, option, &enabled, sizeof(int));
    }

    private sealed class SafeNetlinkHandle : SafeHandle
    {
        public SafeNetlinkHandle(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

        public override bool IsInvalid => handle == -1;

        protected override bool ReleaseHandle() => Platform.LibC.Close((int)handle) == 0;
    }
}
