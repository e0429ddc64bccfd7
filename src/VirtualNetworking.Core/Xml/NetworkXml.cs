using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Xml;

/// <summary>libvirt network XML: parse (any attribute order, either quote style) and format (libvirt's canonical form).</summary>
public static class NetworkXml
{
    /// <summary>Largest document accepted, in bytes (UTF-8).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Parses a network document. Throws NetworkProblemException listing every problem found.</summary>
    public static NetworkDefinition Parse(string xml) => throw new NotImplementedException();

    /// <summary>libvirt's canonical text (two-space indent, ' quotes, ends with a newline).</summary>
    public static string Format(NetworkDefinition definition) => throw new NotImplementedException();
}
