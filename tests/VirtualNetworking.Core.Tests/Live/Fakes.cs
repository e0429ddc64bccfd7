using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

/// <summary>An in-memory host whose whole state can be snapshotted as text, to compare before and after.</summary>
internal sealed class FakeHost : IHostNetwork, ISysctl, INetworkFirewall
{
    private int nextIndex = 10;
    public readonly Dictionary<string, LinkState> Links_ = new();
    public readonly List<(string Link, IpNetwork Address)> Addrs = new();
    public readonly List<(string Link, IpNetwork Destination, IPAddress? Gateway, uint? Metric, bool Kernel)> RouteList = new();
    public readonly SortedDictionary<string, string> Sysctls = new(StringComparer.Ordinal)
    {
        ["net/ipv4/ip_forward"] = "0",
        ["net/ipv6/conf/all/forwarding"] = "0",
    };
    public readonly SortedSet<string> Rules = new(StringComparer.Ordinal);
    /// <summary>Throws when an operation's name starts with this text (a kernel refusing).</summary>
    public string? FailOn;

    public string Snapshot() => string.Join('\n',
        Links_.Values.OrderBy(l => l.Name).Select(l => $"link {l.Name} {l.Kind} {l.MacAddress} {l.Mtu} up={l.IsUp} master={l.MasterIndex}")
            .Concat(Addrs.Select(a => $"addr {a.Link} {a.Address}{(NoBroadcast.Contains(a.Address) ? " no-broadcast" : "")}").Order())
            .Concat(RouteList.Select(r => $"route {r.Link} {r.Destination} {r.Gateway} {r.Metric}").Order())
            .Concat(Sysctls.Select(s => $"sysctl {s.Key}={s.Value}"))
            .Concat(Rules.Select(r => $"rule {r}")));

    public LinkState AddLink(string name, string? kind, string? mac = "02:00:00:00:00:01", int mtu = 1500)
    {
        var link = new LinkState(nextIndex++, name, kind, mac, mtu, true, null);
        Links_[name] = link;
        return link;
    }

    private void Check(string operation)
    {
        if (FailOn is not null && operation.StartsWith(FailOn, StringComparison.Ordinal))
            throw new NetworkProblemException("VNetworkHostOperationFailed", ProblemCategory.InvalidOperation, $"fake refusal: {operation}");
    }

    public bool MayChange = true;

    public void EnsureCanChange()
    {
        if (!MayChange) throw new NetworkProblemException("VNetworkPermissionDenied", ProblemCategory.PermissionDenied, "fake: no CAP_NET_ADMIN");
    }

    public IReadOnlyList<HostLink> Links() => Links_.Values.Select(l => new HostLink(l.Index, l.Name)).ToList();
    public IReadOnlyList<HostAddress> Addresses() => Addrs.Select(a => new HostAddress(IndexOf(a.Link), a.Address)).ToList();
    public IReadOnlyList<HostRoute> Routes() => RouteList.Select(r => new HostRoute(IndexOf(r.Link), r.Destination)).ToList();
    public string? LinkName(int index) => Links_.Values.FirstOrDefault(l => l.Index == index)?.Name;
    /// <summary>A link the fake does not list (an address put on a name only) gets an index no link has.</summary>
    private int IndexOf(string link) => Links_.GetValueOrDefault(link)?.Index ?? -1;
    public LinkState? GetLink(string name) => Links_.GetValueOrDefault(name);
    public IReadOnlyList<LinkState> GetLinkStates() => Links_.Values.ToList();
    public IReadOnlyList<LinkAddress> GetAddresses(int linkIndex) =>
        Addrs.Where(a => Links_.GetValueOrDefault(a.Link)?.Index == linkIndex).Select(a => new LinkAddress(a.Address, !NoBroadcast.Contains(a.Address))).ToList();

    /// <summary>Addresses that carry no broadcast address.</summary>
    public readonly HashSet<IpNetwork> NoBroadcast = new();
    public IReadOnlyList<RouteState> GetRoutes(int linkIndex) =>
        RouteList.Where(r => Links_.GetValueOrDefault(r.Link)?.Index == linkIndex)
            .Select(r => new RouteState(r.Destination, r.Gateway, linkIndex, r.Metric, r.Kernel)).ToList();

    public void CreateBridge(string name, string? macAddress, int? mtu, bool stp, TimeSpan forwardDelay)
    {
        Check("create-bridge");
        if (Links_.ContainsKey(name)) throw new NetworkProblemException("VNetworkHostOperationFailed", ProblemCategory.InvalidOperation, "exists");
        Links_[name] = new LinkState(nextIndex++, name, "bridge", macAddress, mtu ?? 1500, false, null);
        Sysctls[$"net/ipv6/conf/{name}/disable_ipv6"] = "0";
        Sysctls[$"net/ipv6/conf/{name}/accept_ra"] = "1";
        Sysctls[$"net/ipv6/conf/{name}/autoconf"] = "1";
    }

    public void DeleteLink(string name)
    {
        Check("delete-link");
        if (!Links_.Remove(name, out var gone)) return;
        Addrs.RemoveAll(a => a.Link == name);
        RouteList.RemoveAll(r => r.Link == name);
        foreach (var key in Sysctls.Keys.Where(k => k.StartsWith($"net/ipv6/conf/{name}/", StringComparison.Ordinal)).ToList()) Sysctls.Remove(key);
        foreach (var port in Links_.Values.Where(l => l.MasterIndex == gone.Index).ToList()) Links_[port.Name] = port with { MasterIndex = null };
    }

    public void SetUp(string name) { Check("set-up"); Links_[name] = Links_[name] with { IsUp = true }; }

    public void SetMaster(string name, string? master)
    {
        Check("set-master");
        Links_[name] = Links_[name] with { MasterIndex = master is null ? null : Links_[master].Index };
    }

    public void AddAddress(string link, IpNetwork address, bool broadcast = true)
    {
        if (broadcast) NoBroadcast.Remove(address); else NoBroadcast.Add(address);
        Check("add-address");
        Addrs.Add((link, address));
        RouteList.Add((link, address.Canonical, null, null, true));
    }

    public void DeleteAddress(string link, IpNetwork address)
    {
        Check("delete-address");
        Addrs.Remove((link, address));
        RouteList.RemoveAll(r => r.Link == link && (r.Destination == address.Canonical || (r.Gateway is { } g && address.Contains(g))));
    }

    public void AddRoute(string link, IpNetwork destination, IPAddress? gateway, uint? metric)
    {
        Check("add-route");
        RouteList.Add((link, destination, gateway, metric, false));
    }

    /// <summary>Namespaces that exist, with the interface names inside them.</summary>
    public readonly Dictionary<string, HashSet<string>> Namespaces = new();
    public readonly Dictionary<string, uint> Users = new() { ["qemu"] = 64055 };

    public void CreateTapPort(string name, string hostMacAddress, string bridge, uint? ownerUid)
    {
        Check("create-port");
        if (Links_.ContainsKey(name)) throw new NetworkProblemException("VNetworkHostOperationFailed", ProblemCategory.InvalidOperation, "exists");
        Links_[name] = new LinkState(nextIndex++, name, "tun", hostMacAddress, Links_[bridge].Mtu, true, Links_[bridge].Index);
    }

    public void CreateVethPort(string name, string hostMacAddress, string bridge, PortNamespace ns, string guestName, string guestMacAddress)
    {
        if (!Namespaces.TryGetValue(ns.Path, out var inside))
            throw new NetworkProblemException("VNetworkNamespaceNotFound", ProblemCategory.ObjectNotFound, $"fake: no namespace {ns.Path}");
        if (inside.Contains(guestName))
            throw new NetworkProblemException("VNetworkGuestInterfaceInUse", ProblemCategory.ResourceExists, $"fake: {guestName} exists");
        Check("create-port");
        inside.Add(guestName);
        Links_[name] = new LinkState(nextIndex++, name, "veth", hostMacAddress, Links_[bridge].Mtu, true, Links_[bridge].Index, HasCarrier: true);
    }

    public void AttachPort(string name, string bridge)
    {
        Check("attach-port");
        Links_[name] = Links_[name] with { MasterIndex = Links_[bridge].Index, Mtu = Links_[bridge].Mtu, IsUp = true };
    }

    public uint? FindUser(string user) => uint.TryParse(user, out var uid) ? uid : Users.TryGetValue(user, out var known) ? known : null;

    public string? Read(string key) => Sysctls.GetValueOrDefault(key);

    public void Write(string key, string value)
    {
        Check("sysctl");
        if (!Sysctls.ContainsKey(key)) throw new InvalidOperationException($"no sysctl {key}");
        Sysctls[key] = value;
    }

    /// <summary>Every Remove call: (tag, handles, othersHaveRules).</summary>
    public readonly List<(string Tag, IReadOnlyList<RuleHandle>? Handles, bool OthersHaveRules)> Removals = new();
    public bool TablesExist;
    private long nextHandle = 100;

    public IReadOnlyList<RuleHandle> Apply(FirewallNetwork network)
    {
        Check("firewall");
        TablesExist = true;
        var handles = new List<RuleHandle>();
        foreach (var rule in FirewallPlanner.Plan(network).Rules)
        {
            Rules.Add($"{network.Tag} {rule}");
            handles.Add(new RuleHandle(rule.Family, rule.Chain, nextHandle++));
        }
        return handles;
    }

    public void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules)
    {
        Removals.Add((network.Tag, handles, othersHaveRules));
        Rules.RemoveWhere(r => r.StartsWith(network.Tag + " ", StringComparison.Ordinal));
        if (!othersHaveRules) { Rules.Clear(); TablesExist = false; }
    }
}

internal sealed class MemoryDefinitionStore : IDefinitionStore
{
    public readonly Dictionary<string, string> Files = new();
    public IDisposable Lock() => new NoLock();
    public IReadOnlyList<StoredNetwork> LoadAll() => Files.Values.Select(x => new StoredNetwork(NetworkXml.Parse(x), false)).ToList();
    public StoredNetwork? Load(string name) => Files.TryGetValue(name, out var x) ? new StoredNetwork(NetworkXml.Parse(x), false) : null;
    public void Save(NetworkDefinition definition) => Files[definition.Name] = NetworkXml.Format(definition);
    public void Delete(string name) => Files.Remove(name);
    public void SetAutostart(string name, bool autostart) { }
}

internal sealed class MemoryLiveStore : ILiveStore
{
    public readonly Dictionary<string, (string Xml, List<string> Journal, string? Marker)> State = new();
    public IDisposable Lock() => new NoLock();
    public IReadOnlyList<LiveNetwork> LoadAll() => State.Keys.Select(Load).OfType<LiveNetwork>().ToList();
    public IReadOnlyList<string> Names() => State.Keys.ToList();
    public LiveNetwork? Load(string name) => State.TryGetValue(name, out var s)
        ? new LiveNetwork(NetworkXml.Parse(s.Xml), s.Marker is not null, s.Marker == "transient") : null;
    public void BeginStart(NetworkDefinition d) => State[d.Name] = (NetworkXml.Format(d), new List<string>(), null);
    public void AppendUndo(string name, UndoStep step) => State[name].Journal.Add(step.Encode());
    public IReadOnlyList<UndoStep> ReadUndo(string name) =>
        State.TryGetValue(name, out var s) ? s.Journal.Select(UndoStep.Decode).OfType<UndoStep>().ToList() : Array.Empty<UndoStep>();
    public void MarkActive(string name, bool transient) => State[name] = State[name] with { Marker = transient ? "transient" : "persistent" };
    public void SaveLiveDefinition(NetworkDefinition d) => State[d.Name] = State[d.Name] with { Xml = NetworkXml.Format(d) };
    public void Clear(string name) => State.Remove(name);
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

/// <summary>Fails (or records) at one named step.</summary>
internal sealed class StepFault(string? failAt) : IFaultInjector
{
    public readonly List<string> Seen = new();
    public void At(string step)
    {
        Seen.Add(step);
        if (step == failAt) throw new NetworkProblemException("VNetworkTestFault", ProblemCategory.InvalidOperation, $"injected at {step}");
    }
}

internal sealed class FakeDhcp : IDhcpService
{
    public readonly List<string> Served = new();
    public bool Refuse;

    public void Serve(NetworkDefinition liveDefinition)
    {
        if (Refuse) throw new NetworkProblemException("VNetworkDhcpUnavailable", ProblemCategory.ResourceUnavailable, "fake daemon refused");
        Served.Add(liveDefinition.Name);
    }

    public void Update(NetworkDefinition liveDefinition) { }
    public void Release(string networkName) => Served.Remove(networkName);
    public readonly List<DhcpLease> Leases = new();
    public IReadOnlyList<DhcpLease> ReadLeases(string networkName, DateTimeOffset? now = null) => Leases;
}
