namespace VirtualNetworking.Core.Dhcp6;

/// <summary>RFC 8415 §7.3. Relay-forward and relay-reply are not served: our server sits on the guests' own link.</summary>
public enum Dhcp6MessageType : byte
{
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
}

/// <summary>The option codes this server reads or writes (RFC 8415 §21, RFC 3646, RFC 4704); others are kept opaque.</summary>
public static class Dhcp6OptionCode
{
    public const ushort ClientId = 1;
    public const ushort ServerId = 2;
    public const ushort IaNa = 3;
    /// <summary>Temporary addresses: not assigned here, only noticed (Information-request must carry no IA).</summary>
    public const ushort IaTa = 4;
    public const ushort IaAddress = 5;
    public const ushort OptionRequest = 6;
    public const ushort Preference = 7;
    public const ushort ElapsedTime = 8;
    public const ushort StatusCode = 13;
    public const ushort RapidCommit = 14;
    public const ushort DnsServers = 23;
    public const ushort DomainList = 24;
    /// <summary>Prefix delegation: not assigned here, only noticed like IA_TA.</summary>
    public const ushort IaPd = 25;
    public const ushort ClientFqdn = 39;
}

/// <summary>RFC 8415 §21.13.</summary>
public enum Dhcp6StatusCode : ushort
{
    Success = 0,
    UnspecFail = 1,
    NoAddrsAvail = 2,
    NoBinding = 3,
    NotOnLink = 4,
    UseMulticast = 5,
}
