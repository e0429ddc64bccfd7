using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Tests.Addressing;

public class IpNetworkTests
{
    [Theory]
    [InlineData("192.168.122.1/24", "192.168.122.0", "192.168.122.255", "192.168.122.1", "192.168.122.254")]
    [InlineData("10.1.2.3/8", "10.0.0.0", "10.255.255.255", "10.0.0.1", "10.255.255.254")]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255", "0.0.0.1", "255.255.255.254")]
    [InlineData("10.0.0.7/32", "10.0.0.7", "10.0.0.7", "10.0.0.7", "10.0.0.7")]
    [InlineData("10.0.0.7/31", "10.0.0.6", "10.0.0.7", "10.0.0.6", "10.0.0.7")]
    [InlineData("2001:db8:ca2:2::1/64", "2001:db8:ca2:2::", "2001:db8:ca2:2:ffff:ffff:ffff:ffff", "2001:db8:ca2:2::1", "2001:db8:ca2:2:ffff:ffff:ffff:ffff")]
    [InlineData("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("fd00::5/128", "fd00::5", "fd00::5", "fd00::5", "fd00::5")]
    public void Arithmetic_MatchesThePrefix(string cidr, string network, string broadcast, string first, string last)
    {
        var n = IpNetwork.Parse(cidr);
        Assert.Equal(IPAddress.Parse(network), n.Network);
        Assert.Equal(IPAddress.Parse(broadcast), n.Broadcast);
        Assert.Equal(IPAddress.Parse(first), n.FirstHost);
        Assert.Equal(IPAddress.Parse(last), n.LastHost);
        Assert.Equal(new IpNetwork(IPAddress.Parse(network), n.PrefixLength), n.Canonical);
    }

    [Theory]
    [InlineData("10.0.0.0/16", "10.0.5.0/24", true)]
    [InlineData("10.0.5.0/24", "10.0.0.0/16", true)]
    [InlineData("10.0.5.0/24", "10.0.6.0/24", false)]
    [InlineData("0.0.0.0/0", "192.168.1.0/24", true)]
    [InlineData("192.168.122.0/24", "192.168.122.1/32", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::/48", true)]
    [InlineData("2001:db8::/48", "2001:db8:1::/48", false)]
    [InlineData("10.0.0.0/8", "::a00:0/104", false)]
    public void Overlaps_IsSymmetricAndFamilyAware(string a, string b, bool expected)
    {
        Assert.Equal(expected, IpNetwork.Parse(a).Overlaps(IpNetwork.Parse(b)));
        Assert.Equal(expected, IpNetwork.Parse(b).Overlaps(IpNetwork.Parse(a)));
    }

    [Fact]
    public void Offset_CarriesAcrossOctetsBothWays()
    {
        Assert.Equal(IPAddress.Parse("10.0.1.0"), IpNetwork.Offset(IPAddress.Parse("10.0.0.255"), 1));
        Assert.Equal(IPAddress.Parse("10.0.0.255"), IpNetwork.Offset(IPAddress.Parse("10.0.1.0"), -1));
        Assert.Equal(IPAddress.Parse("2001:db8::1:0"), IpNetwork.Offset(IPAddress.Parse("2001:db8::ffff"), 1));
    }

    [Fact]
    public void ToInteger_OrdersAddressesNumerically()
    {
        var sorted = new[] { "10.0.0.10", "10.0.0.9", "9.255.255.255", "10.0.1.0" }.Select(IPAddress.Parse).OrderBy(IpNetwork.ToInteger);
        Assert.Equal(["9.255.255.255", "10.0.0.9", "10.0.0.10", "10.0.1.0"], sorted.Select(a => a.ToString()));
        Assert.Equal(0xC0A87A01u, (uint)IpNetwork.ToInteger(IPAddress.Parse("192.168.122.1")));
    }

    [Theory]
    [InlineData("255.255.255.0", 24)]
    [InlineData("255.255.0.0", 16)]
    [InlineData("0.0.0.0", 0)]
    [InlineData("255.255.255.255", 32)]
    [InlineData("255.0.255.0", null)]
    public void PrefixFromNetmask_RejectsMasksWithHoles(string mask, int? prefix) =>
        Assert.Equal(prefix, IpNetwork.PrefixFromNetmask(IPAddress.Parse(mask)));

    [Fact]
    public void SubnetMask_OfAPrefix() =>
        Assert.Equal(IPAddress.Parse("255.255.240.0"), IpNetwork.Parse("172.16.0.0/20").SubnetMask);
}
