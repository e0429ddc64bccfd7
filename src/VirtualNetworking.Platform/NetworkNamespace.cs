using System.Globalization;

namespace VirtualNetworking.Platform;

/// <summary>Which network namespace the caller is in, as the inode in /proc/PID/ns/net ("net:[4026531992]").</summary>
internal static class NetworkNamespace
{
    /// <summary>
    /// The calling thread's namespace (setns acts per thread): the one its sockets and the processes it starts
    /// belong to. In a process that never calls setns, every thread's is the process's.
    /// </summary>
    public static ulong CurrentInode()
    {
        var target = new FileInfo("/proc/thread-self/ns/net").LinkTarget ?? "";
        var open = target.IndexOf('[');
        return open >= 0 && ulong.TryParse(target.AsSpan(open + 1, target.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : throw new IOException($"Cannot read this thread's network namespace from /proc/thread-self/ns/net ('{target}').");
    }
}
