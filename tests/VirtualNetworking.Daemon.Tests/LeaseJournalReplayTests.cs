using System.Net;
using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;
using static VirtualNetworking.Daemon.Tests.LeaseTraffic;

namespace VirtualNetworking.Daemon.Tests;

/// <summary>What a restarted daemon reads back (<see cref="LeaseJournal.Read"/> into <see cref="DhcpServer.Restore"/>) is what it served.</summary>
public sealed class LeaseJournalReplayTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _leaseFile;
    private readonly DhcpServer _server = new(Scope());

    public LeaseJournalReplayTests() => _leaseFile = _directory.File("default.leases");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Leases_appended_then_read_back_restore_the_same_live_set()
    {
        using (var journal = LeaseJournal.Create(_leaseFile, []))
        {
            for (var client = 1; client <= 5; client++) journal.Append(Bind(_server, client, T0).LeaseChanges);
            journal.Sync();
        }

        Assert.Equal(5, _server.Leases.Count);
        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    [Fact]
    public void Replay_after_many_appends_gives_the_live_set()
    {
        var now = T0;
        using var journal = LeaseJournal.Create(_leaseFile, []);
        var addresses = new Dictionary<int, IPAddress>();
        for (var client = 1; client <= 200; client++) addresses[client] = Append(journal, Bind(_server, client, now)).Reply!.Packet.YourAddress;
        journal.Sync();
        for (var round = 1; round <= 10; round++)
        {
            now = T0.AddMinutes(round);
            foreach (var (client, address) in addresses) Append(journal, Extend(_server, client, address, now));
            journal.Sync();
        }
        foreach (var client in addresses.Keys.Where(c => c % 3 == 0)) Append(journal, Release(_server, client, addresses[client], now));
        journal.Sync();

        Assert.Equal(200 - 66, _server.Leases.Count);
        Assert.True(LineCount() > 2000, "Every renewal was appended, not rewritten.");
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, now));
    }

    [Fact]
    public void Compaction_rewrites_the_live_set_and_replays_as_the_journal_did_before()
    {
        using var journal = LeaseJournal.Create(_leaseFile, []);
        var addresses = Enumerable.Range(1, 50).ToDictionary(c => c, c => Append(journal, Bind(_server, c, T0)).Reply!.Packet.YourAddress);
        foreach (var client in addresses.Keys.Where(c => c % 2 == 0)) Append(journal, Release(_server, client, addresses[client], T0));
        foreach (var client in addresses.Keys.Where(c => c % 2 == 1)) Append(journal, Extend(_server, client, addresses[client], T0.AddMinutes(5)));
        journal.Sync();
        var before = Replay(_leaseFile, T0.AddMinutes(5));

        journal.Compact(_server.Leases);

        Assert.Equal(1 + 25, LineCount()); // the header and one line per live lease
        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(before, Replay(_leaseFile, T0.AddMinutes(5)));

        // And the journal goes on appending to the rewritten file.
        Append(journal, Bind(_server, 51, T0.AddMinutes(5)));
        journal.Sync();
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0.AddMinutes(5)));
    }

    /// <summary>The committer's way: the snapshot is written on another thread while appends go on to the current file.</summary>
    [Fact]
    public void A_background_compaction_keeps_the_changes_appended_while_its_snapshot_was_written()
    {
        using var journal = LeaseJournal.Create(_leaseFile, []);
        var addresses = Enumerable.Range(1, 50).ToDictionary(c => c, c => Append(journal, Bind(_server, c, T0)).Reply!.Packet.YourAddress);
        journal.Sync();

        var writeSnapshot = journal.BeginCompaction(_server.Leases);
        foreach (var client in addresses.Keys.Where(c => c % 2 == 0)) Append(journal, Release(_server, client, addresses[client], T0));
        for (var client = 51; client <= 60; client++) Append(journal, Bind(_server, client, T0));
        journal.Sync();
        Assert.False(journal.TryFinishCompaction(), "Finished before its snapshot was written.");
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0)); // the current file serves meanwhile

        writeSnapshot();
        Assert.True(journal.TryFinishCompaction());
        Assert.False(journal.CompactionPending);
        Assert.Equal(1 + 50 + 25 + 10, LineCount()); // header, snapshot, then the 35 changes made since
        for (var client = 61; client <= 65; client++) Append(journal, Bind(_server, client, T0));
        journal.Sync();

        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
        Assert.Equal([_leaseFile], Directory.GetFiles(Path.GetDirectoryName(_leaseFile)!, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_journal_disposed_during_a_background_compaction_leaves_the_current_file_and_no_temporary_one()
    {
        var journal = LeaseJournal.Create(_leaseFile, []);
        for (var client = 1; client <= 20; client++) Append(journal, Bind(_server, client, T0));
        journal.Sync();
        var writeSnapshot = journal.BeginCompaction(_server.Leases);
        var writer = Task.Run(writeSnapshot);

        journal.Dispose();
        await writer;

        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
        Assert.Equal([_leaseFile], Directory.GetFiles(Path.GetDirectoryName(_leaseFile)!, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_record_appended_twice_replays_to_the_same_set()
    {
        var queued = new List<IReadOnlyList<DhcpLeaseChange>>();
        var addresses = Enumerable.Range(1, 10).ToDictionary(c => c, c => Queue(queued, Bind(_server, c, T0)).Reply!.Packet.YourAddress);
        foreach (var client in new[] { 2, 5, 9 }) Queue(queued, Release(_server, client, addresses[client], T0));
        foreach (var client in new[] { 1, 5 }) Queue(queued, Bind(_server, client, T0.AddMinutes(1)));
        Queue(queued, Extend(_server, 3, addresses[3], T0.AddMinutes(2)));
        var live = ByAddress(_server.Leases);
        using var journal = LeaseJournal.Create(_leaseFile, []);

        foreach (var changes in queued.Concat(queued)) journal.Append(changes);
        journal.Sync();
        Assert.Equal(live, Replay(_leaseFile, T0.AddMinutes(2)));

        // As in the committer: changes handled before a compaction's snapshot but still queued are appended after it.
        journal.Compact(_server.Leases);
        foreach (var changes in queued) journal.Append(changes);
        journal.Sync();
        Assert.Equal(live, Replay(_leaseFile, T0.AddMinutes(2)));
    }

    [Fact]
    public void Compaction_is_due_once_as_many_records_were_appended_as_the_file_held_live_and_at_least_4096()
    {
        var record = Bind(_server, 1, T0).LeaseChanges;
        using var journal = LeaseJournal.Create(_leaseFile, []);
        for (var i = 1; i < 4096; i++) journal.Append(record);
        Assert.False(journal.NeedsCompaction);
        journal.Append(record);
        Assert.True(journal.NeedsCompaction);

        var live = Enumerable.Range(0, 5000).Select(i => record[0].Lease with { Address = new IPAddress([10, 0, (byte)(i >> 8), (byte)i]) }).ToList();
        journal.Compact(live);
        for (var i = 1; i < 5000; i++) journal.Append(record);
        Assert.False(journal.NeedsCompaction);
        journal.Append(record);
        Assert.True(journal.NeedsCompaction);
    }

    private static DhcpResult Append(LeaseJournal<DhcpLease, DhcpLeaseChange> journal, DhcpResult result)
    {
        journal.Append(result.LeaseChanges);
        return result;
    }

    private static DhcpResult Queue(List<IReadOnlyList<DhcpLeaseChange>> queued, DhcpResult result)
    {
        queued.Add(result.LeaseChanges);
        return result;
    }

    private int LineCount() => File.ReadAllLines(_leaseFile).Length;
}
