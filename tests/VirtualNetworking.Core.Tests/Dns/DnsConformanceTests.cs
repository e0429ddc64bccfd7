using System.Globalization;
using System.Net;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Xml;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>
/// The shared conformance cases with &lt;dns&gt;: our server answers as the dnsmasq configuration libvirt writes for them
/// tells dnsmasq to (networkxmlconfdata .conf), line by line: txt-record, srv-host, domain + expand-hosts with the
/// addn-hosts file (one "IP NAME…" line per &lt;dns&gt;&lt;host&gt;), local=/D/, local=//, domain-needed, server=, no-resolv.
/// </summary>
public sealed class DnsConformanceTests
{
    /// <summary>
    /// nat-network-dns-forwarders has no .conf in the data (its port= attribute is newer than the readable output); these
    /// are the lines libvirt's documented rendering gives (reference §5), with the documented meaning of
    /// &lt;forwarder domain='www.example.com'/&gt; — answered locally — rather than bug 597's server=/www.example.com/#.
    /// </summary>
    private const string ForwardersConf = """
        strict-order
        server=8.8.8.8
        server=8.8.4.4
        server=/example.com/192.168.1.1
        server=/example2.com/192.168.2.1#1234
        local=/www.example.com/
        no-resolv
        except-interface=lo
        bind-dynamic
        interface=virbr0
        addn-hosts=/var/lib/libvirt/dnsmasq/default.addnhosts
        """;

    /// <summary>Each case with the number of answers its lines promise, so that no line goes unchecked.</summary>
    public static TheoryData<string, int> Cases => new()
    {
        // 7 host names × bare and expanded, local=//, domain-needed, the default upstreams.
        { "nat-network-dns-hosts", 17 },
        { "nat-network-dns-txt-record", 2 },
        { "nat-network-dns-srv-record", 8 },
        { "nat-network-dns-local-domain", 2 },
        // 4 server= lines, local=/www.example.com/, the default upstreams.
        { "nat-network-dns-forwarders", 6 },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Records_answer_as_libvirts_dnsmasq_config_says(string name, int promises)
    {
        var conformanceCase = ConformanceData.Require("xmlconf", name);
        var network = NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single()));
        var conf = conformanceCase.Files(4).SingleOrDefault(f => f.EndsWith(".conf", StringComparison.Ordinal)) is { } file
            ? ConformanceData.ReadText(file)
            : name == "nat-network-dns-forwarders" ? ForwardersConf : throw new InvalidOperationException($"{name} has no .conf");
        var server = Server(network);

        Assert.Equal(promises, new DnsmasqDnsChecks(server, network, conf).Run());
    }

    /// <summary>Asks the server what each DNS line of a dnsmasq configuration promises.</summary>
    private sealed class DnsmasqDnsChecks(DnsServer server, NetworkDefinition network, string conf)
    {
        private readonly List<(string Key, string Value)> lines = conf.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.IndexOf('=') is var eq and > 0 ? (l[..eq], l[(eq + 1)..]) : (l, "")).ToList();
        private int checks;

        private string? Domain => lines.Where(l => l.Key == "domain").Select(l => l.Value).SingleOrDefault();

        public int Run()
        {
            foreach (var (key, value) in lines)
            {
                switch (key)
                {
                    case "txt-record": TxtRecord(value); break;
                    case "srv-host": SrvHost(value); break;
                    case "addn-hosts": AdditionalHosts(expand: lines.Any(l => l.Key == "expand-hosts")); break;
                    case "local": Local(value); break;
                    case "domain-needed": Assert.IsNotType<DnsForward>(server.Handle(Query("conformance-plain", DnsType.A), UdpClient, T0)); checks++; break;
                    case "server": Server(value); break;
                }
            }
            DefaultUpstreams();
            return checks;
        }

        /// <summary>txt-record=NAME,TEXT[,TEXT…]: one TXT record of those strings.</summary>
        private void TxtRecord(string value)
        {
            var fields = value.Split(',');
            var answer = Ask(server, fields[0], DnsType.TXT);
            Assert.Equal(fields[1..], ((DnsTxtData)answer.Answers.Single().Data).Texts);
            checks++;
        }

        /// <summary>srv-host=NAME[,TARGET[,PORT[,PRIORITY[,WEIGHT]]]]; a name with one dot gets domain=; no target is ".", port 1.</summary>
        private void SrvHost(string value)
        {
            var fields = value.Split(',');
            var owner = fields[0].Count(c => c == '.') == 1 && Domain is { } domain ? $"{fields[0]}.{domain}" : fields[0];
            int Field(int index, int fallback) => fields.Length > index ? int.Parse(fields[index], CultureInfo.InvariantCulture) : fallback;
            var expected = new DnsSrvData((ushort)Field(3, 0), (ushort)Field(4, 0), (ushort)Field(2, 1), fields.Length > 1 ? N(fields[1]) : DnsName.Root);
            Assert.Equal(expected, Ask(server, owner, DnsType.SRV).Answers.Single().Data);
            checks++;
        }

        /// <summary>addn-hosts: libvirt's file has "IP NAME…" per &lt;dns&gt;&lt;host&gt;; with expand-hosts a plain NAME also answers as NAME.domain.</summary>
        private void AdditionalHosts(bool expand)
        {
            foreach (var host in network.Dns?.Hosts ?? [])
            {
                var type = host.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A;
                foreach (var hostname in host.Hostnames)
                {
                    var names = expand && !hostname.Contains('.') && Domain is { } domain ? [hostname, $"{hostname}.{domain}"] : new[] { hostname };
                    foreach (var owner in names)
                    {
                        Assert.Contains(host.Address, Ask(server, owner, type).Answers.Select(a => ((DnsAddressData)a.Data).Address));
                        checks++;
                    }
                }
            }
        }

        /// <summary>local=/D/: names in D are answered here (NXDOMAIN when unknown), never forwarded; local=// does it for plain names.</summary>
        private void Local(string value)
        {
            var domain = value.Trim('/');
            var unknown = domain.Length == 0 ? "conformance-unknown" : $"conformance-unknown.{domain}";
            foreach (var type in new[] { DnsType.A, DnsType.AAAA, DnsType.TXT })
                Assert.Equal(DnsResponseCode.NXDomain, Ask(server, unknown, type).ResponseCode);
            checks++;
        }

        /// <summary>server=/D/ADDR[#PORT]: names in D go to that server only; server=ADDR[#PORT]: the default upstreams, in order (strict-order).</summary>
        private void Server(string value)
        {
            if (!value.StartsWith('/'))
            {
                Assert.Contains(Upstream(value), Forwarded(server, "conformance.example.org", DnsType.A, id: NextId()).Upstreams);
                checks++;
                return;
            }
            var parts = value.Split('/');
            var forward = Forwarded(server, $"conformance.{parts[1]}", DnsType.A, id: NextId());
            Assert.Equal([Upstream(parts[2])], forward.Upstreams);
            checks++;
        }

        /// <summary>Without no-resolv the host's resolvers are the default upstreams; with server=ADDR lines, those in their order.</summary>
        private void DefaultUpstreams()
        {
            var defaults = lines.Where(l => l.Key == "server" && !l.Value.StartsWith('/')).Select(l => Upstream(l.Value)).ToList();
            var expected = lines.Any(l => l.Key == "no-resolv") ? defaults : [Resolver1, Resolver2];
            Assert.Equal(expected, Forwarded(server, "default-upstream.example.org", DnsType.A, id: NextId()).Upstreams);
            checks++;
        }

        private static IPEndPoint Upstream(string text) =>
            text.Split('#') is [var address, var port] ? new IPEndPoint(IPAddress.Parse(address), int.Parse(port, CultureInfo.InvariantCulture))
                : new IPEndPoint(IPAddress.Parse(text), 53);

        private ushort nextId = 100;

        private ushort NextId() => nextId++;
    }
}
