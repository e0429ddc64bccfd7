using System.Runtime.InteropServices;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>
/// A netlink request (or the system call carrying it) failed. <see cref="Errno"/> is the kernel's errno,
/// e.g. <see cref="Netlink.Errno.EEXIST"/> for a link name in use or <see cref="Netlink.Errno.ENODEV"/> for a missing link.
/// </summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno, string? kernelMessage = null)
        : base(FormatMessage(operation, errno, kernelMessage))
    {
        Operation = operation;
        Errno = (Errno)errno;
        KernelMessage = kernelMessage;
    }

    /// <summary>What was attempted, e.g. "create bridge 'virbr0'".</summary>
    public string Operation { get; }

    public Errno Errno { get; }

    /// <summary>The kernel's extended-ack text, when it sent one (e.g. "Bridge forward delay out of range").</summary>
    public string? KernelMessage { get; }

    internal static NetlinkException FromLastError(string operation) =>
        new(operation, Marshal.GetLastPInvokeError());

    private static string FormatMessage(string operation, int errno, string? kernelMessage)
    {
        var name = Enum.IsDefined((Errno)errno) ? ((Errno)errno).ToString() : $"errno {errno}";
        var text = $"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} ({name})";
        return string.IsNullOrEmpty(kernelMessage) ? text : $"{text}: {kernelMessage}";
    }
}
