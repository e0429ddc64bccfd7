using System.Text;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Xml;

/// <summary>&lt;dns&gt; and &lt;ip&gt; with their records (virNetworkDNSDefFormat, virNetworkIPDefFormat).</summary>
internal sealed partial class NetworkXmlWriter
{
    private void WriteDns(DnsDefinition dns)
    {
        var hasRecords = dns.Forwarders.Count + dns.TxtRecords.Count + dns.SrvRecords.Count + dns.Hosts.Count > 0;
        if (dns.Enable is null && dns.ForwardPlainNames is null && !hasRecords) return;
        var start = new StringBuilder("<dns");
        if (dns.Enable is { } enable) start.Append(Attr("enable", LibvirtText.Yes(enable)));
        if (dns.ForwardPlainNames is { } plain) start.Append(Attr("forwardPlainNames", LibvirtText.Yes(plain)));
        if (!hasRecords)
        {
            Line(start.Append("/>").ToString());
            return;
        }
        Line(start.Append('>').ToString());
        depth++;
        foreach (var forwarder in dns.Forwarders)
        {
            var text = new StringBuilder("<forwarder");
            if (forwarder.Domain is not null) text.Append(Attr("domain", forwarder.Domain));
            if (forwarder.Address is not null) text.Append(Attr("addr", forwarder.Address));
            if (forwarder.Port is > 0) text.Append(Attr("port", Number(forwarder.Port.Value)));
            Line(text.Append("/>").ToString());
        }
        foreach (var txt in dns.TxtRecords) Line($"<txt{Attr("name", txt.Name)}{Attr("value", txt.Value)}/>");
        foreach (var srv in dns.SrvRecords) Line(SrvText(srv));
        foreach (var host in dns.Hosts)
        {
            Line($"<host{Attr("ip", host.Address)}>");
            depth++;
            foreach (var name in host.Hostnames) Line($"<hostname>{LibvirtText.Escape(name)}</hostname>");
            depth--;
            Line("</host>");
        }
        depth--;
        Line("</dns>");
    }

    private static string SrvText(DnsSrvRecord srv)
    {
        var text = new StringBuilder("<srv").Append(Attr("service", srv.Service)).Append(Attr("protocol", srv.Protocol));
        if (srv.Domain is not null) text.Append(Attr("domain", srv.Domain));
        if (srv.Target is not null) text.Append(Attr("target", srv.Target));
        // libvirt omits zero port/priority/weight.
        if (srv.Port is > 0) text.Append(Attr("port", Number(srv.Port.Value)));
        if (srv.Priority is > 0) text.Append(Attr("priority", Number(srv.Priority.Value)));
        if (srv.Weight is > 0) text.Append(Attr("weight", Number(srv.Weight.Value)));
        return text.Append("/>").ToString();
    }

    private void WriteIp(IpDefinition ip)
    {
        var start = new StringBuilder("<ip");
        if (ip.Family is not null) start.Append(Attr("family", ip.Family));
        start.Append(Attr("address", ip.Address));
        if (ip.Netmask is not null) start.Append(Attr("netmask", ip.Netmask));
        if (ip.Prefix is > 0) start.Append(Attr("prefix", Number(ip.Prefix.Value)));
        if (ip.LocalPtr is { } localPtr) start.Append(Attr("localPtr", LibvirtText.Yes(localPtr)));
        var dhcp = ip.Dhcp is { } d && (d.Ranges.Count > 0 || d.Hosts.Count > 0 || d.Bootp is not null) ? d : null;
        if (ip.TftpRoot is null && dhcp is null)
        {
            Line(start.Append("/>").ToString());
            return;
        }
        Line(start.Append('>').ToString());
        depth++;
        if (ip.TftpRoot is not null) Line($"<tftp{Attr("root", ip.TftpRoot)}/>");
        if (dhcp is not null) WriteDhcp(dhcp);
        depth--;
        Line("</ip>");
    }

    private void WriteDhcp(DhcpDefinition dhcp)
    {
        Line("<dhcp>");
        depth++;
        foreach (var range in dhcp.Ranges)
            WithLease($"<range{Attr("start", range.Start)}{Attr("end", range.End)}", "range", range.Lease);
        foreach (var host in dhcp.Hosts) WithLease(DhcpHostStart(host), "host", host.Lease);
        if (dhcp.Bootp is { } bootp)
        {
            var text = new StringBuilder("<bootp").Append(Attr("file", bootp.File));
            if (bootp.Server is not null) text.Append(Attr("server", bootp.Server));
            Line(text.Append("/>").ToString());
        }
        depth--;
        Line("</dhcp>");
    }

    private static string DhcpHostStart(DhcpHostDefinition host)
    {
        var text = new StringBuilder("<host");
        if (host.Mac is not null) text.Append(Attr("mac", host.Mac.ToLowerInvariant()));
        if (host.Id is not null) text.Append(Attr("id", host.Id));
        if (host.Name is not null) text.Append(Attr("name", host.Name));
        if (host.Ip is not null) text.Append(Attr("ip", host.Ip));
        return text.ToString();
    }

    private void WithLease(string start, string element, LeaseDefinition? lease)
    {
        if (lease is null)
        {
            Line(start + "/>");
            return;
        }
        Line(start + ">");
        depth++;
        // libvirt writes expiry='0' (infinite) alone and any other expiry with its unit, minutes when none was given.
        var unit = lease.Expiry == 0 ? "" : Attr("unit", lease.Unit ?? "minutes");
        Line($"<lease{Attr("expiry", Number((long)lease.Expiry))}{unit}/>");
        depth--;
        Line($"</{element}>");
    }
}
