using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>An eventfd in the <see cref="EventLoop"/>'s epoll set, so another thread can wake the loop at once.</summary>
internal sealed unsafe class Wakeup : IDisposable
{
    public Wakeup()
    {
        Fd = Native.EventFd(0, Native.EFD_CLOEXEC | Native.EFD_NONBLOCK);
        if (Fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    public int Fd { get; }

    public void Signal()
    {
        ulong one = 1;
        Native.Write(Fd, &one, sizeof(ulong)); // only fails when the counter is saturated: already signalled
    }

    /// <summary>Resets the counter, so the fd is not ready until the next signal.</summary>
    public void Drain()
    {
        ulong count;
        Native.Read(Fd, &count, sizeof(ulong));
    }

    public void Dispose() => LibC.Close(Fd);
}
