using System.Runtime.InteropServices;
using System.Text;

namespace VirtualNetworking.Linux.Store;

/// <summary>Writes a file so that a crash leaves either the old or the new content, never a mix.</summary>
public static partial class AtomicFile
{
    /// <param name="durable">
    /// False for state that lives no longer than the kernel's (under /run): the rename alone keeps it whole when
    /// the process is killed; fsync would only add power-loss durability, and after a power loss the links and
    /// rules it describes are gone too.
    /// </param>
    public static void WriteAllText(string path, string content, bool durable = true)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
            {
                var bytes = Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: durable);
            }
            File.Move(temp, path, overwrite: true);
            if (durable) SyncDirectory(directory);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>fsync of the directory makes the rename itself durable.</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return;
        try { fsync(fd); }
        finally { close(fd); }
    }

    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
