using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

public class DhcpPacketTests
{
    [Fact]
    public void Parses_the_hand_written_rfc2131_discover()
    {
        Assert.True(DhcpPacket.TryParse(DhcpCapturedPackets.Rfc2131Discover, out var p, out var problem), problem);
        Assert.Equal(300, DhcpCapturedPackets.Rfc2131Discover.Length);
        Assert.Equal(DhcpPacket.BootRequest, p.Op);
        Assert.Equal(0x3903f326u, p.TransactionId);
        Assert.True(p.IsBroadcast);
        Assert.Equal(PhysicalAddress.Parse("00-11-22-33-44-55"), p.ClientHardwareAddress);
        Assert.Equal(DhcpMessageType.Discover, p.MessageType);
        Assert.Equal(Ip("192.168.122.100"), p.RequestedAddress);
        Assert.Equal([1, 3, 15, 6], p.ParameterRequestList);
        Assert.Null(p.ClientIdentifier);
    }

    [Fact]
    public void Parses_the_udhcpc_discover()
    {
        Assert.True(DhcpPacket.TryParse(DhcpCapturedPackets.UdhcpcDiscover, out var p, out var problem), problem);
        Assert.Equal(DhcpMessageType.Discover, p.MessageType);
        Assert.Equal(Ip("192.168.122.50"), p.RequestedAddress);
        Assert.Equal((ushort)576, p.MaximumMessageSize);
        Assert.Equal("vm1", p.HostName);
        Assert.Equal(Convert.FromHexString("01525400123456"), p.ClientIdentifier);
        Assert.Equal(Convert.FromHexString("0103060c0f1c2a"), p.ParameterRequestList);
        Assert.False(p.IsBroadcast);
    }

    [Fact]
    public void Parses_the_dhclient_discover_and_init_reboot_request()
    {
        Assert.True(DhcpPacket.TryParse(DhcpCapturedPackets.DhclientDiscover, out var discover, out _));
        Assert.Equal(DhcpMessageType.Discover, discover.MessageType);
        Assert.Equal("vm2", discover.HostName);
        Assert.Null(discover.MaximumMessageSize);
        Assert.Contains(DhcpOptionCode.InterfaceMtu, discover.ParameterRequestList);

        Assert.True(DhcpPacket.TryParse(DhcpCapturedPackets.DhclientInitRebootRequest, out var request, out _));
        Assert.Equal(DhcpMessageType.Request, request.MessageType);
        Assert.Equal(Ip("192.168.122.77"), request.RequestedAddress);
        Assert.Null(request.ServerIdentifier);
        Assert.Equal(IPAddress.Any, request.ClientAddress);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Round_trips_every_fixture_byte_for_byte_up_to_the_end_option(byte[] fixture)
    {
        Assert.True(DhcpPacket.TryParse(fixture, out var p, out _));
        var again = p.ToArray();
        Assert.True(DhcpPacket.TryParse(again, out var q, out _));
        Assert.Equal(fixture.AsSpan(0, 240).ToArray(), again.AsSpan(0, 240).ToArray());
        Assert.Equal(p.Options.Entries.Select(e => (e.Key, Convert.ToHexString(e.Value))), q.Options.Entries.Select(e => (e.Key, Convert.ToHexString(e.Value))));
        Assert.True(again.Length >= DhcpPacket.MinimumLength);
    }

    public static TheoryData<byte[]> Fixtures() =>
    [
        DhcpCapturedPackets.Rfc2131Discover, DhcpCapturedPackets.Rfc2131Request, DhcpCapturedPackets.UdhcpcDiscover,
        DhcpCapturedPackets.DhclientDiscover, DhcpCapturedPackets.DhclientInitRebootRequest,
    ];

    [Fact]
    public void Writes_at_least_300_bytes_with_a_cookie_and_end()
    {
        var bytes = Discover(Mac(1)).ToArray();
        Assert.Equal(300, bytes.Length);
        Assert.Equal([0x63, 0x82, 0x53, 0x63], bytes[236..240]);
        Assert.Equal([53, 1, 1, 255], bytes[240..244]);
    }

    [Fact]
    public void Long_values_are_split_and_repeated_options_concatenated()
    {
        var p = Discover(Mac(1));
        var big = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        p.Options.Set(DhcpOptionCode.HostName, big);
        var bytes = p.ToArray();
        Assert.True(DhcpPacket.TryParse(bytes, out var q, out _));
        Assert.Equal(big, q.Options.Get(DhcpOptionCode.HostName));
        Assert.Equal(240 + 3 + 3 * 2 + 600 + 1, bytes.Length);
    }

    [Fact]
    public void Option_overload_reads_file_then_sname()
    {
        var bytes = Discover(Mac(1)).ToArray();
        // Options: 53, 52=3 (both), then 12 split: "ab" in file, "cd" in sname (RFC 3396 order: file first).
        byte[] options = [53, 1, 1, 52, 1, 3, 255];
        options.CopyTo(bytes, 240);
        byte[] file = [12, 2, (byte)'a', (byte)'b', 255];
        byte[] sname = [12, 2, (byte)'c', (byte)'d', 255];
        file.CopyTo(bytes, 44 + 64);
        sname.CopyTo(bytes, 44);
        Assert.True(DhcpPacket.TryParse(bytes, out var p, out var problem), problem);
        Assert.Equal("abcd", p.HostName);
        Assert.Equal("", p.ServerName);
        Assert.Equal("", p.BootFileName);
        Assert.False(p.Options.Contains(DhcpOptionCode.OptionOverload));
    }

    [Theory]
    [InlineData("short", 100)]
    [InlineData("cookie", 236)]
    [InlineData("op", 0)]
    [InlineData("hlen", 2)]
    [InlineData("truncated option", 241)]
    [InlineData("bad overload", 242)]
    public void Rejects_garbage_with_a_reason(string what, int index)
    {
        var bytes = DhcpCapturedPackets.Rfc2131Discover.ToArray();
        switch (what)
        {
            case "short": bytes = bytes[..index]; break;
            case "op": bytes[index] = 3; break;
            case "hlen": bytes[index] = 17; break;
            case "cookie": bytes[index] = 0; break;
            case "truncated option": bytes = [.. bytes[..243], 50, 10, 1]; break;
            case "bad overload": byte[] o = [52, 1, 7, 255]; o.CopyTo(bytes, 243); break;
        }
        Assert.False(DhcpPacket.TryParse(bytes, out var p, out var problem));
        Assert.Null(p);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Missing_end_option_is_tolerated_and_text_loses_a_trailing_nul()
    {
        byte[] bytes = [.. Discover(Mac(1)).ToArray()[..240], 53, 1, 1, 12, 4, (byte)'v', (byte)'m', (byte)'1', 0];
        Assert.True(DhcpPacket.TryParse(bytes, out var p, out _));
        Assert.Equal("vm1", p.HostName);
    }

    [Fact]
    public void A_maximal_datagram_of_repeated_options_parses_quickly()
    {
        var bytes = new byte[DhcpPacket.MaximumLength];
        DhcpCapturedPackets.Rfc2131Discover.AsSpan(0, 243).CopyTo(bytes);
        for (var i = 243; i + 3 <= bytes.Length; i += 3) { bytes[i] = 12; bytes[i + 1] = 1; bytes[i + 2] = (byte)'a'; }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(DhcpPacket.TryParse(bytes, out var p, out _));
        Assert.Equal((DhcpPacket.MaximumLength - 243) / 3, p.HostName!.Length);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }
}
