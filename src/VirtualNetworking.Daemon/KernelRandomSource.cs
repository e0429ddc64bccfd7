using System.Runtime.InteropServices;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The kernel's CSPRNG (getrandom(2)) for the daemon's DNS query ids and RA timing. Not RandomNumberGenerator
/// (<see cref="SystemRandomSource"/>): on Linux it loads OpenSSL's libcrypto, 3.4 MB of the daemon's RSS for a few bytes.
/// </summary>
internal sealed unsafe class KernelRandomSource : IRandomSource
{
    public static readonly KernelRandomSource Instance = new();

    public void Fill(Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            for (var done = 0; done < buffer.Length;)
            {
                var got = Native.GetRandom(start + done, (nuint)(buffer.Length - done), 0);
                if (got >= 0) { done += (int)got; continue; }
                var error = Marshal.GetLastPInvokeError();
                if (error != LibC.EINTR) throw new IOException($"getrandom failed: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }
    }
}
