using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Tests.Dns;

public class DnsNameTests
{
    [Theory]
    [InlineData("example.com", 2, "example.com")]
    [InlineData("example.com.", 2, "example.com")]
    [InlineData("_http._tcp.example.com", 4, "_http._tcp.example.com")]
    [InlineData(".", 0, ".")]
    public void Parses_dotted_text(string text, int labels, string printed)
    {
        var name = DnsName.Parse(text);
        Assert.Equal(labels, name.LabelCount);
        Assert.Equal(printed, name.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("with space.com")]
    [InlineData("back\\slash")]
    [InlineData("caf\u00e9.com")]
    public void Refuses_text_that_is_not_a_name(string text) => Assert.False(DnsName.TryParse(text, out _));

    [Fact]
    public void A_label_holds_at_most_63_octets()
    {
        Assert.True(DnsName.TryParse(new string('a', 63) + ".com", out _));
        Assert.False(DnsName.TryParse(new string('a', 64) + ".com", out _));
    }

    [Fact]
    public void A_name_holds_at_most_255_octets_on_the_wire()
    {
        var label = new string('a', 63);
        // 3 × (1 + 63) + (1 + 61) + the root's 1 = 255.
        var longest = $"{label}.{label}.{label}.{new string('b', 61)}";
        Assert.Equal(255, DnsName.Parse(longest).Wire.Length);
        Assert.False(DnsName.TryParse(longest + "b", out _));
        Assert.Null(DnsName.Parse(longest).Append(DnsName.Parse("x")));
    }

    [Fact]
    public void Compares_case_insensitively_but_keeps_its_case()
    {
        var upper = DnsName.Parse("Guest1.Example.COM");
        var lower = DnsName.Parse("guest1.example.com");
        Assert.Equal(lower, upper);
        Assert.Equal(lower.GetHashCode(), upper.GetHashCode());
        Assert.Equal("Guest1.Example.COM", upper.ToString());
        Assert.NotEqual(DnsName.Parse("guest2.example.com"), upper);
    }

    [Theory]
    [InlineData("a.example.com", "example.com", true)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("A.EXAMPLE.com", "example.COM", true)]
    [InlineData("anything.at.all", ".", true)]
    [InlineData("xexample.com", "example.com", false)]
    [InlineData("example.com", "a.example.com", false)]
    [InlineData("example.org", "example.com", false)]
    public void Knows_what_is_below_a_domain(string name, string domain, bool below) =>
        Assert.Equal(below, DnsName.Parse(name).IsSubdomainOf(DnsName.Parse(domain)));

    [Fact]
    public void Append_puts_a_name_under_a_domain()
    {
        var name = DnsName.Parse("guest").Append(DnsName.Parse("Example.com"));
        Assert.Equal(DnsName.Parse("guest.example.com"), name);
        Assert.Equal(3, name!.LabelCount);
        Assert.Equal(DnsName.Parse("guest"), DnsName.Parse("guest").Append(DnsName.Root));
    }

    [Theory]
    [InlineData("192.168.122.10", "10.122.168.192.in-addr.arpa")]
    [InlineData("2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    public void Reverse_names_of_addresses(string address, string reverse) =>
        Assert.Equal(reverse, DnsName.ReverseOf(IPAddress.Parse(address)).ToString());

    [Theory]
    [InlineData("192.168.122.0/24", "122.168.192.in-addr.arpa")]
    [InlineData("10.0.0.0/8", "10.in-addr.arpa")]
    [InlineData("192.168.120.0/22", null)]
    [InlineData("2001:db8:ac10:fe01::/64", "1.0.e.f.0.1.c.a.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("2001:db8::/62", null)]
    public void Reverse_zones_of_subnets_on_octet_or_nibble_boundaries(string subnet, string? zone) =>
        Assert.Equal(zone, DnsName.ReverseZoneOf(IpNetwork.Parse(subnet))?.ToString());

    [Fact]
    public void Prints_odd_octets_escaped()
    {
        // A label "a.b" and a label with octet 7, read off the wire.
        byte[] message = [.. new byte[12], 3, (byte)'a', (byte)'.', (byte)'b', 1, 7, 0];
        var offset = 12;
        Assert.True(DnsName.TryRead(message, ref offset, out var name, out _));
        Assert.Equal("a\\.b.\\007", name.ToString());
    }
}
