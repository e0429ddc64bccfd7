using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// A Router Advertisement (RFC 4861 §4.2) and the options a router of ours sends. <see cref="ToArray"/> writes the
/// ICMPv6 message with a zero checksum: the kernel fills it in for a raw ICMPv6 socket (see <see cref="Icmpv6Checksum"/>).
/// </summary>
public sealed record RouterAdvertisement
{
    public const byte Type = 134;
    /// <summary>Type, code, checksum, hop limit, flags, router lifetime, reachable time, retrans timer.</summary>
    public const int HeaderLength = 16;
    /// <summary>A lifetime of all one bits never ends (RFC 4861 §4.6.2).</summary>
    public const uint Infinity = uint.MaxValue;
    private const byte ManagedFlag = 0x80, OtherFlag = 0x40, OnLinkFlag = 0x80, AutonomousFlag = 0x40;

    /// <summary>The hop limit hosts should use; 0 = unspecified.</summary>
    public byte CurHopLimit { get; init; }
    /// <summary>M: addresses come from DHCPv6.</summary>
    public bool Managed { get; init; }
    /// <summary>O: other configuration comes from DHCPv6.</summary>
    public bool OtherConfiguration { get; init; }
    /// <summary>Seconds hosts may use this router as default router; 0 = not a default router.</summary>
    public ushort RouterLifetime { get; init; }
    /// <summary>Milliseconds; 0 = unspecified.</summary>
    public uint ReachableTime { get; init; }
    /// <summary>Milliseconds; 0 = unspecified.</summary>
    public uint RetransTimer { get; init; }
    public IReadOnlyList<PrefixInformation> Prefixes { get; init; } = [];
    public uint? Mtu { get; init; }
    public PhysicalAddress? SourceLinkLayerAddress { get; init; }
    public RecursiveDnsServerOption? RecursiveDnsServers { get; init; }
    public DnsSearchListOption? DnsSearchList { get; init; }

    /// <summary>
    /// The message, options in dnsmasq's order (prefixes, MTU, source link-layer address, RDNSS, DNSSL) so that a capture
    /// compares with libvirt's. Throws on what cannot be encoded: an IPv4 prefix or DNS server, an empty RDNSS or DNSSL.
    /// </summary>
    public byte[] ToArray()
    {
        var buffer = new List<byte>(128);
        Span<byte> header = stackalloc byte[HeaderLength];
        header[0] = Type;
        header[4] = CurHopLimit;
        header[5] = (byte)((Managed ? ManagedFlag : 0) | (OtherConfiguration ? OtherFlag : 0));
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], RouterLifetime);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], ReachableTime);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], RetransTimer);
        buffer.AddRange(header);

        foreach (var prefix in Prefixes) WritePrefix(buffer, prefix);
        if (Mtu is { } mtu)
        {
            buffer.AddRange([NdpOptionType.Mtu, 1, 0, 0]);
            AddUInt32(buffer, mtu);
        }
        if (SourceLinkLayerAddress is { } mac) WriteLinkLayer(buffer, mac.GetAddressBytes());
        if (RecursiveDnsServers is { } rdnss) WriteRdnss(buffer, rdnss);
        if (DnsSearchList is { } dnssl) WriteDnssl(buffer, dnssl);
        return [.. buffer];
    }

    private static void WritePrefix(List<byte> buffer, PrefixInformation prefix)
    {
        if (!prefix.Prefix.IsIPv6) throw new InvalidOperationException($"Prefix {prefix.Prefix} is not IPv6.");
        buffer.AddRange([NdpOptionType.PrefixInformation, PrefixInformation.Length / 8, (byte)prefix.Prefix.PrefixLength,
            (byte)((prefix.OnLink ? OnLinkFlag : 0) | (prefix.Autonomous ? AutonomousFlag : 0))]);
        AddUInt32(buffer, prefix.ValidLifetime);
        AddUInt32(buffer, prefix.PreferredLifetime);
        AddUInt32(buffer, 0); // Reserved2
        buffer.AddRange(prefix.Prefix.Network.GetAddressBytes());
    }

    /// <summary>RFC 4861 §4.6.1: the address, padded with zeros to a multiple of 8 octets with the type and length.</summary>
    private static void WriteLinkLayer(List<byte> buffer, byte[] address)
    {
        var units = (address.Length + 2 + 7) / 8;
        buffer.AddRange([NdpOptionType.SourceLinkLayerAddress, (byte)units]);
        buffer.AddRange(address);
        buffer.AddRange(new byte[units * 8 - 2 - address.Length]);
    }

    private static void WriteRdnss(List<byte> buffer, RecursiveDnsServerOption rdnss)
    {
        // The length octet counts 8-octet units: one for the header, two per address.
        if (rdnss.Servers.Count is 0 or > 127) throw new InvalidOperationException($"An RDNSS option holds 1 to 127 servers, not {rdnss.Servers.Count}.");
        buffer.AddRange([NdpOptionType.RecursiveDnsServer, (byte)(1 + 2 * rdnss.Servers.Count), 0, 0]);
        AddUInt32(buffer, rdnss.Lifetime);
        foreach (var server in rdnss.Servers)
        {
            if (server.AddressFamily != AddressFamily.InterNetworkV6) throw new InvalidOperationException($"DNS server {server} is not IPv6.");
            buffer.AddRange(server.GetAddressBytes());
        }
    }

    /// <summary>RFC 8106 §5.2: the names in uncompressed wire form, then zeros up to a multiple of 8 octets.</summary>
    private static void WriteDnssl(List<byte> buffer, DnsSearchListOption dnssl)
    {
        if (dnssl.Domains.Count == 0) throw new InvalidOperationException("A DNSSL option needs at least one domain (RFC 8106 §5.2).");
        var names = dnssl.Domains.Sum(d => d.Wire.Length);
        var units = (8 + names + 7) / 8;
        if (units > byte.MaxValue) throw new InvalidOperationException($"The search list needs {units} units of 8 octets; an option holds 255.");
        buffer.AddRange([NdpOptionType.DnsSearchList, (byte)units, 0, 0]);
        AddUInt32(buffer, dnssl.Lifetime);
        foreach (var domain in dnssl.Domains) buffer.AddRange(domain.Wire);
        buffer.AddRange(new byte[units * 8 - 8 - names]);
    }

    private static void AddUInt32(List<byte> buffer, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        buffer.AddRange(bytes);
    }
}
