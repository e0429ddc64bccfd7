using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>An inclusive range of IPv6 addresses the server may hand out dynamically.</summary>
public readonly record struct Dhcp6Range(IPAddress Start, IPAddress End)
{
    internal UInt128 First => IpNetwork.ToInteger(Start);
    internal UInt128 Last => IpNetwork.ToInteger(End);
    internal UInt128 Size => Last - First + 1;
}

/// <summary>
/// A fixed address (libvirt's IPv6 &lt;host&gt;): matched by DUID when one is given, otherwise by the host name the
/// client sends in its Client FQDN option (case-insensitive), as dnsmasq's id:DUID / NAME hostsfile lines.
/// </summary>
public sealed record Dhcp6Reservation(Duid? ClientId, string? HostName, IPAddress Address)
{
    /// <summary>libvirt's per-host &lt;lease&gt;: replaces the scope's lease time for this client; null = the scope's.</summary>
    public DhcpLeaseTime? LeaseTime { get; init; }

    internal bool Matches(Duid client, string? hostName) =>
        ClientId is not null
            ? ClientId.Equals(client)
            : HostName is not null && string.Equals(HostName, hostName, StringComparison.OrdinalIgnoreCase);
}

/// <summary>What one network's DHCPv6 server hands out: libvirt's IPv6 &lt;ip&gt;&lt;dhcp&gt; plus what dnsmasq adds.</summary>
public sealed record Dhcp6Scope
{
    /// <summary>Server Identifier option; Request, Renew, Release and Decline for any other are ignored.</summary>
    public required Duid ServerId { get; init; }
    /// <summary>The bridge's IPv6 address in <see cref="Subnet"/>: never handed out.</summary>
    public required IPAddress ServerAddress { get; init; }
    /// <summary>The on-link prefix: Confirm answers NotOnLink for addresses outside it.</summary>
    public required IpNetwork Subnet { get; init; }
    public IReadOnlyList<Dhcp6Range> Ranges { get; init; } = [];
    public IReadOnlyList<Dhcp6Reservation> Reservations { get; init; } = [];
    /// <summary>Valid and preferred lifetime; null means infinite.</summary>
    public TimeSpan? LeaseTime { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Option 23, sent to clients that ask for it; empty sends none (libvirt's &lt;dns enable='no'&gt;).</summary>
    public IReadOnlyList<IPAddress> DnsServers { get; init; } = [];
    /// <summary>Option 24, sent to clients that ask for it; empty sends none.</summary>
    public IReadOnlyList<DnsName> DomainList { get; init; } = [];
    /// <summary>
    /// Answer a Solicit carrying Rapid Commit with a bound Reply. Off by default: dnsmasq only does so with
    /// dhcp-rapid-commit, which libvirt never writes, so guests see the same four-message exchange as under libvirt.
    /// </summary>
    public bool RapidCommit { get; init; }
    /// <summary>How long a Declined address stays out of the pool.</summary>
    public TimeSpan DeclineQuarantine { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Problems that make the scope unusable; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Subnet.IsIPv6 || !IsV6(ServerAddress)) { problems.Add("DHCPv6 needs an IPv6 server address and subnet"); return problems; }
        if (!Subnet.Contains(ServerAddress)) problems.Add($"server address {ServerAddress} is outside {Subnet}");
        foreach (var range in Ranges)
        {
            if (!IsV6(range.Start) || !IsV6(range.End)) { problems.Add($"range {range.Start}-{range.End} is not IPv6"); continue; }
            if (!Subnet.Contains(range.Start) || !Subnet.Contains(range.End)) problems.Add($"range {range.Start}-{range.End} is outside {Subnet}");
            if (range.First > range.Last) problems.Add($"range {range.Start}-{range.End} ends before it starts");
        }
        for (var i = 0; i < Ranges.Count; i++)
            for (var j = i + 1; j < Ranges.Count; j++)
                if (Ranges[i].First <= Ranges[j].Last && Ranges[j].First <= Ranges[i].Last)
                    problems.Add($"ranges {Ranges[i].Start}-{Ranges[i].End} and {Ranges[j].Start}-{Ranges[j].End} overlap");
        foreach (var r in Reservations)
        {
            if (r.ClientId is null && string.IsNullOrEmpty(r.HostName)) problems.Add($"reservation {r.Address} has neither DUID nor host name");
            if (!IsV6(r.Address) || !Subnet.Contains(r.Address)) problems.Add($"reservation {r.Address} is outside {Subnet}");
            if (r.Address.Equals(ServerAddress)) problems.Add($"reservation {r.Address} is the server's address");
            if (Reservations.Count(o => o.Address.Equals(r.Address)) > 1) problems.Add($"address {r.Address} is reserved twice");
            if (r.ClientId is not null && Reservations.Count(o => r.ClientId.Equals(o.ClientId)) > 1) problems.Add($"DUID {r.ClientId} is reserved twice");
            if (r.LeaseTime is { } own && LeaseTimeProblem(own.Duration) is { } p) problems.Add($"reservation {r.Address}: {p}");
        }
        if (DnsServers.Any(d => !IsV6(d))) problems.Add("DHCPv6 DNS servers must be IPv6");
        if (LeaseTimeProblem(LeaseTime) is { } leaseProblem) problems.Add(leaseProblem);
        if (DeclineQuarantine < TimeSpan.Zero) problems.Add("the decline quarantine must not be negative");
        return problems.Distinct().ToList();
    }

    private static bool IsV6(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6;

    // All ones on the wire means infinity, so a finite lifetime must stay below it.
    private static string? LeaseTimeProblem(TimeSpan? leaseTime) =>
        leaseTime is { } t && (t < TimeSpan.FromSeconds(1) || t.TotalSeconds >= Dhcp6Message.Infinity) ? $"lease time {t} is out of range" : null;
}
