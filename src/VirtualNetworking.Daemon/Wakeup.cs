using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// An eventfd polled next to a socket, so another thread can wake a thread blocked in <see cref="Wait"/>
/// at once (a stop or a changed scope) instead of after a poll timeout.
/// </summary>
internal sealed unsafe class Wakeup : IDisposable
{
    private readonly int _fd;

    public Wakeup()
    {
        _fd = Native.EventFd(0, Native.EFD_CLOEXEC | Native.EFD_NONBLOCK);
        if (_fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    public void Signal()
    {
        ulong one = 1;
        Native.Write(_fd, &one, sizeof(ulong)); // only fails when the counter is saturated: already signalled
    }

    /// <summary>
    /// Waits until <paramref name="fd"/> is readable, a signal arrives or the timeout passes; true when <paramref name="fd"/> is readable.
    /// A negative <paramref name="fd"/> (poll ignores it) waits for the signal or the timeout only.
    /// </summary>
    public bool Wait(int fd, TimeSpan timeout)
    {
        var fds = stackalloc LibC.PollFd[2];
        fds[0] = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
        fds[1] = new LibC.PollFd { Fd = _fd, Events = LibC.POLLIN };
        var milliseconds = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);
        if (LibC.Poll(fds, 2, milliseconds) < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error == LibC.EINTR) return false;
            throw new SocketException(error);
        }
        if (fds[1].ReturnedEvents != 0)
        {
            ulong count;
            Native.Read(_fd, &count, sizeof(ulong)); // resets the counter
        }
        return fds[0].ReturnedEvents != 0;
    }

    public void Dispose() => LibC.Close(_fd);
}
