using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VirtualNetworking.Core.Dns;

public sealed record DnsQuestion(DnsName Name, DnsType Type, DnsClass Class = DnsClass.IN);

/// <summary>
/// One resource record. The OPT pseudo-record is not one of these: it is <see cref="DnsMessage.Edns"/>.
/// <see cref="Ttl"/> is as received; RFC 2181 §8 reads a value with the top bit set as 0 (see <see cref="EffectiveTtl"/>).
/// </summary>
public sealed record DnsRecord(DnsName Name, DnsType Type, DnsClass Class, uint Ttl, DnsRecordData Data)
{
    public uint EffectiveTtl => Ttl > int.MaxValue ? 0 : Ttl;

    public static DnsRecord Address(DnsName name, uint ttl, IPAddress address) =>
        new(name, address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A, DnsClass.IN, ttl, new DnsAddressData(address));

    public static DnsRecord Ptr(DnsName name, uint ttl, DnsName target) => new(name, DnsType.PTR, DnsClass.IN, ttl, new DnsNameData(target));

    public static DnsRecord Txt(DnsName name, uint ttl, DnsTxtData text) => new(name, DnsType.TXT, DnsClass.IN, ttl, text);

    public static DnsRecord Srv(DnsName name, uint ttl, DnsSrvData service) => new(name, DnsType.SRV, DnsClass.IN, ttl, service);

    public static DnsRecord Soa(DnsName name, uint ttl, DnsSoaData authority) => new(name, DnsType.SOA, DnsClass.IN, ttl, authority);
}

/// <summary>The RDATA of a record, decoded for the types this server serves or must read inside forwarded replies.</summary>
public abstract record DnsRecordData;

/// <summary>A (IPv4) or AAAA (IPv6).</summary>
public sealed record DnsAddressData(IPAddress Address) : DnsRecordData;

/// <summary>PTR, CNAME or NS: one name (RFC 1035 allows it compressed).</summary>
public sealed record DnsNameData(DnsName Name) : DnsRecordData;

public sealed record DnsMxData(ushort Preference, DnsName Exchange) : DnsRecordData;

/// <summary>RFC 2782. The target is written uncompressed, as the RFC requires; "." means the service is not offered.</summary>
public sealed record DnsSrvData(ushort Priority, ushort Weight, ushort Port, DnsName Target) : DnsRecordData;

public sealed record DnsSoaData(DnsName PrimaryServer, DnsName Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum) : DnsRecordData;

/// <summary>One or more character-strings of at most 255 octets each (RFC 1035 §3.3.14).</summary>
public sealed record DnsTxtData : DnsRecordData
{
    public const int MaxStringLength = 255;

    public DnsTxtData(IReadOnlyList<byte[]> strings)
    {
        if (strings.Count == 0) throw new ArgumentException("A TXT record holds at least one string.", nameof(strings));
        if (strings.Any(s => s.Length > MaxStringLength)) throw new ArgumentException("A TXT string holds at most 255 octets.", nameof(strings));
        Strings = strings;
    }

    public IReadOnlyList<byte[]> Strings { get; }

    /// <summary>The strings as text (UTF-8, as libvirt's value was written).</summary>
    public IEnumerable<string> Texts => Strings.Select(s => Encoding.UTF8.GetString(s));

    // byte[] compares by reference in a record; TXT data compares by content.
    public bool Equals(DnsTxtData? other) =>
        other is not null && Strings.Count == other.Strings.Count && Strings.Zip(other.Strings).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    public override int GetHashCode() => Strings.Aggregate(Strings.Count, (hash, s) => HashCode.Combine(hash, s.Length));
}

/// <summary>
/// RDATA kept as received: types this code does not decode (RFC 3597). Only types whose RDATA holds no compressed
/// name may be written back into another message; among the types RFC 1035 lets senders compress, this code decodes
/// NS, CNAME, SOA, PTR and MX, and leaves the obsolete MB, MD, MF, MG, MINFO and MR opaque.
/// </summary>
public sealed record DnsOpaqueData(byte[] Bytes) : DnsRecordData
{
    public bool Equals(DnsOpaqueData? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode() => Bytes.Length;
}

/// <summary>
/// The OPT pseudo-record (RFC 6891): the requester's UDP payload size, the EDNS version and the DO bit.
/// Options are kept as their raw TLV bytes; this server sends none.
/// </summary>
public sealed record DnsEdns(ushort UdpPayloadSize, byte Version = 0, bool DnssecOk = false)
{
    public byte[] Options { get; init; } = [];

    public bool Equals(DnsEdns? other) =>
        other is not null && UdpPayloadSize == other.UdpPayloadSize && Version == other.Version && DnssecOk == other.DnssecOk &&
        Options.AsSpan().SequenceEqual(other.Options);

    public override int GetHashCode() => HashCode.Combine(UdpPayloadSize, Version, DnssecOk, Options.Length);
}
