using System.Globalization;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Xml;

/// <summary>&lt;metadata&gt;: other applications' children as read, then our port forwards in a fixed attribute order.</summary>
internal sealed partial class NetworkXmlWriter
{
    private void WriteMetadata(NetworkDefinition definition)
    {
        if (definition.PortForwards.Count == 0)
        {
            WriteRaw(definition.Metadata);
            return;
        }
        var metadata = definition.Metadata is { } foreign ? new XElement(foreign) : new XElement("metadata");
        foreach (var forward in definition.PortForwards) metadata.Add(PortForwardElement(forward));
        WriteRaw(metadata);
    }

    internal static XElement PortForwardElement(PortForwardDefinition forward)
    {
        var vnet = NetworkXml.VnetNamespace;
        var element = new XElement(NetworkXml.PortForwardName,
            new XAttribute(XNamespace.Xmlns + "vnet", vnet.NamespaceName),
            new XAttribute("protocol", forward.Protocol == PortProtocol.Udp ? "udp" : "tcp"));
        if (forward.HostAddress is { } hostAddress) element.Add(new XAttribute("hostAddress", hostAddress));
        element.Add(new XAttribute("hostPort", Range(forward.HostPort, forward.HostPortEnd)));
        element.Add(new XAttribute("guestAddress", forward.GuestAddress));
        if (forward.GuestPort is { } guestPort) element.Add(new XAttribute("guestPort", Range(guestPort, forward.GuestPortEnd)));
        if (forward.Description is { } description) element.Add(new XAttribute("description", description));
        foreach (var prefix in forward.SourcePrefixes) element.Add(new XElement(vnet + "source", new XAttribute("prefix", prefix)));
        return element;
    }

    private static string Range(int first, int? last) =>
        last is { } end ? string.Create(CultureInfo.InvariantCulture, $"{first}-{end}") : first.ToString(CultureInfo.InvariantCulture);
}
