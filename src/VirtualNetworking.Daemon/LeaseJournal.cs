using System.Text;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>The lease files of each protocol: a DHCPv4 file (<see cref="LeaseFileFormat"/>) and a DHCPv6 one (<see cref="Dhcp6LeaseFileFormat"/>).</summary>
internal static class LeaseJournal
{
    /// <summary>Reads the file (if any) for <see cref="DhcpServer.Restore"/>.</summary>
    public static LeaseFileContents Read(string path) =>
        File.Exists(path) ? LeaseFileFormat.Parse(File.ReadAllText(path)) : new LeaseFileContents([], []);

    /// <summary>Reads the file (if any) for <see cref="Dhcp6Server.Restore"/>.</summary>
    public static Dhcp6LeaseFileContents Read6(string path) =>
        File.Exists(path) ? Dhcp6LeaseFileFormat.Parse(File.ReadAllText(path)) : new Dhcp6LeaseFileContents([], []);

    /// <summary>Writes the live set as a fresh file, then keeps it open for appends.</summary>
    public static LeaseJournal<DhcpLease, DhcpLeaseChange> Create(string path, IReadOnlyCollection<DhcpLease> live) =>
        Create(path, live, LeaseJournal<DhcpLease, DhcpLeaseChange>.OpenForAppend);

    /// <param name="openForAppend">
    /// Opens the file for the appends, after creation and after each compaction: the seam through which tests
    /// give the journal a stream that fails as a full or failing disk does (an IOException from a write or the fsync).
    /// </param>
    internal static LeaseJournal<DhcpLease, DhcpLeaseChange> Create(string path, IReadOnlyCollection<DhcpLease> live, Func<string, FileStream> openForAppend) =>
        new(path, live, LeaseFileFormat.Serialize, LeaseFileFormat.FormatRecord, openForAppend);

    public static LeaseJournal<Dhcp6Lease, Dhcp6LeaseChange> Create6(string path, IReadOnlyCollection<Dhcp6Lease> live) =>
        new(path, live, Dhcp6LeaseFileFormat.Serialize, Dhcp6LeaseFileFormat.FormatRecord, LeaseJournal<Dhcp6Lease, Dhcp6LeaseChange>.OpenForAppend);
}

/// <summary>
/// One network's lease file of one protocol (docs/dhcp-lease-file.md): records are appended, and one <see cref="Sync"/>
/// makes a whole batch durable (group commit). Compaction rewrites the live set atomically, either at once
/// (<see cref="Compact"/>) or in the background (<see cref="BeginCompaction"/>). Used by one thread at a time
/// (the <see cref="LeaseCommitter"/>, after the worker's start-up), but for the snapshot a background
/// compaction writes on another.
/// </summary>
internal sealed class LeaseJournal<TLease, TChange> : IDisposable
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
    private PendingCompaction? _pending;

    private readonly Func<IEnumerable<TLease>, string> _serialize;
    private readonly Func<TChange, string> _formatRecord;

    /// <summary>Writes the live set as a fresh file, then keeps it open for appends.</summary>
    internal LeaseJournal(string path, IReadOnlyCollection<TLease> live, Func<IEnumerable<TLease>, string> serialize, Func<TChange, string> formatRecord,
                          Func<string, FileStream> openForAppend)
    {
        _path = path;
        _serialize = serialize;
        _formatRecord = formatRecord;
        _openForAppend = openForAppend;
        AtomicFile.WriteAllText(path, serialize(live));
        _stream = openForAppend(path);
        _liveAtCompaction = live.Count;
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
    public void Append(IReadOnlyList<TChange> changes)
    {
        try
        {
            foreach (var change in changes) Write(_stream, change);
            _appended += changes.Count;
            _pending?.Since.Add(changes);
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

    public void Compact(IReadOnlyCollection<TLease> live)
    {
        AbandonPending();
        Damaged = true; // until the new file is in place and open
        _stream.Dispose();
        AtomicFile.WriteAllText(_path, _serialize(live));
        _stream = _openForAppend(_path);
        _appended = 0;
        _liveAtCompaction = live.Count;
        Damaged = false;
    }

    /// <summary>A background compaction was begun and not yet finished or abandoned.</summary>
    public bool CompactionPending => _pending is not null;

    /// <summary>
    /// Begins a compaction whose slow part — formatting the live set and writing and fsyncing it to a temporary
    /// file — is the returned work, to run on another thread, so that replies waiting for appends are not held up
    /// by it. Appends go on to the current file meanwhile and are remembered; <see cref="TryFinishCompaction"/>
    /// adds them to the new file and puts it in place.
    /// </summary>
    public Action BeginCompaction(IReadOnlyCollection<TLease> live)
    {
        var pending = new PendingCompaction(TempPath(), live.Count, _serialize);
        _pending = pending;
        return () => pending.Write(live);
    }

    /// <summary>
    /// Finishes a background compaction once its snapshot is written: appends the changes made since, fsyncs,
    /// renames the new file over the old one and appends to it from then on. False while there is none or it is
    /// still writing. A failure before the rename leaves the current file in use, unharmed; one after it leaves
    /// the journal <see cref="Damaged"/> (the directory entry may not be durable), so the next batch compacts at once.
    /// </summary>
    public bool TryFinishCompaction()
    {
        if (_pending is not { } pending || !pending.Written.IsSet) return false;
        _pending = null;
        if (pending.Failure is { } failure)
        {
            pending.Delete();
            throw failure;
        }
        FileStream? stream = null;
        var moved = false;
        try
        {
            stream = _openForAppend(pending.Temp);
            var records = 0;
            foreach (var changes in pending.Since)
            {
                foreach (var change in changes) Write(stream, change);
                records += changes.Count;
            }
            stream.Flush(flushToDisk: true);
            File.Move(pending.Temp, _path, overwrite: true);
            moved = true;
            _stream.Dispose();
            _stream = stream;
            stream = null;
            _appended = records;
            _liveAtCompaction = pending.Live;
            AtomicFile.SyncDirectory(Path.GetDirectoryName(_path)!);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            if (moved) Damaged = true;
            else pending.Delete();
            throw;
        }
    }

    public void Dispose()
    {
        AbandonPending();
        _stream.Dispose();
    }

    /// <summary>Waits for a background snapshot still being written and deletes it.</summary>
    private void AbandonPending()
    {
        if (_pending is not { } pending) return;
        _pending = null;
        pending.Written.Wait();
        pending.Delete();
    }

    private void Write(FileStream stream, TChange change)
    {
        var text = _formatRecord(change);
        if (Encoding.UTF8.GetMaxByteCount(text.Length) > _record.Length) _record = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        stream.Write(_record, 0, Encoding.UTF8.GetBytes(text, _record));
    }

    /// <summary>Unique and hidden, as <see cref="AtomicFile"/>'s temporary files.</summary>
    private string TempPath() =>
        Path.Combine(Path.GetDirectoryName(_path)!, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.compact");

    internal static FileStream OpenForAppend(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.Read, StreamBufferBytes);

    /// <summary>A background compaction: the snapshot's file, and the changes appended to the current file since the snapshot.</summary>
    private sealed class PendingCompaction(string temp, int live, Func<IEnumerable<TLease>, string> serialize)
    {
        public string Temp => temp;
        public int Live => live;
        public List<IReadOnlyList<TChange>> Since { get; } = [];
        public ManualResetEventSlim Written { get; } = new();
        public Exception? Failure { get; private set; }

        /// <summary>On the compaction thread.</summary>
        public void Write(IReadOnlyCollection<TLease> live)
        {
            try
            {
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, StreamBufferBytes);
                stream.Write(Encoding.UTF8.GetBytes(serialize(live)));
                stream.Flush(flushToDisk: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Failure = e;
            }
            finally
            {
                Written.Set();
            }
        }

        public void Delete()
        {
            try { File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a stray hidden file, harmless
        }
    }
}
