using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

public class LeaseFileFormatTests
{
    private static readonly DhcpLease Bound = new(Ip("192.168.122.57"), Mac(1), [1, 0x52, 0x54, 0, 0, 0, 1], "vm one/ü", T0.AddHours(1), DhcpLeaseState.Bound);
    private static readonly DhcpLease Forever = new(Ip("192.168.122.60"), Mac(2), null, null, null, DhcpLeaseState.Bound);
    private static readonly DhcpLease Declined = new(Ip("192.168.122.99"), Mac(1), null, null, T0.AddMinutes(10), DhcpLeaseState.Declined);

    [Fact]
    public void Round_trips_the_live_set()
    {
        var text = LeaseFileFormat.Serialize([Bound, Forever, Declined]);
        Assert.StartsWith(LeaseFileFormat.Header + "\n", text);
        var parsed = LeaseFileFormat.Parse(text);
        Assert.Empty(parsed.SkippedLines);
        Assert.Equal([Bound, Forever, Declined], parsed.Leases);
        Assert.Contains(" vm%20one%2F%C3%BC ", text);
    }

    [Fact]
    public void A_compacted_file_lists_the_leases_by_address_whatever_order_they_come_in()
    {
        var text = LeaseFileFormat.Serialize([Declined, Forever, Bound]);
        var addresses = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(' ')[1]);
        Assert.Equal(["192.168.122.57", "192.168.122.60", "192.168.122.99"], addresses);
    }

    [Fact]
    public void Appended_changes_replay_in_order_and_compaction_keeps_only_live_records()
    {
        var renewed = Bound with { Expires = T0.AddHours(2) };
        var text = LeaseFileFormat.Serialize([Bound, Declined])
                   + LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Forever))
                   + LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, renewed))
                   + LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Remove, Forever));
        Assert.Equal([renewed, Declined], LeaseFileFormat.Parse(text).Leases);

        var compacted = LeaseFileFormat.Compact(text, T0.AddMinutes(30));
        Assert.Equal([renewed], LeaseFileFormat.Parse(compacted).Leases);
        Assert.Equal(2, compacted.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void A_torn_last_line_is_skipped_whatever_it_holds()
    {
        var whole = LeaseFileFormat.Serialize([Bound]);
        var next = LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Forever));
        for (var cut = 1; cut < next.Length; cut++)
        {
            var parsed = LeaseFileFormat.Parse(whole + next[..cut]);
            Assert.Equal([Bound], parsed.Leases);
            Assert.Single(parsed.SkippedLines);
        }
    }

    [Fact]
    public void Damaged_lines_are_skipped_and_later_lines_still_apply()
    {
        var good = LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Forever));
        var tampered = LeaseFileFormat.FormatRecord(new(DhcpLeaseChangeKind.Upsert, Bound)).Replace("192.168.122.57", "192.168.122.58");
        var text = LeaseFileFormat.Header + "\n" + tampered + "\0\0\0\0\n" + "L garbage\n" + good;
        var parsed = LeaseFileFormat.Parse(text);
        Assert.Equal([Forever], parsed.Leases);
        Assert.Equal(3, parsed.SkippedLines.Count);
    }

    [Fact]
    public void The_example_in_docs_dhcp_lease_file_md_parses()
    {
        const string example = """
            # VirtualNetworking DHCP leases, format 1
            L 192.168.122.57 bound 1795926600 52:54:00:12:34:56 01525400123456 vm1 3cd8fd41
            L 192.168.122.60 bound infinite 52:54:00:aa:bb:cc - - 93cb6fef
            L 192.168.122.99 declined 1795923600 52:54:00:12:34:56 - - f892ce86
            D 192.168.122.57 f259a081

            """;
        var parsed = LeaseFileFormat.Parse(example.ReplaceLineEndings("\n"));
        Assert.Empty(parsed.SkippedLines);
        Assert.Equal(["192.168.122.60", "192.168.122.99"], parsed.Leases.Select(l => l.Address.ToString()));
        Assert.Null(parsed.Leases[0].Expires);
        Assert.Equal(DhcpLeaseState.Declined, parsed.Leases[1].State);
    }

    [Fact]
    public void Never_throws_on_random_text()
    {
        var random = new Random(7);
        var sample = LeaseFileFormat.Serialize([Bound, Forever, Declined]);
        for (var i = 0; i < 2000; i++)
        {
            var chars = sample.ToCharArray();
            for (var k = 0; k < 4; k++) chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
            LeaseFileFormat.Parse(new string(chars));
        }
    }
}
