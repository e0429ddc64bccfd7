using System.Globalization;
using System.Runtime.InteropServices;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Linux.Interop;

namespace VirtualNetworking.Linux.Host;

/// <summary>The calling process's capabilities (/proc/self/status) and the host's users (getpwnam).</summary>
public sealed class LinuxHostUsers : IHostUsers
{
    /// <summary>CAP_NET_ADMIN (bit 12) in the effective set: checked before any step, so a caller without it changes
    /// nothing at all (not even the DHCP daemon's state).</summary>
    public void EnsureCanChange()
    {
        const int CapNetAdmin = 12;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line[7..].Trim(), NumberStyles.HexNumber, null, out var caps)) return;
        if ((caps & (1UL << CapNetAdmin)) == 0)
            throw new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
                "Changing the host's networks needs CAP_NET_ADMIN, which this process does not have. Run pwsh as root (sudo pwsh).");
    }

    public uint? FindUser(string user)
    {
        if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)) return uid;
        var entry = LibC.GetPasswordEntry(user);
        return entry == 0 ? null : (uint)Marshal.ReadInt32(entry, LibC.PasswordEntryUidOffset);
    }
}
