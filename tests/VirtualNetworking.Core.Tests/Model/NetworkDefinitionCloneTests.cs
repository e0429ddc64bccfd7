using System.Collections;
using System.Net;
using System.Reflection;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Xml;

// Not "...Tests.Model": that namespace would shadow Core's Model for the other tests' "Model.X" references.
namespace VirtualNetworking.Core.Tests.Models;

/// <summary>
/// NetworkDefinition.Clone, the hand-written deep copy the stores hand out: it must format exactly like the
/// original and share no mutable object with it, or one caller's edit would reach another's copy (or the cache).
/// </summary>
public sealed class NetworkDefinitionCloneTests
{
    /// <summary>
    /// Every network document of the conformance corpus: inputs and expected outputs of the xmlconf, firewall and
    /// update families (the update snippets are fragments, not networks). A document our parser refuses is left out.
    /// </summary>
    public static TheoryData<string> CorpusDocuments =>
        new(CorpusFiles() is { Count: > 0 } files ? files : [ConformanceData.MissingRow]);

    private static List<string> CorpusFiles() =>
        ConformanceData.Cases.SelectMany(c => c.Family switch
            {
                "xmlconf" or "firewall" => c.Files(3).Concat(c.Files(4)),
                "update" => c.Files(3).Concat(c.Files(6)),
                _ => [],
            })
            .Where(f => f.EndsWith(".xml", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Where(Parses)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static bool Parses(string file)
    {
        try
        {
            NetworkXml.Parse(ConformanceData.ReadText(file));
            return true;
        }
        catch (NetworkProblemException)
        {
            return false;
        }
    }

    private static NetworkDefinition Corpus(string file)
    {
        if (file == ConformanceData.MissingRow) ConformanceData.Require("xmlconf", file); // skips (fails on CI)
        return NetworkXml.Parse(ConformanceData.ReadText(file));
    }

    [SkippableFact]
    public void The_corpus_is_not_silently_thinned_out_by_parse_failures()
    {
        // Guards the filter above: if the parser started refusing corpus documents, the theories would shrink unseen.
        ConformanceData.Require("xmlconf", "nat-network");
        var count = CorpusFiles().Count;
        Assert.True(count >= 30, $"only {count} corpus documents parse");
    }

    [SkippableTheory]
    [MemberData(nameof(CorpusDocuments))]
    public void The_clone_of_a_corpus_document_formats_like_the_original(string file)
    {
        var original = Corpus(file);
        Assert.Equal(NetworkXml.Format(original), NetworkXml.Format(original.Clone()));
    }

    [SkippableTheory]
    [MemberData(nameof(CorpusDocuments))]
    public void The_clone_of_a_corpus_document_shares_no_mutable_object(string file)
    {
        var original = Corpus(file);
        AssertDeepCopy(original, original.Clone(), "definition");
    }

    [Fact]
    public void The_clone_of_a_fully_set_definition_formats_like_it_and_shares_no_mutable_object()
    {
        var original = Full();
        AssertFullySet(original, "definition"); // so that the walk below visits every field with a value
        var clone = original.Clone();
        Assert.Equal(NetworkXml.Format(original), NetworkXml.Format(clone));
        AssertDeepCopy(original, clone, "definition");
    }

    public static TheoryData<string> Edits => new(EditsByName.Keys);

    /// <summary>One edit per nested part of the model; each must show in the clone's text, and never in the original's.</summary>
    private static readonly Dictionary<string, Action<NetworkDefinition>> EditsByName = new()
    {
        ["name"] = d => d.Name = "other",
        ["forward mode"] = d => d.Forward!.Mode = NetworkMode.Routed,
        ["forward interfaces"] = d => d.Forward!.Interfaces.Add("eth9"),
        ["forward nat"] = d => d.Forward!.Nat!.PortStart = 2000,
        ["forward extra attribute"] = d => d.Forward!.ExtraAttributes[0].Value = "no",
        ["forward extra element"] = d => d.Forward!.ExtraElements[1].SetAttributeValue("dev", "eth8"),
        ["forward extra elements"] = d => d.Forward!.ExtraElements.Clear(),
        ["bridge"] = d => d.Bridge!.Name = "otherbr",
        ["domain"] = d => d.Domain!.Name = "other.test",
        ["dns"] = d => d.Dns!.Enable = false,
        ["dns forwarder"] = d => d.Dns!.Forwarders[0].Address = IPAddress.Parse("9.9.9.9"),
        ["dns forwarders"] = d => d.Dns!.Forwarders.Clear(),
        ["dns txt"] = d => d.Dns!.TxtRecords[0].Value = "changed",
        ["dns srv"] = d => d.Dns!.SrvRecords[0].Port = 1234,
        ["dns host"] = d => d.Dns!.Hosts[0].Address = IPAddress.Parse("10.0.5.99"),
        ["dns host names"] = d => d.Dns!.Hosts[0].Hostnames.Add("third"),
        ["ip"] = d => d.Ips[0].Prefix = 16,
        ["ips"] = d => d.Ips.RemoveAt(1),
        ["dhcp range"] = d => d.Ips[0].Dhcp!.Ranges[0].End = IPAddress.Parse("10.0.5.99"),
        ["dhcp range lease"] = d => d.Ips[0].Dhcp!.Ranges[0].Lease!.Expiry = 99,
        ["dhcp ranges"] = d => d.Ips[0].Dhcp!.Ranges.Clear(),
        ["dhcp host"] = d => d.Ips[0].Dhcp!.Hosts[0].Name = "renamed",
        ["dhcp host lease"] = d => d.Ips[0].Dhcp!.Hosts[0].Lease!.Unit = "seconds",
        ["dhcp hosts"] = d => d.Ips[0].Dhcp!.Hosts.Add(new DhcpHostDefinition { Mac = "52:54:00:00:00:99", Ip = IPAddress.Parse("10.0.5.99") }),
        ["bootp"] = d => d.Ips[0].Dhcp!.Bootp!.File = "other.0",
        ["route"] = d => d.Routes[0].Metric = 7,
        ["routes"] = d => d.Routes.Clear(),
        ["metadata"] = d => d.Metadata!.Add(new XElement("more")),
        ["vlan"] = d => d.Vlan!.Element("tag")!.SetAttributeValue("id", "99"),
        ["bandwidth"] = d => d.Bandwidth!.Element("inbound")!.SetAttributeValue("average", "1"),
        ["port"] = d => d.Port!.SetAttributeValue("isolated", "no"),
        ["virtualport"] = d => d.VirtualPort!.SetAttributeValue("type", "other"),
        ["portgroup"] = d => d.PortGroups[0].SetAttributeValue("name", "other"),
        ["portgroups"] = d => d.PortGroups.Clear(),
        ["dnsmasq options"] = d => d.DnsmasqOptions!.RemoveNodes(),
        ["uplink"] = d => d.UplinkDevice = "eth7",
        ["port forward"] = d => d.PortForwards[0].GuestPort = 8081,
        ["port forward sources"] = d => d.PortForwards[0].SourcePrefixes.Add("192.0.2.0/24"),
        ["port forwards"] = d => d.PortForwards.Clear(),
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void Editing_a_part_of_the_clone_leaves_the_original_unchanged(string edit)
    {
        var original = Full();
        var before = NetworkXml.Format(original);
        var clone = original.Clone();

        EditsByName[edit](clone);

        Assert.NotEqual(before, NetworkXml.Format(clone)); // the edit is visible, so the check below means something
        Assert.Equal(before, NetworkXml.Format(original));
    }

    [Theory]
    [MemberData(nameof(Edits))]
    public void Editing_a_part_of_the_original_leaves_the_clone_unchanged(string edit)
    {
        var original = Full();
        var clone = original.Clone();
        var before = NetworkXml.Format(clone);

        EditsByName[edit](original);

        Assert.Equal(before, NetworkXml.Format(clone));
    }

    /// <summary>Immutable in practice: shared between copies without harm.</summary>
    private static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(Guid) || type == typeof(decimal)
        || typeof(IPAddress).IsAssignableFrom(type);

    private static bool IsModel(Type type) => type.IsClass && type.Namespace == typeof(NetworkDefinition).Namespace;

    /// <summary>The instance fields of a model type (auto-property backing fields included), named as the property.</summary>
    private static IEnumerable<(string Name, FieldInfo Field)> Fields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(f => (f.Name.StartsWith('<') ? f.Name[1..f.Name.IndexOf('>')] : f.Name, f));

    /// <summary>
    /// Walks both object graphs together: values must be equal, every mutable object (model object, list, XML node)
    /// a distinct instance with equal content. A type the walk does not know fails, so a new kind of member gets a rule.
    /// </summary>
    private static void AssertDeepCopy(object? original, object? copy, string path)
    {
        if (original is null || copy is null)
        {
            Assert.True(original is null && copy is null, $"{path}: {original ?? "null"} was copied as {copy ?? "null"}");
            return;
        }
        var type = original.GetType();
        Assert.True(type == copy.GetType(), $"{path}: {type.Name} was copied as {copy.GetType().Name}");
        if (IsValue(type))
        {
            Assert.True(Equals(original, copy), $"{path}: {original} was copied as {copy}");
            return;
        }
        Assert.False(ReferenceEquals(original, copy), $"{path}: the {type.Name} is shared between original and clone");
        switch (original)
        {
            case XElement element:
                Assert.True(XNode.DeepEquals(element, (XElement)copy), $"{path}: {element} was copied as {copy}");
                Assert.Null(((XElement)copy).Parent); // a copy, not the original's subtree
                return;
            case XAttribute attribute:
                Assert.True(attribute.Name == ((XAttribute)copy).Name && attribute.Value == ((XAttribute)copy).Value, $"{path}: {attribute} was copied as {copy}");
                return;
            case IList list when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>):
                var copied = (IList)copy;
                Assert.True(list.Count == copied.Count, $"{path}: {list.Count} items were copied as {copied.Count}");
                for (var i = 0; i < list.Count; i++) AssertDeepCopy(list[i], copied[i], $"{path}[{i}]");
                return;
        }
        Assert.True(IsModel(type), $"{path}: the walk does not know {type.FullName}; say whether it is a value or how to compare it");
        foreach (var (name, field) in Fields(type)) AssertDeepCopy(field.GetValue(original), field.GetValue(copy), $"{path}.{name}");
    }

    /// <summary>Every field of every model object set, every list with an item: the fully set definition covers the model.</summary>
    private static void AssertFullySet(object? value, string path)
    {
        Assert.True(value is not null, $"{path} is not set: give the fully set definition a value for it");
        var type = value.GetType();
        if (value is IList list)
        {
            Assert.True(list.Count > 0, $"{path} is empty: give the fully set definition an item in it");
            for (var i = 0; i < list.Count; i++) AssertFullySet(list[i], $"{path}[{i}]");
        }
        else if (IsModel(type))
            foreach (var (name, field) in Fields(type)) AssertFullySet(field.GetValue(value), $"{path}.{name}");
    }

    /// <summary>A definition with every element and attribute of the model set (not a valid network; it only needs to format).</summary>
    private static NetworkDefinition Full()
    {
        var dnsmasq = NetworkXml.DnsmasqNamespace;
        var definition = new NetworkDefinition
        {
            Name = "full", Uuid = Guid.Parse("11111111-2222-4333-8444-555555555555"), Title = "Full", Description = "Every element set",
            Ipv6 = true, TrustGuestRxFilters = true,
            Forward = new ForwardDefinition
            {
                Mode = NetworkMode.Nat,
                Nat = new NatDefinition { Ipv6 = true, AddressStart = IPAddress.Parse("203.0.113.10"), AddressEnd = IPAddress.Parse("203.0.113.20"), PortStart = 1024, PortEnd = 65535 },
            },
            Bridge = new BridgeDefinition { Name = "fullbr0", Zone = "trusted", Stp = false, Delay = 2, MacTableManager = "libvirt" },
            Mtu = 9000, MacAddress = "52:54:00:0a:0b:0c",
            Domain = new DomainDefinition { Name = "full.test", LocalOnly = true, Register = true },
            Dns = new DnsDefinition { Enable = true, ForwardPlainNames = false },
            UplinkDevice = "eth1",
            Metadata = new XElement("metadata", new XElement(XName.Get("info", "urn:example"), "note")),
            Vlan = new XElement("vlan", new XElement("tag", new XAttribute("id", "42"))),
            Bandwidth = new XElement("bandwidth", new XElement("inbound", new XAttribute("average", "1000"))),
            Port = new XElement("port", new XAttribute("isolated", "yes")),
            VirtualPort = new XElement("virtualport", new XAttribute("type", "openvswitch")),
            DnsmasqOptions = new XElement(dnsmasq + "options", new XAttribute(XNamespace.Xmlns + "dnsmasq", dnsmasq.NamespaceName),
                new XElement(dnsmasq + "option", new XAttribute("value", "log-queries"))),
        };
        definition.Forward.Interfaces.AddRange(["eth0", "eth1"]);
        definition.Forward.ExtraAttributes.Add(new XAttribute("managed", "yes"));
        definition.Forward.ExtraElements.AddRange([new XElement("driver", new XAttribute("name", "vfio")), new XElement("pf", new XAttribute("dev", "eth2"))]);
        definition.Dns.Forwarders.Add(new DnsForwarder { Domain = "example.com", Address = IPAddress.Parse("8.8.8.8"), Port = 5353 });
        definition.Dns.TxtRecords.Add(new DnsTxtRecord { Name = "info", Value = "text" });
        definition.Dns.SrvRecords.Add(new DnsSrvRecord { Service = "ldap", Protocol = "tcp", Domain = "full.test", Target = "ldap.full.test", Port = 389, Priority = 1, Weight = 10 });
        var dnsHost = new DnsHostRecord { Address = IPAddress.Parse("10.0.5.5") };
        dnsHost.Hostnames.AddRange(["one", "two"]);
        definition.Dns.Hosts.Add(dnsHost);
        definition.Ips.Add(Ip("10.0.5.1", "ipv4", "10.0.5.10", "10.0.5.200", "10.0.5.50"));
        definition.Ips.Add(Ip("fd00:5::1", "ipv6", "fd00:5::10", "fd00:5::ff", "fd00:5::50"));
        definition.Routes.Add(new RouteDefinition
        {
            Family = "ipv4", Address = IPAddress.Parse("10.99.0.0"), Netmask = IPAddress.Parse("255.255.0.0"), Prefix = 16,
            Gateway = IPAddress.Parse("10.0.5.254"), Metric = 3,
        });
        var forward = new PortForwardDefinition
        {
            Protocol = PortProtocol.Udp, HostAddress = IPAddress.Parse("203.0.113.1"), HostPort = 5000, HostPortEnd = 5009,
            GuestAddress = IPAddress.Parse("10.0.5.50"), GuestPort = 6000, GuestPortEnd = 6009, Description = "game",
        };
        forward.SourcePrefixes.Add("198.51.100.0/24");
        definition.PortForwards.Add(forward);
        definition.PortGroups.Add(new XElement("portgroup", new XAttribute("name", "engineering"), new XAttribute("default", "yes")));
        return definition;
    }

    private static IpDefinition Ip(string address, string family, string start, string end, string host)
    {
        var dhcp = new DhcpDefinition { Bootp = new BootpDefinition { File = "pxelinux.0", Server = "10.0.5.2" } };
        dhcp.Ranges.Add(new DhcpRangeDefinition { Start = IPAddress.Parse(start), End = IPAddress.Parse(end), Lease = new LeaseDefinition { Expiry = 2, Unit = "hours" } });
        dhcp.Hosts.Add(new DhcpHostDefinition
        {
            Mac = "52:54:00:00:00:01", Id = "0:1:0:1:2c:3d:4e:5f:52:54:00:00:00:01", Name = "guest", Ip = IPAddress.Parse(host),
            Lease = new LeaseDefinition { Expiry = 30, Unit = "minutes" },
        });
        return new IpDefinition
        {
            Address = IPAddress.Parse(address), Family = family, Netmask = IPAddress.Parse("255.255.255.0"), Prefix = 24, LocalPtr = true,
            Dhcp = dhcp, TftpRoot = "/srv/tftp",
        };
    }
}
