namespace VirtualNetworking.Core.Dns;

/// <summary>Resource record types (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891) this code names; others pass as numbers.</summary>
public enum DnsType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
}

public enum DnsClass : ushort
{
    IN = 1,
    CH = 3,
    HS = 4,
    Any = 255,
}

public enum DnsOpcode : byte
{
    Query = 0,
    InverseQuery = 1,
    Status = 2,
    Notify = 4,
    Update = 5,
}

/// <summary>The 12-bit response code: 4 bits in the header, 8 more in the OPT record (RFC 6891 §6.1.3).</summary>
public enum DnsResponseCode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    BadVers = 16,
}

public enum DnsTransport
{
    Udp,
    Tcp,
}
