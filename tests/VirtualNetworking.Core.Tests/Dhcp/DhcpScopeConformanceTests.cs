using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>
/// The scope we derive from a network agrees with the dnsmasq configuration libvirt writes for it
/// (networkxmlconfdata .conf and .hostsfile): ranges, netmask, lease, hosts, MTU, domain, boot, router.
/// We serve DHCPv4 only: a case whose configuration also serves DHCPv6 is skipped by name after its IPv4 part is checked.
/// </summary>
public sealed class DhcpScopeConformanceTests
{
    public static TheoryData<string> Cases => ConformanceData.DnsmasqCaseNames();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Scope_matches_libvirts_dnsmasq_config(string name)
    {
        var conformanceCase = ConformanceData.Require("xmlconf", name);
        var conf = conformanceCase.Files(4).Single(f => f.EndsWith(".conf", StringComparison.Ordinal));
        var hostsFile = conformanceCase.Files(4).SingleOrDefault(f => f.EndsWith(".hostsfile", StringComparison.Ordinal));
        var expected = DnsmasqConfig.Read(ConformanceData.ReadText(conf), hostsFile is null ? "" : ConformanceData.ReadText(hostsFile));

        var scope = DhcpScopeBuilder.FromNetwork(NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single())));

        if (!expected.ServesDhcpV4)
            Assert.Null(scope);
        else
            AssertIpv4Matches(expected, scope);
        Skip.If(expected.ServesDhcpV6,
            $"{name}: libvirt's dnsmasq also serves DHCPv6 ({expected.Ipv6Ranges.Count} range(s), {expected.Ipv6Hosts.Count} host(s)); " +
            "VirtualNetworking serves DHCPv4 only, so only the IPv4 part was compared.");
    }

    private static void AssertIpv4Matches(DnsmasqConfig expected, DhcpScope? scope)
    {
        Assert.NotNull(scope);
        Assert.Empty(scope.Validate());
        Assert.Equal(expected.Ipv4Ranges.Select(r => (r.Start, r.End)), scope.Ranges.Select(r => (r.Start, r.End)));
        Assert.All(expected.Ipv4Ranges, r => Assert.Equal(r.Netmask, scope.Subnet.SubnetMask));
        // dnsmasq's lease is per range, 1 hour when libvirt writes none; the scope has one for all of them.
        Assert.All(expected.Ipv4Ranges, r => Assert.Equal(r.Lease is { } lease ? lease.Duration : DhcpScopeBuilder.DefaultLeaseTime, scope.LeaseTime));
        // Static-only DHCP (hosts, no range) is enabled on the bridge's own address.
        Assert.All(expected.StaticOnly.Where(a => a.AddressFamily == AddressFamily.InterNetwork), a => Assert.Equal(scope.ServerAddress, a));
        Assert.Equal(expected.Ipv4Hosts.Select(h => (h.Mac, h.Address, h.Name, h.Lease)),
            scope.Reservations.Select(r => (r.HardwareAddress, r.Address, r.HostName, r.LeaseTime)));
        Assert.Equal(expected.Mtu, scope.Mtu);
        Assert.Equal(expected.Domain, scope.DomainName);
        Assert.Equal(expected.Domain is null ? [] : [expected.Domain], scope.DomainSearch.Select(n => n.ToString()));
        Assert.Equal(expected.BootFile, scope.BootFileName);
        Assert.Equal(expected.BootServer, scope.NextServer);
        // dnsmasq offers its own interface address as router unless told dhcp-option=3 (empty).
        Assert.Equal(expected.NoRouter ? null : scope.ServerAddress, scope.Router);
        // dnsmasq hands out its own address as DNS server unless port=0 (libvirt's <dns enable='no'>).
        Assert.Equal(expected.DnsDisabled ? [] : [scope.ServerAddress], scope.DnsServers);
    }

    [SkippableFact]
    public void A_conformance_network_with_dns_disabled_hands_out_no_dns_server_but_keeps_its_domain()
    {
        var network = NetworkXml.Parse(ConformanceData.ReadText(ConformanceData.Require("xmlconf", "netboot-proxy-network").Files(3).Single()));
        Assert.Equal([IPAddress.Parse("192.168.122.1")], DhcpScopeBuilder.FromNetwork(network)!.DnsServers);

        network.Dns = new DnsDefinition { Enable = false };
        var scope = DhcpScopeBuilder.FromNetwork(network)!;

        Assert.Empty(scope.DnsServers);
        Assert.Equal("example.com", scope.DomainName);
        Assert.Empty(scope.Validate());
    }
}

/// <summary>A dhcp-range line: IPv4 ranges carry a netmask, IPv6 ranges a prefix length; Lease null = none written.</summary>
internal sealed record DnsmasqRange(IPAddress Start, IPAddress End, IPAddress? Netmask, int? Prefix, DhcpLeaseTime? Lease);

/// <summary>A dhcp-hostsfile line; Duid is the id: of a DHCPv6 host.</summary>
internal sealed record DnsmasqHost(PhysicalAddress? Mac, string? Duid, string? Name, IPAddress Address, DhcpLeaseTime? Lease);

/// <summary>
/// The DHCP lines of a dnsmasq configuration and hostsfile, in every form libvirt writes them
/// (networkDnsmasqConfContents, networkBuildDnsmasqLeaseTime, hostsfileAdd). A line in a form libvirt
/// does not write is a FormatException naming the line, so that a new form is noticed rather than misread.
/// </summary>
internal sealed partial class DnsmasqConfig
{
    public List<DnsmasqRange> Ipv4Ranges { get; } = [];
    public List<DnsmasqRange> Ipv6Ranges { get; } = [];
    /// <summary>dhcp-range=ADDR,static[,PREFIX]: DHCP for hosts only, on that address.</summary>
    public List<IPAddress> StaticOnly { get; } = [];
    /// <summary>dhcp-range=ADDR,ra-only: router advertisements (SLAAC) for an IPv6 address without DHCP.</summary>
    public List<IPAddress> RaOnly { get; } = [];
    public List<DnsmasqHost> Ipv4Hosts { get; } = [];
    public List<DnsmasqHost> Ipv6Hosts { get; } = [];
    public int? Mtu { get; private set; }
    public string? Domain { get; private set; }
    public string? BootFile { get; private set; }
    public IPAddress? BootServer { get; private set; }
    public bool NoRouter { get; private set; }
    public bool DnsDisabled { get; private set; }

    public bool ServesDhcpV4 => Ipv4Ranges.Count > 0 || StaticOnly.Any(a => a.AddressFamily == AddressFamily.InterNetwork);
    public bool ServesDhcpV6 => Ipv6Ranges.Count > 0 || Ipv6Hosts.Count > 0 || StaticOnly.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6);

    public static DnsmasqConfig Read(string conf, string hostsFile)
    {
        var config = new DnsmasqConfig();
        foreach (var line in Lines(conf).Where(l => !l.StartsWith('#')))
        {
            var (key, value) = line.IndexOf('=') is var eq and > 0 ? (line[..eq], line[(eq + 1)..]) : (line, "");
            var fields = value.Split(',');
            switch (key)
            {
                case "dhcp-range": config.AddRange(line, fields); break;
                case "dhcp-option" when value == "3": config.NoRouter = true; break;
                case "dhcp-option" when fields is ["option:mtu", var mtu]: config.Mtu = int.Parse(mtu, CultureInfo.InvariantCulture); break;
                case "domain": config.Domain = value; break;
                case "port" when value == "0": config.DnsDisabled = true; break;
                case "dhcp-boot": (config.BootFile, config.BootServer) = (fields[0], fields is [_, "", var server] ? IPAddress.Parse(server) : null); break;
            }
        }
        foreach (var line in Lines(hostsFile))
        {
            var host = Host(line);
            (host.Address.AddressFamily == AddressFamily.InterNetworkV6 ? config.Ipv6Hosts : config.Ipv4Hosts).Add(host);
        }
        return config;
    }

    /// <summary>dnsmasq's lease time as libvirt writes it: "infinite", or a number of seconds, minutes or hours ("120s", "30m", "2h").</summary>
    public static DhcpLeaseTime Lease(string text)
    {
        if (text == "infinite") return new DhcpLeaseTime(null);
        if (LeasePattern().Match(text) is not { Success: true } match)
            throw new FormatException($"'{text}' is not a dnsmasq lease time as libvirt writes it (infinite, Ns, Nm or Nh).");
        var number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return new DhcpLeaseTime(match.Groups[2].Value switch
        {
            "h" => TimeSpan.FromHours(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromSeconds(number),
        });
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);

    /// <summary>START,END,NETMASK[,LEASE] (IPv4), START,END,PREFIX[,LEASE] (IPv6), ADDR,static[,PREFIX] or ADDR,ra-only.</summary>
    private void AddRange(string line, string[] fields)
    {
        switch (fields)
        {
            case [var address, "ra-only"]:
                RaOnly.Add(IPAddress.Parse(address));
                break;
            case [var address, "static", ..] when fields.Length <= 3:
                StaticOnly.Add(IPAddress.Parse(address));
                break;
            case [var start, var end, var mask, .. var rest] when rest.Length <= 1:
                var startAddress = IPAddress.Parse(start);
                var lease = rest is [var leaseText] ? Lease(leaseText) : (DhcpLeaseTime?)null;
                if (startAddress.AddressFamily == AddressFamily.InterNetworkV6)
                    Ipv6Ranges.Add(new DnsmasqRange(startAddress, IPAddress.Parse(end), null, int.Parse(mask, CultureInfo.InvariantCulture), lease));
                else
                    Ipv4Ranges.Add(new DnsmasqRange(startAddress, IPAddress.Parse(end), IPAddress.Parse(mask), null, lease));
                break;
            default:
                throw new FormatException($"'{line}' is not a dhcp-range line as libvirt writes it.");
        }
    }

    /// <summary>
    /// IPv4: MAC,IP,NAME | NAME,IP | MAC,IP; IPv6: id:DUID,NAME,[IP] | NAME,[IP] | id:DUID,[IP]; each optionally ,LEASE.
    /// The fields are told apart by their form, as dnsmasq does.
    /// </summary>
    private static DnsmasqHost Host(string line)
    {
        PhysicalAddress? mac = null;
        string? duid = null, name = null;
        IPAddress? address = null;
        DhcpLeaseTime? lease = null;
        foreach (var field in line.Split(','))
        {
            if (field.StartsWith("id:", StringComparison.Ordinal) && duid is null) duid = field[3..];
            else if (field is ['[', .., ']'] && address is null) address = IPAddress.Parse(field[1..^1]);
            else if (MacPattern().IsMatch(field) && mac is null) mac = PhysicalAddress.Parse(field);
            else if (Ipv4Pattern().IsMatch(field) && address is null) address = IPAddress.Parse(field);
            else if ((field == "infinite" || LeasePattern().IsMatch(field)) && lease is null) lease = Lease(field);
            else if (field.Length > 0 && char.IsAsciiLetterOrDigit(field[0]) && name is null) name = field;
            else throw new FormatException($"'{line}' is not a dhcp-hostsfile line as libvirt writes it (field '{field}').");
        }
        return new DnsmasqHost(mac, duid, name, address ?? throw new FormatException($"'{line}' has no address."), lease);
    }

    [GeneratedRegex(@"^(\d+)([smh]?)$")]
    private static partial Regex LeasePattern();

    [GeneratedRegex(@"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$")]
    private static partial Regex Ipv4Pattern();
}
