using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Host;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>Fails (or records) at one named step.</summary>
internal sealed class StepFault(string? failAt) : IFaultInjector
{
    public readonly List<string> Seen = new();
    public void At(string step)
    {
        Seen.Add(step);
        if (step == failAt) throw new NetworkProblemException(ErrorIds.TestFault, ProblemCategory.InvalidOperation, $"injected at {step}");
    }
}

internal sealed class FakeDhcp : IDhcpService
{
    public readonly List<string> Served = new();
    public bool Refuse;

    public void Serve(NetworkDefinition liveDefinition)
    {
        if (Refuse) throw new NetworkProblemException(ErrorIds.DhcpUnavailable, ProblemCategory.ResourceUnavailable, "fake daemon refused");
        Served.Add(liveDefinition.Name);
    }

    /// <summary>As the daemon: an update of a network it does not serve yet serves it.</summary>
    public void Update(NetworkDefinition liveDefinition)
    {
        if (!Served.Contains(liveDefinition.Name)) Serve(liveDefinition);
    }
    public void Release(string networkName) => Served.Remove(networkName);
    public readonly List<DhcpLease> Leases = new();
    public IReadOnlyList<DhcpLease> ReadLeases(string networkName) => Leases;
    public readonly List<Dhcp6Lease> Leases6 = new();
    public IReadOnlyList<Dhcp6Lease> ReadLeases6(string networkName) => Leases6;
}

/// <summary>The host's resolver: what is registered per bridge; Unavailable and Refuse play a host without resolved and a failing one.</summary>
internal sealed class FakeDnsRegistration : IDnsRegistration
{
    public readonly Dictionary<string, (IReadOnlyList<System.Net.IPAddress> Servers, string Domain)> Registered = new();
    public string? Reason;
    public bool Refuse;

    public string? Unavailable() => Reason;

    public void Register(string bridge, IReadOnlyList<System.Net.IPAddress> servers, string domain)
    {
        if (Refuse) throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.ResourceUnavailable, "fake resolved refused");
        Registered[bridge] = (servers, domain);
    }

    public void Unregister(string bridge) => Registered.Remove(bridge);
}

/// <summary>Hands out the queued bytes first, then counts up: reproducible MACs and UUIDs.</summary>
internal sealed class CountingRandom : IRandomSource
{
    public byte[] Next = [];
    private int offset;
    private byte counter = 0x10;

    public void Fill(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
            buffer[i] = offset < Next.Length ? Next[offset++] : counter++;
    }
}

/// <summary>Bridges as a list the test fills.</summary>
internal sealed class FakeBridgeInventory : IBridgeInventory
{
    public readonly List<BridgeState> Bridges = new();
    public IReadOnlyList<BridgeState> List() => Bridges;
}

/// <summary>A service manager in memory: whether systemd runs, which pwsh exists, the unit's text and its link.</summary>
internal sealed class FakeBootUnitHost : IBootUnitHost
{
    public bool Systemd = true;
    public string? Pwsh = "/usr/bin/pwsh";
    public string? Unit;
    public bool Enabled;
    public int Writes;
    public IReadOnlyList<string> PwshLocations => ["/usr/bin/pwsh"];
    public string ModuleManifestPath => "/opt/vnet/VirtualNetworking.psd1";
    public string UnitPath => "/etc/systemd/system/" + BootUnit.FileName;
    public bool HasSystemd() => Systemd;
    public string? FindPwsh() => Pwsh;
    public string? ReadUnit() => Unit;
    public void WriteUnit(string text)
    {
        Unit = text;
        Writes++;
    }

    public int Enables;
    public bool IsEnabled() => Enabled;
    public void Enable()
    {
        Enabled = true;
        Enables++;
    }
}
