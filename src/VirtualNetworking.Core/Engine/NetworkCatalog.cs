using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Engine;

/// <summary>
/// Persistent definitions: define, list, change, remove (virsh net-define/net-list/net-undefine).
/// Every check happens before the single write, under the store lock, so bad input never changes the store.
/// </summary>
public sealed class NetworkCatalog
{
    /// <summary>libvirt's first network, which Initialize-VNetworkHost defines.</summary>
    public const string DefaultNetworkName = "default";
    public const string DefaultBridge = "virbr0";
    public static readonly IpNetwork DefaultSubnet = IpNetwork.Parse("192.168.122.0/24");

    private readonly IDefinitionStore store;
    private readonly ILiveNetworkStore live;
    private readonly IHostNetworkView host;
    private readonly IRandomSource random;

    /// <param name="ports">Uses the definitions, the live networks, the host's links (read only) and randomness.</param>
    public NetworkCatalog(EnginePorts ports)
    {
        store = ports.Definitions;
        live = ports.LiveNetworks;
        host = ports.Links;
        random = ports.Random;
    }

    /// <summary>Defined networks and transient active ones; an active network shows its live definition.</summary>
    public IReadOnlyList<NetworkRecord> List()
    {
        var running = live.LoadAll().Where(l => l.Active).ToDictionary(l => l.Definition.Name, StringComparer.Ordinal);
        var records = store.LoadAll().Select(s => ToRecord(s, running.GetValueOrDefault(s.Definition.Name))).ToList();
        var persistent = records.Select(r => r.Definition.Name).ToHashSet(StringComparer.Ordinal);
        records.AddRange(running.Values.Where(l => !persistent.Contains(l.Definition.Name))
            .Select(l => new NetworkRecord(l.Definition, Autostart: false, Persistent: false, NetworkState.Active)));
        return records.OrderBy(r => r.Definition.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The names of the active networks, in name order.</summary>
    public IReadOnlyList<string> ActiveNames() => List().Where(r => r.State == NetworkState.Active).Select(r => r.Definition.Name).ToList();

    public NetworkRecord? Find(string name)
    {
        var running = live.Load(name) is { Active: true } l ? l : null;
        if (store.Load(name) is { } stored) return ToRecord(stored, running);
        return running is null ? null : new NetworkRecord(running.Definition, false, false, NetworkState.Active);
    }

    /// <summary>The stored (next-start) definition, for Export-VNetwork -Inactive.</summary>
    public NetworkDefinition? FindPersistent(string name) => store.Load(name)?.Definition;

    public NetworkRecord Get(string name) => Find(name) ?? throw NotFound(name);

    /// <summary>
    /// The 'default' NAT network, autostarted: 192.168.122.0/24 on virbr0 as libvirt has it, each where neither
    /// the host (addresses, routes, links) nor a known network takes it; otherwise left for <see cref="Create"/>
    /// to allocate a free one.
    /// </summary>
    public NetworkRequest DefaultNetworkRequest()
    {
        var known = List().Select(r => r.Definition).ToList();
        var subnetFree = !HostPrefixes().Any(p => p.Network.Overlaps(DefaultSubnet))
                         && !known.SelectMany(DefinedSubnets).Any(s => s.Overlaps(DefaultSubnet));
        var bridgeFree = host.Links().All(l => l.Name != DefaultBridge) && known.All(d => d.Bridge?.Name != DefaultBridge);
        return new NetworkRequest
        {
            Name = DefaultNetworkName,
            Mode = NetworkMode.Nat,
            Subnet = subnetFree ? DefaultSubnet : null,
            BridgeName = bridgeFree ? DefaultBridge : null,
            Autostart = true,
        };
    }

    /// <summary>New-VNetwork: build from parameters, allocate, validate, store.</summary>
    public NetworkRecord Create(NetworkRequest request)
    {
        using var _ = store.Lock();
        var existing = AllKnown();
        if (existing.Any(e => e.Definition.Name == request.Name))
            throw new NetworkProblemException(ErrorIds.NameExists, ProblemCategory.ResourceExists,
                $"A network named '{request.Name}' already exists. Choose another name, or change it with Set-VNetwork.", request.Name);

        var problems = RequestedSubnetCollisions(request, existing);
        var definition = NetworkRequestBuilder.Build(request, () => FreeSubnet(existing));
        return Commit(definition, request.Autostart, existing, problems);
    }

    /// <summary>Import-VNetwork: define from libvirt XML; the same name and UUID replaces the definition.</summary>
    public NetworkRecord Import(NetworkDefinition definition)
    {
        using var _ = store.Lock();
        var existing = AllKnown();
        var current = existing.FirstOrDefault(e => e.Definition.Name == definition.Name);
        // A document without a UUID redefines the network of that name, keeping its identity.
        if (definition.Uuid is null && current is not null)
            definition.Uuid = current.Definition.Uuid;
        return Commit(definition, current?.Autostart ?? false, existing, new List<NetworkProblem>());
    }

    /// <summary>
    /// Set-VNetwork: applies the change to the stored definition (validated like a new one) and its autostart flag.
    /// Returns the network afterwards, and a warning when the running network's live definition still differs from
    /// the change in a property that takes effect at the next start.
    /// </summary>
    public (NetworkRecord Record, IReadOnlyList<NetworkProblem> Warnings) Update(string name, NetworkChange change)
    {
        if (change.Check(name) is { Count: > 0 } problems) throw new NetworkProblemException(problems);
        var record = UpdateDefinition(name, change.ApplyTo, change.Autostart);
        if (record.State != NetworkState.Active) return (record, []);
        var pending = change.Differences(record.Definition, record.Autostart, active: true).Where(d => d.Cost != ChangeCost.Live)
            .Select(d => d.Property).ToList();
        if (pending.Count == 0) return (record, []);
        return (record, [new NetworkProblem(ErrorIds.RestartPending, ProblemCategory.InvalidOperation,
            $"Network '{name}' is active: its changed {string.Join(", ", pending)} take(s) effect at its next start (Restart-VNetwork '{name}'). Export-VNetwork -Inactive shows the stored definition.",
            name)]);
    }

    /// <summary>Changes a stored definition (and/or its autostart flag) under the store lock, validated before the write.</summary>
    public NetworkRecord UpdateDefinition(string name, Action<NetworkDefinition> change, bool? autostart)
    {
        using var _ = store.Lock();
        var existing = store.LoadAll();
        var current = existing.FirstOrDefault(e => e.Definition.Name == name) ?? throw (live.Load(name) is { Active: true }
            ? new NetworkProblemException(ErrorIds.Transient, ProblemCategory.InvalidOperation,
                $"Network '{name}' is transient: it has no definition to change. Define it with Export-VNetwork | Import-VNetwork first.", name)
            : NotFound(name));
        var definition = current.Definition.Clone();
        change(definition);
        return Commit(definition, autostart ?? current.Autostart, existing, new List<NetworkProblem>());
    }

    /// <summary>
    /// Remove-VNetwork: the definition and its autostart link go. An active network keeps running as a
    /// transient one (libvirt's net-undefine), which the returned warning says. A transient network cannot be undefined.
    /// </summary>
    public IReadOnlyList<NetworkProblem> Remove(string name)
    {
        using var _ = store.Lock();
        if (store.Load(name) is null)
        {
            if (live.Load(name) is { Active: true })
                throw new NetworkProblemException(ErrorIds.Transient, ProblemCategory.InvalidOperation,
                    $"Network '{name}' is transient: it has no definition to remove and goes away when stopped. Stop it with Stop-VNetwork.", name);
            throw NotFound(name);
        }
        store.Delete(name);
        if (live.Load(name) is not { Active: true }) return [];
        return [new NetworkProblem(ErrorIds.NowTransient, ProblemCategory.InvalidOperation,
            $"Network '{name}' is still active and is now transient: it goes away when stopped (Stop-VNetwork). Use -Force to stop it as well.", name)];
    }

    /// <summary>New-VNetwork -Transient: allocated and validated like a definition, but not stored.</summary>
    public NetworkDefinition PrepareTransient(NetworkRequest request)
    {
        using var _ = store.Lock();
        var existing = AllKnown();
        if (existing.Any(e => e.Definition.Name == request.Name))
            throw new NetworkProblemException(ErrorIds.NameExists, ProblemCategory.ResourceExists,
                $"A network named '{request.Name}' already exists. Choose another name.", request.Name);
        var problems = RequestedSubnetCollisions(request, existing);
        var definition = NetworkRequestBuilder.Build(request, () => FreeSubnet(existing));
        Check(definition, existing, problems);
        return definition;
    }

    private List<NetworkProblem> RequestedSubnetCollisions(NetworkRequest request, IReadOnlyList<StoredNetwork> existing) =>
        [.. new[] { request.Subnet, request.Ipv6Subnet }.OfType<IpNetwork>().SelectMany(s => SubnetCollisions(s, existing))];

    /// <summary>Stored definitions plus transient live ones: names, UUIDs, bridges and MACs must not clash with either.</summary>
    private IReadOnlyList<StoredNetwork> AllKnown()
    {
        var stored = store.LoadAll();
        var names = stored.Select(s => s.Definition.Name).ToHashSet(StringComparer.Ordinal);
        return stored.Concat(live.LoadAll().Where(l => !names.Contains(l.Definition.Name)).Select(l => new StoredNetwork(l.Definition, false))).ToList();
    }

    private NetworkRecord Commit(NetworkDefinition definition, bool autostart, IReadOnlyList<StoredNetwork> existing, List<NetworkProblem> problems)
    {
        Check(definition, existing, problems);
        store.Save(definition);
        store.SetAutostart(definition.Name, autostart);
        return ToRecord(new StoredNetwork(definition, autostart), live.Load(definition.Name) is { Active: true } l ? l : null);
    }

    private void Check(NetworkDefinition definition, IReadOnlyList<StoredNetwork> existing, List<NetworkProblem> problems)
    {
        var others = existing.Where(e => e.Definition.Name != definition.Name).ToList();
        problems.AddRange(IdentityConflicts(definition, existing));
        Allocate(definition, others, problems);
        problems.AddRange(NetworkValidator.Validate(definition));
        if (problems.Count > 0) throw new NetworkProblemException(problems);
    }

    /// <summary>libvirt's virNetworkObjAssignDef: name and UUID are both unique.</summary>
    private static IEnumerable<NetworkProblem> IdentityConflicts(NetworkDefinition definition, IReadOnlyList<StoredNetwork> existing)
    {
        var sameName = existing.FirstOrDefault(e => e.Definition.Name == definition.Name);
        if (sameName is not null && definition.Uuid is { } uuid && sameName.Definition.Uuid != uuid)
            yield return new NetworkProblem(ErrorIds.UuidMismatch, ProblemCategory.ResourceExists,
                $"Network '{definition.Name}' already exists with UUID {sameName.Definition.Uuid}, not {uuid}. Remove the existing network first, or import a document with its UUID.",
                definition.Name);
        var sameUuid = definition.Uuid is null ? null
            : existing.FirstOrDefault(e => e.Definition.Uuid == definition.Uuid && e.Definition.Name != definition.Name);
        if (sameUuid is not null)
            yield return new NetworkProblem(ErrorIds.UuidInUse, ProblemCategory.ResourceExists,
                $"UUID {definition.Uuid} already belongs to network '{sameUuid.Definition.Name}'. Give the new network another UUID (or none, to get a fresh one), or rename it with that network's name.",
                definition.Name);
    }

    /// <summary>What libvirt fills in at define: UUID, bridge MAC (unique among definitions), bridge name.</summary>
    private void Allocate(NetworkDefinition definition, IReadOnlyList<StoredNetwork> others, List<NetworkProblem> problems)
    {
        var takenMacs = others.Select(o => o.Definition.MacAddress).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var explicitMac = definition.MacAddress is not null;
        NetworkDefaults.Apply(definition, () => RandomBytes(3), NewUuid);
        while (!explicitMac && definition.MacAddress is { } mac && takenMacs.Contains(mac))
        {
            definition.MacAddress = null;
            NetworkDefaults.Apply(definition, () => RandomBytes(3), NewUuid);
        }
        if (!NetworkModeNames.IsManagedBridge(definition.Mode)) return;

        definition.Bridge ??= new BridgeDefinition();
        var otherBridges = others.Select(o => o.Definition.Bridge?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var requested = definition.Bridge.Name;
        if (requested is null || AddressPlanner.IsTemplate(requested))
        {
            var used = new HashSet<string>(otherBridges, StringComparer.Ordinal);
            used.UnionWith(host.Links().Select(l => l.Name));
            definition.Bridge.Name = AddressPlanner.AllocateInterfaceName(requested ?? AddressPlanner.DefaultBridgeTemplate, used);
            if (definition.Bridge.Name is null)
                problems.Add(new NetworkProblem(ErrorIds.BridgeNamesExhausted, ProblemCategory.LimitsExceeded,
                    $"No free bridge name for template '{requested ?? AddressPlanner.DefaultBridgeTemplate}' (ids 0 to {AddressPlanner.MaxBridgeId} are taken). Give an explicit -BridgeName.",
                    definition.Name));
        }
        else if (otherBridges.Contains(requested))
        {
            var owner = others.First(o => o.Definition.Bridge?.Name == requested).Definition.Name;
            problems.Add(new NetworkProblem(ErrorIds.BridgeInUse, ProblemCategory.ResourceExists,
                $"Bridge name '{requested}' is already used by network '{owner}'. Choose another -BridgeName, or omit it to get a free virbrN.",
                definition.Name));
        }

    }

    private IpNetwork FreeSubnet(IReadOnlyList<StoredNetwork> existing)
    {
        var taken = HostPrefixes().Select(p => p.Network)
            .Concat(existing.SelectMany(e => DefinedSubnets(e.Definition)))
            .ToList();
        return AddressPlanner.FirstFreeSubnet(taken) ?? throw new NetworkProblemException(ErrorIds.NoFreeSubnet,
            ProblemCategory.LimitsExceeded, "No free /24 is left in 192.168.122.0-192.168.255.0 or 10.0.0.0/8. Give -Subnet explicitly.");
    }

    private IEnumerable<NetworkProblem> SubnetCollisions(IpNetwork subnet, IReadOnlyList<StoredNetwork> existing)
    {
        foreach (var other in existing)
            foreach (var used in DefinedSubnets(other.Definition).Where(s => s.Overlaps(subnet)))
            {
                yield return new NetworkProblem(ErrorIds.SubnetInUse, ProblemCategory.ResourceExists,
                    $"Subnet {subnet} is already in use by network '{other.Definition.Name}' ({other.Definition.Bridge?.Name ?? "no bridge"}: {used}). Choose another subnet, or omit -Subnet to get a free one.",
                    subnet.ToString());
                yield break;
            }
        foreach (var (linkIndex, prefix) in HostPrefixes())
            if (prefix.Overlaps(subnet))
            {
                yield return new NetworkProblem(ErrorIds.SubnetInUse, ProblemCategory.ResourceExists,
                    $"Subnet {subnet} overlaps {prefix} on host interface '{LinkNameOf(host, linkIndex)}'. Choose another subnet, or omit -Subnet to get a free one.",
                    subnet.ToString());
                yield break;
            }
    }

    /// <summary>Host addresses and routes a new subnet must not overlap; a default route never counts.</summary>
    private IEnumerable<HostPrefix> HostPrefixes() => HostPrefixes(host);

    public static IEnumerable<HostPrefix> HostPrefixes(IHostNetworkView host) =>
        host.Addresses().Select(a => new HostPrefix(a.LinkIndex, a.Network.Canonical))
            .Concat(host.Routes().Where(r => r.Destination.PrefixLength >= 1).Select(r => new HostPrefix(r.LinkIndex, r.Destination.Canonical)));

    /// <summary>A link's name for a message: "?" for a route without a link or a link gone since the listing.</summary>
    public static string LinkNameOf(IHostNetworkView host, int? linkIndex) =>
        linkIndex is { } index ? host.LinkName(index) ?? $"#{index}" : "?";

    /// <summary>
    /// Each subnet of the definition with each host address or route it overlaps, leaving out those on the network's
    /// own bridge (<paramref name="ownLinkIndex"/>; null: it has none now).
    /// </summary>
    public static IEnumerable<(IpNetwork Subnet, HostPrefix Prefix)> Overlaps(IEnumerable<HostPrefix> prefixes, NetworkDefinition definition, int? ownLinkIndex)
    {
        var others = prefixes.Where(p => ownLinkIndex is null || p.LinkIndex != ownLinkIndex).ToList();
        return DefinedSubnets(definition).SelectMany(s => others.Where(p => p.Network.Overlaps(s)).Select(p => (s, p)));
    }

    public static IEnumerable<IpNetwork> DefinedSubnets(NetworkDefinition definition) =>
        definition.Ips.Select(ip => NetworkValidator.Subnet(ip).Canonical);

    private Guid NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.Fill(bytes);
        bytes[6] = (byte)(bytes[6] & 0x0F | 0x40); // version 4
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.Fill(bytes);
        return bytes;
    }

    private static NetworkRecord ToRecord(StoredNetwork stored, LiveNetwork? running) =>
        running is null
            ? new(stored.Definition, stored.Autostart, Persistent: true, NetworkState.Inactive)
            : new(running.Definition, stored.Autostart, Persistent: true, NetworkState.Active);

    public static NetworkProblemException NotFound(string name) =>
        new(ErrorIds.NotFound, ProblemCategory.ObjectNotFound,
            $"No network named '{name}' is defined. Run Get-VNetwork to see the defined networks.", name);
}
