using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Dns;

public sealed partial class DnsZone
{
    /// <summary>
    /// The zone dnsmasq would serve for this network (libvirt's domain=, expand-hosts, addn-hosts, txt-record,
    /// srv-host and DHCP names), at <paramref name="now"/>:
    /// <list type="bullet">
    /// <item>&lt;dns&gt;&lt;host&gt; names, then <see cref="GatewayName"/> for every address of the network: A/AAAA, and a
    /// single-label name also under the &lt;domain&gt; (expand-hosts).</item>
    /// <item>Reservation names (&lt;dhcp&gt;&lt;host name ip&gt;) — from the start, unlike dnsmasq, which waits for the guest's lease:
    /// the address is fixed, so the name cannot point elsewhere — and the names of bound, unexpired leases: the first label only
    /// (dnsmasq ignores a client's domain), bare and under the &lt;domain&gt;. A reservation's name is never taken by another
    /// client's lease (dnsmasq keeps configured names); among leases of one family, the one expiring last — the latest grant or renewal —
    /// holds a contested name; a name the host entries give another address of that family stays theirs.</item>
    /// <item>One PTR per address: the first name given to it, fully qualified when it was expanded.</item>
    /// <item>&lt;txt&gt; as named (value split at commas into strings, as dnsmasq's txt-record does); &lt;srv&gt; as
    /// _service._protocol.domain, the &lt;domain&gt; standing in for a missing domain; without a target: ". port 1".</item>
    /// </list>
    /// Names that are not valid DNS names are left out.
    /// </summary>
    public static DnsZone Build(NetworkDefinition network, IEnumerable<DhcpLease> leases, IEnumerable<Dhcp6Lease> leases6, DateTimeOffset now)
    {
        var builder = new Builder(DnsName.TryParse(network.Domain?.Name, out var domain) ? domain : null);
        foreach (var host in network.Dns?.Hosts ?? [])
            foreach (var name in host.Hostnames) builder.AddHost(host.Address, name, DnsRecordSource.Host);
        foreach (var ip in network.Ips) builder.AddHost(ip.Address, GatewayName, DnsRecordSource.Gateway);
        foreach (var reservation in network.Ips.Where(ip => ip.Dhcp is not null).SelectMany(ip => ip.Dhcp!.Hosts))
            if (reservation is { Name: { } name, Ip: { } address }) builder.AddReservation(address, name);
        builder.AddLeases(leases.Where(l => l.State == DhcpLeaseState.Bound && !l.IsExpired(now)).Select(l => new LeaseName(l.HostName, l.Address, l.Expires)));
        builder.AddLeases(leases6.Where(l => l.State == Dhcp6LeaseState.Bound && !l.IsExpired(now)).Select(l => new LeaseName(l.HostName, l.Address, l.Expires)));
        foreach (var txt in network.Dns?.TxtRecords ?? []) builder.AddTxt(txt);
        foreach (var srv in network.Dns?.SrvRecords ?? []) builder.AddSrv(srv);
        return builder.Zone;
    }

    /// <summary>
    /// The DNS label of a DHCP host name as dnsmasq takes it: the part before the first dot, of letters, digits,
    /// '-' and '_', starting with a letter or digit (legal_hostname); null when there is none.
    /// </summary>
    internal static DnsName? DhcpLabel(string? hostName)
    {
        if (hostName is null) return null;
        var label = hostName.AsSpan(0, hostName.IndexOf('.') is var dot and >= 0 ? dot : hostName.Length);
        if (label.Length is 0 or > DnsName.MaxLabelLength || !char.IsAsciiLetterOrDigit(label[0])) return null;
        foreach (var c in label)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')) return null;
        return DnsName.Parse(label.ToString());
    }

    /// <summary>What a lease of either protocol gives the zone.</summary>
    private readonly record struct LeaseName(string? HostName, IPAddress Address, DateTimeOffset? Expires);

    private sealed class Builder(DnsName? domain)
    {
        public DnsZone Zone { get; } = new();
        /// <summary>Addresses each host-file name has, which DHCP names may not override.</summary>
        private readonly Dictionary<DnsName, List<IPAddress>> hostAddresses = new();
        /// <summary>Reservation labels and their address: configured names no lease takes over.</summary>
        private readonly Dictionary<DnsName, IPAddress> reserved = new();
        private readonly HashSet<IPAddress> reversed = new();

        public void AddHost(IPAddress address, string text, DnsRecordSource source)
        {
            if (!DnsName.TryParse(text, out var name)) return;
            var names = Expanded(name);
            foreach (var owner in names)
            {
                AddAddress(owner, address, source);
                if (!hostAddresses.TryGetValue(owner, out var addresses)) hostAddresses[owner] = addresses = [];
                addresses.Add(address);
            }
            AddPointer(address, names[0], source);
        }

        public void AddReservation(IPAddress address, string hostName)
        {
            if (DhcpLabel(hostName) is not { } label || !reserved.TryAdd(label, address)) return;
            AddDhcpName(label, address, DnsRecordSource.Reservation);
        }

        /// <summary>The leases of one family: a name one of them holds does not stop a lease of the other family from holding it too.</summary>
        public void AddLeases(IEnumerable<LeaseName> leases)
        {
            var holders = new Dictionary<DnsName, (LeaseName Lease, int Order)>();
            var order = 0;
            foreach (var lease in leases)
            {
                order++;
                if (DhcpLabel(lease.HostName) is not { } label || reserved.ContainsKey(label)) continue;
                if (holders.TryGetValue(label, out var holder) && !IsLater(lease, holder.Lease)) continue;
                holders[label] = (lease, order);
            }
            foreach (var (label, (lease, _)) in holders.OrderBy(h => h.Value.Order)) AddDhcpName(label, lease.Address, DnsRecordSource.Lease);
        }

        public void AddTxt(DnsTxtRecord txt)
        {
            if (!DnsName.TryParse(txt.Name, out var name)) return;
            var strings = txt.Value.Split(',').SelectMany(part => Chunks(Encoding.UTF8.GetBytes(part))).ToList();
            Zone.Add(new DnsZoneRecord(name, DnsType.TXT, new DnsTxtData(strings), DnsRecordSource.Txt));
        }

        public void AddSrv(DnsSrvRecord srv)
        {
            var owner = $"_{srv.Service}._{srv.Protocol}";
            if (!DnsName.TryParse(owner, out var service)) return;
            DnsName? name = srv.Domain is { } own ? (DnsName.TryParse(own, out var ownDomain) ? service.Append(ownDomain) : null)
                : domain is null ? service : service.Append(domain);
            if (name is null) return;
            // libvirt writes no target for target='.' or none, and then no port, priority or weight either.
            var data = srv.Target is null or "." ? new DnsSrvData(0, 0, 1, DnsName.Root)
                : DnsName.TryParse(srv.Target, out var target) ? new DnsSrvData((ushort)(srv.Priority ?? 0), (ushort)(srv.Weight ?? 0), (ushort)(srv.Port ?? 1), target)
                : null;
            if (data is not null) Zone.Add(new DnsZoneRecord(name, DnsType.SRV, data, DnsRecordSource.Srv));
        }

        private void AddDhcpName(DnsName label, IPAddress address, DnsRecordSource source)
        {
            DnsName? first = null;
            foreach (var owner in Expanded(label))
            {
                if (hostAddresses.TryGetValue(owner, out var taken) && taken.Any(a => a.AddressFamily == address.AddressFamily && !a.Equals(address))) continue;
                AddAddress(owner, address, source);
                first ??= owner;
            }
            if (first is not null) AddPointer(address, first, source);
        }

        /// <summary>A single-label name also under the domain (expand-hosts), the qualified one first: it is what PTR answers.</summary>
        private DnsName[] Expanded(DnsName name) =>
            name.LabelCount == 1 && domain is not null && name.Append(domain) is { } qualified ? [qualified, name] : [name];

        private void AddAddress(DnsName owner, IPAddress address, DnsRecordSource source) =>
            Zone.Add(new DnsZoneRecord(owner, address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A,
                new DnsAddressData(address), source));

        private void AddPointer(IPAddress address, DnsName target, DnsRecordSource source)
        {
            if (reversed.Add(address)) Zone.Add(new DnsZoneRecord(DnsName.ReverseOf(address), DnsType.PTR, new DnsNameData(target), source));
        }

        /// <summary>Later expiry wins (null = infinite = latest); on a tie, the lease listed later.</summary>
        private static bool IsLater(LeaseName lease, LeaseName holder) =>
            (lease.Expires ?? DateTimeOffset.MaxValue) >= (holder.Expires ?? DateTimeOffset.MaxValue);

        private static IEnumerable<byte[]> Chunks(byte[] text)
        {
            if (text.Length == 0) yield return text;
            for (var at = 0; at < text.Length; at += DnsTxtData.MaxStringLength)
                yield return text[at..Math.Min(at + DnsTxtData.MaxStringLength, text.Length)];
        }
    }
}
