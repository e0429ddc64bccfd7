using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Names the process that holds a port, as `ss -p` finds it: the socket's inode from /proc/net/{udp,tcp}{,6} (this
/// namespace's tables), then the process with a descriptor `socket:[inode]`. For an error message only: best effort.
/// </summary>
internal static class SocketOwner
{
    /// <summary>"comm (pid N)", or a sentence saying the owner could not be found.</summary>
    public static string Describe(ProtocolType protocol, IPAddress address, int port)
    {
        try
        {
            var inodes = Inodes(protocol, address, port);
            if (inodes.Count == 0) return "another socket (no process found in /proc/net)";
            foreach (var process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
                if (OwnsOne(process, inodes)) return $"{Command(process)} (pid {pid})";
            }
            return $"another process (socket inode {inodes.First()}, not found under /proc/*/fd)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"another process ({e.Message})";
        }
    }

    /// <summary>
    /// Inodes of sockets on the port at the address or at the wildcard of its family, and at the IPv6 wildcard for an
    /// IPv4 address (a dual-stack socket on [::] holds IPv4 ports too).
    /// </summary>
    private static HashSet<string> Inodes(ProtocolType protocol, IPAddress address, int port)
    {
        var name = protocol == ProtocolType.Tcp ? "tcp" : "udp";
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (table, holders) in new[]
                 {
                     (name, address.AddressFamily == AddressFamily.InterNetwork ? new[] { address, IPAddress.Any } : []),
                     (name + "6", address.AddressFamily == AddressFamily.InterNetworkV6 ? new[] { address, IPAddress.IPv6Any } : [IPAddress.IPv6Any]),
                 })
        {
            var path = $"/proc/net/{table}";
            if (holders.Length == 0 || !File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                // "  sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid  timeout inode"
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[1].Split(':') is not [var hex, var portHex]) continue;
                if (int.Parse(portHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port) continue;
                if (holders.Contains(ParseAddress(hex)) && fields[9] != "0") found.Add(fields[9]);
            }
        }
        return found;
    }

    /// <summary>The kernel prints each 32-bit word of the address as a host-order (here little-endian) hex number.</summary>
    private static IPAddress ParseAddress(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(word * 4), uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        return new IPAddress(bytes);
    }

    private static bool OwnsOne(string process, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // gone, or not ours to read
        return false;
    }

    private static string Command(string process)
    {
        try { return File.ReadAllText(Path.Combine(process, "comm")).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "a process"; }
    }
}
