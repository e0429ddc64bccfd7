using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using static VirtualNetworking.Core.Xml.LibvirtText;

namespace VirtualNetworking.Core.Xml;

/// <summary>Writes libvirt's canonical network XML (virNetworkDefFormatBuf): fixed child and attribute order.</summary>
internal sealed partial class NetworkXmlWriter
{
    private readonly StringBuilder output = new();
    private int depth;

    public static string Write(NetworkDefinition definition)
    {
        var writer = new NetworkXmlWriter();
        writer.WriteNetwork(definition);
        return writer.output.ToString();
    }

    private void WriteNetwork(NetworkDefinition definition)
    {
        var root = new StringBuilder("<network");
        if (definition.Ipv6 == true) root.Append(" ipv6='yes'");
        if (definition.TrustGuestRxFilters is { } trust) root.Append(" trustGuestRxFilters='").Append(Yes(trust)).Append('\'');
        if (definition.DnsmasqOptions is not null)
            root.Append(" xmlns:dnsmasq='").Append(Escape(NetworkXml.DnsmasqNamespace.NamespaceName)).Append('\'');
        Line(root.Append('>').ToString());
        depth++;
        Line($"<name>{Escape(definition.Name)}</name>");
        if (definition.Uuid is { } uuid) Line($"<uuid>{uuid:D}</uuid>");
        if (definition.Title is not null) Line($"<title>{Escape(definition.Title)}</title>");
        if (definition.Description is not null) Line($"<description>{Escape(definition.Description)}</description>");
        WriteMetadata(definition);
        // A ForwardDefinition with mode Isolated means no <forward> (libvirt's mode 'none').
        if (definition.Forward is { Mode: not NetworkMode.Isolated } forward) WriteForward(forward);
        WriteBridge(definition);
        if (definition.Mtu is { } mtu) Line($"<mtu size='{mtu}'/>");
        if (definition.MacAddress is not null) Line($"<mac address='{Escape(definition.MacAddress.ToLowerInvariant())}'/>");
        if (definition.Domain is { } domain) WriteDomain(domain);
        if (definition.Dns is { } dns) WriteDns(dns);
        WriteRaw(definition.Vlan);
        WriteRaw(definition.Bandwidth);
        WriteRaw(definition.Port);
        foreach (var ip in definition.Ips) WriteIp(ip);
        foreach (var route in definition.Routes) WriteRoute(route);
        WriteRaw(definition.VirtualPort);
        foreach (var portGroup in definition.PortGroups) WriteRaw(portGroup);
        if (definition.DnsmasqOptions is { } options)
            WriteRaw(options, new Dictionary<string, string> { ["dnsmasq"] = NetworkXml.DnsmasqNamespace.NamespaceName });
        if (definition.UplinkDevice is { } uplink)
            Line($"<vnet:uplink xmlns:vnet='{Escape(NetworkXml.VnetNamespace.NamespaceName)}' dev='{Escape(uplink)}'/>");
        depth--;
        Line("</network>");
    }

    private void WriteForward(ForwardDefinition forward)
    {
        var start = new StringBuilder("<forward");
        if (forward.Dev is { } dev) start.Append(Attr("dev", dev));
        start.Append(Attr("mode", NetworkModeNames.ToLibvirt(forward.Mode)!));
        foreach (var attribute in forward.ExtraAttributes) start.Append(Attr(attribute.Name.LocalName, attribute.Value));
        var nat = NatElement(forward.Nat);
        if (forward.Interfaces.Count == 0 && forward.ExtraElements.Count == 0 && nat is null)
        {
            Line(start.Append("/>").ToString());
            return;
        }
        Line(start.Append('>').ToString());
        depth++;
        // libvirt order: driver, nat, pf (and pci addresses), interfaces.
        foreach (var driver in forward.ExtraElements.Where(e => e.Name == "driver")) WriteRaw(driver);
        WriteRaw(nat);
        foreach (var other in forward.ExtraElements.Where(e => e.Name != "driver")) WriteRaw(other);
        foreach (var device in forward.Interfaces) Line($"<interface{Attr("dev", device)}/>");
        depth--;
        Line("</forward>");
    }

    /// <summary>&lt;nat&gt; is only written when something in it is set.</summary>
    private static XElement? NatElement(NatDefinition? nat)
    {
        if (nat is null) return null;
        var element = new XElement("nat");
        if (nat.Ipv6 is { } ipv6) element.Add(new XAttribute("ipv6", Yes(ipv6)));
        if (nat.AddressStart is not null || nat.AddressEnd is not null)
            element.Add(new XElement("address",
                nat.AddressStart is null ? null : new XAttribute("start", nat.AddressStart),
                nat.AddressEnd is null ? null : new XAttribute("end", nat.AddressEnd)));
        if (nat.PortStart is not null || nat.PortEnd is not null)
            element.Add(new XElement("port", new XAttribute("start", nat.PortStart ?? 0), new XAttribute("end", nat.PortEnd ?? 0)));
        return element.HasAttributes || element.HasElements ? element : null;
    }

    private void WriteBridge(NetworkDefinition definition)
    {
        var bridge = definition.Bridge;
        var managed = NetworkModeNames.IsManagedBridge(definition.Mode);
        if (!managed && bridge?.Name is null && bridge?.MacTableManager is null) return;
        var text = new StringBuilder("<bridge");
        if (bridge?.Name is { } name) text.Append(Attr("name", name));
        if (bridge?.Zone is { } zone) text.Append(Attr("zone", zone));
        // libvirt writes the stp/delay defaults for the modes whose bridge it creates.
        if (managed) text.Append(Attr("stp", bridge?.Stp == false ? "off" : "on")).Append(Attr("delay", Number(bridge?.Delay ?? 0)));
        if (bridge?.MacTableManager is { } manager) text.Append(Attr("macTableManager", manager));
        Line(text.Append("/>").ToString());
    }

    private void WriteDomain(DomainDefinition domain)
    {
        var text = new StringBuilder("<domain").Append(Attr("name", domain.Name));
        if (domain.LocalOnly is { } localOnly) text.Append(Attr("localOnly", Yes(localOnly)));
        if (domain.Register is { } register) text.Append(Attr("register", Yes(register)));
        Line(text.Append("/>").ToString());
    }

    private void WriteRoute(RouteDefinition route)
    {
        var text = new StringBuilder("<route");
        if (route.Family is not null) text.Append(Attr("family", route.Family));
        text.Append(Attr("address", route.Address));
        if (route.Netmask is not null) text.Append(Attr("netmask", route.Netmask));
        if (route.Prefix is { } prefix) text.Append(Attr("prefix", Number(prefix)));
        text.Append(Attr("gateway", route.Gateway));
        if (route.Metric is > 0) text.Append(Attr("metric", Number(route.Metric.Value)));
        Line(text.Append("/>").ToString());
    }

    private static string Attr(string name, string value) => $" {name}='{Escape(value)}'";
    private static string Attr(string name, IPAddress value) => Attr(name, value.ToString());
    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private void Line(string text) => output.Append(' ', depth * 2).Append(text).Append('\n');
}
