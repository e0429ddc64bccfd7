using System.Globalization;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Daemon;

/// <summary>The networks this daemon serves, by name; answers the control requests that change them.</summary>
internal sealed class NetworkHost(StatePaths paths, DaemonLog log) : IDisposable
{
    private readonly Dictionary<string, ScopeWorker> _workers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly LinkLayerSender _linkLayer = new();
    private DateTimeOffset _idleSince = DateTimeOffset.UtcNow;

    public string LeaseFile(string network) => Path.Combine(paths.LeaseDirectory, network + ".leases");

    /// <summary>Serves the network, or applies its new definition. A bridge recreated since (new ifindex) gets a new socket.</summary>
    public void AddOrUpdate(string name, string bridge, string xml)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.')) throw new ArgumentException($"'{name}' is not a network name.");
        var scope = DhcpScopeBuilder.FromNetwork(NetworkXml.Parse(xml))
            ?? throw new ArgumentException($"Network '{name}' has no IPv4 <dhcp> to serve.");
        var index = (int)Native.IfNameToIndex(bridge);
        if (index == 0) throw new ArgumentException($"Bridge '{bridge}' of network '{name}' does not exist.");
        lock (_lock)
        {
            if (_workers.TryGetValue(name, out var current))
            {
                if (current.Bridge == bridge && current.InterfaceIndex == index)
                {
                    current.UpdateScope(scope);
                    return;
                }
                log.Write($"{name}: bridge {bridge} is now ifindex {index} (was {current.Bridge}, {current.InterfaceIndex}); rebinding");
                _workers.Remove(name);
                current.Dispose();
            }
            _workers[name] = new ScopeWorker(name, bridge, index, scope, LeaseFile(name), _linkLayer, log);
        }
    }

    /// <summary>Stops serving at once (the socket is closed on return); false when it was not served.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            if (!_workers.Remove(name, out var worker)) return false;
            worker.Dispose();
            if (_workers.Count == 0) _idleSince = DateTimeOffset.UtcNow;
            return true;
        }
    }

    public IReadOnlyList<DhcpControlMessage> Status()
    {
        lock (_lock)
        {
            return [.. _workers.Values.OrderBy(w => w.Name, StringComparer.Ordinal).Select(w => StatusLine(w, w.GetStatistics()))];
        }
    }

    /// <summary>How long no network has been served; null while some network is.</summary>
    public TimeSpan? IdleFor()
    {
        lock (_lock) return _workers.Count == 0 ? DateTimeOffset.UtcNow - _idleSince : null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var worker in _workers.Values) worker.Dispose();
            _workers.Clear();
        }
        _linkLayer.Dispose();
    }

    private static DhcpControlMessage StatusLine(ScopeWorker worker, DhcpStatistics s)
    {
        static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
        return new DhcpControlMessage(DhcpControlMessage.Network,
            ("name", worker.Name), ("bridge", worker.Bridge), ("ifindex", N(worker.InterfaceIndex)),
            ("discovers", N(s.Discovers)), ("offers", N(s.Offers)), ("requests", N(s.Requests)), ("acks", N(s.Acks)),
            ("naks", N(s.Naks)), ("releases", N(s.Releases)), ("declines", N(s.Declines)), ("informs", N(s.Informs)),
            ("dropped", N(s.Dropped)), ("poolExhausted", N(s.PoolExhausted)), ("activeLeases", N(s.ActiveLeases)));
    }
}
