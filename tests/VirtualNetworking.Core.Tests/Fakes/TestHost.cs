using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>Every fake a test may look into, and the engine's ports over them.</summary>
internal sealed class TestHost
{
    public readonly FakeHost Host = new();
    public readonly MemoryDefinitionStore Definitions = new();
    public readonly MemoryLiveNetworkStore Live = new();
    public readonly MemoryPortRecordStore PortRecords = new();
    public readonly FakeDhcp Dhcp = new();
    public readonly FakeBridgeInventory Bridges = new();
    public readonly FakeBootUnitHost BootUnit = new();
    public readonly CountingRandom Random = new();
    public readonly FakeDnsRegistration DnsRegistration = new();

    public EnginePorts Ports(IFaultInjector? faults = null) =>
        new(Definitions, Live, PortRecords, Host, Host, Host, Host, Host, Dhcp, Bridges, BootUnit, Random, faults ?? NoFaults.Instance, DnsRegistration, Host);
}
