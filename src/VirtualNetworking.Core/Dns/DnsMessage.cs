namespace VirtualNetworking.Core.Dns;

/// <summary>A DNS message (RFC 1035 §4): header, questions and three record sections. Mutable so that answers are built in place.</summary>
public sealed partial class DnsMessage
{
    /// <summary>RFC 1035 §4.2.1: the largest UDP message to a requester that sent no OPT record.</summary>
    public const int ClassicUdpLimit = 512;
    /// <summary>The largest UDP payload this server offers or accepts to fill (the DNS flag day 2020 value).</summary>
    public const int EdnsUdpLimit = 1232;
    /// <summary>RFC 7766: a TCP message is framed by a 16-bit length.</summary>
    public const int MaxLength = 65535;

    public ushort Id { get; set; }
    public bool IsResponse { get; set; }
    public DnsOpcode Opcode { get; set; }
    public bool Authoritative { get; set; }
    public bool Truncated { get; set; }
    public bool RecursionDesired { get; set; }
    public bool RecursionAvailable { get; set; }
    public bool AuthenticData { get; set; }
    public bool CheckingDisabled { get; set; }
    /// <summary>The full response code; values above 15 need <see cref="Edns"/> to carry their upper bits.</summary>
    public DnsResponseCode ResponseCode { get; set; }

    public List<DnsQuestion> Questions { get; } = [];
    public List<DnsRecord> Answers { get; } = [];
    public List<DnsRecord> Authorities { get; } = [];
    /// <summary>The additional section without the OPT record, which is <see cref="Edns"/>.</summary>
    public List<DnsRecord> Additionals { get; } = [];
    public DnsEdns? Edns { get; set; }

    /// <summary>
    /// The largest response a requester takes: 512 octets over UDP without EDNS, else its advertised size (at
    /// least 512, RFC 6891 §6.2.5) capped at 1232; 65535 over TCP.
    /// </summary>
    public static int ResponseLimit(DnsTransport transport, DnsEdns? requesterEdns) =>
        transport == DnsTransport.Tcp ? MaxLength
        : requesterEdns is null ? ClassicUdpLimit
        : Math.Clamp((int)requesterEdns.UdpPayloadSize, ClassicUdpLimit, EdnsUdpLimit);

    internal ushort HeaderFlags =>
        (ushort)((IsResponse ? DnsHeader.ResponseFlag : 0) | ((int)Opcode & 0xF) << 11 | (Authoritative ? DnsHeader.AuthoritativeFlag : 0) |
                 (Truncated ? DnsHeader.TruncatedFlag : 0) | (RecursionDesired ? DnsHeader.RecursionDesiredFlag : 0) |
                 (RecursionAvailable ? DnsHeader.RecursionAvailableFlag : 0) | (AuthenticData ? DnsHeader.AuthenticDataFlag : 0) |
                 (CheckingDisabled ? DnsHeader.CheckingDisabledFlag : 0) | ((int)ResponseCode & 0xF));
}
