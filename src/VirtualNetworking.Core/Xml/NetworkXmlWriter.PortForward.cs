using System.Text;
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
        // The forwards are written as text, not as elements through WriteRaw: a network with a thousand of them is
        // rewritten on every change (WriteRaw took ~6 µs a forward).
        WriteRaw(definition.Metadata ?? new XElement("metadata"), new Dictionary<string, string>(),
            scope => { foreach (var forward in definition.PortForwards) WritePortForward(forward, scope); });
    }

    /// <summary>As WriteRaw would write the element: the vnet prefix declared unless the enclosing element did.</summary>
    private void WritePortForward(PortForwardDefinition forward, IReadOnlyDictionary<string, string> scope)
    {
        var uri = NetworkXml.VnetNamespace.NamespaceName;
        var start = new StringBuilder("<vnet:portForward");
        if (!scope.TryGetValue("vnet", out var declared) || declared != uri) start.Append(" xmlns:vnet='").Append(LibvirtText.Escape(uri)).Append('\'');
        start.Append(" protocol='").Append(forward.Protocol == PortProtocol.Udp ? "udp" : "tcp").Append('\'');
        if (forward.HostAddress is { } hostAddress) start.Append(" hostAddress='").Append(hostAddress).Append('\'');
        start.Append(" hostPort='").Append(Range(forward.HostPort, forward.HostPortEnd)).Append('\'');
        start.Append(" guestAddress='").Append(forward.GuestAddress).Append('\'');
        if (forward.GuestPort is { } guestPort) start.Append(" guestPort='").Append(Range(guestPort, forward.GuestPortEnd)).Append('\'');
        if (forward.Description is { } description) start.Append(" description='").Append(LibvirtText.Escape(description)).Append('\'');
        if (forward.SourcePrefixes.Count == 0)
        {
            Line(start.Append("/>").ToString());
            return;
        }
        Line(start.Append('>').ToString());
        depth++;
        foreach (var prefix in forward.SourcePrefixes) Line($"<vnet:source prefix='{LibvirtText.Escape(prefix)}'/>");
        depth--;
        Line("</vnet:portForward>");
    }

    private static string Range(int first, int? last) =>
        last is { } end ? string.Create(CultureInfo.InvariantCulture, $"{first}-{end}") : first.ToString(CultureInfo.InvariantCulture);
}
