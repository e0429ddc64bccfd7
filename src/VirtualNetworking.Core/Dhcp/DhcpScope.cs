using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>What one network's DHCP server hands out: the equivalent of libvirt's &lt;ip&gt;&lt;dhcp&gt; plus dnsmasq options.</summary>
public sealed record DhcpScope
{
    /// <summary>The bridge address; also option 54 (server identifier).</summary>
    public required IPAddress ServerAddress { get; init; }
    public required IpNetwork Subnet { get; init; }
    public IReadOnlyList<DhcpRange> Ranges { get; init; } = [];
    public IReadOnlyList<DhcpReservation> Reservations { get; init; } = [];
    /// <summary>Null means infinite leases.</summary>
    public TimeSpan? LeaseTime { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Null on isolated networks: no option 3 is sent.</summary>
    public IPAddress? Router { get; init; }
    /// <summary>Option 6; empty sends none (libvirt's &lt;dns enable='no'&gt;, dnsmasq's port=0).</summary>
    public IReadOnlyList<IPAddress> DnsServers { get; init; } = [];
    /// <summary>Option 15.</summary>
    public string? DomainName { get; init; }
    /// <summary>Option 119 (RFC 3397), sent to clients that ask for it; empty sends none.</summary>
    public IReadOnlyList<DnsName> DomainSearch { get; init; } = [];
    public int? Mtu { get; init; }
    /// <summary>Null means the subnet's broadcast address.</summary>
    public IPAddress? BroadcastAddress { get; init; }
    /// <summary>BOOTP/PXE boot file (file field and option 67).</summary>
    public string? BootFileName { get; init; }
    /// <summary>BOOTP/PXE server (siaddr and option 66); null means this server.</summary>
    public IPAddress? NextServer { get; init; }
    /// <summary>Like dnsmasq's dhcp-authoritative: NAK requests for addresses this server did not give out.</summary>
    public bool Authoritative { get; init; } = true;
    /// <summary>How long an OFFER reserves its address so two clients are not offered the same one.</summary>
    public TimeSpan OfferHoldTime { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a DECLINEd address stays out of the pool.</summary>
    public TimeSpan DeclineQuarantine { get; init; } = TimeSpan.FromMinutes(10);

    public IPAddress EffectiveBroadcastAddress => BroadcastAddress ?? Subnet.Broadcast;

    /// <summary>Problems that make the scope unusable; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Ipv4.IsIPv4(ServerAddress) || Subnet.IsIPv6) { problems.Add("DHCPv4 needs an IPv4 server address and subnet"); return problems; }
        if (Subnet.PrefixLength > 30) problems.Add($"subnet {Subnet} leaves no room for clients");
        if (!Subnet.Contains(ServerAddress)) problems.Add($"server address {ServerAddress} is outside {Subnet}");
        foreach (var range in Ranges)
        {
            if (!Ipv4.IsIPv4(range.Start) || !Ipv4.IsIPv4(range.End)) { problems.Add($"range {range.Start}-{range.End} is not IPv4"); continue; }
            if (!Subnet.Contains(range.Start) || !Subnet.Contains(range.End)) problems.Add($"range {range.Start}-{range.End} is outside {Subnet}");
            if (range.First > range.Last) problems.Add($"range {range.Start}-{range.End} ends before it starts");
        }
        for (var i = 0; i < Ranges.Count; i++)
            for (var j = i + 1; j < Ranges.Count; j++)
                if (Ranges[i].First <= Ranges[j].Last && Ranges[j].First <= Ranges[i].Last)
                    problems.Add($"ranges {Ranges[i].Start}-{Ranges[i].End} and {Ranges[j].Start}-{Ranges[j].End} overlap");
        foreach (var r in Reservations) problems.AddRange(ReservationProblems(r, Reservations));
        if (Router is not null && !Ipv4.IsIPv4(Router)) problems.Add($"router {Router} is not IPv4");
        if (DnsServers.Any(d => !Ipv4.IsIPv4(d))) problems.Add("DNS servers must be IPv4");
        if (Mtu is < 68 or > 65535) problems.Add($"MTU {Mtu} is outside 68-65535");
        if (BroadcastAddress is not null && !Ipv4.IsIPv4(BroadcastAddress)) problems.Add($"broadcast {BroadcastAddress} is not IPv4");
        if (NextServer is not null && !Ipv4.IsIPv4(NextServer)) problems.Add($"next server {NextServer} is not IPv4");
        if (BootFileName is { Length: >= DhcpPacket.FileLength }) problems.Add("the boot file name is longer than 127 bytes");
        if (LeaseTimeProblem(LeaseTime) is { } leaseProblem) problems.Add(leaseProblem);
        if (OfferHoldTime <= TimeSpan.Zero || DeclineQuarantine < TimeSpan.Zero) problems.Add("offer hold and decline quarantine must not be negative");
        return problems.Distinct().ToList();
    }

    /// <summary>Checks one reservation against the scope and the other reservations (used for live additions too).</summary>
    internal IEnumerable<string> ReservationProblems(DhcpReservation r, IEnumerable<DhcpReservation> all)
    {
        if (r.HardwareAddress is null && string.IsNullOrEmpty(r.HostName)) yield return $"reservation {r.Address} has neither MAC nor host name";
        if (!Ipv4.IsIPv4(r.Address) || !Subnet.Contains(r.Address)) { yield return $"reservation {r.Address} is outside {Subnet}"; yield break; }
        if (r.LeaseTime is { } own && LeaseTimeProblem(own.Duration) is { } leaseProblem) yield return $"reservation {r.Address}: {leaseProblem}";
        var value = Ipv4.ToUInt32(r.Address);
        if (r.Address.Equals(ServerAddress) || value == Ipv4.ToUInt32(Subnet.Network) || value == Ipv4.ToUInt32(Subnet.Broadcast))
            yield return $"reservation {r.Address} is the server, network or broadcast address";
        foreach (var other in all)
        {
            if (ReferenceEquals(other, r)) continue;
            if (other.Address.Equals(r.Address)) yield return $"address {r.Address} is reserved twice";
            if (r.HardwareAddress is not null && r.HardwareAddress.Equals(other.HardwareAddress)) yield return $"MAC {r.HardwareAddress} is reserved twice";
        }
    }

    private static string? LeaseTimeProblem(TimeSpan? leaseTime) =>
        leaseTime is { } t && (t < TimeSpan.FromSeconds(1) || t.TotalSeconds >= uint.MaxValue) ? $"lease time {t} is out of range" : null;
}
