using System.Globalization;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The networks this daemon serves, by name; answers the control requests that change them. Every network's DHCP and
/// DNS are served from the one <see cref="EventLoop"/>, and every lease file is written by the one <see cref="LeaseCommitter"/>:
/// the daemon's threads are the same in number with one network or a thousand. Requests from the control thread
/// run on the loop (<see cref="EventLoop.Invoke"/>), so the networks need no lock.
/// </summary>
internal sealed class NetworkHost : IDisposable
{
    private readonly StatePaths _paths;
    private readonly DaemonLog _log;
    private readonly Dictionary<string, ServedNetwork> _networks = new(StringComparer.Ordinal);
    private readonly LinkLayerSender _linkLayer = new();
    private readonly EventLoop _loop;
    private readonly LeaseCommitter _committer;
    private readonly HostResolvers _resolvers;
    private readonly DnsServerOptions _dnsOptions;
    private readonly FirewallWatch _firewall;
    private DateTimeOffset? _idleSince = DateTimeOffset.UtcNow;

    /// <param name="resolvConf">The resolv.conf whose nameservers are the networks' default upstreams; null: /etc/resolv.conf.</param>
    /// <param name="dnsOptions">Every network's DNS server tunables (the local TTL from --dns-local-ttl).</param>
    /// <param name="firewallRestore">Puts the active networks' nftables rules back when nftables reports them deleted.</param>
    public NetworkHost(StatePaths paths, DaemonLog log, string? resolvConf, DnsServerOptions dnsOptions, FirewallRestore firewallRestore)
    {
        _dnsOptions = dnsOptions;
        _paths = paths;
        _log = log;
        _loop = new EventLoop(log);
        _committer = new LeaseCommitter(log);
        _resolvers = new HostResolvers(resolvConf, _loop, log);
        _resolvers.Changed += () =>
        {
            foreach (var network in _networks.Values) network.Dns?.UseHostResolvers(_resolvers.Current);
        };
        _firewall = new FirewallWatch(_loop, log, firewallRestore);
        _loop.Start();
        _loop.Invoke(() =>
        {
            _resolvers.Start();
            _firewall.Start();
            return true;
        });
    }

    public string LeaseFile(string network) => Path.Combine(_paths.LeaseDirectory, network + ".leases");

    /// <summary>
    /// Serves the network, or applies its new definition: DHCP when it has an IPv4 &lt;dhcp&gt; block, DNS unless
    /// &lt;dns enable='no'/&gt;. All or nothing for a new network: DNS binds first (another server on port 53 is the likely
    /// failure), and is closed again if DHCP then fails. A bridge recreated since (new ifindex) gets new sockets.
    /// </summary>
    public void AddOrUpdate(string name, string bridge, string xml)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.')) throw new ArgumentException($"'{name}' is not a network name.");
        var definition = NetworkXml.Parse(xml);
        var scope = DhcpScopeBuilder.FromNetwork(definition);
        var policy = DnsPolicy.FromNetwork(definition);
        if (scope is null && policy is null) throw new ArgumentException($"Network '{name}' has neither an IPv4 <dhcp> block nor DNS to serve.");
        if (!definition.Ips.Any(ip => !ip.IsIPv6))
            throw new ArgumentException($"Network '{name}' has no IPv4 address on bridge '{bridge}' to serve DHCP and DNS from.");
        var index = (int)Native.IfNameToIndex(bridge);
        if (index == 0) throw new ArgumentException($"Bridge '{bridge}' of network '{name}' does not exist.");
        _loop.Invoke(() =>
        {
            if (_networks.TryGetValue(name, out var current) && (current.Bridge != bridge || current.InterfaceIndex != index))
            {
                _log.Write($"{name}: bridge {bridge} is now ifindex {index} (was {current.Bridge}, {current.InterfaceIndex}); rebinding");
                _networks.Remove(name);
                current.Dispose();
                current = null;
            }
            var network = current ?? new ServedNetwork(name, bridge, index);
            if (policy is null || (network.Dns is { } dns && !dns.Addresses.SequenceEqual(DnsWorker.AddressesOf(definition))))
            {
                network.Dns?.Dispose();
                network.Dns = null;
            }
            var dnsCreated = false;
            if (policy is not null)
            {
                if (network.Dns is { } served) served.Update(definition, policy, network.Dhcp?.Leases ?? []);
                else
                {
                    network.Dns = new DnsWorker(name, bridge, index, definition, policy, _resolvers.Current, _dnsOptions, _loop, _log);
                    dnsCreated = true;
                }
            }

            if (scope is null)
            {
                network.Dhcp?.Dispose();
                network.Dhcp = null;
            }
            else if (network.Dhcp is { } dhcp) dhcp.UpdateScope(scope);
            else
            {
                try { network.Dhcp = new ScopeWorker(name, bridge, index, scope, LeaseFile(name), _linkLayer, _loop, _committer, _log); }
                catch
                {
                    if (dnsCreated)
                    {
                        network.Dns!.Dispose();
                        network.Dns = null;
                    }
                    throw;
                }
                network.Dhcp.LeasesChanged += network.LeasesChanged;
            }
            network.LeasesChanged();
            _networks[name] = network;
            _idleSince = null;
            return true;
        });
    }

    /// <summary>Stops serving at once (the sockets are closed on return); false when it was not served.</summary>
    public bool Remove(string name) => _loop.Invoke(() =>
    {
        if (!_networks.Remove(name, out var network)) return false;
        network.Dispose();
        if (_networks.Count == 0) _idleSince = DateTimeOffset.UtcNow;
        return true;
    });

    public IReadOnlyList<DhcpControlMessage> Status() => _loop.Invoke(() =>
        (IReadOnlyList<DhcpControlMessage>)[.. _networks.Values.OrderBy(n => n.Name, StringComparer.Ordinal).Select(StatusLine)]);

    /// <summary>How many times the firewall watch put rules back.</summary>
    public long FirewallRestores => _firewall.Restores;

    /// <summary>How long no network has been served; null while some network is.</summary>
    public TimeSpan? IdleFor() => _loop.Invoke(() => DateTimeOffset.UtcNow - _idleSince);

    public void Dispose()
    {
        _loop.Invoke(() =>
        {
            _resolvers.Stop();
            _firewall.Stop();
            foreach (var network in _networks.Values) network.Dispose();
            _networks.Clear();
            return true;
        });
        _loop.Dispose();
        _firewall.Dispose();
        _committer.Dispose();
        _linkLayer.Dispose();
    }

    /// <summary>
    /// One line per network: its DHCP counters when it serves DHCP, its DNS counters (dns*) when it serves DNS.
    /// </summary>
    private static DhcpControlMessage StatusLine(ServedNetwork network)
    {
        static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
        var fields = new List<(string, string)> { ("name", network.Name), ("bridge", network.Bridge), ("ifindex", N(network.InterfaceIndex)) };
        if (network.Dhcp?.GetStatistics() is { } s)
            fields.AddRange([("discovers", N(s.Discovers)), ("offers", N(s.Offers)), ("requests", N(s.Requests)), ("acks", N(s.Acks)),
                ("naks", N(s.Naks)), ("releases", N(s.Releases)), ("declines", N(s.Declines)), ("informs", N(s.Informs)),
                ("dropped", N(s.Dropped)), ("poolExhausted", N(s.PoolExhausted)), ("activeLeases", N(s.ActiveLeases))]);
        if (network.Dns?.GetStatistics() is { } d)
            fields.AddRange([("dnsQueries", N(d.Queries)), ("dnsLocal", N(d.AnsweredLocally)), ("dnsForwarded", N(d.Forwarded)),
                ("dnsNxdomain", N(d.NxDomain)), ("dnsRefused", N(d.Refused)), ("dnsMalformed", N(d.Malformed)), ("dnsDropped", N(d.Dropped))]);
        return new DhcpControlMessage(DhcpControlMessage.Network, [.. fields]);
    }

    /// <summary>One network's DHCP (when it has a scope) and DNS (unless disabled), on one bridge.</summary>
    private sealed class ServedNetwork(string name, string bridge, int interfaceIndex) : IDisposable
    {
        public string Name { get; } = name;
        public string Bridge { get; } = bridge;
        public int InterfaceIndex { get; } = interfaceIndex;
        public ScopeWorker? Dhcp { get; set; }
        public DnsWorker? Dns { get; set; }

        /// <summary>Names follow leases: the DNS zone is rebuilt from the leases now.</summary>
        public void LeasesChanged() => Dns?.Rebuild(Dhcp?.Leases ?? []);

        public void Dispose()
        {
            Dhcp?.Dispose();
            Dns?.Dispose();
        }
    }
}
