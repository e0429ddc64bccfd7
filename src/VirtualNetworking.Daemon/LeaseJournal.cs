using System.Text;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// One network's lease file (docs/dhcp-lease-file.md): records are appended, and one fsync makes a whole
/// batch durable (group commit) before its replies leave. Compaction rewrites the live set atomically.
/// </summary>
internal sealed class LeaseJournal : IDisposable
{
    /// <summary>Appended records after which the file is compacted, so replay stays short.</summary>
    private const int CompactAfterRecords = 4096;

    private readonly string _path;
    private FileStream _stream;
    private int _appended;

    private LeaseJournal(string path, FileStream stream)
    {
        _path = path;
        _stream = stream;
    }

    /// <summary>Reads the file (if any) for <see cref="DhcpServer.Restore"/>.</summary>
    public static LeaseFileContents Read(string path) =>
        File.Exists(path) ? LeaseFileFormat.Parse(File.ReadAllText(path)) : new LeaseFileContents([], []);

    /// <summary>Writes the live set as a fresh file, then keeps it open for appends.</summary>
    public static LeaseJournal Create(string path, IEnumerable<DhcpLease> live)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ReplaceAtomically(path, LeaseFileFormat.Serialize(live));
        return new LeaseJournal(path, OpenForAppend(path));
    }

    /// <summary>Appends the batch and fsyncs once. Returns false when nothing had to be written.</summary>
    public bool Commit(IReadOnlyCollection<DhcpLeaseChange> changes)
    {
        if (changes.Count == 0) return false;
        _stream.Write(Encoding.UTF8.GetBytes(LeaseFileFormat.FormatChanges(changes)));
        _stream.Flush(flushToDisk: true);
        _appended += changes.Count;
        return true;
    }

    public bool NeedsCompaction => _appended >= CompactAfterRecords;

    public void Compact(IEnumerable<DhcpLease> live)
    {
        _stream.Dispose();
        ReplaceAtomically(_path, LeaseFileFormat.Serialize(live));
        _stream = OpenForAppend(_path);
        _appended = 0;
    }

    public void Dispose() => _stream.Dispose();

    private static FileStream OpenForAppend(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.Read);

    /// <summary>Temp file, fsync, rename, fsync the directory: the old or the new file survives a crash, never a mix.</summary>
    private static void ReplaceAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        var directory = Native.Open(Path.GetDirectoryName(path)!, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC);
        if (directory < 0) return;
        Native.Fsync(directory);
        Native.Close(directory);
    }
}
