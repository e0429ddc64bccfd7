using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>
/// Reads libvirt network XML into the model, collecting every problem instead of stopping at the first.
/// Only what libvirt checks while parsing is checked here; define-time rules are NetworkValidator's.
/// </summary>
internal sealed partial class NetworkXmlReader
{
    private readonly List<NetworkProblem> problems = new();
    private string networkName;

    /// <param name="networkName">Used in messages until a &lt;name&gt; is read (net-update snippets have none).</param>
    internal NetworkXmlReader(string networkName = "") => this.networkName = networkName;

    public static NetworkDefinition ReadDocument(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var reader = new NetworkXmlReader();
        var definition = reader.ReadNetwork(LoadRoot(xml));
        reader.ThrowIfProblems();
        return definition;
    }

    /// <summary>Loads a document safely: size limit first, no DTD, no entities, no external resolution.</summary>
    internal static XElement LoadRoot(string xml, string? expectedRoot = "network")
    {
        if (xml.Length > NetworkXml.MaxDocumentBytes || Encoding.UTF8.GetByteCount(xml) > NetworkXml.MaxDocumentBytes)
            throw new NetworkProblemException(Ids.XmlTooLarge, ProblemCategory.LimitsExceeded,
                $"The network XML is larger than {NetworkXml.MaxDocumentBytes} bytes. Network definitions are small; check that the right file was given.");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 0,
            MaxCharactersInDocument = NetworkXml.MaxDocumentBytes,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
        };
        XDocument document;
        try
        {
            using var text = new StringReader(xml);
            using var reader = XmlReader.Create(text, settings);
            document = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException e) when (xml.Contains("<!DOCTYPE", StringComparison.Ordinal) || xml.Contains("<!ENTITY", StringComparison.Ordinal))
        {
            throw new NetworkProblemException(Ids.XmlDtdProhibited, ProblemCategory.InvalidData,
                $"The network XML contains a DTD or entity declaration, which is refused for safety ({e.Message}). Remove the <!DOCTYPE …> part; libvirt network XML never needs one.");
        }
        catch (XmlException e)
        {
            throw new NetworkProblemException(Ids.XmlMalformed, ProblemCategory.InvalidData,
                $"The network XML is not well-formed: {e.Message} Fix the document so that it is valid XML.");
        }
        var root = document.Root!;
        if (expectedRoot is not null && root.Name != expectedRoot)
            throw new NetworkProblemException(Ids.XmlWrongRoot, ProblemCategory.InvalidData,
                $"The XML root element is <{root.Name.LocalName}>, expected <{expectedRoot}>. Give a libvirt network definition (<network>…</network>).", root.Name.LocalName);
        return root;
    }

    internal void ThrowIfProblems()
    {
        if (problems.Count > 0) throw new NetworkProblemException(problems.ToList());
    }

    internal NetworkDefinition ReadNetwork(XElement root)
    {
        var definition = new NetworkDefinition();
        ReadName(root, definition);
        definition.Ipv6 = Bool(root, "ipv6");
        definition.TrustGuestRxFilters = Bool(root, "trustGuestRxFilters");
        ReadUuid(root, definition);
        definition.Title = root.Element("title")?.Value;
        definition.Description = root.Element("description")?.Value;
        ReadMetadata(root.Element("metadata"), definition);
        if (root.Element("forward") is { } forward) definition.Forward = ReadForward(forward);
        if (root.Element("bridge") is { } bridge) definition.Bridge = ReadBridge(bridge);
        if (root.Element("mtu") is { } mtu) definition.Mtu = Int(mtu, "size", 1, int.MaxValue, Ids.MtuInvalid);
        if (root.Element("mac") is { } mac) definition.MacAddress = Mac(mac, "address", required: true);
        if (root.Element("domain") is { } domain) definition.Domain = ReadDomain(domain);
        if (root.Element("dns") is { } dns) definition.Dns = ReadDns(dns);
        definition.Vlan = Raw(root.Element("vlan"));
        definition.Bandwidth = Raw(root.Element("bandwidth"));
        definition.Port = Raw(root.Element("port"));
        foreach (var ip in root.Elements("ip")) definition.Ips.Add(ReadIp(ip));
        foreach (var route in root.Elements("route"))
            if (ReadRoute(route) is { } parsed) definition.Routes.Add(parsed);
        definition.VirtualPort = Raw(root.Element("virtualport"));
        foreach (var portGroup in root.Elements("portgroup")) definition.PortGroups.Add(Raw(portGroup)!);
        definition.DnsmasqOptions = Raw(root.Element(NetworkXml.DnsmasqNamespace + "options"));
        if (root.Element(NetworkXml.VnetNamespace + "uplink") is { } uplink)
        {
            definition.UplinkDevice = uplink.Attribute("dev")?.Value;
            if (string.IsNullOrEmpty(definition.UplinkDevice))
                Problem(Ids.UplinkInvalid, "<vnet:uplink> has no dev attribute. Write <vnet:uplink dev='eth0'/> naming the host interface to put into the bridge.");
        }
        return definition;
    }

    private void ReadName(XElement root, NetworkDefinition definition)
    {
        var name = root.Element("name")?.Value;
        if (string.IsNullOrEmpty(name))
        {
            Problem(Ids.NameMissing, "The network has no <name>. Add <name>NAME</name> to the definition.");
            return;
        }
        networkName = name;
        definition.Name = name;
        if (name.Contains('/'))
            Problem(Ids.NameInvalid, $"Network name '{name}' contains '/', which is not allowed. Choose a name without '/'.", name);
    }

    private void ReadUuid(XElement root, NetworkDefinition definition)
    {
        if (root.Element("uuid") is not { } uuid) return;
        // libvirt's virUUIDParse: 32 hex digits, dashes anywhere, surrounding blanks ignored.
        var hex = uuid.Value.Trim().Replace("-", "", StringComparison.Ordinal);
        if (hex.Length == 32 && hex.All(char.IsAsciiHexDigit))
            definition.Uuid = Guid.ParseExact(hex, "N");
        else
            Problem(Ids.UuidInvalid, $"Malformed uuid element '{uuid.Value}' in network '{networkName}'. Write a UUID like 81ff0d90-c91e-6742-64da-4a736edb9a9b, or leave <uuid> out to have one generated.", uuid.Value);
    }

    private ForwardDefinition? ReadForward(XElement element)
    {
        var forward = new ForwardDefinition();
        var modeText = element.Attribute("mode")?.Value;
        if (modeText == "none") return null;
        if (modeText is not null)
        {
            if (NetworkModeNames.TryFromLibvirt(modeText, out var mode)) forward.Mode = mode;
            else Problem(Ids.ForwardModeUnknown, $"Unknown forwarding type '{modeText}' in network '{networkName}'. Use one of nat, route, open, bridge (or private, vepa, passthrough, hostdev), or remove <forward> for an isolated network.", modeText);
        }
        foreach (var attribute in element.Attributes())
            if (attribute.Name != "mode" && attribute.Name != "dev" && !attribute.IsNamespaceDeclaration)
                forward.ExtraAttributes.Add(new XAttribute(attribute));
        foreach (var child in element.Elements())
        {
            if (child.Name == "interface") ReadForwardInterface(child, forward);
            else if (child.Name != "nat") forward.ExtraElements.Add(Raw(child)!);
        }
        if (element.Attribute("dev")?.Value is { } dev)
        {
            if (forward.Interfaces.Count == 0) forward.Interfaces.Add(dev);
            else if (forward.Interfaces[0] != dev)
                Problem(Ids.ForwardDevMismatch, $"<forward dev='{dev}'> must match first <interface dev='{forward.Interfaces[0]}'/> in network '{networkName}'. Make them name the same device or drop the dev attribute.", dev);
        }
        var nats = element.Elements("nat").ToList();
        if (nats.Count > 1)
            Problem(Ids.NatNotAllowed, $"Only one <nat> element is allowed in <forward> of network '{networkName}'. Merge them into one.");
        if (nats.Count > 0) forward.Nat = ReadNat(nats[0]);
        return forward;
    }

    internal void ReadForwardInterface(XElement element, ForwardDefinition forward)
    {
        var dev = element.Attribute("dev")?.Value;
        if (string.IsNullOrEmpty(dev))
            Problem(Ids.ForwardInterfaceInvalid, $"Missing required dev attribute in <forward> <interface> element of network '{networkName}'. Write <interface dev='eth0'/>.");
        else
            forward.Interfaces.Add(dev);
    }

    private NatDefinition ReadNat(XElement element)
    {
        var nat = new NatDefinition { Ipv6 = Bool(element, "ipv6") };
        var addresses = element.Elements("address").ToList();
        if (addresses.Count > 1)
            Problem(Ids.NatAddressInvalid, $"Only one <address> element is allowed in <nat> in <forward> of network '{networkName}'. Keep one start/end range.");
        if (addresses.Count > 0)
        {
            nat.AddressStart = Ip(addresses[0], "start", Ids.NatAddressInvalid, required: true);
            nat.AddressEnd = Ip(addresses[0], "end", Ids.NatAddressInvalid, required: true);
        }
        var ports = element.Elements("port").ToList();
        if (ports.Count > 1)
            Problem(Ids.NatPortInvalid, $"Only one <port> element is allowed in <nat> in <forward> of network '{networkName}'. Keep one start/end range.");
        if (ports.Count > 0)
        {
            nat.PortStart = Int(ports[0], "start", 0, 65535, Ids.NatPortInvalid);
            nat.PortEnd = Int(ports[0], "end", 0, 65535, Ids.NatPortInvalid);
        }
        return nat;
    }

    private BridgeDefinition ReadBridge(XElement element)
    {
        var macTableManager = element.Attribute("macTableManager")?.Value;
        if (macTableManager is not (null or "kernel" or "libvirt"))
            Problem(Ids.XmlValueInvalid, $"Invalid macTableManager setting '{macTableManager}' in network '{networkName}'. Use 'kernel' or 'libvirt'.", macTableManager);
        return new BridgeDefinition
        {
            Name = element.Attribute("name")?.Value,
            Zone = element.Attribute("zone")?.Value,
            // libvirt: anything but "off" means on.
            Stp = element.Attribute("stp")?.Value is { } stp ? stp != "off" : null,
            Delay = Int(element, "delay", 0, int.MaxValue, Ids.XmlValueInvalid),
            MacTableManager = macTableManager,
        };
    }

    private DomainDefinition? ReadDomain(XElement element)
    {
        var name = element.Attribute("name")?.Value;
        if (string.IsNullOrEmpty(name))
        {
            Problem(Ids.DomainInvalid, $"<domain> of network '{networkName}' has no name attribute. Write <domain name='example.com'/> or remove it.");
            return null;
        }
        return new DomainDefinition { Name = name, LocalOnly = Bool(element, "localOnly"), Register = Bool(element, "register") };
    }

    private RouteDefinition? ReadRoute(XElement element)
    {
        var address = Ip(element, "address", Ids.RouteInvalid, required: true);
        var gateway = Ip(element, "gateway", Ids.RouteInvalid, required: true);
        var route = new RouteDefinition
        {
            Family = element.Attribute("family")?.Value,
            Netmask = Ip(element, "netmask", Ids.RouteInvalid, required: false),
            Prefix = Int(element, "prefix", 0, 128, Ids.RouteInvalid),
            Metric = Int(element, "metric", 0, int.MaxValue, Ids.RouteInvalid),
        };
        if (address is null || gateway is null) return null;
        route.Address = address;
        route.Gateway = gateway;
        return route;
    }

    /// <summary>A detached copy that still declares every namespace prefix it uses.</summary>
    internal static XElement? Raw(XElement? source)
    {
        if (source is null) return null;
        var copy = new XElement(source);
        var used = copy.DescendantsAndSelf()
            .SelectMany(e => e.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => a.Name.Namespace).Append(e.Name.Namespace))
            .Where(ns => ns != XNamespace.None && ns != XNamespace.Xml)
            .Distinct();
        foreach (var ns in used)
        {
            if (copy.DescendantsAndSelf().Attributes().Any(a => a.IsNamespaceDeclaration && a.Value == ns.NamespaceName)) continue;
            var prefix = source.GetPrefixOfNamespace(ns);
            copy.Add(prefix is null ? new XAttribute("xmlns", ns.NamespaceName) : new XAttribute(XNamespace.Xmlns + prefix, ns.NamespaceName));
        }
        return copy;
    }

    private void Problem(string errorId, string message, object? target = null) =>
        problems.Add(new NetworkProblem(errorId, ProblemCategory.InvalidData, message, target ?? NullIfEmpty(networkName)));

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private bool? Bool(XElement element, string attribute)
    {
        var value = element.Attribute(attribute)?.Value;
        switch (value)
        {
            case null: return null;
            case "yes": return true;
            case "no": return false;
            default:
                Problem(Ids.XmlValueInvalid, $"Invalid {attribute}='{value}' on <{element.Name.LocalName}> in network '{networkName}'. Use 'yes' or 'no'.", value);
                return null;
        }
    }

    private int? Int(XElement element, string attribute, int min, int max, string errorId)
    {
        var value = element.Attribute(attribute)?.Value;
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            return number;
        Problem(errorId, $"Invalid {attribute}='{value}' on <{element.Name.LocalName}> in network '{networkName}'. Use a whole number from {min} to {max}.", value);
        return null;
    }

    private IPAddress? Ip(XElement element, string attribute, string errorId, bool required)
    {
        var value = element.Attribute(attribute)?.Value;
        if (value is null)
        {
            if (required)
                Problem(errorId, $"Missing required {attribute} attribute on <{element.Name.LocalName}> in network '{networkName}'. Add {attribute}='ADDRESS'.");
            return null;
        }
        if (LibvirtText.TryParseIp(value, out var address)) return address;
        Problem(errorId, $"Invalid {attribute}='{value}' on <{element.Name.LocalName}> in network '{networkName}': not a numeric IPv4 or IPv6 address. Write e.g. 192.168.122.1 or 2001:db8::1.", value);
        return null;
    }

    private string? Mac(XElement element, string attribute, bool required)
    {
        var value = element.Attribute(attribute)?.Value;
        if (value is null)
        {
            if (required)
                Problem(Ids.MacAddressInvalid, $"Missing {attribute} attribute on <{element.Name.LocalName}> in network '{networkName}'. Write {attribute}='52:54:00:xx:xx:xx'.");
            return null;
        }
        if (MacAddressText.TryNormalize(value, out var canonical)) return canonical;
        Problem(Ids.MacAddressInvalid, $"Invalid MAC address '{value}' on <{element.Name.LocalName}> in network '{networkName}'. Write six hex pairs separated by ':', e.g. 52:54:00:12:34:56.", value);
        return null;
    }
}
