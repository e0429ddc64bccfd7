namespace VirtualNetworking.Core.Validation;

/// <summary>ErrorIds of network-definition problems (parse, validate, update). Public contract: never rename one.</summary>
public static class NetworkErrorIds
{
    // Document level (NetworkXml.Parse).
    public const string XmlMalformed = "VNetworkXmlMalformed";
    public const string XmlTooLarge = "VNetworkXmlTooLarge";
    public const string XmlDtdProhibited = "VNetworkXmlDtdProhibited";
    public const string XmlWrongRoot = "VNetworkXmlWrongRoot";
    public const string XmlValueInvalid = "VNetworkXmlValueInvalid";

    // Identity.
    public const string NameMissing = "VNetworkNameMissing";
    public const string NameInvalid = "VNetworkNameInvalid";
    public const string NameTooLong = "VNetworkNameTooLong";
    public const string UuidInvalid = "VNetworkUuidInvalid";
    public const string TitleInvalid = "VNetworkTitleInvalid";

    // Forward.
    public const string ForwardModeUnknown = "VNetworkForwardModeUnknown";
    public const string ForwardDevMismatch = "VNetworkForwardDevMismatch";
    public const string ForwardInterfaceInvalid = "VNetworkForwardInterfaceInvalid";
    public const string IpRequired = "VNetworkIpRequired";
    public const string NatNotAllowed = "VNetworkNatNotAllowed";
    public const string NatAddressInvalid = "VNetworkNatAddressInvalid";
    public const string NatPortInvalid = "VNetworkNatPortInvalid";

    // Bridge, MAC, MTU.
    public const string BridgeNameInvalid = "VNetworkBridgeNameInvalid";
    public const string BridgeOptionNotAllowed = "VNetworkBridgeOptionNotAllowed";
    public const string MacAddressInvalid = "VNetworkMacAddressInvalid";
    public const string MacNotAllowed = "VNetworkMacNotAllowed";
    public const string MtuInvalid = "VNetworkMtuInvalid";
    public const string MtuNotAllowed = "VNetworkMtuNotAllowed";
    public const string UplinkInvalid = "VNetworkUplinkInvalid";

    // IP, DHCP, TFTP.
    public const string IpAddressInvalid = "VNetworkIpAddressInvalid";
    public const string IpNetmaskInvalid = "VNetworkIpNetmaskInvalid";
    public const string IpNotAllowed = "VNetworkIpNotAllowed";
    public const string LocalPtrInvalid = "VNetworkLocalPtrInvalid";
    public const string DhcpMultiple = "VNetworkDhcpMultiple";
    public const string DhcpRangeInvalid = "VNetworkDhcpRangeInvalid";
    public const string DhcpHostInvalid = "VNetworkDhcpHostInvalid";
    public const string LeaseTooShort = "VNetworkLeaseTooShort";
    public const string BootpInvalid = "VNetworkBootpInvalid";
    public const string TftpNotAllowed = "VNetworkTftpNotAllowed";

    // Domain and DNS.
    public const string DomainInvalid = "VNetworkDomainInvalid";
    public const string DomainNotAllowed = "VNetworkDomainNotAllowed";
    public const string DnsNotAllowed = "VNetworkDnsNotAllowed";
    public const string DnsDisabledWithRecords = "VNetworkDnsDisabledWithRecords";
    public const string DnsForwarderInvalid = "VNetworkDnsForwarderInvalid";
    public const string DnsTxtInvalid = "VNetworkDnsTxtInvalid";
    public const string DnsSrvInvalid = "VNetworkDnsSrvInvalid";
    public const string DnsHostInvalid = "VNetworkDnsHostInvalid";

    // Routes.
    public const string RouteInvalid = "VNetworkRouteInvalid";
    public const string RouteGatewayUnreachable = "VNetworkRouteGatewayUnreachable";

    // net-update.
    public const string UpdateSectionUnsupported = "VNetworkUpdateSectionUnsupported";
    public const string UpdateCommandUnsupported = "VNetworkUpdateCommandUnsupported";
    public const string UpdateElementUnexpected = "VNetworkUpdateElementUnexpected";
    public const string UpdateEntryExists = "VNetworkUpdateEntryExists";
    public const string UpdateEntryNotFound = "VNetworkUpdateEntryNotFound";
    public const string UpdateParentInvalid = "VNetworkUpdateParentInvalid";
}
