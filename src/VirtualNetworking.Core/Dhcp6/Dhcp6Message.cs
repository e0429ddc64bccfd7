using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>
/// A client/server DHCPv6 message (RFC 8415 §8): type, 24-bit transaction id and options in wire order, with a typed
/// view of the options this server uses. Immutable; options are validated when the message is made, so a message
/// that exists is well-formed.
/// </summary>
public sealed class Dhcp6Message
{
    /// <summary>The largest UDP payload over IPv6 without jumbograms; anything longer did not come off a socket.</summary>
    public const int MaximumLength = 65527;
    /// <summary>RFC 8415 §7.7: a lifetime or T1/T2 of all ones means infinity.</summary>
    public const uint Infinity = uint.MaxValue;
    private const int HeaderLength = 4;

    private readonly List<Dhcp6IaNa> _iaNas = [];
    private readonly List<ushort> _requestedOptions = [];
    private readonly List<IPAddress> _dnsServers = [];
    private readonly List<DnsName> _domainList = [];

    /// <summary>Makes a message from options; throws ArgumentException when one is malformed (a bug in the caller).</summary>
    public Dhcp6Message(Dhcp6MessageType type, uint transactionId, IEnumerable<Dhcp6Option> options)
    {
        if (transactionId > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(transactionId), "A transaction id has 24 bits.");
        MessageType = type;
        TransactionId = transactionId;
        Options = [.. options];
        if (Options.FirstOrDefault(o => o.Data.Length > ushort.MaxValue) is { } huge) throw new ArgumentException($"Option {huge.Code} has more than 65535 bytes.", nameof(options));
        if (Decode() is { } problem) throw new ArgumentException(problem, nameof(options));
    }

    private Dhcp6Message(Dhcp6MessageType type, uint transactionId, List<Dhcp6Option> options)
    {
        MessageType = type;
        TransactionId = transactionId;
        Options = options;
    }

    public Dhcp6MessageType MessageType { get; }
    public uint TransactionId { get; }
    public IReadOnlyList<Dhcp6Option> Options { get; }

    public Duid? ClientId { get; private set; }
    public Duid? ServerId { get; private set; }
    public IReadOnlyList<Dhcp6IaNa> IaNas => _iaNas;
    /// <summary>True when an IA_TA or IA_PD (which this server does not assign) is present; Information-request must have none.</summary>
    public bool HasOtherIa { get; private set; }
    public IReadOnlyList<ushort> RequestedOptions => _requestedOptions;
    public byte? Preference { get; private set; }
    /// <summary>Hundredths of a second since the client began the exchange.</summary>
    public ushort? ElapsedTime { get; private set; }
    public Dhcp6Status? Status { get; private set; }
    public bool RapidCommit { get; private set; }
    public IReadOnlyList<IPAddress> DnsServers => _dnsServers;
    public IReadOnlyList<DnsName> DomainList => _domainList;
    /// <summary>The first label of the Client FQDN option (RFC 4704): the name a &lt;host name&gt; matches.</summary>
    public string? ClientHostName { get; private set; }

    /// <summary>Parses a datagram strictly. Never throws: garbage yields false and a reason.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out Dhcp6Message? message, out string? problem)
    {
        message = null;
        if (data.Length < HeaderLength) { problem = $"{data.Length} bytes is shorter than a DHCPv6 header"; return false; }
        if (data.Length > MaximumLength) { problem = $"{data.Length} bytes is longer than a UDP datagram"; return false; }
        if (data[0] is 0 or > (byte)Dhcp6MessageType.InformationRequest)
        { problem = $"message type {data[0]} is not a client/server message"; return false; }
        var options = new List<Dhcp6Option>();
        if (!TryReadOptions(data[HeaderLength..], options, out problem)) return false;
        var parsed = new Dhcp6Message((Dhcp6MessageType)data[0], (uint)(data[1] << 16 | data[2] << 8 | data[3]), options);
        problem = parsed.Decode();
        if (problem is not null) return false;
        message = parsed;
        return true;
    }

    public int WireLength => HeaderLength + Options.Sum(o => o.WireLength);

    public byte[] ToArray()
    {
        var bytes = new List<byte>(WireLength) { (byte)MessageType, (byte)(TransactionId >> 16), (byte)(TransactionId >> 8), (byte)TransactionId };
        foreach (var option in Options) Dhcp6Option.AppendOption(bytes, option);
        return [.. bytes];
    }

    /// <summary>Reads a sequence of options (a message's, or those inside an IA_NA or IAADDR) with every length checked.</summary>
    private static bool TryReadOptions(ReadOnlySpan<byte> data, List<Dhcp6Option> options, out string? problem)
    {
        var at = 0;
        while (at < data.Length)
        {
            if (data.Length - at < 4) { problem = $"an option header at {at} is cut off"; return false; }
            var code = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            if (data.Length - at - 4 < length) { problem = $"option {code} claims {length} bytes, {data.Length - at - 4} remain"; return false; }
            options.Add(new Dhcp6Option(code, data.Slice(at + 4, length).ToArray()));
            at += 4 + length;
        }
        problem = null;
        return true;
    }

    /// <summary>Fills the typed view from <see cref="Options"/>; returns the first problem, or null.</summary>
    private string? Decode()
    {
        var seen = new HashSet<ushort>();
        foreach (var option in Options)
        {
            var data = option.Data;
            // RFC 8415 §21: each of these appears at most once in a message.
            if (IsSingular(option.Code) && !seen.Add(option.Code))
                return $"option {option.Code} appears twice";
            string? problem = null;
            switch (option.Code)
            {
                case Dhcp6OptionCode.ClientId: ClientId = ReadDuid(data, "client", out problem); break;
                case Dhcp6OptionCode.ServerId: ServerId = ReadDuid(data, "server", out problem); break;
                case Dhcp6OptionCode.IaNa:
                    if (TryReadIaNa(data, out var ia, out problem))
                    {
                        if (_iaNas.Any(i => i.Iaid == ia.Iaid)) return $"IA_NA {ia.Iaid} appears twice";
                        _iaNas.Add(ia);
                    }
                    break;
                case Dhcp6OptionCode.IaTa or Dhcp6OptionCode.IaPd: HasOtherIa = true; break;
                case Dhcp6OptionCode.OptionRequest:
                    if (data.Length % 2 != 0) return "the option request option has an odd length";
                    for (var i = 0; i < data.Length; i += 2) _requestedOptions.Add(BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(i)));
                    break;
                case Dhcp6OptionCode.Preference:
                    if (data.Length != 1) return "the preference option is not 1 byte";
                    Preference = data[0];
                    break;
                case Dhcp6OptionCode.ElapsedTime:
                    if (data.Length != 2) return "the elapsed time option is not 2 bytes";
                    ElapsedTime = BinaryPrimitives.ReadUInt16BigEndian(data);
                    break;
                case Dhcp6OptionCode.StatusCode: Status = ReadStatus(data, out problem); break;
                case Dhcp6OptionCode.RapidCommit:
                    if (data.Length != 0) return "the rapid commit option has data";
                    RapidCommit = true;
                    break;
                case Dhcp6OptionCode.DnsServers:
                    if (data.Length % 16 != 0) return "the DNS servers option is not a list of IPv6 addresses";
                    for (var i = 0; i < data.Length; i += 16) _dnsServers.Add(new IPAddress(data.AsSpan(i, 16)));
                    break;
                case Dhcp6OptionCode.DomainList: problem = ReadDomainList(data); break;
                case Dhcp6OptionCode.ClientFqdn: ClientHostName = ReadFqdnHost(data, out problem); break;
            }
            if (problem is not null) return problem;
        }
        return null;
    }

    /// <summary>The options this code reads that may appear once; IA options repeat, unknown ones are not judged.</summary>
    private static bool IsSingular(ushort code) => code is Dhcp6OptionCode.ClientId or Dhcp6OptionCode.ServerId or Dhcp6OptionCode.OptionRequest
        or Dhcp6OptionCode.Preference or Dhcp6OptionCode.ElapsedTime or Dhcp6OptionCode.StatusCode or Dhcp6OptionCode.RapidCommit
        or Dhcp6OptionCode.DnsServers or Dhcp6OptionCode.DomainList or Dhcp6OptionCode.ClientFqdn;

    private static Duid? ReadDuid(byte[] data, string whose, out string? problem)
    {
        if (Duid.TryFromBytes(data, out var duid, out var why)) { problem = null; return duid; }
        problem = $"the {whose} id: {why}";
        return null;
    }

    private static Dhcp6Status? ReadStatus(ReadOnlySpan<byte> data, out string? problem)
    {
        if (data.Length < 2) { problem = "a status code option is shorter than 2 bytes"; return null; }
        problem = null;
        // Invalid UTF-8 becomes U+FFFD: the message is only ever shown to people.
        return new Dhcp6Status((Dhcp6StatusCode)BinaryPrimitives.ReadUInt16BigEndian(data), Encoding.UTF8.GetString(data[2..]));
    }

    private static bool TryReadIaNa(byte[] data, [NotNullWhen(true)] out Dhcp6IaNa? ia, out string? problem)
    {
        ia = null;
        if (data.Length < 12) { problem = "an IA_NA is shorter than 12 bytes"; return false; }
        var inner = new List<Dhcp6Option>();
        if (!TryReadOptions(data.AsSpan(12), inner, out problem)) { problem = "in an IA_NA: " + problem; return false; }
        var addresses = new List<Dhcp6IaAddress>();
        Dhcp6Status? status = null;
        foreach (var option in inner)
        {
            if (option.Code == Dhcp6OptionCode.IaAddress)
            {
                if (!TryReadIaAddress(option.Data, out var address, out problem)) return false;
                addresses.Add(address);
            }
            else if (option.Code == Dhcp6OptionCode.StatusCode)
            {
                if (status is not null) { problem = "an IA_NA has two status codes"; return false; }
                status = ReadStatus(option.Data, out problem);
                if (problem is not null) return false;
            }
        }
        var span = data.AsSpan();
        ia = new Dhcp6IaNa(BinaryPrimitives.ReadUInt32BigEndian(span), BinaryPrimitives.ReadUInt32BigEndian(span[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[8..]), addresses, status);
        return true;
    }

    private static bool TryReadIaAddress(byte[] data, [NotNullWhen(true)] out Dhcp6IaAddress? address, out string? problem)
    {
        address = null;
        if (data.Length < 24) { problem = "an IA address is shorter than 24 bytes"; return false; }
        var inner = new List<Dhcp6Option>();
        if (!TryReadOptions(data.AsSpan(24), inner, out problem)) { problem = "in an IA address: " + problem; return false; }
        Dhcp6Status? status = null;
        foreach (var option in inner.Where(o => o.Code == Dhcp6OptionCode.StatusCode))
        {
            if (status is not null) { problem = "an IA address has two status codes"; return false; }
            status = ReadStatus(option.Data, out problem);
            if (problem is not null) return false;
        }
        address = new Dhcp6IaAddress(new IPAddress(data.AsSpan(0, 16)), BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(16)),
            BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(20)), status);
        return true;
    }

    private string? ReadDomainList(byte[] data)
    {
        var at = 0;
        while (at < data.Length)
        {
            var start = at;
            if (!DnsName.TryRead(data, ref at, out var name, out var problem)) return "the domain list: " + problem;
            // RFC 8415 §10 forbids compression: a name that followed a pointer consumed fewer bytes than it has.
            if (at - start != name.Wire.Length) return "the domain list uses compression";
            _domainList.Add(name);
        }
        return null;
    }

    /// <summary>RFC 4704 §4.1: flags, then a name in wire format that may lack its final root label (a partial name).</summary>
    private static string? ReadFqdnHost(byte[] data, out string? problem)
    {
        problem = null;
        if (data.Length < 1) { problem = "the client FQDN option is empty"; return null; }
        if (data.Length == 1 || data[1] == 0) return null;
        var length = data[1];
        if (length > 63 || 2 + length > data.Length) { problem = "the client FQDN's first label is malformed"; return null; }
        return Encoding.ASCII.GetString(data, 2, length);
    }
}
