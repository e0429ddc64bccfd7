using System.Runtime.InteropServices;

namespace VirtualNetworking.Linux.Interop;

/// <summary>
/// The few libc calls .NET has no managed equivalent for (netlink sockets, tun ioctls) that only the module makes;
/// those vnetd makes too are in <see cref="Platform.LibC"/>.
/// </summary>
internal static partial class LibC
{
    public const int NETLINK_ROUTE = 0;
    public const int NETLINK_NETFILTER = 12;

    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;

    public const int MSG_PEEK = 0x2;
    public const int MSG_TRUNC = 0x20;

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    // ioctl is variadic; on x86-64 and arm64 Linux a third register-sized argument passes both values and pointers.
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNamespace(int fd, int type);

    /// <summary>struct passwd* (static storage) or 0; pw_uid sits after two pointers.</summary>
    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetPasswordEntry(string name);

    public const int PasswordEntryUidOffset = 16;
}
