using System.Globalization;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The networks this daemon serves, by name; answers the control requests that change them. Every network's DHCP,
/// DNS and router advertisements are served from the one <see cref="EventLoop"/>, and every lease file is written by the one <see cref="LeaseCommitter"/>:
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
    private readonly LinkLocalWatch _linkLocal;
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
        _linkLocal = new LinkLocalWatch(_loop, log);
        _loop.Start();
        _loop.Invoke(() =>
        {
            _resolvers.Start();
            _firewall.Start();
            _linkLocal.Start();
            return true;
        });
    }

    public string LeaseFile(string network) => Path.Combine(_paths.LeaseDirectory, network + ".leases");

    /// <summary>
    /// Serves the network, or applies its new definition: DHCP when it has an IPv4 &lt;dhcp&gt; block, DNS unless
    /// &lt;dns enable='no'/&gt; (<see cref="DnsPolicy.Served"/>), router advertisements when it has an IPv6 address
    /// (<see cref="RouterAdvertisementPolicy.FromNetwork"/>). All or nothing for a new network: DNS binds first (another
    /// server on port 53 is the likely failure), and what was made is closed again if DHCP or the RA socket then fails. A
    /// bridge recreated since (new ifindex) gets new sockets.
    /// </summary>
    public void AddOrUpdate(string name, string bridge, string xml)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.')) throw new ArgumentException($"'{name}' is not a network name.");
        var definition = NetworkXml.Parse(xml);
        var scope = DhcpScopeBuilder.FromNetwork(definition);
        var policy = DnsPolicy.Served(definition);
        var advertisements = RouterAdvertisementPolicy.FromNetwork(definition, RouterAdvertisementDns.Of(definition, policy));
        if (scope is null && policy is null && advertisements is null)
            throw new ArgumentException($"Network '{name}' has nothing to serve: no IPv4 <dhcp> block, no DNS on an IPv4 address, no IPv6 address to advertise.");
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
            bool dnsCreated = false, dhcpCreated = false;
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
                dhcpCreated = true;
            }

            if (advertisements is null)
            {
                network.Advertisements?.Dispose();
                network.Advertisements = null;
            }
            else if (network.Advertisements is { } advertising) advertising.Update(advertisements);
            else
            {
                try { network.Advertisements = new AdvertisementWorker(name, bridge, index, advertisements, _linkLocal, _loop, _log); }
                catch
                {
                    if (dhcpCreated)
                    {
                        network.Dhcp!.Dispose();
                        network.Dhcp = null;
                    }
                    if (dnsCreated)
                    {
                        network.Dns!.Dispose();
                        network.Dns = null;
                    }
                    throw;
                }
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
            // Each network's last RA (router lifetime 0) leaves here: guests drop the daemon's bridges as default routers.
            foreach (var network in _networks.Values) network.Dispose();
            _linkLocal.Dispose();
            _networks.Clear();
            return true;
        });
        _loop.Dispose();
        _firewall.Dispose();
        _committer.Dispose();
        _linkLayer.Dispose();
    }

    /// <summary>
    /// One line per network: its DHCP counters when it serves DHCP, its DNS counters (dns*) when it serves DNS, its RA
    /// counters (ra*) when it sends router advertisements.
    /// </summary>
    private static DhcpControlMessage StatusLine(ServedNetwork network)
    {
        static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
        var fields = new List<(string, string)> { ("name", network.Name), ("bridge", network.Bridge), ("ifindex", N(network.InterfaceIndex)) };
        if (network.Dhcp?.GetStatistics() is { } s)
            fields.AddRange([("discovers", N(s.Discovers)), ("offers", N(s.Offers)), ("requests", N(s.Requests)), ("acks", N(s.Acks)),
                ("naks", N(s.Naks)), ("releases", N(s.Releases)), ("declines", N(s.Declines)), ("informs", N(s.Informs)),
                ("dropped", N(s.Dropped)), ("poolExhausted", N(s.PoolExhausted)), ("activeLeases", N(s.ActiveLeases))]);
        if (network.Advertisements is { } ra) fields.AddRange([("raSent", N(ra.Sent)), ("raSolicitations", N(ra.Solicitations))]);
        if (network.Dns?.GetStatistics() is { } d)
            fields.AddRange([("dnsQueries", N(d.Queries)), ("dnsLocal", N(d.AnsweredLocally)), ("dnsForwarded", N(d.Forwarded)),
                ("dnsNxdomain", N(d.NxDomain)), ("dnsRefused", N(d.Refused)), ("dnsMalformed", N(d.Malformed)), ("dnsDropped", N(d.Dropped))]);
        return new DhcpControlMessage(DhcpControlMessage.Network, [.. fields]);
    }

    /// <summary>One network's DHCP (when it has a scope), DNS (unless disabled) and router advertisements (with IPv6), on one bridge.</summary>
    private sealed class ServedNetwork(string name, string bridge, int interfaceIndex) : IDisposable
    {
        public string Name { get; } = name;
        public string Bridge { get; } = bridge;
        public int InterfaceIndex { get; } = interfaceIndex;
        public ScopeWorker? Dhcp { get; set; }
        public DnsWorker? Dns { get; set; }
        public AdvertisementWorker? Advertisements { get; set; }

        /// <summary>Names follow leases: the DNS zone is rebuilt from the leases now.</summary>
        public void LeasesChanged() => Dns?.Rebuild(Dhcp?.Leases ?? []);

        public void Dispose()
        {
            Dhcp?.Dispose();
            Dns?.Dispose();
            Advertisements?.Dispose();
        }
    }
}
