using System.Text;
using System.Xml.Linq;

namespace VirtualNetworking.Core.Xml;

/// <summary>Elements kept raw (EXOTIC) written in the same canonical style: ' quotes, two-space indent, self-closed when empty.</summary>
internal sealed partial class NetworkXmlWriter
{
    private void WriteRaw(XElement? element) => WriteRaw(element, new Dictionary<string, string>());

    /// <param name="scope">namespace prefixes already declared by an enclosing element (prefix → uri; "" = default).</param>
    /// <param name="more">Writes children of our own after the element's, in the element's scope.</param>
    private void WriteRaw(XElement? element, IReadOnlyDictionary<string, string> scope, Action<IReadOnlyDictionary<string, string>>? more = null)
    {
        if (element is null) return;
        var innerScope = new Dictionary<string, string>(scope);
        var start = new StringBuilder("<").Append(QualifiedName(element, element.Name));
        foreach (var declaration in element.Attributes().Where(a => a.IsNamespaceDeclaration))
        {
            var prefix = declaration.Name.Namespace == XNamespace.Xmlns ? declaration.Name.LocalName : "";
            if (innerScope.TryGetValue(prefix, out var uri) && uri == declaration.Value) continue;
            innerScope[prefix] = declaration.Value;
            start.Append(prefix.Length == 0 ? " xmlns" : " xmlns:" + prefix).Append("='").Append(LibvirtText.Escape(declaration.Value)).Append('\'');
        }
        foreach (var attribute in element.Attributes().Where(a => !a.IsNamespaceDeclaration))
            start.Append(' ').Append(QualifiedName(element, attribute.Name)).Append("='").Append(LibvirtText.Escape(attribute.Value)).Append('\'');
        var nodes = element.Nodes().Where(n => n is XElement || (n is XText t && !string.IsNullOrWhiteSpace(t.Value))).ToList();
        if (nodes.Count == 0 && more is null)
        {
            Line(start.Append("/>").ToString());
            return;
        }
        if (nodes is [XText only] && more is null)
        {
            Line($"{start}>{LibvirtText.Escape(only.Value)}</{QualifiedName(element, element.Name)}>");
            return;
        }
        Line(start.Append('>').ToString());
        depth++;
        foreach (var node in nodes)
        {
            if (node is XElement child) WriteRaw(child, innerScope);
            else Line(LibvirtText.Escape(((XText)node).Value.Trim()));
        }
        more?.Invoke(innerScope);
        depth--;
        Line($"</{QualifiedName(element, element.Name)}>");
    }

    private static string QualifiedName(XElement context, XName name)
    {
        if (name.Namespace == XNamespace.None) return name.LocalName;
        if (name.Namespace == XNamespace.Xml) return "xml:" + name.LocalName;
        var prefix = context.GetPrefixOfNamespace(name.Namespace);
        return prefix is null ? name.LocalName : prefix + ":" + name.LocalName;
    }
}
