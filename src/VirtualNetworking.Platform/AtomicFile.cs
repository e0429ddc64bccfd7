using System.Text;

namespace VirtualNetworking.Platform;

/// <summary>Writes a file so that a crash leaves either the old or the new content, never a mix.</summary>
public static class AtomicFile
{
    /// <summary>Temp file beside the target, fsync, rename, fsync of the directory.</summary>
    /// <param name="durable">
    /// False for state that lives no longer than the kernel's (under /run): the rename alone keeps it whole when
    /// the process is killed; fsync would only add power-loss durability, and after a power loss the links and
    /// rules it describes are gone too.
    /// </param>
    public static void WriteAllText(string path, string content, bool durable = true)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        // Unique, so two writers of one file never share a temp file; hidden, so listings of *.xml or *.leases skip it.
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
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

    /// <summary>fsync of the directory makes a rename in it durable.</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = LibC.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0) return;
        try { LibC.Fsync(fd); }
        finally { LibC.Close(fd); }
    }
}
