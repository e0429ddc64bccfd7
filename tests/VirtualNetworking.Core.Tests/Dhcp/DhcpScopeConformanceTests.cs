using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>
/// The scope we derive from a network agrees with the dnsmasq configuration libvirt writes for it
/// (networkxmlconfdata .conf and .hostsfile): ranges, netmask, lease, hosts, MTU, domain, boot, router.
/// </summary>
public sealed class DhcpScopeConformanceTests
{
    /// <summary>The xmlconf cases for which libvirt's data has a dnsmasq .conf (the others start no dnsmasq or lack current data).</summary>
    public static TheoryData<string> Cases
    {
        get
        {
            var names = ConformanceData.Cases.Where(c => c.Family == "xmlconf" && c.Files(4).Any(f => f.EndsWith(".conf", StringComparison.Ordinal)))
                .Select(c => c.Name).ToList();
            return new TheoryData<string>(names.Count > 0 ? names : [ConformanceData.MissingRow]);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Scope_matches_libvirts_dnsmasq_config(string name)
    {
        var conformanceCase = ConformanceData.Require("xmlconf", name);
        var conf = conformanceCase.Files(4).Single(f => f.EndsWith(".conf", StringComparison.Ordinal));
        var hostsFile = conformanceCase.Files(4).SingleOrDefault(f => f.EndsWith(".hostsfile", StringComparison.Ordinal));
        var expected = DnsmasqConfig.Read(ConformanceData.ReadText(conf), hostsFile is null ? "" : ConformanceData.ReadText(hostsFile));

        var scope = DhcpScopeBuilder.FromNetwork(NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single())));

        if (expected.Ranges.Count == 0)
        {
            Assert.Null(scope);
            return;
        }
        Assert.NotNull(scope);
        Assert.Empty(scope.Validate());
        Assert.Equal(expected.Ranges, scope.Ranges.Select(r => (r.Start, r.End)));
        Assert.Equal(expected.Netmask, scope.Subnet.SubnetMask);
        Assert.Equal(expected.LeaseTime, scope.LeaseTime);
        Assert.Equal(expected.Hosts, scope.Reservations.Select(r => (r.HardwareAddress, r.Address, r.HostName, r.LeaseTime)));
        Assert.Equal(expected.Mtu, scope.Mtu);
        Assert.Equal(expected.Domain, scope.DomainName);
        Assert.Equal(expected.BootFile, scope.BootFileName);
        Assert.Equal(expected.BootServer, scope.NextServer);
        // dnsmasq offers its own interface address as router unless told dhcp-option=3 (empty).
        Assert.Equal(expected.NoRouter ? null : scope.ServerAddress, scope.Router);
        Assert.Empty(scope.DnsServers);
    }

    /// <summary>The DHCPv4 lines of a libvirt-generated dnsmasq.conf and hostsfile.</summary>
    private sealed record DnsmasqConfig(
        List<(IPAddress, IPAddress)> Ranges, IPAddress? Netmask, TimeSpan? LeaseTime,
        List<(PhysicalAddress?, IPAddress, string?, DhcpLeaseTime?)> Hosts,
        int? Mtu, string? Domain, string? BootFile, IPAddress? BootServer, bool NoRouter)
    {
        public static DnsmasqConfig Read(string conf, string hostsFile)
        {
            var config = new DnsmasqConfig([], null, DhcpScopeBuilder.DefaultLeaseTime, [], null, null, null, null, false);
            foreach (var line in conf.Split('\n'))
            {
                var (key, value) = line.IndexOf('=') is var eq and > 0 ? (line[..eq], line[(eq + 1)..]) : (line, "");
                var fields = value.Split(',');
                config = key switch
                {
                    "dhcp-range" when !value.Contains(':') => config.WithRange(fields),
                    "dhcp-option" when value == "3" => config with { NoRouter = true },
                    "dhcp-option" when fields[0] == "option:mtu" => config with { Mtu = int.Parse(fields[1], CultureInfo.InvariantCulture) },
                    "domain" => config with { Domain = value },
                    "dhcp-boot" => config with { BootFile = fields[0], BootServer = fields.Length > 2 ? IPAddress.Parse(fields[2]) : null },
                    _ => config,
                };
            }
            foreach (var line in hostsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var f = line.Split(',');
                config.Hosts.Add((PhysicalAddress.Parse(f[0]), IPAddress.Parse(f[1]), f[2], f.Length > 3 ? new DhcpLeaseTime(Lease(f[3])) : null));
            }
            return config;
        }

        private DnsmasqConfig WithRange(string[] fields)
        {
            Ranges.Add((IPAddress.Parse(fields[0]), IPAddress.Parse(fields[1])));
            return this with { Netmask = IPAddress.Parse(fields[2]), LeaseTime = fields.Length > 3 ? Lease(fields[3]) : LeaseTime };
        }

        /// <summary>dnsmasq lease syntax as libvirt writes it: "infinite", "Nh", "Nm" or seconds.</summary>
        private static TimeSpan? Lease(string text)
        {
            if (text == "infinite") return null;
            var number = double.Parse(text.TrimEnd('h', 'm'), CultureInfo.InvariantCulture);
            return text[^1] switch { 'h' => TimeSpan.FromHours(number), 'm' => TimeSpan.FromMinutes(number), _ => TimeSpan.FromSeconds(number) };
        }
    }
}
