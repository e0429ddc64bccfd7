using System.Globalization;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
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
    public string Lease6File(string network) => Path.Combine(_paths.LeaseDirectory, network + ".leases6");

    /// <summary>
    /// Serves the network, or applies its new definition: DHCP when it has an IPv4 &lt;dhcp&gt; block, DHCPv6 when an IPv6
    /// one (<see cref="Dhcp6ScopeBuilder.FromNetwork"/>), DNS unless &lt;dns enable='no'/&gt; (<see cref="DnsPolicy.FromNetwork"/>),
    /// router advertisements when it has an IPv6 address (<see cref="RouterAdvertisementPolicy.FromNetwork"/>). All or nothing
    /// for a new network: DNS binds first (another server on port 53 is the likely failure), and what was made is closed
    /// again if a later socket fails. A bridge recreated since (new ifindex) gets new sockets.
    /// </summary>
    public void AddOrUpdate(string name, string bridge, string xml)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.')) throw new ArgumentException($"'{name}' is not a network name.");
        var definition = NetworkXml.Parse(xml);
        var scope = DhcpScopeBuilder.FromNetwork(definition);
        var scope6 = Dhcp6ScopeBuilder.FromNetwork(definition);
        if (scope6?.Validate() is { Count: > 0 } problems6)
            throw new ArgumentException($"Network '{name}' has an unusable IPv6 DHCP block: {string.Join("; ", problems6)}.");
        var policy = DnsPolicy.FromNetwork(definition);
        var advertisements = RouterAdvertisementPolicy.FromNetwork(definition, RouterAdvertisementDns.Of(definition, policy));
        if (scope is null && policy is null && advertisements is null)
            throw new ArgumentException($"Network '{name}' has nothing to serve: no <dhcp> block, DNS disabled, no IPv6 address to advertise.");
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
            // What this call made, closed again (last first) when a later part fails.
            var created = new List<Action>();
            try
            {
                if (policy is not null)
                {
                    if (network.Dns is { } served) served.Update(definition, policy, network.Dhcp?.Leases ?? [], network.Dhcp6?.Leases ?? []);
                    else
                    {
                        network.Dns = new DnsWorker(name, bridge, index, definition, policy, _resolvers.Current, _dnsOptions, _loop, _log);
                        created.Add(() => { network.Dns.Dispose(); network.Dns = null; });
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
                    network.Dhcp = new ScopeWorker(name, bridge, index, scope, LeaseFile(name), _linkLayer, _loop, _committer, _log);
                    created.Add(() => { network.Dhcp.Dispose(); network.Dhcp = null; });
                    network.Dhcp.LeasesChanged += network.LeasesChanged;
                }

                if (scope6 is null)
                {
                    network.Dhcp6?.Dispose();
                    network.Dhcp6 = null;
                }
                else if (network.Dhcp6 is { } dhcp6) dhcp6.UpdateScope(scope6);
                else
                {
                    network.Dhcp6 = new Dhcp6Worker(name, bridge, index, scope6, Lease6File(name), _loop, _committer, _log);
                    created.Add(() => { network.Dhcp6.Dispose(); network.Dhcp6 = null; });
                    network.Dhcp6.LeasesChanged += network.LeasesChanged;
                }

                if (advertisements is null)
                {
                    network.Advertisements?.Dispose();
                    network.Advertisements = null;
                }
                else if (network.Advertisements is { } advertising) advertising.Update(advertisements);
                else network.Advertisements = new AdvertisementWorker(name, bridge, index, advertisements, _linkLocal, _loop, _log);
            }
            catch
            {
                for (var i = created.Count - 1; i >= 0; i--) created[i]();
                throw;
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
    /// One line per network: its DHCP counters when it serves DHCP, its DHCPv6 counters (dhcp6*) when it serves DHCPv6, its DNS counters (dns*) when it serves DNS, its RA
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
        if (network.Dhcp6 is { } v6)
            fields.AddRange([("dhcp6Received", N(v6.Received)), ("dhcp6Replies", N(v6.Replies)), ("dhcp6Dropped", N(v6.Dropped)),
                ("dhcp6ActiveLeases", N(v6.Leases.Count))]);
        if (network.Advertisements is { } ra) fields.AddRange([("raSent", N(ra.Sent)), ("raSolicitations", N(ra.Solicitations))]);
        if (network.Dns?.GetStatistics() is { } d)
            fields.AddRange([("dnsQueries", N(d.Queries)), ("dnsLocal", N(d.AnsweredLocally)), ("dnsForwarded", N(d.Forwarded)),
                ("dnsNxdomain", N(d.NxDomain)), ("dnsRefused", N(d.Refused)), ("dnsMalformed", N(d.Malformed)), ("dnsDropped", N(d.Dropped))]);
        return new DhcpControlMessage(DhcpControlMessage.Network, [.. fields]);
    }

    /// <summary>One network's DHCP and DHCPv6 (when it has their scopes), DNS (unless disabled) and router advertisements (with IPv6), on one bridge.</summary>
    private sealed class ServedNetwork(string name, string bridge, int interfaceIndex) : IDisposable
    {
        public string Name { get; } = name;
        public string Bridge { get; } = bridge;
        public int InterfaceIndex { get; } = interfaceIndex;
        public ScopeWorker? Dhcp { get; set; }
        public Dhcp6Worker? Dhcp6 { get; set; }
        public DnsWorker? Dns { get; set; }
        public AdvertisementWorker? Advertisements { get; set; }

        /// <summary>Names follow leases: the DNS zone is rebuilt from the leases now.</summary>
        public void LeasesChanged() => Dns?.Rebuild(Dhcp?.Leases ?? [], Dhcp6?.Leases ?? []);

        public void Dispose()
        {
            Dhcp?.Dispose();
            Dhcp6?.Dispose();
            Dns?.Dispose();
            Advertisements?.Dispose();
        }
    }
}
