using System.Net;

namespace VirtualNetworking.Core.Dns;

/// <summary>Where a locally answered record comes from.</summary>
public enum DnsRecordSource
{
    /// <summary>&lt;dns&gt;&lt;host&gt; (libvirt's addn-hosts file).</summary>
    Host,
    /// <summary><see cref="DnsZone.GatewayName"/> for the network's own addresses.</summary>
    Gateway,
    /// <summary>&lt;dhcp&gt;&lt;host name ip&gt;.</summary>
    Reservation,
    /// <summary>The host name a guest sent in DHCP or DHCPv6, while its lease lasts.</summary>
    Lease,
    Txt,
    Srv,
}

/// <summary>One record a network answers itself.</summary>
public sealed record DnsZoneRecord(DnsName Name, DnsType Type, DnsRecordData Data, DnsRecordSource Source);

/// <summary>
/// What one network answers from its own data, built fresh from the definition and the leases of both protocols (pure, and cheap enough to rebuild on every lease change). Names compare case-insensitively.
/// </summary>
public sealed partial class DnsZone
{
    /// <summary>
    /// The name of the network's own addresses: systemd's name for the default gateway (nss-myhostname,
    /// systemd-resolved), which guests with systemd already use and others can now resolve too.
    /// </summary>
    public const string GatewayName = "_gateway";

    private readonly Dictionary<DnsName, List<DnsZoneRecord>> byName = new();
    /// <summary>Every proper ancestor of an owner: names that exist without records of their own (RFC 8020).</summary>
    private readonly HashSet<DnsNameSuffix> interior = new();
    private readonly List<DnsZoneRecord> records = [];

    public static DnsZone Empty { get; } = new();

    private DnsZone() { }

    /// <summary>Every record in the order the zone was built: hosts, caller's entries, gateway, reservations, leases, TXT, SRV.</summary>
    public IReadOnlyList<DnsZoneRecord> Records => records;

    /// <summary>The records owned by <paramref name="name"/>, of every type; empty when it owns none.</summary>
    public IReadOnlyList<DnsZoneRecord> Find(DnsName name) => byName.TryGetValue(name, out var found) ? found : [];

    /// <summary>True when some record is owned by a name below <paramref name="name"/> (an empty non-terminal).</summary>
    public bool HasNamesBelow(DnsName name) => interior.Contains(new DnsNameSuffix(name, 0));

    private void Add(DnsZoneRecord record)
    {
        if (!byName.TryGetValue(record.Name, out var owned)) byName[record.Name] = owned = [];
        foreach (var existing in owned)
            if (existing.Type == record.Type && existing.Data.Equals(record.Data)) return;
        owned.Add(record);
        records.Add(record);
        var wire = record.Name.Wire;
        for (var start = wire[0] + 1; start < wire.Length; start += wire[start] + 1)
            if (!interior.Add(new DnsNameSuffix(record.Name, start))) break;
    }
}
