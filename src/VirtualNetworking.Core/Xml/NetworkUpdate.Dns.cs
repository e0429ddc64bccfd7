using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>dns-host, dns-txt and dns-srv sections (virNetworkDefUpdateDNSHost, -Txt, -Srv).</summary>
public static partial class NetworkUpdate
{
    private sealed partial class Operation
    {
        public void DnsHost(XElement element)
        {
            var (address, hostnames) = Read(reader => reader.ReadDnsHostParts(element));
            if (hostnames.Any(string.IsNullOrWhiteSpace))
                throw Fail(Ids.DnsHostInvalid, ProblemCategory.InvalidData, $"Missing hostname in a DNS HOST record for network '{name}': a <hostname> is empty. Write the name between <hostname> and </hostname>.");
            // add and modify need the whole record. libvirt's modify would take a record without hostnames and write one it cannot read back.
            if (command != "delete" && (address is null || hostnames.Count == 0))
                throw Fail(Ids.DnsHostInvalid, ProblemCategory.InvalidData, $"A DNS HOST record to {(IsAdd ? "add" : "modify")} in network '{name}' needs its ip and at least one <hostname>{(IsAdd ? "" : "; modify finds the record by its ip")}.");
            var dns = definition.Dns ?? new DnsDefinition();
            // add: a record with this ip exists (one name on several addresses is legitimate); modify: the record with this ip;
            // delete: the record with this ip or any of these hostnames.
            var matches = dns.Hosts.Select((h, i) => (h, i))
                .Where(e => (address is not null && e.h.Address.Equals(address)) || (command == "delete" && e.h.Hostnames.Intersect(hostnames).Any()))
                .Select(e => e.i).ToList();
            RefuseAmbiguous(matches, "DNS HOST");
            var found = matches.Count > 0 ? matches[0] : -1;
            if (address is null)
            {
                // Only a delete by hostnames gets here; it has no record to build.
                if (found < 0) throw NotFound("DNS HOST record", Describe(element));
                dns.Hosts.RemoveAt(found);
                return;
            }
            var host = new DnsHostRecord { Address = address };
            host.Hostnames.AddRange(hostnames);
            Change(dns.Hosts, host, found, "DNS HOST record", Describe(element));
            definition.Dns = dns;
        }

        public void DnsTxt(XElement element)
        {
            // The record is found by its name: delete needs no value; modify replaces the value.
            var txt = Read(reader => reader.ReadDnsTxt(element, partialOkay: command == "delete"))!;
            RefuseInvalidAlone(Ids.DnsTxtInvalid, probe => probe.TxtRecords.Add(txt));
            var dns = definition.Dns ?? new DnsDefinition();
            var found = dns.TxtRecords.FindIndex(t => t.Name == txt.Name);
            Change(dns.TxtRecords, txt, found, "DNS TXT record", $"<txt name='{txt.Name}'>");
            definition.Dns = dns;
        }

        public void DnsSrv(XElement element)
        {
            // Current libvirt has modify for dns-host and dns-txt only.
            RefuseModify("DNS SRV");
            var srv = Read(reader => reader.ReadDnsSrv(element, partialOkay: command == "delete"))!;
            RefuseInvalidAlone(Ids.DnsSrvInvalid, probe => probe.SrvRecords.Add(WithStandIns(srv)));
            var dns = definition.Dns ?? new DnsDefinition();
            // A record matches when it has every given service, protocol, domain and target; port, priority and weight are
            // not compared. add refuses any match, delete needs exactly one.
            var matches = dns.SrvRecords.Select((s, i) => (s, i))
                .Where(e => (srv.Service.Length == 0 || srv.Service == e.s.Service) && (srv.Protocol.Length == 0 || srv.Protocol == e.s.Protocol)
                    && (srv.Domain is null || srv.Domain == e.s.Domain) && (srv.Target is null || srv.Target == e.s.Target))
                .Select(e => e.i).ToList();
            RefuseAmbiguous(matches, "DNS SRV");
            Change(dns.SrvRecords, srv, matches.Count > 0 ? matches[0] : -1, "DNS SRV record", Describe(element));
            definition.Dns = dns;
        }

        /// <summary>A delete may leave out service and protocol; valid stand-ins let the other fields be checked.</summary>
        private static DnsSrvRecord WithStandIns(DnsSrvRecord srv) => new()
        {
            Service = srv.Service.Length > 0 ? srv.Service : "_",
            Protocol = srv.Protocol.Length > 0 ? srv.Protocol : "tcp",
            Domain = srv.Domain,
            Target = srv.Target,
            Port = srv.Port,
            Priority = srv.Priority,
            Weight = srv.Weight,
        };

        /// <summary>
        /// libvirt checks a record's fields while parsing the update snippet. NetworkValidator holds those rules, so the
        /// record is validated alone in an otherwise empty network and its problems of <paramref name="errorId"/> refuse the update.
        /// </summary>
        private void RefuseInvalidAlone(string errorId, Action<DnsDefinition> place)
        {
            var dns = new DnsDefinition();
            place(dns);
            var problems = NetworkValidator.Validate(new NetworkDefinition { Name = name, Dns = dns }).Where(p => p.ErrorId == errorId).ToList();
            if (problems.Count > 0) throw new NetworkProblemException(problems);
        }

        private static string Describe(XElement element) => element.ToString(SaveOptions.DisableFormatting);

        private void RefuseAmbiguous(List<int> matches, string what)
        {
            if (matches.Count > 1 && !IsAdd)
                throw Fail(Ids.UpdateEntryNotFound, ProblemCategory.ObjectNotFound, $"Multiple matching {what} records were found in network '{name}'. Give more attributes so that exactly one matches.");
        }
    }
}
