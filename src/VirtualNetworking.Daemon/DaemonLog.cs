namespace VirtualNetworking.Daemon;

/// <summary>
/// Timestamped lines to the log file (or stderr in --foreground); shared by every thread. Start, stop, errors
/// and per-network counters are always written; one line per DHCP message only when <see cref="Debug"/>
/// (--log-level debug), since a flushed line per packet costs more than answering it.
/// </summary>
internal sealed class DaemonLog(TextWriter writer, bool debug) : IDisposable
{
    private readonly Lock _lock = new();

    public bool Debug => debug;

    public void Write(string message)
    {
        lock (_lock)
        {
            writer.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} [{Environment.CurrentManagedThreadId}] {message}");
            writer.Flush();
        }
    }

    public void Dispose() => writer.Dispose();
}
