using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Linux.Store;

/// <summary>
/// An exclusive advisory lock on a file, shared by every process that uses the same path.
/// .NET takes flock(LOCK_EX|LOCK_NB) for FileShare.None on Unix, so we poll until it is free; only a lock held
/// elsewhere (EWOULDBLOCK) is waited for, any other failure is reported at once.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream stream;

    private FileLock(FileStream stream) => this.stream = stream;

    /// <summary>The errno .NET puts in the IOException's HResult when flock finds the lock held.</summary>
    private const int EWouldBlock = 11;

    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        var delay = 1;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (e.HResult == EWouldBlock && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
            }
        }
    }

    /// <summary>Acquire, with failures as the module's problems: no access = permission, timeout = busy.</summary>
    public static FileLock AcquireOrExplain(string path, TimeSpan timeout, string what, string remedy)
    {
        try
        {
            return Acquire(path, timeout);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
                $"Cannot write {what} at {Path.GetDirectoryName(path)}: {e.Message} {remedy}");
        }
        catch (IOException e) when (e.HResult == EWouldBlock)
        {
            throw new NetworkProblemException(ErrorIds.StoreBusy, ProblemCategory.ResourceBusy,
                $"Another session has held the lock on {what} for over {timeout.TotalSeconds:0} s ({e.Message}). Try again when it has finished.");
        }
        catch (IOException e)
        {
            throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.WriteError,
                $"Cannot lock {what} at {path}: {e.Message} Check that {Path.GetDirectoryName(path)} is a folder you can write.", path);
        }
    }

    public void Dispose() => stream.Dispose();
}
