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
}
