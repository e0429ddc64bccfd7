using System.Globalization;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The networks this daemon serves, by name; answers the control requests that change them. Every network is
/// served from the one <see cref="EventLoop"/>, and every lease file is written by the one <see cref="LeaseCommitter"/>:
/// the daemon's threads are the same in number with one network or a thousand. Requests from the control thread
/// run on the loop (<see cref="EventLoop.Invoke"/>), so the networks need no lock.
/// </summary>
internal sealed class NetworkHost : IDisposable
{
    private readonly StatePaths _paths;
    private readonly DaemonLog _log;
    private readonly Dictionary<string, ScopeWorker> _workers = new(StringComparer.Ordinal);
    private readonly LinkLayerSender _linkLayer = new();
    private readonly EventLoop _loop;
    private readonly LeaseCommitter _committer;
    private DateTimeOffset? _idleSince = DateTimeOffset.UtcNow;

    public NetworkHost(StatePaths paths, DaemonLog log)
    {
        _paths = paths;
        _log = log;
        _loop = new EventLoop(log);
        _committer = new LeaseCommitter(log);
        _loop.Start();
    }

    public string LeaseFile(string network) => Path.Combine(_paths.LeaseDirectory, network + ".leases");

    /// <summary>Serves the network, or applies its new definition. A bridge recreated since (new ifindex) gets a new socket.</summary>
    public void AddOrUpdate(string name, string bridge, string xml)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.')) throw new ArgumentException($"'{name}' is not a network name.");
        var scope = DhcpScopeBuilder.FromNetwork(NetworkXml.Parse(xml))
            ?? throw new ArgumentException($"Network '{name}' has no IPv4 <dhcp> to serve.");
        var index = (int)Native.IfNameToIndex(bridge);
        if (index == 0) throw new ArgumentException($"Bridge '{bridge}' of network '{name}' does not exist.");
        _loop.Invoke(() =>
        {
            if (_workers.TryGetValue(name, out var current))
            {
                if (current.Bridge == bridge && current.InterfaceIndex == index)
                {
                    current.UpdateScope(scope);
                    return true;
                }
                _log.Write($"{name}: bridge {bridge} is now ifindex {index} (was {current.Bridge}, {current.InterfaceIndex}); rebinding");
                _workers.Remove(name);
                current.Dispose();
            }
            _workers[name] = new ScopeWorker(name, bridge, index, scope, LeaseFile(name), _linkLayer, _loop, _committer, _log);
            _idleSince = null;
            return true;
        });
    }

    /// <summary>Stops serving at once (the socket is closed on return); false when it was not served.</summary>
    public bool Remove(string name) => _loop.Invoke(() =>
    {
        if (!_workers.Remove(name, out var worker)) return false;
        worker.Dispose();
        if (_workers.Count == 0) _idleSince = DateTimeOffset.UtcNow;
        return true;
    });

    public IReadOnlyList<DhcpControlMessage> Status() => _loop.Invoke(() =>
        (IReadOnlyList<DhcpControlMessage>)[.. _workers.Values.OrderBy(w => w.Name, StringComparer.Ordinal).Select(w => StatusLine(w, w.GetStatistics()))]);

    /// <summary>How long no network has been served; null while some network is.</summary>
    public TimeSpan? IdleFor() => _loop.Invoke(() => DateTimeOffset.UtcNow - _idleSince);

    public void Dispose()
    {
        _loop.Invoke(() =>
        {
            foreach (var worker in _workers.Values) worker.Dispose();
            _workers.Clear();
            return true;
        });
        _loop.Dispose();
        _committer.Dispose();
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
