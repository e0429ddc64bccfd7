using System.Globalization;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Single instance per state root: vnetd.lock is held open with an exclusive lock for the daemon's life (.NET takes
/// flock for FileShare.None), and vnetd.pid names the holder. The lock, not the pid, says whether a daemon runs, so
/// files left by a killed daemon are simply taken over. The pid file itself is never locked, so anyone may read it.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _path;

    private PidFile(string path, FileStream lockStream)
    {
        _path = path;
        _lock = lockStream;
    }

    /// <summary>
    /// A daemon killed with kill -9 looks dead (a zombie) before its last thread has closed its files, and closing
    /// its packet sockets waits for RCU grace periods: its lock can outlive it by ~100 ms on a busy host. A
    /// successor started at once waits that long rather than give up.
    /// </summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(20);

    /// <summary>Takes the lock, waiting up to <see cref="LockWait"/>; null when another daemon still holds it.</summary>
    public static PidFile? TryAcquire(string pidPath)
    {
        var deadline = DateTime.UtcNow + LockWait;
        FileStream lockStream;
        while (true)
        {
            try
            {
                lockStream = new FileStream(Path.ChangeExtension(pidPath, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                break;
            }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(LockRetry); }
            catch (IOException) { return null; }
        }
        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new PidFile(pidPath, lockStream);
    }

    public void Dispose()
    {
        File.Delete(_path); // while still holding the lock, so no successor's pid file is deleted
        _lock.Dispose();
    }
}
