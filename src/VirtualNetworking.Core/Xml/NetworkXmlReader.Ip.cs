using System.Globalization;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>&lt;ip&gt;, &lt;dhcp&gt; and &lt;tftp&gt;.</summary>
internal sealed partial class NetworkXmlReader
{
    private static readonly string[] LeaseUnits = ["seconds", "minutes", "hours"];

    private IpDefinition ReadIp(XElement element)
    {
        var ip = new IpDefinition
        {
            Family = element.Attribute("family")?.Value,
            Netmask = Ip(element, "netmask", Ids.IpNetmaskInvalid, required: false),
            Prefix = Int(element, "prefix", 0, 128, Ids.IpNetmaskInvalid),
            LocalPtr = Bool(element, "localPtr"),
            TftpRoot = element.Element("tftp")?.Attribute("root")?.Value,
        };
        if (Ip(element, "address", Ids.IpAddressInvalid, required: true) is { } address) ip.Address = address;
        if (element.Element("tftp") is { } tftp && ip.TftpRoot is null)
            Problem(Ids.XmlValueInvalid, $"<tftp> in network '{networkName}' has no root attribute. Write <tftp root='/var/lib/tftpboot'/>.");
        if (element.Element("dhcp") is { } dhcp) ip.Dhcp = ReadDhcp(dhcp);
        return ip;
    }

    private DhcpDefinition ReadDhcp(XElement element)
    {
        var dhcp = new DhcpDefinition();
        foreach (var range in element.Elements("range"))
            if (ReadDhcpRange(range) is { } parsed) dhcp.Ranges.Add(parsed);
        foreach (var host in element.Elements("host")) dhcp.Hosts.Add(ReadDhcpHost(host));
        if (element.Element("bootp") is { } bootp)
        {
            var file = bootp.Attribute("file")?.Value;
            if (string.IsNullOrEmpty(file))
                Problem(Ids.BootpInvalid, $"<bootp> in network '{networkName}' has no file attribute. Write <bootp file='pxelinux.0' [server='IP']/>.");
            else
                dhcp.Bootp = new BootpDefinition { File = file, Server = bootp.Attribute("server")?.Value };
        }
        return dhcp;
    }

    internal DhcpRangeDefinition? ReadDhcpRange(XElement element)
    {
        var start = Ip(element, "start", Ids.DhcpRangeInvalid, required: true);
        var end = Ip(element, "end", Ids.DhcpRangeInvalid, required: true);
        var lease = ReadLease(element);
        return start is null || end is null ? null : new DhcpRangeDefinition { Start = start, End = end, Lease = lease };
    }

    internal DhcpHostDefinition ReadDhcpHost(XElement element) => new()
    {
        Mac = Mac(element, "mac", required: false),
        Id = element.Attribute("id")?.Value,
        Name = element.Attribute("name")?.Value,
        Ip = Ip(element, "ip", Ids.IpAddressInvalid, required: false),
        Lease = ReadLease(element),
    };

    private LeaseDefinition? ReadLease(XElement parent)
    {
        if (parent.Element("lease") is not { } element) return null;
        var expiryText = element.Attribute("expiry")?.Value;
        var unit = element.Attribute("unit")?.Value;
        var valid = true;
        if (!ulong.TryParse(expiryText, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            Problem(Ids.XmlValueInvalid, $"Invalid or missing lease expiry '{expiryText}' in network '{networkName}'. Write <lease expiry='N' unit='minutes'/> with a whole number (0 = infinite).", expiryText);
            valid = false;
        }
        if (unit is not null && !LeaseUnits.Contains(unit))
        {
            Problem(Ids.XmlValueInvalid, $"Invalid lease unit '{unit}' in network '{networkName}'. Use seconds, minutes or hours.", unit);
            valid = false;
        }
        return valid ? new LeaseDefinition { Expiry = expiry, Unit = unit } : null;
    }
}
