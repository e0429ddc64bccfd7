namespace VirtualNetworking.Core.Problems;

/// <summary>
/// Every ErrorId the module can emit, and nowhere else is one written (a test scans the sources). Ids are
/// public contract: scripts match on them, so never rename one. Form: VNetwork + noun + condition.
/// </summary>
public static class ErrorIds
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
    public const string DomainRegisterInvalid = "VNetworkDomainRegisterInvalid";
    public const string DnsNotAllowed = "VNetworkDnsNotAllowed";
    public const string DnsDisabledWithRecords = "VNetworkDnsDisabledWithRecords";
    public const string DnsForwarderInvalid = "VNetworkDnsForwarderInvalid";
    public const string DnsTxtInvalid = "VNetworkDnsTxtInvalid";
    public const string DnsSrvInvalid = "VNetworkDnsSrvInvalid";
    public const string DnsHostInvalid = "VNetworkDnsHostInvalid";

    // Routes.
    public const string RouteInvalid = "VNetworkRouteInvalid";
    public const string RouteGatewayUnreachable = "VNetworkRouteGatewayUnreachable";

    // Port forwards.
    public const string PortForwardInvalid = "VNetworkPortForwardInvalid";
    public const string PortForwardPortInvalid = "VNetworkPortForwardPortInvalid";
    public const string PortForwardGuestOutsideSubnet = "VNetworkPortForwardGuestOutsideSubnet";
    public const string PortForwardSourceInvalid = "VNetworkPortForwardSourceInvalid";
    public const string PortForwardNotAllowed = "VNetworkPortForwardNotAllowed";
    public const string PortForwardDuplicate = "VNetworkPortForwardDuplicate";

    // net-update.
    public const string UpdateSectionUnsupported = "VNetworkUpdateSectionUnsupported";
    public const string UpdateCommandUnsupported = "VNetworkUpdateCommandUnsupported";
    public const string UpdateElementUnexpected = "VNetworkUpdateElementUnexpected";
    public const string UpdateEntryExists = "VNetworkUpdateEntryExists";
    public const string UpdateEntryNotFound = "VNetworkUpdateEntryNotFound";
    public const string UpdateParentInvalid = "VNetworkUpdateParentInvalid";

    // Parameters of the cmdlets.
    public const string SubnetInvalid = "VNetworkSubnetInvalid";
    public const string DhcpConflict = "VNetworkDhcpConflict";
    public const string TransientAutostart = "VNetworkTransientAutostart";
    public const string BridgedOptionInvalid = "VNetworkBridgedOptionInvalid";
    public const string ForwardDeviceNotAllowed = "VNetworkForwardDeviceNotAllowed";

    // The definition store (define, change, remove).
    public const string NotFound = "VNetworkNotFound";
    public const string NameExists = "VNetworkNameExists";
    public const string UuidMismatch = "VNetworkUuidMismatch";
    public const string UuidInUse = "VNetworkUuidInUse";
    public const string Transient = "VNetworkTransient";
    public const string NowTransient = "VNetworkNowTransient";
    public const string SubnetInUse = "VNetworkSubnetInUse";
    public const string NoFreeSubnet = "VNetworkNoFreeSubnet";
    public const string BridgeInUse = "VNetworkBridgeInUse";
    public const string BridgeNamesExhausted = "VNetworkBridgeNamesExhausted";
    public const string RestartPending = "VNetworkRestartPending";
    public const string StoreBusy = "VNetworkStoreBusy";

    // Files the user names (Import-VNetwork, Export-VNetwork).
    public const string FileNotFound = "VNetworkFileNotFound";
    public const string FileUnreadable = "VNetworkFileUnreadable";
    public const string ExportFailed = "VNetworkExportFailed";

    // Start, stop, restart.
    public const string NotActive = "VNetworkNotActive";
    public const string AlreadyActive = "VNetworkAlreadyActive";
    public const string ModeNotSupported = "VNetworkModeNotSupported";
    public const string BridgeNameMissing = "VNetworkBridgeNameMissing";
    public const string BridgeExists = "VNetworkBridgeExists";
    public const string BridgeNotABridge = "VNetworkBridgeNotABridge";
    public const string UplinkNotFound = "VNetworkUplinkNotFound";
    /// <summary>Turning IPv6 forwarding on would make a link that learns routes from RAs lose them (accept_ra not 2).</summary>
    public const string Ipv6ForwardingUnsafe = "VNetworkIpv6ForwardingUnsafe";
    public const string FeatureNotEnforced = "VNetworkFeatureNotEnforced";
    /// <summary>A warning: the network's IPv6 is routed, so its guests are reachable from outside.</summary>
    public const string Ipv6OpenInbound = "VNetworkIpv6OpenInbound";
    public const string CleanupIncomplete = "VNetworkCleanupIncomplete";
    /// <summary>Only in a sandbox VNET_ROOT, when a test asks for a failure at a start step.</summary>
    public const string TestFault = "VNetworkTestFault";

    // The host: rights, kernel, firewall, DHCP daemon, boot unit.
    public const string PermissionDenied = "VNetworkPermissionDenied";
    public const string HostOperationFailed = "VNetworkHostOperationFailed";
    public const string LinkNotFound = "VNetworkLinkNotFound";
    public const string FirewallFailed = "VNetworkFirewallFailed";
    public const string DhcpUnavailable = "VNetworkDhcpUnavailable";
    public const string DnsPortInUse = "VNetworkDnsPortInUse";
    public const string BootUnitSkipped = "VNetworkBootUnitSkipped";
    /// <summary>A failure nothing below the cmdlet turned into one of the ids above: a defect to report.</summary>
    public const string InternalError = "VNetworkInternalError";

    // DHCP reservations.
    public const string ReservationExists = "VNetworkReservationExists";
    public const string ReservationNotFound = "VNetworkReservationNotFound";
    public const string ReservationOutsideSubnet = "VNetworkReservationOutsideSubnet";
    public const string ReservationFamilyMismatch = "VNetworkReservationFamilyMismatch";
    public const string ReservationIdentityMissing = "VNetworkReservationIdentityMissing";
    public const string DuidInvalid = "VNetworkDuidInvalid";

    // Desired state: configuration documents (Invoke-/Test-VNetworkConfiguration, Test-VNetwork) and their plans.
    public const string ConfigurationKeyUnknown = "VNetworkConfigurationKeyUnknown";
    public const string ConfigurationKeyMissing = "VNetworkConfigurationKeyMissing";
    public const string ConfigurationValueInvalid = "VNetworkConfigurationValueInvalid";
    public const string ConfigurationNameDuplicate = "VNetworkConfigurationNameDuplicate";
    public const string ConfigurationNotSupported = "VNetworkConfigurationNotSupported";
    public const string ConfigurationFileInvalid = "VNetworkConfigurationFileInvalid";
    public const string RestartRequired = "VNetworkRestartRequired";

    // Port forwards added and removed (Add-/Remove-VNetworkPortForward).
    public const string PortForwardNotFound = "VNetworkPortForwardNotFound";
    public const string PortForwardAmbiguous = "VNetworkPortForwardAmbiguous";
    /// <summary>A warning: the forward is in place, but UDP flows from before it keep their old path until idle.</summary>
    public const string PortForwardFlowsNotCleared = "VNetworkPortForwardFlowsNotCleared";
    /// <summary>A warning: no lease or reservation holds the forward's guest address (yet).</summary>
    public const string PortForwardGuestUnknown = "VNetworkPortForwardGuestUnknown";

    // Guest ports.
    public const string BridgeNotFound = "VNetworkBridgeNotFound";
    public const string NamespaceInvalid = "VNetworkNamespaceInvalid";
    public const string NamespaceNotFound = "VNetworkNamespaceNotFound";
    public const string GuestInterfaceInUse = "VNetworkGuestInterfaceInUse";
    public const string PortNotFound = "VNetworkPortNotFound";
    public const string PortNameInvalid = "VNetworkPortNameInvalid";
    public const string PortNameInUse = "VNetworkPortNameInUse";
    public const string PortNamesExhausted = "VNetworkPortNamesExhausted";
    public const string PortMacInUse = "VNetworkPortMacInUse";
    public const string PortOwnerNotFound = "VNetworkPortOwnerNotFound";
    public const string PortNamespaceRequired = "VNetworkPortNamespaceRequired";
    public const string PortParameterInvalid = "VNetworkPortParameterInvalid";

    // A network's DNS, asked as a guest asks it (Resolve-VNetworkName).
    public const string DnsDisabled = "VNetworkDnsDisabled";
    public const string DnsNameInvalid = "VNetworkDnsNameInvalid";
    public const string DnsNoResponse = "VNetworkDnsNoResponse";
    public const string DnsNameNotFound = "VNetworkDnsNameNotFound";
    public const string DnsQueryFailed = "VNetworkDnsQueryFailed";
}
