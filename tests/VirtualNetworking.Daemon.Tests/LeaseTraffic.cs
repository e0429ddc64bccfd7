using System.Buffers.Binary;
using System.Net;
using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Daemon.Tests;

/// <summary>
/// Exchanges with a <see cref="DhcpServer"/> whose results carry lease changes: what the serving thread hands to the
/// lease committer. Client n has MAC <see cref="Mac"/>(n).
/// </summary>
internal static class LeaseTraffic
{
    /// <summary>DISCOVER then REQUEST: the ACK, with the lease it binds.</summary>
    public static DhcpResult Bind(DhcpServer server, int client, DateTimeOffset now)
    {
        var offer = server.Handle(Discover(Mac(client)), Broadcast, now).Reply!;
        var ack = server.Handle(Select(Mac(client), offer.Packet.YourAddress), Broadcast, now);
        Assert.NotEmpty(ack.LeaseChanges);
        return ack;
    }

    /// <summary>A unicast renewal: the ACK, with the lease's new expiry.</summary>
    public static DhcpResult Extend(DhcpServer server, int client, IPAddress address, DateTimeOffset now)
    {
        var ack = server.Handle(Renew(Mac(client), address), Unicast, now);
        Assert.NotEmpty(ack.LeaseChanges);
        return ack;
    }

    /// <summary>A RELEASE: no reply, the lease's removal.</summary>
    public static DhcpResult Release(DhcpServer server, int client, IPAddress address, DateTimeOffset now)
    {
        var result = server.Handle(Packet(DhcpMessageType.Release, Mac(client), p => p.ClientAddress = address), Unicast, now);
        Assert.Equal(DhcpLeaseChangeKind.Remove, Assert.Single(result.LeaseChanges).Kind);
        return result;
    }

    /// <summary>Leases in address order, so two live sets compare whatever order they came in.</summary>
    public static IReadOnlyList<DhcpLease> ByAddress(IEnumerable<DhcpLease> leases) =>
        [.. leases.OrderBy(l => BinaryPrimitives.ReadUInt32BigEndian(l.Address.GetAddressBytes()))];

    /// <summary>What a restarted daemon serves from the file: <see cref="LeaseJournal.Read"/> restored into a fresh server.</summary>
    public static IReadOnlyList<DhcpLease> Replay(string leaseFile, DateTimeOffset now)
    {
        var server = new DhcpServer(Scope());
        server.Restore(LeaseJournal.Read(leaseFile).Leases, now);
        return ByAddress(server.Leases);
    }
}
