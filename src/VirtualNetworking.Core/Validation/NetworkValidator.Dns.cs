using VirtualNetworking.Core.Model;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Validation;

/// <summary>&lt;domain&gt; and &lt;dns&gt; rules.</summary>
public static partial class NetworkValidator
{
    private sealed partial class Checker
    {
        public void DomainAndDns()
        {
            if (definition.Domain is not null && !Managed)
                Add(Ids.DomainNotAllowed, $"Unsupported <domain> element in network '{name}' with forward mode='{modeName}'. Remove it; the host bridge's DNS is not ours.");
            if (definition.Domain is { Name.Length: 0 })
                Add(Ids.DomainInvalid, $"<domain> of network '{name}' has an empty name. Give a name such as example.com or remove <domain>.");
            // libvirt 10.1: registering a domain that is also forwarded upstream would send the host's queries in a loop.
            if (definition.Domain is { Register: true, LocalOnly: not true })
                Add(Ids.DomainRegisterInvalid, $"<domain register='yes'> of network '{name}' needs localOnly='yes': the host would otherwise send queries for '{definition.Domain.Name}' to the network, which forwards them back upstream. Add localOnly='yes', or remove register.");
            if (definition.Dns is not { } dns) return;
            var records = dns.Forwarders.Count + dns.TxtRecords.Count + dns.SrvRecords.Count + dns.Hosts.Count;
            if (records > 0 && !Managed)
                Add(Ids.DnsNotAllowed, $"Unsupported <dns> element in network '{name}' with forward mode='{modeName}'. DNS records need a network we run dnsmasq for; remove them.");
            foreach (var forwarder in dns.Forwarders)
            {
                if (forwarder.Domain is null && forwarder.Address is null)
                    Add(Ids.DnsForwarderInvalid, $"A DNS forwarder of network '{name}' has neither addr nor domain. Give at least one.");
                if (forwarder.Port is { } port && (port < 1 || port > 65535 || forwarder.Address is null))
                    Add(Ids.DnsForwarderInvalid, $"DNS forwarder port {port} of network '{name}' is invalid: it needs an addr and must be 1-65535.", port);
            }
            foreach (var txt in dns.TxtRecords) Txt(txt);
            foreach (var srv in dns.SrvRecords) Srv(srv);
            foreach (var host in dns.Hosts)
            {
                if (host.Hostnames.Count == 0 || host.Hostnames.Any(string.IsNullOrWhiteSpace))
                    Add(Ids.DnsHostInvalid, $"DNS host record {host.Address} of network '{name}' needs at least one non-empty hostname. Add <hostname>NAME</hostname>.", host.Address);
            }
        }

        private void Txt(DnsTxtRecord txt)
        {
            if (txt.Name.Length == 0)
                Add(Ids.DnsTxtInvalid, $"A DNS TXT record of network '{name}' has no name. Give it one.");
            else if (txt.Name.Contains(' ') || txt.Name.Contains(','))
                Add(Ids.DnsTxtInvalid, $"Prohibited character in DNS TXT record name '{txt.Name}' of network '{name}': no spaces or commas.", txt.Name);
        }

        private void Srv(DnsSrvRecord srv)
        {
            if (srv.Service.Length is 0 or > 189 || !srv.Service.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '/' or '*'))
                Add(Ids.DnsSrvInvalid, $"DNS SRV service '{srv.Service}' of network '{name}' is invalid: 1-189 characters of letters, digits and _-+/*.", srv.Service);
            if (srv.Protocol.Length == 0 || !srv.Protocol.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '/'))
                Add(Ids.DnsSrvInvalid, $"DNS SRV protocol '{srv.Protocol}' of network '{name}' is invalid: use letters, digits and -+/ (e.g. tcp).", srv.Protocol);
            if (srv.Target is null && (srv.Port is not null || srv.Priority is not null || srv.Weight is not null))
                Add(Ids.DnsSrvInvalid, $"DNS SRV port/priority/weight attributes not permitted without target for service '{srv.Service}' in network '{name}'. Add target='host.example.com' or remove them.", srv.Service);
            if (srv.Port is < 1 or > 65535)
                Add(Ids.DnsSrvInvalid, $"DNS SRV port {srv.Port} for service '{srv.Service}' in network '{name}' must be 1-65535.", srv.Service);
        }
    }
}
