using System.Diagnostics;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// One network's lease file of one protocol, where its committed replies go, and how to read its live leases (for
/// compaction): what <see cref="LeaseCommitter"/> needs, whatever the protocol's lease and reply types.
/// </summary>
internal abstract class LeaseSink
{
    public abstract string Name { get; }
    public abstract bool Damaged { get; }
    public abstract bool NeedsCompaction { get; }
    public abstract bool CompactionPending { get; }
    /// <summary>Appends a queued entry's changes (the list given to <see cref="LeaseCommitter.Enqueue{TLease, TChange, TReply}"/>).</summary>
    public abstract void Append(object changes);
    public abstract void Sync();
    /// <summary>Sends a queued entry's reply.</summary>
    public abstract void Send(object reply);
    /// <summary>Sends what <see cref="Send"/> queued on this thread (none: it sends at once).</summary>
    public abstract void Flush();
    /// <summary>Rewrites the file as the live leases now.</summary>
    public abstract void Compact();
    public abstract Action BeginCompaction();
    public abstract bool TryFinishCompaction();
}

/// <param name="liveLeases">The server's bound and declined leases, taken under its lock.</param>
/// <param name="flush">Sends what <paramref name="send"/> queued on this thread (none: it sends at once).</param>
internal sealed class LeaseSink<TLease, TChange, TReply>(string name, LeaseJournal<TLease, TChange> journal, Action<TReply> send,
                                                         Func<IReadOnlyCollection<TLease>> liveLeases, Action? flush = null) : LeaseSink
{
    public override string Name => name;
    public override bool Damaged => journal.Damaged;
    public override bool NeedsCompaction => journal.NeedsCompaction;
    public override bool CompactionPending => journal.CompactionPending;
    public override void Append(object changes) => journal.Append((IReadOnlyList<TChange>)changes);
    public override void Sync() => journal.Sync();
    public override void Send(object reply) => send((TReply)reply);
    public override void Flush() => flush?.Invoke();
    public override void Compact() => journal.Compact(liveLeases());
    public override Action BeginCompaction() => journal.BeginCompaction(liveLeases());
    public override bool TryFinishCompaction() => journal.TryFinishCompaction();
}

/// <summary>
/// Group commit off the serving thread, one thread for every network. The serving thread queues each result's
/// lease changes with its reply and goes back to receiving; this thread appends everything queued since its
/// last fsync in one write per lease file, fsyncs each file once, and only then sends those replies. So
/// receiving never waits for the disk, and no reply leaves before the lease it announces is durable; a
/// network whose file cannot be written sends nothing, the others send; the replies leave paced, not all at
/// once. A compaction's snapshot is written by a second thread (formatting and fsyncing tens of thousands of
/// leases took ~70 ms at 6,000/s, during which every ACK waited); this thread only finishes it between batches.
/// </summary>
internal sealed class LeaseCommitter : IDisposable
{
    /// <summary>
    /// Queued results at which the serving thread waits: bounds memory when the disk stalls (the socket's
    /// receive buffer then overflows and clients retry, as with any server that cannot keep up).
    /// </summary>
    private const int MaxQueued = 8192;

    /// <summary>
    /// A committed batch's replies leave at most 40,000 per second in runs of 8 (<see cref="ReplyPacer"/>): far above
    /// any rate one network's clients reach, yet smooth enough for a client that reads its socket only now and then.
    /// </summary>
    private static readonly TimeSpan ReplySpacing = TimeSpan.FromMicroseconds(25);
    private const int ReplyBurst = 8;

    private readonly DaemonLog _log;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private List<Entry> _queue = [];
    private List<Entry> _spare = []; // only this thread touches it
    private readonly HashSet<LeaseSink> _failed = []; // only this thread touches it
    private readonly ReplyPacer _pacer = new(ReplySpacing, ReplyBurst); // only this thread touches it
    private readonly BackgroundThread _compactor = new("compact");
    private readonly long _clockOrigin = Stopwatch.GetTimestamp();
    private long _enqueued;
    private long _committed;
    private bool _stopping;

    /// <summary>
    /// A queued result: the sink's list of changes and its reply, typed by the sink. An entry without a sink is a barrier
    /// (<see cref="Flush"/>).
    /// </summary>
    private readonly record struct Entry(LeaseSink? Sink, object? Changes, object? Reply);

    public LeaseCommitter(DaemonLog log)
    {
        _log = log;
        _thread = new Thread(Run) { Name = "leases", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Queues changes that must be durable in <paramref name="sink"/>'s file before <paramref name="reply"/> (if any) is sent.</summary>
    public void Enqueue<TLease, TChange, TReply>(LeaseSink<TLease, TChange, TReply> sink, IReadOnlyList<TChange> changes, TReply? reply)
        where TReply : class
    {
        lock (_gate)
        {
            while (_queue.Count >= MaxQueued) Monitor.Wait(_gate);
            Add(new(sink, changes, reply));
        }
    }

    /// <summary>Returns once everything queued before the call is committed and its replies sent (or given up): a network's files and sockets may then close.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            Add(new(null, null, null));
            var mark = _enqueued;
            while (_committed < mark && _thread.IsAlive) Monitor.Wait(_gate);
        }
    }

    /// <summary>Commits and sends whatever is queued, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        _compactor.Dispose();
    }

    private void Add(Entry entry)
    {
        _enqueued++;
        _queue.Add(entry);
        // The committer only sleeps on an empty queue.
        if (_queue.Count == 1) Monitor.PulseAll(_gate);
    }

    private void Run()
    {
        while (true)
        {
            List<Entry> batch;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_queue.Count == 0) return;
                batch = _queue;
                _queue = _spare;
                Monitor.PulseAll(_gate); // a serving thread may wait for room
            }
            Commit(batch);
            lock (_gate)
            {
                _committed += batch.Count;
                Monitor.PulseAll(_gate); // a Flush may wait for this batch
            }
            batch.Clear();
            _spare = batch;
        }
    }

    private void Commit(List<Entry> batch)
    {
        _failed.Clear();
        var sinks = new List<LeaseSink>();
        foreach (var entry in batch)
        {
            if (entry.Sink is not { } sink || _failed.Contains(sink)) continue;
            if (!sinks.Contains(sink)) sinks.Add(sink);
            try
            {
                // The snapshot holds this batch's changes too (they were handled before it); appending them again is harmless.
                if (sink.Damaged) sink.Compact();
                sink.Append(entry.Changes!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(sink, batch, e);
            }
        }
        foreach (var sink in sinks)
        {
            if (_failed.Contains(sink)) continue;
            try { sink.Sync(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Fail(sink, batch, e); }
        }
        foreach (var entry in batch)
        {
            if (entry is not { Sink: { } sink, Reply: { } reply } || _failed.Contains(sink)) continue;
            if (_pacer.BeforeSend(Stopwatch.GetElapsedTime(_clockOrigin)) is { Ticks: > 0 } wait)
            {
                Flush(sinks); // the run before the pause leaves now
                Native.Sleep(wait);
            }
            try { sink.Send(reply); }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                _log.Write($"{sink.Name}: reply not sent: {e.Message}");
            }
        }
        Flush(sinks);
        foreach (var sink in sinks)
        {
            if (_failed.Contains(sink)) continue;
            try
            {
                if (sink.TryFinishCompaction() || !sink.NeedsCompaction || sink.CompactionPending) continue;
                // Changes handled before the snapshot but still queued are appended again after it: replaying a
                // record twice, in order, gives the same live set.
                _compactor.Post(sink.BeginCompaction());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Write($"{sink.Name}: lease file compaction failed: {e.Message}");
            }
        }
    }

    private void Flush(List<LeaseSink> sinks)
    {
        foreach (var sink in sinks)
        {
            try { sink.Flush(); }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                _log.Write($"{sink.Name}: replies not sent: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Never durable, so never announced: the clients retry. (Access denied is caught too: an exception that
    /// left this thread would end the daemon.)
    /// </summary>
    private void Fail(LeaseSink sink, List<Entry> batch, Exception e)
    {
        _failed.Add(sink);
        _log.Write($"{sink.Name}: lease file write failed, {batch.Count(x => x.Sink == sink && x.Reply is not null)} replies not sent: {e.Message}");
    }
}

/// <summary>A thread that runs posted work in order; on dispose it runs what is queued, then ends.</summary>
internal sealed class BackgroundThread : IDisposable
{
    private readonly Queue<Action> _work = new();
    private readonly Thread _thread;
    private bool _stopping;

    public BackgroundThread(string name)
    {
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    public void Post(Action work)
    {
        lock (_work)
        {
            _work.Enqueue(work);
            Monitor.Pulse(_work);
        }
    }

    public void Dispose()
    {
        lock (_work)
        {
            _stopping = true;
            Monitor.Pulse(_work);
        }
        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            Action work;
            lock (_work)
            {
                while (_work.Count == 0 && !_stopping) Monitor.Wait(_work);
                if (_work.Count == 0) return;
                work = _work.Dequeue();
            }
            work();
        }
    }
}
