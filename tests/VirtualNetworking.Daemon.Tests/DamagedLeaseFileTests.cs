using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;
using static VirtualNetworking.Daemon.Tests.LeaseTraffic;

namespace VirtualNetworking.Daemon.Tests;

/// <summary>
/// A lease file a crash or a failing disk left damaged: the daemon skips what it cannot read, says why, serves the
/// rest, and rewrites the file whole before it appends again.
/// </summary>
public sealed class DamagedLeaseFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _leaseFile;
    private readonly DhcpServer _server = new(Scope());

    public DamagedLeaseFileTests() => _leaseFile = _directory.File("default.leases");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_torn_last_line_is_skipped_with_a_reason_and_the_rest_replays()
    {
        using (var journal = LeaseJournal.Create(_leaseFile, []))
        {
            for (var client = 1; client <= 4; client++) journal.Append(Bind(_server, client, T0).LeaseChanges);
            journal.Sync();
        }
        var written = ByAddress(_server.Leases);
        var last = LeaseFileFormat.FormatRecord(Bind(_server, 5, T0).LeaseChanges.Single());
        File.AppendAllText(_leaseFile, last[..(last.Length / 2)]); // the crash came halfway through the write

        var contents = LeaseJournal.Read(_leaseFile);
        Assert.Equal("line 6: torn (no newline)", Assert.Single(contents.SkippedLines));
        Assert.Equal(written, Replay(_leaseFile, T0));

        // The restart rewrites the file from what it restored: the torn line is gone.
        Restart();
        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(written, Replay(_leaseFile, T0));
    }

    [Fact]
    public void Garbage_lines_are_skipped_with_a_reason_and_the_rest_replays()
    {
        var records = Enumerable.Range(1, 4).Select(client => LeaseFileFormat.FormatRecord(Bind(_server, client, T0).LeaseChanges.Single())).ToList();
        var flipped = records[1].Replace(" bound ", " bounD ");
        File.WriteAllText(_leaseFile, LeaseFileFormat.Header + "\n" + records[0] + "not a lease record\n" + flipped + "\0\0\0\0\0\0\0\0\n" + records[2] + records[3]);

        Assert.Equal(["line 3: checksum mismatch", "line 4: checksum mismatch", "line 5: checksum mismatch"], LeaseJournal.Read(_leaseFile).SkippedLines);
        var intact = ByAddress(_server.Leases.Where(l => !records[1].Contains($" {l.Address} ", StringComparison.Ordinal)));
        Assert.Equal(3, intact.Count);
        Assert.Equal(intact, Replay(_leaseFile, T0));

        Restart();
        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(intact, Replay(_leaseFile, T0));
    }

    [Fact]
    public void A_failed_append_leaves_the_journal_damaged_until_a_compaction_has_rewritten_the_torn_line()
    {
        var disk = new TestDisk();
        using var journal = LeaseJournal.Create(_leaseFile, [], disk.OpenForAppend);
        journal.Append(Bind(_server, 1, T0).LeaseChanges);
        journal.Sync();

        disk.Fill(freeBytes: 20);
        Assert.Throws<IOException>(() => journal.Append(Bind(_server, 2, T0).LeaseChanges));
        Assert.True(journal.Damaged);
        Assert.Contains("torn", Assert.Single(LeaseJournal.Read(_leaseFile).SkippedLines), StringComparison.Ordinal);

        disk.Recover();
        journal.Compact(_server.Leases);
        Assert.False(journal.Damaged);
        journal.Append(Bind(_server, 3, T0).LeaseChanges);
        journal.Sync();
        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    [Fact]
    public void A_failed_fsync_leaves_the_journal_damaged()
    {
        var disk = new TestDisk();
        using var journal = LeaseJournal.Create(_leaseFile, [], disk.OpenForAppend);
        journal.Append(Bind(_server, 1, T0).LeaseChanges);

        disk.FailFsync();
        Assert.Throws<IOException>(journal.Sync);
        Assert.True(journal.Damaged);
    }

    /// <summary>What the daemon does when it starts serving the network: read, restore, rewrite.</summary>
    private void Restart()
    {
        var server = new DhcpServer(Scope());
        server.Restore(LeaseJournal.Read(_leaseFile).Leases, T0);
        LeaseJournal.Create(_leaseFile, server.Leases).Dispose();
    }
}
