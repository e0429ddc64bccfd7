namespace VirtualNetworking.Daemon.Tests;

/// <summary>
/// The disk under a <see cref="LeaseJournal"/>'s appends, as a test controls it. Appends go to the real file, unbuffered,
/// so what a write put down is in the file at once. Once <see cref="Fill"/>ed, a write puts down what still fits and
/// fails with ENOSPC's IOException (a torn record, as a full disk leaves one); after <see cref="FailFsync"/>, the fsync
/// fails with EIO's; after <see cref="DenyOpen"/>, opening the file fails as on a folder made read-only. Each failure is
/// signalled on <see cref="Failures"/>, so a test can wait for one.
/// </summary>
internal sealed class TestDisk
{
    private readonly Lock _lock = new();
    private long? _freeBytes; // null: room for everything
    private bool _fsyncFails;
    private bool _openDenied;

    public SemaphoreSlim Failures { get; } = new(0);

    /// <summary>The journal's append stream (<see cref="LeaseJournal.Create(string, IReadOnlyCollection{Core.Dhcp.DhcpLease}, Func{string, FileStream})"/>).</summary>
    public FileStream OpenForAppend(string path)
    {
        lock (_lock)
        {
            if (_openDenied)
            {
                Failures.Release();
                throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
            }
        }
        return new DiskStream(path, this);
    }

    public void Fill(long freeBytes)
    {
        lock (_lock) _freeBytes = freeBytes;
    }

    public void FailFsync()
    {
        lock (_lock) _fsyncFails = true;
    }

    public void DenyOpen()
    {
        lock (_lock) _openDenied = true;
    }

    public void Recover()
    {
        lock (_lock) (_freeBytes, _fsyncFails, _openDenied) = (null, false, false);
    }

    /// <summary>Waits for the next failure; the bound only keeps a broken test from hanging.</summary>
    public void WaitForFailure() => Assert.True(Failures.Wait(TimeSpan.FromSeconds(30)), "The journal never hit the failing disk.");

    private int Reserve(int count)
    {
        lock (_lock)
        {
            if (_freeBytes is not { } free) return count;
            var granted = (int)Math.Min(free, count);
            _freeBytes = free - granted;
            return granted;
        }
    }

    private bool FsyncFails()
    {
        lock (_lock) return _fsyncFails;
    }

    private IOException Failure(string message)
    {
        Failures.Release();
        return new IOException(message);
    }

    private sealed class DiskStream(string path, TestDisk disk)
        : FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0)
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            var granted = disk.Reserve(count);
            base.Write(buffer, offset, granted);
            if (granted < count) throw disk.Failure("No space left on device");
        }

        public override void Flush(bool flushToDisk)
        {
            if (flushToDisk && disk.FsyncFails()) throw disk.Failure("Input/output error");
            base.Flush(flushToDisk);
        }
    }
}
