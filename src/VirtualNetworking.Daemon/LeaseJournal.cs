using System.Text;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// One network's lease file (docs/dhcp-lease-file.md): records are appended, and one <see cref="Sync"/>
/// makes a whole batch durable (group commit). Compaction rewrites the live set atomically. Used by one
/// thread at a time (the network's <see cref="LeaseCommitter"/>, after the worker's start-up).
/// </summary>
internal sealed class LeaseJournal : IDisposable
{
    /// <summary>Appended records after which the file may be compacted, so replay stays short.</summary>
    private const int CompactAfterRecords = 4096;
    private const int StreamBufferBytes = 64 * 1024;

    private readonly string _path;
    private readonly Func<string, FileStream> _openForAppend;
    private FileStream _stream;
    private byte[] _record = new byte[256];
    private int _appended;
    private int _liveAtCompaction;

    private LeaseJournal(string path, Func<string, FileStream> openForAppend, int live)
    {
        _path = path;
        _openForAppend = openForAppend;
        _stream = openForAppend(path);
        _liveAtCompaction = live;
    }

    /// <summary>Reads the file (if any) for <see cref="DhcpServer.Restore"/>.</summary>
    public static LeaseFileContents Read(string path) =>
        File.Exists(path) ? LeaseFileFormat.Parse(File.ReadAllText(path)) : new LeaseFileContents([], []);

    /// <summary>Writes the live set as a fresh file, then keeps it open for appends.</summary>
    public static LeaseJournal Create(string path, IReadOnlyCollection<DhcpLease> live) => Create(path, live, OpenForAppend);

    /// <param name="openForAppend">
    /// Opens the file for the appends, after creation and after each compaction: the seam through which tests
    /// give the journal a stream that fails as a full or failing disk does (an IOException from a write or the fsync).
    /// </param>
    internal static LeaseJournal Create(string path, IReadOnlyCollection<DhcpLease> live, Func<string, FileStream> openForAppend)
    {
        AtomicFile.WriteAllText(path, LeaseFileFormat.Serialize(live));
        return new LeaseJournal(path, openForAppend, live.Count);
    }

    /// <summary>
    /// True after a failed write or compaction: the file may end in a torn line that the next record would
    /// run into, so it must be rewritten (<see cref="Compact"/>) before anything is appended.
    /// </summary>
    public bool Damaged { get; private set; }

    /// <summary>
    /// Compacting once as many records were appended as the file held live keeps the rewriting work
    /// proportional to the appends, even with tens of thousands of leases.
    /// </summary>
    public bool NeedsCompaction => _appended >= Math.Max(CompactAfterRecords, _liveAtCompaction);

    /// <summary>Buffers the records; durable only after <see cref="Sync"/>.</summary>
    public void Append(IReadOnlyList<DhcpLeaseChange> changes)
    {
        try
        {
            foreach (var change in changes)
            {
                var text = LeaseFileFormat.FormatRecord(change);
                if (Encoding.UTF8.GetMaxByteCount(text.Length) > _record.Length) _record = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
                _stream.Write(_record, 0, Encoding.UTF8.GetBytes(text, _record));
            }
            _appended += changes.Count;
        }
        catch (IOException)
        {
            Damaged = true;
            throw;
        }
    }

    /// <summary>Writes what is buffered and fsyncs once.</summary>
    public void Sync()
    {
        try { _stream.Flush(flushToDisk: true); }
        catch (IOException)
        {
            Damaged = true;
            throw;
        }
    }

    public void Compact(IReadOnlyCollection<DhcpLease> live)
    {
        Damaged = true; // until the new file is in place and open
        _stream.Dispose();
        AtomicFile.WriteAllText(_path, LeaseFileFormat.Serialize(live));
        _stream = _openForAppend(_path);
        _appended = 0;
        _liveAtCompaction = live.Count;
        Damaged = false;
    }

    public void Dispose() => _stream.Dispose();

    private static FileStream OpenForAppend(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.Read, StreamBufferBytes);
}
