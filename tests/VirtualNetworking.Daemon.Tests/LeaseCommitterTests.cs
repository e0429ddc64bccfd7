using System.Collections.Concurrent;
using System.Net;
using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;
using static VirtualNetworking.Daemon.Tests.LeaseTraffic;

namespace VirtualNetworking.Daemon.Tests;

/// <summary>No ACK leaves before the lease it announces is in the lease file; none leaves for a batch whose write failed.</summary>
public sealed class LeaseCommitterTests : IDisposable
{
    /// <summary>Only keeps a broken test from hanging.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new();
    private readonly string _leaseFile;
    private readonly DhcpServer _server = new(Scope());
    private readonly TestDisk _disk = new();
    private readonly DaemonLog _log = new(new StringWriter(), debug: false);
    private readonly ConcurrentQueue<IPAddress> _sent = new();

    public LeaseCommitterTests() => _leaseFile = _directory.File("default.leases");

    public void Dispose()
    {
        _log.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void A_reply_leaves_only_once_its_lease_is_in_the_file()
    {
        var acks = Enumerable.Range(1, 20).Select(client => Bind(_server, client, T0)).ToList();
        var inFileWhenSent = new ConcurrentQueue<bool>();
        using var journal = LeaseJournal.Create(_leaseFile, []);
        var sink = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("test", journal, reply =>
               {
                   inFileWhenSent.Enqueue(LeaseJournal.Read(_leaseFile).Leases.Any(l => l.Address.Equals(reply.Packet.YourAddress)));
                   Send(reply);
               }, LiveLeases);
        using (var committer = new LeaseCommitter(_log))
        {
            foreach (var ack in acks) committer.Enqueue(sink, ack.LeaseChanges, ack.Reply);
        }

        Assert.Equal(acks.Select(a => a.Reply!.Packet.YourAddress), _sent);
        Assert.All(inFileWhenSent, Assert.True);
    }

    [Fact]
    public void No_reply_leaves_while_the_lease_write_fails_and_later_batches_are_sent_once_the_disk_recovers()
    {
        var acks = Enumerable.Range(1, 3).Select(client => Bind(_server, client, T0)).ToList();
        using var journal = LeaseJournal.Create(_leaseFile, [], _disk.OpenForAppend);
        var sink = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("test", journal, Send, LiveLeases);
        using var committer = new LeaseCommitter(_log);

        _disk.Fill(freeBytes: 20); // the first record is torn after 20 bytes
        committer.Enqueue(sink, acks[0].LeaseChanges, acks[0].Reply);
        _disk.WaitForFailure();
        // Still full: the batch's compaction goes through, its append does not.
        committer.Enqueue(sink, acks[1].LeaseChanges, acks[1].Reply);
        _disk.WaitForFailure();
        _disk.Recover();
        committer.Enqueue(sink, acks[2].LeaseChanges, acks[2].Reply);
        committer.Dispose();

        Assert.Equal([acks[2].Reply!.Packet.YourAddress], _sent);
        // Compacted before the append, so the torn record did not swallow the next one.
        Assert.Empty(LeaseJournal.Read(_leaseFile).SkippedLines);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    [Fact]
    public void No_reply_leaves_when_the_fsync_fails_and_later_batches_are_sent_once_the_disk_recovers()
    {
        var acks = Enumerable.Range(1, 2).Select(client => Bind(_server, client, T0)).ToList();
        using var journal = LeaseJournal.Create(_leaseFile, [], _disk.OpenForAppend);
        var sink = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("test", journal, Send, LiveLeases);
        using var committer = new LeaseCommitter(_log);

        _disk.FailFsync();
        committer.Enqueue(sink, acks[0].LeaseChanges, acks[0].Reply);
        _disk.WaitForFailure();
        _disk.Recover();
        committer.Enqueue(sink, acks[1].LeaseChanges, acks[1].Reply);
        committer.Dispose();

        Assert.Equal([acks[1].Reply!.Packet.YourAddress], _sent);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    /// <summary>Access denied is no IOException: it must not end the committer's thread (and with it the daemon).</summary>
    [Fact]
    public void A_compaction_refused_access_sends_nothing_and_the_committer_serves_on_once_access_returns()
    {
        var acks = Enumerable.Range(1, 3).Select(client => Bind(_server, client, T0)).ToList();
        using var journal = LeaseJournal.Create(_leaseFile, [], _disk.OpenForAppend);
        var sink = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("test", journal, Send, LiveLeases);
        using var committer = new LeaseCommitter(_log);

        _disk.Fill(freeBytes: 20); // a torn record: the next batch compacts first
        committer.Enqueue(sink, acks[0].LeaseChanges, acks[0].Reply);
        _disk.WaitForFailure();
        _disk.Recover();
        _disk.DenyOpen();
        committer.Enqueue(sink, acks[1].LeaseChanges, acks[1].Reply);
        _disk.WaitForFailure();
        _disk.Recover();
        committer.Enqueue(sink, acks[2].LeaseChanges, acks[2].Reply);
        committer.Dispose();

        Assert.Equal([acks[2].Reply!.Packet.YourAddress], _sent);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    [Fact]
    public void No_reply_of_a_batch_leaves_when_a_later_record_of_the_batch_fails()
    {
        var acks = Enumerable.Range(1, 4).Select(client => Bind(_server, client, T0)).ToList();
        using var journal = LeaseJournal.Create(_leaseFile, [], _disk.OpenForAppend);
        using var sending = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var sink = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("test", journal, reply =>
        {
            Send(reply);
            if (!ReferenceEquals(reply, acks[0].Reply)) return;
            // Holds the committer in the first send, so the next two results queue up as one batch.
            sending.Set();
            release.Wait(Bound);
        }, LiveLeases);
        using var committer = new LeaseCommitter(_log);

        committer.Enqueue(sink, acks[0].LeaseChanges, acks[0].Reply);
        Assert.True(sending.Wait(Bound), "The first reply was never sent.");
        committer.Enqueue(sink, acks[1].LeaseChanges, acks[1].Reply);
        committer.Enqueue(sink, acks[2].LeaseChanges, acks[2].Reply);
        // Room for the batch's first record, not for its second.
        _disk.Fill(LeaseFileFormat.FormatRecord(acks[1].LeaseChanges.Single()).Length + 10);
        release.Set();
        _disk.WaitForFailure();
        _disk.Recover();
        committer.Enqueue(sink, acks[3].LeaseChanges, acks[3].Reply);
        committer.Dispose();

        Assert.Equal([acks[0].Reply!.Packet.YourAddress, acks[3].Reply!.Packet.YourAddress], _sent);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    /// <summary>One committer serves every network: a network whose lease file fails sends nothing, the others send.</summary>
    [Fact]
    public void A_failing_lease_file_holds_back_only_its_own_networks_replies()
    {
        var acks = Enumerable.Range(1, 2).Select(client => Bind(_server, client, T0)).ToList();
        using var failing = LeaseJournal.Create(_leaseFile, [], _disk.OpenForAppend);
        using var healthy = LeaseJournal.Create(_directory.File("other.leases"), []);
        var sinkA = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("a", failing, Send, LiveLeases);
        var sinkB = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("b", healthy, Send, LiveLeases);
        using var committer = new LeaseCommitter(_log);

        _disk.FailFsync();
        committer.Enqueue(sinkA, acks[0].LeaseChanges, acks[0].Reply);
        committer.Enqueue(sinkB, acks[1].LeaseChanges, acks[1].Reply);
        committer.Flush();

        Assert.Equal([acks[1].Reply!.Packet.YourAddress], _sent);
        Assert.Equal([acks[1].Reply!.Packet.YourAddress], LeaseJournal.Read(_directory.File("other.leases")).Leases.Select(l => l.Address));
    }

    [Fact]
    public void Flush_returns_once_everything_queued_before_it_is_durable_and_sent()
    {
        var acks = Enumerable.Range(1, 50).Select(client => Bind(_server, client, T0)).ToList();
        using var journal = LeaseJournal.Create(_leaseFile, []);
        var sink = new LeaseSink<DhcpLease, DhcpLeaseChange, DhcpReply>("test", journal, Send, LiveLeases);
        using var committer = new LeaseCommitter(_log);

        foreach (var ack in acks) committer.Enqueue(sink, ack.LeaseChanges, ack.Reply);
        committer.Flush();

        Assert.Equal(acks.Select(a => a.Reply!.Packet.YourAddress), _sent);
        Assert.Equal(ByAddress(_server.Leases), Replay(_leaseFile, T0));
    }

    private void Send(DhcpReply reply) => _sent.Enqueue(reply.Packet.YourAddress);

    /// <summary>All results were handled before the committer started, so the server is only read from here on.</summary>
    private IReadOnlyCollection<DhcpLease> LiveLeases() => _server.Leases;
}
