using System.Globalization;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>Our port forwards inside &lt;metadata&gt;; the rest of &lt;metadata&gt; belongs to others and stays raw.</summary>
internal sealed partial class NetworkXmlReader
{
    private void ReadMetadata(XElement? metadata, NetworkDefinition definition)
    {
        if (metadata is null) return;
        var forwards = metadata.Elements(NetworkXml.PortForwardName).ToList();
        foreach (var forward in forwards)
            if (ReadPortForward(forward) is { } parsed) definition.PortForwards.Add(parsed);
        var foreign = Raw(metadata)!;
        if (forwards.Count == 0)
        {
            definition.Metadata = foreign;
            return;
        }
        foreign.Elements(NetworkXml.PortForwardName).Remove();
        var stillUsed = foreign.DescendantsAndSelf().Any(e => e.Name.Namespace == NetworkXml.VnetNamespace
            || e.Attributes().Any(a => !a.IsNamespaceDeclaration && a.Name.Namespace == NetworkXml.VnetNamespace));
        if (!stillUsed)
            foreign.Attributes().Where(a => a.IsNamespaceDeclaration && a.Value == NetworkXml.VnetNamespace.NamespaceName).Remove();
        // <metadata> that held only our forwards is written again with them, so nothing of it is lost.
        definition.Metadata = foreign.HasElements || foreign.Attributes().Any(a => !a.IsNamespaceDeclaration) ? foreign : null;
    }

    private PortForwardDefinition? ReadPortForward(XElement element)
    {
        var forward = new PortForwardDefinition();
        var ok = true;
        switch (element.Attribute("protocol")?.Value)
        {
            case "tcp": forward.Protocol = PortProtocol.Tcp; break;
            case "udp": forward.Protocol = PortProtocol.Udp; break;
            case var other:
                ok = false;
                Problem(Ids.PortForwardInvalid, $"<vnet:portForward> in network '{networkName}' has protocol '{other}'. Write protocol='tcp' or protocol='udp'.", other);
                break;
        }
        if (PortRange(element, "hostPort", required: true) is { First: { } hostPort } host)
        {
            forward.HostPort = hostPort;
            forward.HostPortEnd = host.Last;
        }
        else ok = false;
        if (PortRange(element, "guestPort", required: false) is { } guest)
        {
            forward.GuestPort = guest.First;
            forward.GuestPortEnd = guest.Last;
        }
        else ok = false;
        if (Ip(element, "guestAddress", Ids.PortForwardInvalid, required: true) is { } guestAddress) forward.GuestAddress = guestAddress;
        else ok = false;
        if (element.Attribute("hostAddress") is not null)
        {
            forward.HostAddress = Ip(element, "hostAddress", Ids.PortForwardInvalid, required: false);
            ok &= forward.HostAddress is not null;
        }
        forward.Description = element.Attribute("description")?.Value;
        foreach (var source in element.Elements(NetworkXml.VnetNamespace + "source"))
        {
            if (source.Attribute("prefix")?.Value is { Length: > 0 } prefix) forward.SourcePrefixes.Add(prefix);
            else
            {
                ok = false;
                Problem(Ids.PortForwardInvalid, $"<vnet:source> of a port forward in network '{networkName}' has no prefix. Write <vnet:source prefix='203.0.113.0/24'/>.");
            }
        }
        return ok ? forward : null;
    }

    /// <summary>"80" or "8000-8010"; numbers are checked against 1-65535 by NetworkValidator, shape only here.</summary>
    /// <returns>(first, last or null); null when the attribute is malformed or missing and required.</returns>
    private (int? First, int? Last)? PortRange(XElement element, string attribute, bool required)
    {
        var value = element.Attribute(attribute)?.Value;
        if (value is null)
        {
            if (!required) return (null, null);
            Problem(Ids.PortForwardInvalid, $"<vnet:portForward> in network '{networkName}' has no {attribute}. Add {attribute}='8080' or a range such as {attribute}='8000-8010'.");
            return null;
        }
        var dash = value.IndexOf('-');
        var firstText = dash < 0 ? value : value[..dash];
        if (int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
        {
            if (dash < 0) return (first, null);
            if (int.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last)) return (first, last);
        }
        Problem(Ids.PortForwardInvalid, $"Invalid {attribute}='{value}' on <vnet:portForward> in network '{networkName}'. Write a port such as 8080 or a range such as 8000-8010.", value);
        return null;
    }
}
