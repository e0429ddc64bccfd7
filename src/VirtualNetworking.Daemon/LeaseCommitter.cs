using System.Diagnostics;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Group commit off the serving thread. The serving thread queues each result's lease changes with its
/// reply and goes back to receiving; this thread appends everything queued since its last fsync in one
/// write, fsyncs once, and only then sends those replies. So receiving never waits for the disk, and no
/// reply leaves before the lease it announces is durable; the replies leave paced, not all at once. Compaction
/// runs here too, between batches.
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

    private readonly string _name;
    private readonly LeaseJournal _journal;
    private readonly Action<DhcpReply> _send;
    private readonly Func<IReadOnlyCollection<DhcpLease>> _liveLeases;
    private readonly DaemonLog _log;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private List<Entry> _queue = [];
    private List<Entry> _spare = []; // only this thread touches it
    private readonly ReplyPacer _pacer = new(ReplySpacing, ReplyBurst); // only this thread touches it
    private readonly long _clockOrigin = Stopwatch.GetTimestamp();
    private bool _stopping;

    private readonly record struct Entry(IReadOnlyList<DhcpLeaseChange> Changes, DhcpReply? Reply);

    /// <param name="liveLeases">The server's bound and declined leases, taken under its lock (for compaction).</param>
    public LeaseCommitter(string name, LeaseJournal journal, Action<DhcpReply> send, Func<IReadOnlyCollection<DhcpLease>> liveLeases, DaemonLog log)
    {
        _name = name;
        _journal = journal;
        _send = send;
        _liveLeases = liveLeases;
        _log = log;
        _thread = new Thread(Run) { Name = "leases " + name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Queues changes that must be durable before <paramref name="reply"/> (if any) is sent.</summary>
    public void Enqueue(IReadOnlyList<DhcpLeaseChange> changes, DhcpReply? reply)
    {
        lock (_gate)
        {
            while (_queue.Count >= MaxQueued) Monitor.Wait(_gate);
            _queue.Add(new(changes, reply));
            // The committer only sleeps on an empty queue.
            if (_queue.Count == 1) Monitor.PulseAll(_gate);
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
            batch.Clear();
            _spare = batch;
        }
    }

    private void Commit(List<Entry> batch)
    {
        try
        {
            // The snapshot holds this batch's changes too (they were handled before it); appending them again is harmless.
            if (_journal.Damaged) _journal.Compact(_liveLeases());
            foreach (var entry in batch) _journal.Append(entry.Changes);
            _journal.Sync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Never durable, so never announced: the clients retry. (Access denied is caught too: an exception that
            // left this thread would end the daemon.)
            _log.Write($"{_name}: lease file write failed, {batch.Count} replies not sent: {e.Message}");
            return;
        }
        foreach (var entry in batch)
        {
            if (entry.Reply is not { } reply) continue;
            if (_pacer.BeforeSend(Stopwatch.GetElapsedTime(_clockOrigin)) is { Ticks: > 0 } wait) Native.Sleep(wait);
            _send(reply);
        }
        if (!_journal.NeedsCompaction) return;
        try
        {
            // Changes handled before the snapshot but still queued are appended again after it: replaying a
            // record twice, in order, gives the same live set.
            _journal.Compact(_liveLeases());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Write($"{_name}: lease file compaction failed: {e.Message}");
        }
    }
}
