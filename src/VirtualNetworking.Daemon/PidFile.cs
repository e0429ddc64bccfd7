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

    public static PidFile? TryAcquire(string pidPath)
    {
        FileStream lockStream;
        try { lockStream = new FileStream(Path.ChangeExtension(pidPath, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new PidFile(pidPath, lockStream);
    }

    public void Dispose()
    {
        File.Delete(_path); // while still holding the lock, so no successor's pid file is deleted
        _lock.Dispose();
    }
}
