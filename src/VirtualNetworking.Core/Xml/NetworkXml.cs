using System.Xml.Linq;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Xml;

/// <summary>libvirt network XML: parse (any attribute order, either quote style) and format (libvirt's canonical form).</summary>
public static class NetworkXml
{
    /// <summary>Largest document accepted, in bytes (UTF-8).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Namespace of libvirt's &lt;dnsmasq:options&gt;.</summary>
    public static readonly XNamespace DnsmasqNamespace = "http://libvirt.org/schemas/network/dnsmasq/1.0";

    /// <summary>Namespace of our own extension elements (libvirt ignores foreign namespaces, so exports stay valid for it).</summary>
    public static readonly XNamespace VnetNamespace = "https://virtualnetworking.dev/schemas/network/1.0";

    /// <summary>A port forward: a child of &lt;metadata&gt;, which libvirt keeps and does not interpret (prefix vnet).</summary>
    public static readonly XName PortForwardName = VnetNamespace + "portForward";

    /// <summary>Parses a network document. Throws NetworkProblemException listing every problem found.</summary>
    public static NetworkDefinition Parse(string xml) => NetworkXmlReader.ReadDocument(xml);

    /// <summary>libvirt's canonical text (two-space indent, ' quotes, ends with a newline).</summary>
    public static string Format(NetworkDefinition definition) => NetworkXmlWriter.Write(definition);
}
