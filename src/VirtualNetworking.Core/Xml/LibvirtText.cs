using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VirtualNetworking.Core.Xml;

/// <summary>Text conventions of libvirt's XML: escaping as virBufferEscapeString, strict numeric IP addresses.</summary>
internal static class LibvirtText
{
    /// <summary>Escapes &lt; &gt; &amp; ' " and drops control characters other than tab, CR and LF (as libvirt does).</summary>
    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            switch (c)
            {
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '&': builder.Append("&amp;"); break;
                case '\'': builder.Append("&apos;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\t' or '\n' or '\r': builder.Append(c); break;
                case < ' ': break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Parses a numeric IPv4 (dotted quad only: .NET would also accept "10.1" or "10") or IPv6 address
    /// without a scope id, as libvirt's virSocketAddrParse with AI_NUMERICHOST does.
    /// </summary>
    public static bool TryParseIp(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text) || text.Contains('%')) return false;
        if (text.Contains(':'))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
            address = v6;
            return true;
        }
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is < 1 or > 3 || !parts[i].All(char.IsAsciiDigit) ||
                !byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                return false;
        }
        address = new IPAddress(bytes);
        return true;
    }

    public static string Yes(bool value) => value ? "yes" : "no";
}
