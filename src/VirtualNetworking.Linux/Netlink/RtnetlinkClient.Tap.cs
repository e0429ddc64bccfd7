using System.Runtime.InteropServices;
using System.Text;
using VirtualNetworking.Linux.Interop;

namespace VirtualNetworking.Linux.Netlink;

public sealed partial class RtnetlinkClient
{
    // linux/if_tun.h: _IOW('T', 202..204, int) and the ifreq flags.
    private const nuint TunSetInterface = 0x400454ca;
    private const nuint TunSetPersist = 0x400454cb;
    private const nuint TunSetOwner = 0x400454cc;
    private const short TapFlag = 0x0002;
    private const short NoPacketInfoFlag = 0x1000;
    private const int InterfaceNameSize = 16;

    /// <summary>struct ifreq as TUNSETIFF reads it: the name, then the flags in the union.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private unsafe struct TunInterfaceRequest
    {
        public fixed byte Name[InterfaceNameSize];
        public short Flags;
    }

    /// <summary>
    /// Creates a tap device (kind "tun" in link listings) through /dev/net/tun, as libvirt does for guests.
    /// Persistent taps outlive the file descriptor closed here; a non-persistent one vanishes with it,
    /// so it only makes sense for checking that the name can be created.
    /// </summary>
    public unsafe void CreateTap(string name, uint? ownerUid = null, bool persistent = true)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length >= InterfaceNameSize)
        {
            throw new ArgumentException($"Interface name '{name}' is longer than {InterfaceNameSize - 1} bytes.", nameof(name));
        }
        using var tun = File.OpenHandle("/dev/net/tun", FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)tun.DangerousGetHandle();
        var request = new TunInterfaceRequest { Flags = TapFlag | NoPacketInfoFlag };
        nameBytes.CopyTo(new Span<byte>(request.Name, InterfaceNameSize));
        Ioctl(fd, TunSetInterface, (nint)(&request), $"create tap '{name}' (TUNSETIFF)");
        if (ownerUid is { } uid)
        {
            Ioctl(fd, TunSetOwner, (nint)uid, $"set owner of tap '{name}' (TUNSETOWNER)");
        }
        if (persistent)
        {
            Ioctl(fd, TunSetPersist, 1, $"make tap '{name}' persistent (TUNSETPERSIST)");
        }
    }

    private static void Ioctl(int fd, nuint request, nint argument, string operation)
    {
        if (LibC.Ioctl(fd, request, argument) != 0)
        {
            throw NetlinkException.FromLastError(operation);
        }
    }
}
