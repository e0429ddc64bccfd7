using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using static VirtualNetworking.Core.Tests.Dhcp6.Dhcp6TestKit;

namespace VirtualNetworking.Core.Tests.Dhcp6;

public class Dhcp6LeaseFileFormatTests
{
    private static readonly Dhcp6Lease Bound = new(Ip("fd00:5::123"), Client(1), 7, "guest é 1", T0.AddHours(1), Dhcp6LeaseState.Bound);
    private static readonly Dhcp6Lease Forever = new(Ip("fd00:5::10"), Duid.Parse("00:04:c4:d2:a5:1e:3c:0a:4b:1b:9d:37:6a:3e:5f:0c:1b:2d"), uint.MaxValue, null, null, Dhcp6LeaseState.Bound);
    private static readonly Dhcp6Lease Declined = new(Ip("fd00:5::150"), Client(2), 1, null, T0.AddMinutes(10), Dhcp6LeaseState.Declined);

    [Fact]
    public void A_serialized_file_reads_back_the_same_leases_in_address_order()
    {
        var text = Dhcp6LeaseFileFormat.Serialize([Declined, Bound, Forever]);
        Assert.StartsWith(Dhcp6LeaseFileFormat.Header + "\n", text);
        var read = Dhcp6LeaseFileFormat.Parse(text);
        Assert.Empty(read.SkippedLines);
        Assert.Equal([Forever, Bound, Declined], read.Leases);
    }

    [Fact]
    public void A_record_is_one_line_with_the_duid_in_libvirts_form()
    {
        var line = Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Bound));
        Assert.Matches(@"^L fd00:5::123 bound 1767272400 00:01:00:01:2a:3b:4c:5d:52:54:00:00:00:01 7 guest%20%C3%A9%201 [0-9a-f]{8}\n$", line);
    }

    [Fact]
    public void Appended_records_replay_in_order_and_compaction_drops_removed_and_expired()
    {
        var text = Dhcp6LeaseFileFormat.Serialize([Bound]) +
            Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Declined)) +
            Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Bound with { Expires = T0.AddHours(2) })) +
            Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Forever)) +
            Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Remove, Forever));
        Assert.Equal([Bound with { Expires = T0.AddHours(2) }, Declined], Dhcp6LeaseFileFormat.Parse(text).Leases);
        Assert.Equal(Dhcp6LeaseFileFormat.Serialize([Bound with { Expires = T0.AddHours(2) }]), Dhcp6LeaseFileFormat.Compact(text, T0.AddMinutes(10)));
    }

    [Fact]
    public void Damaged_and_torn_lines_are_skipped_and_reported()
    {
        var good = Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Bound));
        var text = Dhcp6LeaseFileFormat.Header + "\n" +
            good.Replace("bound", "BOUND", StringComparison.Ordinal) +
            "L 192.168.1.1 bound infinite 00:03:00:01:52:54:00:00:00:01 1 - 00000000\n" +
            good +
            good[..20];
        var read = Dhcp6LeaseFileFormat.Parse(text);
        Assert.Equal([Bound], read.Leases);
        Assert.Equal(["line 5: torn (no newline)", "line 2: checksum mismatch", "line 3: checksum mismatch"], read.SkippedLines);
    }

    [Fact]
    public void A_server_restores_what_it_wrote()
    {
        var server = new Dhcp6Server(Scope());
        var text = Dhcp6LeaseFileFormat.Header + "\n";
        foreach (var n in Enumerable.Range(1, 5))
        {
            var result = server.Handle(WithServer(Dhcp6MessageType.Request, Client(n), 1, null), Multicast, T0);
            text += string.Concat(result.LeaseChanges.Select(Dhcp6LeaseFileFormat.FormatRecord));
        }
        var restored = new Dhcp6Server(Scope());
        Assert.Equal(5, restored.Restore(Dhcp6LeaseFileFormat.Parse(text).Leases, T0));
        Assert.Equal(server.Leases.OrderBy(l => l.Address.ToString()), restored.Leases.OrderBy(l => l.Address.ToString()));
    }

    /// <summary>Mutated record bodies, resealed with a valid checksum so the field parsers, not the checksum, meet the noise.</summary>
    [Fact]
    public void Never_throws_on_mutated_records()
    {
        var random = new Random(8);
        var bodies = Dhcp6LeaseFileFormat.Serialize([Bound, Forever, Declined]).Split('\n').Skip(1).Where(l => l.Length > 0)
            .Select(l => l[..l.LastIndexOf(' ')]).Append("D fd00:5::123").ToArray();
        for (var i = 0; i < 5000; i++)
        {
            var chars = bodies[random.Next(bodies.Length)].ToCharArray();
            for (var k = random.Next(1, 4); k > 0; k--) chars[random.Next(chars.Length)] = (char)random.Next(0, 256);
            var body = new string(chars).Replace("\n", "", StringComparison.Ordinal);
            var read = Dhcp6LeaseFileFormat.Parse($"{body} {LeaseFileFormat.Checksum(body):x8}\n");
            Assert.True(read.Leases.Count + read.SkippedLines.Count <= 1);
            Assert.All(read.Leases, l => Assert.Equal(l, Dhcp6LeaseFileFormat.Parse(Dhcp6LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, l))).Leases.Single()));
        }
    }
}
