using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>The libc calls .NET sockets lack that only vnetd makes (the shared ones are in <see cref="LibC"/>): packet sockets, raw ICMPv6 with ancillary data, interface indexes, socket filters, epoll, eventfd and fine sleeps.</summary>
internal static partial class Native
{
    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;
    public const ushort ETH_P_IP = 0x0800;
    public const int SOL_SOCKET = 1;
    public const int SO_BINDTODEVICE = 25;
    public const int SOL_IP = 0;
    public const int IP_FREEBIND = 15;
    public const int SOL_IPV6 = 41;
    public const int IPV6_FREEBIND = 78;
    public const int AF_INET6 = 10;
    public const int IPPROTO_ICMPV6 = 58;
    public const int ICMP6_FILTER = 1;
    public const int IPV6_UNICAST_HOPS = 16;
    public const int IPV6_MULTICAST_HOPS = 18;
    public const int IPV6_MULTICAST_LOOP = 19;
    public const int IPV6_ADD_MEMBERSHIP = 20;
    public const int IPV6_PKTINFO = 50;
    public const int IPV6_RECVHOPLIMIT = 51;
    public const int IPV6_HOPLIMIT = 52;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SO_RCVBUF = 8;
    public const int SO_RCVBUFFORCE = 33;
    public const int SO_ATTACH_FILTER = 26;
    public const int SOL_PACKET = 263;
    public const int PACKET_IGNORE_OUTGOING = 23;
    public const byte PACKET_HOST = 0;
    public const byte PACKET_BROADCAST = 1;
    public const ushort BPF_RET_K = 0x06;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int EAGAIN = 11;
    public const int MSG_DONTWAIT = 0x40;
    public const ushort AF_INET = 2;
    public const int CLOCK_MONOTONIC = 1;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x1;
    public const uint EPOLLOUT = 0x4;
    public const uint EPOLLERR = 0x8;
    public const uint EPOLLHUP = 0x10;

    /// <summary>struct sockaddr_ll.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SockAddrLinkLayer
    {
        public ushort Family;
        public ushort Protocol; // network byte order
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }

    /// <summary>struct sockaddr_in.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SockAddrIn
    {
        public ushort Family;
        public ushort Port; // network byte order
        public uint Address; // network byte order
        public fixed byte Zero[8];
    }

    /// <summary>struct sockaddr_in6.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SockAddrIn6
    {
        public ushort Family;
        public ushort Port; // network byte order
        public uint FlowInfo;
        public fixed byte Address[16];
        public uint ScopeId;
    }

    /// <summary>struct in6_pktinfo: the source address and interface of an IPv6 packet (IPV6_PKTINFO).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct In6PacketInfo
    {
        public fixed byte Address[16];
        public int InterfaceIndex;
    }

    /// <summary>struct ipv6_mreq.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Ipv6MulticastRequest
    {
        public fixed byte Group[16];
        public int InterfaceIndex;
    }

    /// <summary>struct cmsghdr on x86-64: a size_t length, then level and type; the data starts 8-byte aligned.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ControlMessageHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_ALIGN: ancillary data is padded to the size of a size_t.</summary>
    public static int ControlAlign(int length) => (length + sizeof(long) - 1) & ~(sizeof(long) - 1);

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct mmsghdr: a struct msghdr (56 bytes on x86-64), then the byte count the call sets.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public unsafe struct MultiMessageHeader
    {
        [FieldOffset(0)] public void* Name;
        [FieldOffset(8)] public int NameLength;
        [FieldOffset(16)] public IoVector* Vectors;
        [FieldOffset(24)] public nuint VectorCount;
        [FieldOffset(32)] public void* Control;
        [FieldOffset(40)] public nuint ControlLength;
        [FieldOffset(48)] public int Flags;
        [FieldOffset(56)] public uint Length;
    }

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SocketFilter(ushort code, byte jumpTrue, byte jumpFalse, uint k)
    {
        public ushort Code = code;
        public byte JumpTrue = jumpTrue;
        public byte JumpFalse = jumpFalse;
        public uint K = k;
    }

    /// <summary>struct epoll_event, packed on x86-64 (the only target: vnetd is published for linux-x64).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>struct timespec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SocketFilterProgram
    {
        public ushort Length;
        public SocketFilter* Filter;
    }

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static unsafe partial nint SendTo(int fd, byte* buffer, nuint length, int flags, in SockAddrLinkLayer address, int addressLength);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static unsafe partial nint SendTo(int fd, byte* buffer, nuint length, int flags, in SockAddrIn address, int addressLength);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static unsafe partial int SendMultiple(int fd, MultiMessageHeader* messages, uint count, int flags);

    /// <summary>getrandom(2): bytes from the kernel's CSPRNG; the count written, or -1 and errno.</summary>
    [LibraryImport("libc", EntryPoint = "getrandom", SetLastError = true)]
    public static unsafe partial nint GetRandom(byte* buffer, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static unsafe partial int ReceiveMultiple(int fd, MultiMessageHeader* messages, uint count, int flags, TimeSpec* timeout);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int EpollControl(int epoll, int operation, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int EpollWait(int epoll, EpollEvent* events, int maxEvents, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, void* buffer, nuint count);

    /// <summary>Returns an error number (not errno); EINTR only shortens the sleep.</summary>
    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static unsafe partial int ClockNanoSleep(int clock, int flags, TimeSpec* request, TimeSpec* remaining);

    /// <summary>Sleeps with microsecond resolution (Thread.Sleep rounds up to whole milliseconds).</summary>
    public static unsafe void Sleep(TimeSpan duration)
    {
        var request = new TimeSpec { Seconds = duration.Ticks / TimeSpan.TicksPerSecond, Nanoseconds = duration.Ticks % TimeSpan.TicksPerSecond * 100 };
        ClockNanoSleep(CLOCK_MONOTONIC, 0, &request, null);
    }

    /// <summary>SO_ATTACH_FILTER: a classic BPF program that decides which packets the socket queues.</summary>
    public static unsafe void AttachFilter(int fd, ReadOnlySpan<SocketFilter> program)
    {
        fixed (SocketFilter* filter = program)
        {
            var header = new SocketFilterProgram { Length = (ushort)program.Length, Filter = filter };
            if (LibC.SetSockOpt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &header, sizeof(SocketFilterProgram)) < 0)
                throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public static ushort HostToNetwork(ushort value) => (ushort)((value >> 8) | (value << 8));
}
