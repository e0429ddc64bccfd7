namespace VirtualNetworking.Daemon;

/// <summary>Timestamped lines to the log file (or stderr in --foreground); shared by every thread.</summary>
internal sealed class DaemonLog(TextWriter writer) : IDisposable
{
    private readonly Lock _lock = new();

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
