namespace VirtualNetworking.Core.Ndp;

/// <summary>Neighbor Discovery option types (RFC 4861 §4.6, RFC 8106 §5).</summary>
public static class NdpOptionType
{
    public const byte SourceLinkLayerAddress = 1;
    public const byte PrefixInformation = 3;
    public const byte Mtu = 5;
    public const byte RecursiveDnsServer = 25;
    public const byte DnsSearchList = 31;
}
