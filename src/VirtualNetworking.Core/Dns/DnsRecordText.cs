using System.Globalization;

namespace VirtualNetworking.Core.Dns;

/// <summary>The RDATA of a record as one line of text, in dig's presentation form, with names written without the root's dot.</summary>
public static class DnsRecordText
{
    public static string Of(DnsRecordData data) => data switch
    {
        DnsAddressData a => a.Address.ToString(),
        DnsNameData n => n.Name.ToString(),
        DnsMxData mx => Invariant($"{mx.Preference} {mx.Exchange}"),
        DnsSrvData srv => Invariant($"{srv.Priority} {srv.Weight} {srv.Port} {srv.Target}"),
        DnsSoaData soa => Invariant($"{soa.PrimaryServer} {soa.Mailbox} {soa.Serial} {soa.Refresh} {soa.Retry} {soa.Expire} {soa.Minimum}"),
        // One string as itself (what a test compares with); several as dig shows them, each quoted.
        DnsTxtData txt => txt.Strings.Count == 1 ? txt.Texts.Single() : string.Join(' ', txt.Texts.Select(t => $"\"{t}\"")),
        // RFC 3597 §5: the generic form of data this code does not decode.
        DnsOpaqueData opaque => Invariant($"\\# {opaque.Bytes.Length} {Convert.ToHexString(opaque.Bytes)}"),
        _ => throw new ArgumentOutOfRangeException(nameof(data), data.GetType().Name, "Unknown record data."),
    };

    /// <summary>A type by its mnemonic, or RFC 3597's TYPEnnn for one this code does not name.</summary>
    public static string Of(DnsType type) => Enum.IsDefined(type) ? type.ToString() : Invariant($"TYPE{(ushort)type}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
