using System.Globalization;

namespace VirtualNetworking.Daemon;

/// <summary>The inode of this process's network namespace ("net:[4026531992]"), which clients compare with theirs.</summary>
internal static class NetworkNamespace
{
    public static ulong CurrentInode()
    {
        var target = new FileInfo("/proc/self/ns/net").LinkTarget ?? "";
        var open = target.IndexOf('[');
        return open >= 0 && ulong.TryParse(target.AsSpan(open + 1, target.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : throw new IOException($"Cannot read the network namespace from /proc/self/ns/net ('{target}').");
    }
}
