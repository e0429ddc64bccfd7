using System.Net;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>The pure pieces the daemon puts on the wire: control lines and the IPv4/UDP datagram of a unicast reply.</summary>
public class DaemonWireFormatTests
{
    [Fact]
    public void A_control_line_round_trips_values_with_spaces_newlines_and_equals_signs()
    {
        var xml = "<network>\n  <name>a b=c</name>\n</network>\n";
        var line = new DhcpControlMessage(DhcpControlMessage.AddOrUpdate, ("name", "net 1"), ("xml", xml)).Format();

        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var parsed = DhcpControlMessage.Parse(line.TrimEnd('\n'));
        Assert.Equal("add", parsed.Verb);
        Assert.Equal("net 1", parsed["name"]);
        Assert.Equal(xml, parsed.Required("xml"));
        Assert.Null(parsed["bridge"]);
        Assert.Throws<FormatException>(() => parsed.Required("bridge"));
        Assert.Throws<FormatException>(() => DhcpControlMessage.Parse("add name"));
    }

    [Fact]
    public void The_datagram_has_valid_ip_and_udp_checksums()
    {
        var payload = new byte[] { 1, 2, 3, 4, 5 };
        var packet = Ipv4UdpDatagram.Build(IPAddress.Parse("192.168.122.1"), 67, IPAddress.Parse("192.168.122.57"), 68, payload);

        Assert.Equal(Ipv4UdpDatagram.HeaderLength + payload.Length, packet.Length);
        Assert.Equal(0, Ipv4UdpDatagram.Checksum(packet.AsSpan(0, 20), 0)); // a correct header sums to 0xffff
        var pseudo = 0xc0a8u + 0x7a01 + 0xc0a8 + 0x7a39 + 17 + (uint)(packet.Length - 20);
        Assert.Equal(0, Ipv4UdpDatagram.Checksum(packet.AsSpan(20), pseudo));
        Assert.Equal([0, 67, 0, 68], packet[20..24]);
        Assert.Equal(payload, packet[28..]);
    }

    [Fact]
    public void A_received_datagram_gives_its_payload_addresses_and_ports_and_trailing_link_padding_is_ignored()
    {
        var payload = new byte[] { 9, 8, 7 };
        var packet = Ipv4UdpDatagram.Build(IPAddress.Parse("0.0.0.0"), 68, IPAddress.Parse("255.255.255.255"), 67, payload);
        byte[] padded = [.. packet, 0, 0, 0, 0];

        Assert.True(Ipv4UdpDatagram.TryParse(padded, out var header, out var range));
        Assert.Equal(new Ipv4UdpHeader(0, 68, 0xffffffff, 67), header);
        Assert.Equal(payload, padded[range]);
    }

    [Theory]
    [InlineData("short", 0)]
    [InlineData("not IPv4", 1)]
    [InlineData("bad header checksum", 2)]
    [InlineData("fragment", 3)]
    [InlineData("not UDP", 4)]
    [InlineData("UDP length beyond the packet", 5)]
    [InlineData("IP length beyond the packet", 6)]
    public void Anything_but_one_whole_valid_IPv4_UDP_datagram_is_refused(string what, int damage)
    {
        var packet = Ipv4UdpDatagram.Build(IPAddress.Parse("10.0.0.2"), 68, IPAddress.Parse("10.0.0.1"), 67, new byte[40]);
        void Reseal()
        {
            packet[10] = packet[11] = 0;
            var sum = Ipv4UdpDatagram.Checksum(packet.AsSpan(0, 20), 0);
            packet[10] = (byte)(sum >> 8);
            packet[11] = (byte)sum;
        }
        switch (damage)
        {
            case 0: packet = packet[..27]; break;
            case 1: packet[0] = 0x65; Reseal(); break;
            case 2: packet[15] ^= 1; break;
            case 3: packet[6] = 0x20; Reseal(); break; // more fragments
            case 4: packet[9] = 6; Reseal(); break;
            case 5: packet[25] = 200; break;
            case 6: packet[3] = 200; Reseal(); break;
        }
        Assert.False(Ipv4UdpDatagram.TryParse(packet, out _, out _), what);
    }
}
