using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>
/// The reader of libvirt's dnsmasq configuration used by <see cref="DhcpScopeConformanceTests"/>, on synthetic text in
/// each form networkDnsmasqConfContents and hostsfileAdd write (the shared corpus has few of them).
/// </summary>
public sealed class DnsmasqConfigTests
{
    [Theory]
    [InlineData("infinite", null)]
    [InlineData("120s", 120)]
    [InlineData("30m", 30 * 60)]
    [InlineData("2h", 2 * 3600)]
    [InlineData("600", 600)]
    public void LeaseTimesAreReadWithTheirUnit(string text, int? seconds) =>
        Assert.Equal(new DhcpLeaseTime(seconds is { } s ? TimeSpan.FromSeconds(s) : null), DnsmasqConfig.Lease(text));

    [Theory]
    [InlineData("2d")]
    [InlineData("forever")]
    [InlineData("")]
    public void UnknownLeaseFormsAreRefused(string text) =>
        Assert.Throws<FormatException>(() => DnsmasqConfig.Lease(text));

    [Fact]
    public void Ipv4RangesHaveANetmaskAndAnOptionalLease()
    {
        var config = DnsmasqConfig.Read("""
            ##WARNING:  THIS IS AN AUTO-GENERATED FILE.
            dhcp-range=192.168.122.2,192.168.122.9,255.255.255.0
            dhcp-range=192.168.122.20,192.168.122.29,255.255.255.0,120s
            dhcp-range=192.168.122.30,192.168.122.39,255.255.255.0,infinite
            """, "");
        Assert.Equal(
            [
                new DnsmasqRange(IPAddress.Parse("192.168.122.2"), IPAddress.Parse("192.168.122.9"), IPAddress.Parse("255.255.255.0"), null, null),
                new DnsmasqRange(IPAddress.Parse("192.168.122.20"), IPAddress.Parse("192.168.122.29"), IPAddress.Parse("255.255.255.0"), null, new DhcpLeaseTime(TimeSpan.FromMinutes(2))),
                new DnsmasqRange(IPAddress.Parse("192.168.122.30"), IPAddress.Parse("192.168.122.39"), IPAddress.Parse("255.255.255.0"), null, new DhcpLeaseTime(null)),
            ],
            config.Ipv4Ranges);
        Assert.True(config.ServesDhcpV4);
        Assert.False(config.ServesDhcpV6);
    }

    [Fact]
    public void Ipv6RangesHaveAPrefixLength()
    {
        var config = DnsmasqConfig.Read("""
            dhcp-range=2001:db8:ac10:fd01::1:10,2001:db8:ac10:fd01::1:ff,64
            dhcp-range=2001:db8:ac10:fd01::2:10,2001:db8:ac10:fd01::2:ff,64,3h
            """, "");
        Assert.Equal(
            [
                new DnsmasqRange(IPAddress.Parse("2001:db8:ac10:fd01::1:10"), IPAddress.Parse("2001:db8:ac10:fd01::1:ff"), null, 64, null),
                new DnsmasqRange(IPAddress.Parse("2001:db8:ac10:fd01::2:10"), IPAddress.Parse("2001:db8:ac10:fd01::2:ff"), null, 64, new DhcpLeaseTime(TimeSpan.FromHours(3))),
            ],
            config.Ipv6Ranges);
        Assert.Empty(config.Ipv4Ranges);
        Assert.False(config.ServesDhcpV4);
        Assert.True(config.ServesDhcpV6);
    }

    [Fact]
    public void StaticOnlyAndRaOnlyRangesAreTold()
    {
        var config = DnsmasqConfig.Read("""
            dhcp-range=192.168.122.1,static
            dhcp-range=2001:db8:ac10:fd01::1,static,64
            dhcp-range=2001:db8:ac10:fe01::1,ra-only
            """, "");
        Assert.Equal([IPAddress.Parse("192.168.122.1"), IPAddress.Parse("2001:db8:ac10:fd01::1")], config.StaticOnly);
        Assert.Equal([IPAddress.Parse("2001:db8:ac10:fe01::1")], config.RaOnly);
        Assert.Empty(config.Ipv4Ranges);
        Assert.True(config.ServesDhcpV4);
        Assert.True(config.ServesDhcpV6);
    }

    [Fact]
    public void RaOnlyIsNotDhcp() =>
        Assert.False(DnsmasqConfig.Read("dhcp-range=2001:db8:ac10:fe01::1,ra-only\n", "").ServesDhcpV6);

    [Theory]
    [InlineData("dhcp-range=192.168.122.2")]
    [InlineData("dhcp-range=192.168.122.2,192.168.122.9,255.255.255.0,1h,extra")]
    [InlineData("dhcp-range=192.168.122.2,192.168.122.9,255.255.255.0,1d")]
    public void UnknownRangeFormsAreRefused(string line) =>
        Assert.Throws<FormatException>(() => DnsmasqConfig.Read(line, ""));

    [Fact]
    public void Ipv4HostsfileLinesInEveryForm()
    {
        var config = DnsmasqConfig.Read("dhcp-range=192.168.122.1,static\n", """
            00:16:3e:77:e2:ed,192.168.122.10,a.example.com
            00:16:3E:3E:A9:1A,192.168.122.11,b.example.com,2h
            c.example.com,192.168.122.12
            d.example.com,192.168.122.13,infinite
            00:16:3e:00:00:05,192.168.122.14
            00:16:3e:00:00:06,192.168.122.15,300s

            """);
        Assert.Equal(
            [
                Host("00:16:3e:77:e2:ed", null, "a.example.com", "192.168.122.10", null),
                Host("00:16:3e:3e:a9:1a", null, "b.example.com", "192.168.122.11", new DhcpLeaseTime(TimeSpan.FromHours(2))),
                Host(null, null, "c.example.com", "192.168.122.12", null),
                Host(null, null, "d.example.com", "192.168.122.13", new DhcpLeaseTime(null)),
                Host("00:16:3e:00:00:05", null, null, "192.168.122.14", null),
                Host("00:16:3e:00:00:06", null, null, "192.168.122.15", new DhcpLeaseTime(TimeSpan.FromMinutes(5))),
            ],
            config.Ipv4Hosts);
        Assert.Empty(config.Ipv6Hosts);
    }

    [Fact]
    public void Ipv6HostsfileLinesByDuidNameAndBracketedAddress()
    {
        var config = DnsmasqConfig.Read("", """
            id:0:3:0:1:0:16:3e:11:22:33,peter.example.com,[2001:db8:ac10:fd01::1:20]
            paul.example.com,[2001:db8:ac10:fd01::1:21],1h
            id:0:3:0:1:0:16:3e:44:55:66,[2001:db8:ac10:fd01::1:22],infinite
            """);
        Assert.Equal(
            [
                Host(null, "0:3:0:1:0:16:3e:11:22:33", "peter.example.com", "2001:db8:ac10:fd01::1:20", null),
                Host(null, null, "paul.example.com", "2001:db8:ac10:fd01::1:21", new DhcpLeaseTime(TimeSpan.FromHours(1))),
                Host(null, "0:3:0:1:0:16:3e:44:55:66", null, "2001:db8:ac10:fd01::1:22", new DhcpLeaseTime(null)),
            ],
            config.Ipv6Hosts);
        Assert.Empty(config.Ipv4Hosts);
        Assert.True(config.ServesDhcpV6);
    }

    [Theory]
    [InlineData("a.example.com,b.example.com,192.168.122.10")]
    [InlineData("00:16:3e:77:e2:ed,a.example.com")]
    [InlineData("00:16:3e:77:e2:ed,192.168.122.10,-bad")]
    public void UnknownHostsfileFormsAreRefused(string line) =>
        Assert.Throws<FormatException>(() => DnsmasqConfig.Read("", line));

    [Fact]
    public void OptionsRouterDomainAndBoot()
    {
        var config = DnsmasqConfig.Read("""
            domain=example.com
            dhcp-option=3
            dhcp-option=option:mtu,9000
            dhcp-boot=pxeboot.img,,10.20.30.40
            """, "");
        Assert.Equal("example.com", config.Domain);
        Assert.True(config.NoRouter);
        Assert.Equal(9000, config.Mtu);
        Assert.Equal("pxeboot.img", config.BootFile);
        Assert.Equal(IPAddress.Parse("10.20.30.40"), config.BootServer);
        var noServer = DnsmasqConfig.Read("dhcp-boot=pxelinux.0\n", "");
        Assert.Equal("pxelinux.0", noServer.BootFile);
        Assert.Null(noServer.BootServer);
        Assert.False(noServer.NoRouter);
    }

    private static DnsmasqHost Host(string? mac, string? duid, string? name, string address, DhcpLeaseTime? lease) =>
        new(mac is null ? null : PhysicalAddress.Parse(mac), duid, name, IPAddress.Parse(address), lease);
}
