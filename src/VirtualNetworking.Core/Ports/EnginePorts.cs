
namespace VirtualNetworking.Core.Ports;

/// <summary>
/// Everything Core asks of the host, composed once per command (the module's ModuleContext, or the tests' fakes).
/// Each engine service uses the members it needs.
/// </summary>
public sealed record EnginePorts(
    IDefinitionStore Definitions,
    ILiveNetworkStore LiveNetworks,
    IPortRecordStore PortRecords,
    IHostLinks Links,
    IGuestLinks GuestLinks,
    IHostUsers Users,
    ISysctl Sysctl,
    INetworkFirewall Firewall,
    IDhcpService Dhcp,
    IBridgeInventory Bridges,
    IBootUnitHost BootUnit,
    IRandomSource Random,
    IFaultInjector Faults,
    IDnsRegistration DnsRegistration,
    IConntrack Conntrack);
