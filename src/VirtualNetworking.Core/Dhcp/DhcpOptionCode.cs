namespace VirtualNetworking.Core.Dhcp;

/// <summary>The RFC 2132 option codes this server reads or writes.</summary>
public static class DhcpOptionCode
{
    public const byte Pad = 0;
    public const byte SubnetMask = 1;
    public const byte Router = 3;
    public const byte DomainNameServer = 6;
    public const byte HostName = 12;
    public const byte DomainName = 15;
    public const byte InterfaceMtu = 26;
    public const byte BroadcastAddress = 28;
    public const byte RequestedIpAddress = 50;
    public const byte LeaseTime = 51;
    public const byte OptionOverload = 52;
    public const byte MessageType = 53;
    public const byte ServerIdentifier = 54;
    public const byte ParameterRequestList = 55;
    public const byte Message = 56;
    public const byte MaximumMessageSize = 57;
    public const byte RenewalTime = 58;
    public const byte RebindingTime = 59;
    public const byte ClientIdentifier = 61;
    public const byte TftpServerName = 66;
    public const byte BootFileName = 67;
    /// <summary>RFC 3397: the domain search list, as DNS names with compression.</summary>
    public const byte DomainSearch = 119;
    public const byte End = 255;
}
