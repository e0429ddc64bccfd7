using System.Globalization;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>dns-host, dns-txt and dns-srv sections.</summary>
public static partial class NetworkUpdate
{
    private sealed partial class Operation
    {
        public void DnsHost(XElement element)
        {
            var host = Read(reader => reader.ReadDnsHost(element))!;
            if (command != "delete" && (host.Hostnames.Count == 0 || host.Hostnames.Any(string.IsNullOrWhiteSpace)))
                throw Fail(Ids.DnsHostInvalid, ProblemCategory.InvalidData, $"DNS host record {host.Address} for network '{name}' needs at least one non-empty <hostname>.", host.Address);
            var dns = definition.Dns ?? new DnsDefinition();
            // add: the IP must be new; modify: the record with this IP; delete: the one record sharing the IP or a hostname.
            var matches = dns.Hosts.Select((h, i) => (h, i))
                .Where(e => e.h.Address.Equals(host.Address) || (command == "delete" && e.h.Hostnames.Intersect(host.Hostnames).Any()))
                .Select(e => e.i).ToList();
            RefuseAmbiguous(matches, "DNS HOST");
            Change(dns.Hosts, host, matches.Count == 1 ? matches[0] : -1, "DNS HOST record", $"<host ip='{host.Address}'>");
            definition.Dns = dns;
        }

        public void DnsTxt(XElement element)
        {
            // delete identifies the record by name alone (libvirt parses it with partialOkay).
            var txt = command == "delete" && element.Attribute("name")?.Value is { Length: > 0 } txtName
                ? new DnsTxtRecord { Name = txtName }
                : Read(reader => reader.ReadDnsTxt(element))!;
            var dns = definition.Dns ?? new DnsDefinition();
            var found = dns.TxtRecords.FindIndex(t => t.Name == txt.Name);
            Change(dns.TxtRecords, txt, found, "DNS TXT record", $"<txt name='{txt.Name}'>");
            definition.Dns = dns;
        }

        public void DnsSrv(XElement element)
        {
            var dns = definition.Dns ?? new DnsDefinition();
            if (command == "delete")
            {
                // Every attribute given must match; exactly one record may match.
                var given = element.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value);
                if (given.Count == 0)
                    throw Fail(Ids.DnsSrvInvalid, ProblemCategory.InvalidData, $"<srv> to delete from network '{name}' has no attributes. Give at least service and protocol.");
                var matches = dns.SrvRecords.Select((s, i) => (s, i)).Where(e => given.All(g => SrvField(e.s, g.Key) == g.Value)).Select(e => e.i).ToList();
                RefuseAmbiguous(matches, "DNS SRV");
                if (matches.Count == 0) throw NotFound("DNS SRV record", element.ToString(SaveOptions.DisableFormatting));
                dns.SrvRecords.RemoveAt(matches[0]);
                return;
            }
            var srv = Read(reader => reader.ReadDnsSrv(element))!;
            // add: an identical record exists; modify: the record of the same service, protocol and domain.
            var found = dns.SrvRecords.FindIndex(s => s.Service == srv.Service && s.Protocol == srv.Protocol && s.Domain == srv.Domain
                && (command == "modify" || (s.Target == srv.Target && s.Port == srv.Port && s.Priority == srv.Priority && s.Weight == srv.Weight)));
            Change(dns.SrvRecords, srv, found, "DNS SRV record", element.ToString(SaveOptions.DisableFormatting));
            definition.Dns = dns;
        }

        private static string? SrvField(DnsSrvRecord srv, string attribute) => attribute switch
        {
            "service" => srv.Service,
            "protocol" => srv.Protocol,
            "domain" => srv.Domain,
            "target" => srv.Target,
            "port" => srv.Port?.ToString(CultureInfo.InvariantCulture),
            "priority" => srv.Priority?.ToString(CultureInfo.InvariantCulture),
            "weight" => srv.Weight?.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };

        private void RefuseAmbiguous(List<int> matches, string what)
        {
            if (matches.Count > 1 && !IsAdd)
                throw Fail(Ids.UpdateEntryNotFound, ProblemCategory.ObjectNotFound, $"Multiple matching {what} records were found in network '{name}'. Give more attributes so that exactly one matches.");
        }
    }
}
