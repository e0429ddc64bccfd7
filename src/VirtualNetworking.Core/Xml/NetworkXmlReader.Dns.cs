using System.Net;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>&lt;dns&gt; and its records.</summary>
internal sealed partial class NetworkXmlReader
{
    private DnsDefinition ReadDns(XElement element)
    {
        var dns = new DnsDefinition
        {
            Enable = Bool(element, "enable"),
            ForwardPlainNames = Bool(element, "forwardPlainNames"),
        };
        foreach (var forwarder in element.Elements("forwarder"))
            if (ReadDnsForwarder(forwarder) is { } parsed) dns.Forwarders.Add(parsed);
        foreach (var txt in element.Elements("txt"))
            if (ReadDnsTxt(txt) is { } parsed) dns.TxtRecords.Add(parsed);
        foreach (var srv in element.Elements("srv"))
            if (ReadDnsSrv(srv) is { } parsed) dns.SrvRecords.Add(parsed);
        foreach (var host in element.Elements("host"))
            if (ReadDnsHost(host) is { } parsed) dns.Hosts.Add(parsed);
        if (dns.Enable == false && element.HasElements)
            Problem(Ids.DnsDisabledWithRecords, $"Extra data in disabled network '{networkName}': <dns enable='no'> must have no forwarder, txt, srv or host children. Remove them or enable DNS.");
        return dns;
    }

    private DnsForwarder? ReadDnsForwarder(XElement element)
    {
        var domain = element.Attribute("domain")?.Value;
        var address = Ip(element, "addr", Ids.DnsForwarderInvalid, required: false);
        var port = Int(element, "port", 1, 65535, Ids.DnsForwarderInvalid);
        if (domain is null && element.Attribute("addr") is null)
        {
            Problem(Ids.DnsForwarderInvalid, $"Invalid <forwarder> in network '{networkName}': it must contain at least one of addr or domain. Write <forwarder addr='IP'/> or <forwarder domain='example.com'/>.");
            return null;
        }
        return new DnsForwarder { Domain = domain, Address = address, Port = port };
    }

    /// <param name="partialOkay">net-update delete: the record is found by its name, so the value may be left out.</param>
    internal DnsTxtRecord? ReadDnsTxt(XElement element, bool partialOkay = false)
    {
        var name = element.Attribute("name")?.Value;
        var value = element.Attribute("value")?.Value;
        if (string.IsNullOrEmpty(name))
            Problem(Ids.DnsTxtInvalid, $"Missing required name attribute in DNS TXT record of network '{networkName}'. Write <txt name='NAME' value='TEXT'/>.");
        if (value is null && !partialOkay)
            Problem(Ids.DnsTxtInvalid, $"Missing required value attribute in DNS TXT record named '{name}' of network '{networkName}'. Add value='TEXT'.", name);
        return string.IsNullOrEmpty(name) || (value is null && !partialOkay) ? null : new DnsTxtRecord { Name = name, Value = value ?? "" };
    }

    /// <param name="partialOkay">net-update delete: any attribute may be left out; the record has "" for a missing service or protocol.</param>
    internal DnsSrvRecord? ReadDnsSrv(XElement element, bool partialOkay = false)
    {
        var service = element.Attribute("service")?.Value ?? "";
        var protocol = element.Attribute("protocol")?.Value ?? "";
        if (service.Length == 0 && !partialOkay)
            Problem(Ids.DnsSrvInvalid, $"Missing required service attribute in DNS SRV record of network '{networkName}'. Write <srv service='NAME' protocol='tcp' …/>.");
        if (protocol.Length == 0 && !partialOkay)
            Problem(Ids.DnsSrvInvalid, $"Missing required protocol attribute in DNS SRV record '{service}' of network '{networkName}'. Add protocol='tcp' or 'udp'.", service);
        var record = new DnsSrvRecord
        {
            Domain = element.Attribute("domain")?.Value,
            Target = element.Attribute("target")?.Value,
            Port = Int(element, "port", 0, 65535, Ids.DnsSrvInvalid),
            Priority = Int(element, "priority", 0, 65535, Ids.DnsSrvInvalid),
            Weight = Int(element, "weight", 0, 65535, Ids.DnsSrvInvalid),
        };
        if (!partialOkay && (service.Length == 0 || protocol.Length == 0)) return null;
        record.Service = service;
        record.Protocol = protocol;
        return record;
    }

    /// <summary>
    /// net-update's &lt;host&gt;: libvirt's parse lets modify and delete leave out the ip or the hostnames, not both
    /// (virNetworkDNSHostDefParseXML with partialOkay); NetworkUpdate decides what each command needs.
    /// </summary>
    internal (IPAddress? Address, List<string> Hostnames) ReadDnsHostParts(XElement element)
    {
        var hostnames = element.Elements("hostname").Select(h => h.Value).ToList();
        var address = Ip(element, "ip", Ids.DnsHostInvalid, required: false);
        if (element.Attribute("ip") is null && hostnames.Count == 0)
            Problem(Ids.DnsHostInvalid, $"Missing ip and hostname in DNS HOST record of network '{networkName}'. Give the ip or a <hostname> of the record.");
        return (address, hostnames);
    }

    internal DnsHostRecord? ReadDnsHost(XElement element)
    {
        var address = Ip(element, "ip", Ids.DnsHostInvalid, required: true);
        var host = new DnsHostRecord();
        host.Hostnames.AddRange(element.Elements("hostname").Select(h => h.Value));
        if (address is null) return null;
        host.Address = address;
        return host;
    }
}
