using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>Definitions as text, parsed on every load like the file store's copies: no caller shares an object.</summary>
internal sealed class MemoryDefinitionStore : IDefinitionStore
{
    public readonly Dictionary<string, string> Files = new();
    public readonly HashSet<string> Autostart = new(StringComparer.Ordinal);
    public IDisposable Lock() => new NoLock();
    public IReadOnlyList<StoredNetwork> LoadAll() => Files.Keys.Select(Load).OfType<StoredNetwork>().ToList();
    public StoredNetwork? Load(string name) => Files.TryGetValue(name, out var x) ? new StoredNetwork(NetworkXml.Parse(x), Autostart.Contains(name)) : null;
    public void Save(NetworkDefinition definition) => Files[definition.Name] = NetworkXml.Format(definition);
    public void Delete(string name)
    {
        Files.Remove(name);
        Autostart.Remove(name);
    }

    public void SetAutostart(string name, bool autostart)
    {
        if (autostart) Autostart.Add(name);
        else Autostart.Remove(name);
    }
}

internal sealed class MemoryLiveNetworkStore : ILiveNetworkStore
{
    public readonly Dictionary<string, (string Xml, List<string> Journal, string? Marker)> State = new();
    /// <summary>Another session holds the lock: TryLock gives up.</summary>
    public bool Busy;
    public IDisposable Lock() => new NoLock();
    public IDisposable? TryLock(TimeSpan wait) => Busy ? null : new NoLock();
    public IReadOnlyList<LiveNetwork> LoadAll() => State.Keys.Select(Load).OfType<LiveNetwork>().ToList();
    public IReadOnlyList<string> Names() => State.Keys.ToList();
    public LiveNetwork? Load(string name) => State.TryGetValue(name, out var s)
        ? new LiveNetwork(NetworkXml.Parse(s.Xml), s.Marker is not null, s.Marker == "transient") : null;
    public void BeginStart(NetworkDefinition d) => State[d.Name] = (NetworkXml.Format(d), new List<string>(), null);
    public void AppendUndo(string name, string step) => State[name].Journal.Add(step);
    public IReadOnlyList<string> ReadUndo(string name) => State.TryGetValue(name, out var s) ? s.Journal.ToList() : [];
    public void MarkActive(string name, bool transient) => State[name] = State[name] with { Marker = transient ? "transient" : "persistent" };
    public void SaveLiveDefinition(NetworkDefinition d) => State[d.Name] = State[d.Name] with { Xml = NetworkXml.Format(d) };
    public void Clear(string name) => State.Remove(name);
}

/// <summary>Port records keyed "NETWORK/NAME", as text in the records' file format.</summary>
internal sealed class MemoryPortRecordStore : IPortRecordStore
{
    public readonly SortedDictionary<string, string> Ports = new(StringComparer.Ordinal);
    public IReadOnlyList<NetworkPort> LoadPorts(string? network) =>
        Ports.Where(p => network is null || p.Key.StartsWith(network + "/", StringComparison.Ordinal))
            .Select(p => PortRecordFormat.Parse(p.Key.Split('/')[0], p.Key.Split('/')[1], p.Value)!).ToList();
    public void SavePort(NetworkPort port) => Ports[$"{port.Network}/{port.Name}"] = PortRecordFormat.Format(port);
    public void DeletePort(string network, string name) => Ports.Remove($"{network}/{name}");
    public IReadOnlySet<string> PortNames() => Ports.Keys.Select(k => k.Split('/')[1]).ToHashSet();
    public bool PortMacTaken(string macAddress) => LoadPorts(null).Any(p => p.MacAddress == macAddress);
}

internal sealed class NoLock : IDisposable { public void Dispose() { } }
