using System.Globalization;
using System.Text;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The pid file, held open with an exclusive lock for the daemon's life (.NET takes flock for FileShare.None):
/// the lock, not the pid in it, says whether a daemon runs, so a pid file left by a killed daemon is simply taken over.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;

    private PidFile(string path, FileStream stream)
    {
        _path = path;
        _stream = stream;
    }

    public static PidFile? TryAcquire(string path)
    {
        FileStream stream;
        try { stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
        stream.SetLength(0);
        stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        stream.Flush();
        return new PidFile(path, stream);
    }

    public void Dispose()
    {
        File.Delete(_path); // while still locked, so no successor's file is deleted
        _stream.Dispose();
    }
}
