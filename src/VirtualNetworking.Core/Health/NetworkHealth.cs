using System.Text.Json;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Validation;
using static VirtualNetworking.Core.Health.HealthCheckIds;

namespace VirtualNetworking.Core.Health;

/// <summary>
/// Test-VNetworkHealth: checks what a started network needs on the host, each check with what breaks for guests and how
/// to fix it. One instance per command: the host-wide facts (the ruleset, the daemon's status) are read once and shared
/// by every network checked.
/// </summary>
public sealed class NetworkHealth
{
    private readonly NetworkCatalog catalog;
    private readonly ILiveNetworkStore live;
    private readonly IHostLinks host;
    private readonly ISysctl sysctl;
    private readonly Lazy<IReadOnlyList<ServedNetwork>?> daemon;
    private readonly Lazy<string?> rulesetText;
    private readonly Lazy<JsonNode?> ruleset;
    private readonly Lazy<IptablesSaves> iptables;
    /// <summary>The host's rulesets parsed for the foreign-firewall checks: once, for every network checked.</summary>
    private ForeignFirewallTables? foreignTables;
    private readonly Lazy<IReadOnlyList<string>> raLinks;
    private readonly Lazy<List<HostPrefix>> prefixes;

    public NetworkHealth(EnginePorts ports, NetworkCatalog catalog, IHealthProbe probe)
    {
        this.catalog = catalog;
        live = ports.LiveNetworks;
        host = ports.Links;
        sysctl = ports.Sysctl;
        daemon = new(probe.DaemonNetworks);
        rulesetText = new(probe.Ruleset);
        ruleset = new(() => Parse(rulesetText.Value));
        // iptables-nft's view is asked for only where the ruleset has a table of iptables' names (a process each).
        iptables = new(() => probe.Iptables(HasIptablesTable("ip"), HasIptablesTable("ip6")));
        raLinks = new(host.LinksWithRaRoutes);
        prefixes = new(() => NetworkCatalog.HostPrefixes(host).ToList());
    }

    /// <summary>The names of the active networks: what Test-VNetworkHealth checks without -Name.</summary>
    public IReadOnlyList<string> ActiveNetworks() => catalog.ActiveNames();

    /// <summary>Every defined or active network's name, for -Name wildcards.</summary>
    public IReadOnlyList<string> KnownNetworks() => [.. catalog.List().Select(r => r.Definition.Name)];

    /// <summary>
    /// The checks of one network. An inactive one gets a single failing NetworkActive check; an unknown name is
    /// VNetworkNotFound.
    /// </summary>
    public IReadOnlyList<HealthResult> Check(string name)
    {
        var record = catalog.Get(name);
        if (record.State != NetworkState.Active || live.Load(name) is not { Active: true } running)
            return [new(name, NetworkActive, HealthStatus.Fail, $"Network '{name}' is not active: it has no bridge, and guests on it have no network.",
                $"Start-VNetwork -Name '{name}'.")];
        var d = running.Definition;
        var results = new List<HealthFinding> { new(NetworkActive, HealthStatus.Pass, $"Network '{name}' is active.") };
        var bridge = d.Bridge?.Name is { } bridgeName ? host.GetLink(bridgeName) : null;
        results.AddRange(BridgeChecks(d, bridge));
        if (NetworkModeNames.IsManagedBridge(d.Mode))
        {
            var firewall = FirewallNetworkMapper.FromDefinition(d);
            if (firewall.HasRules) results.Add(FirewallAudit.Check(firewall, ruleset.Value));
            if (Forwards(d)) results.Add(ForwardingCheck(d));
            if (NetworkRuntime.ServedByDaemon(d)) results.AddRange(DaemonChecks(d, bridge));
            results.Add(CollisionCheck(d, bridge));
            var foreign = ForeignInput(d);
            results.AddRange(ForeignFirewall.Analyze(foreign, foreignTables ??= ForeignFirewall.ReadTables(foreign)));
            if (Forwards(d) && d.Ips.Any(ip => ip.IsIPv6)) results.Add(AcceptRaCheck(d));
        }
        return [.. results.Select(r => r.For(name))];
    }

    private ForeignFirewallInput ForeignInput(NetworkDefinition d)
    {
        var saves = iptables.Value;
        // Guests leave by the forward device, else by the default route's link.
        var outside = (string.IsNullOrEmpty(d.Forward?.Dev) ? null : d.Forward.Dev) ?? host.Routes().Where(r => r.Destination.PrefixLength == 0 && r.LinkIndex is not null)
            .Select(r => host.LinkName(r.LinkIndex!.Value)).FirstOrDefault(n => n is not null);
        return new ForeignFirewallInput(d.Bridge!.Name!, DefinedAddresses(d), Forwards(d), DnsPolicy.FromNetwork(d) is not null, rulesetText.Value)
        {
            IptablesNftSave = saves.NftV4,
            Ip6tablesNftSave = saves.NftV6,
            IptablesLegacySave = saves.LegacyV4,
            Ip6tablesLegacySave = saves.LegacyV6,
            BridgeNfCallIptables = Flag("net/bridge/bridge-nf-call-iptables"),
            BridgeNfCallIp6tables = Flag("net/bridge/bridge-nf-call-ip6tables"),
            OutsideInterface = outside,
        };
    }

    private bool? Flag(string key) => sysctl.Read(key)?.Trim() is { } value ? value == "1" : null;

    private static bool Forwards(NetworkDefinition d) => NetworkRuntime.Forwards(d);

    private static readonly string[] IptablesTableNames = ["filter", "nat", "mangle", "raw", "security"];

    private bool HasIptablesTable(string family) =>
        ruleset.Value?["nftables"] is JsonArray items && items.Select(i => i?["table"]).OfType<JsonObject>()
            .Any(t => (string?)t["family"] == family && IptablesTableNames.Contains((string?)t["name"]));

    private static IReadOnlyList<IpNetwork> DefinedAddresses(NetworkDefinition d) =>
        [.. d.Ips.Select(ip => new IpNetwork(ip.Address, NetworkValidator.Subnet(ip).PrefixLength))];

    private IEnumerable<HealthFinding> BridgeChecks(NetworkDefinition d, LinkState? bridge)
    {
        var name = d.Bridge?.Name ?? "?";
        var repair = $"Repair-VNetwork -Name '{d.Name}'";
        if (bridge is null || bridge.Kind != "bridge")
        {
            var what = bridge is null ? $"Bridge {name} is missing" : $"{name} is a {bridge.Kind ?? "plain"} link, not a bridge";
            yield return new(BridgePresent, HealthStatus.Fail, $"{what}: guests on network '{d.Name}' are cut off (their links hang on no bridge).",
                bridge is null ? $"{repair} recreates it and attaches the network's ports again." : $"Remove link {name}, then Restart-VNetwork -Name '{d.Name}'.");
            foreach (var check in new[] { BridgeUp, BridgeAddresses, BridgeMacAddress })
                yield return new(check, HealthStatus.Fail, $"Not checked: {what}.", $"Fix {BridgePresent} first.");
            yield break;
        }
        yield return new(BridgePresent, HealthStatus.Pass, $"Bridge {name} exists (ifindex {bridge.Index}).");
        yield return bridge.IsUp
            ? new(BridgeUp, HealthStatus.Pass, $"Bridge {name} is up.")
            : new(BridgeUp, HealthStatus.Fail, $"Bridge {name} is down: guests reach nothing, not even each other.", $"{repair} sets it up.");
        var present = host.GetAddresses(bridge.Index).Select(a => a.Network).ToHashSet();
        var missing = DefinedAddresses(d).Where(a => !present.Contains(a)).ToList();
        yield return missing.Count == 0
            ? new(BridgeAddresses, HealthStatus.Pass, d.Ips.Count == 0 ? $"Network '{d.Name}' gives its bridge no address." : $"Bridge {name} has {string.Join(", ", DefinedAddresses(d))}.")
            : new(BridgeAddresses, HealthStatus.Fail,
                $"Bridge {name} lacks {string.Join(", ", missing)}: guests lose their gateway{(NetworkRuntime.ServedByDaemon(d) ? ", DHCP and DNS" : "")} on it.",
                $"{repair} adds it back.");
        yield return d.MacAddress is null || string.Equals(d.MacAddress, bridge.MacAddress, StringComparison.OrdinalIgnoreCase)
            ? new(BridgeMacAddress, HealthStatus.Pass, $"Bridge {name} has MAC address {bridge.MacAddress}.")
            : new(BridgeMacAddress, HealthStatus.Warning,
                $"Bridge {name} has MAC address {bridge.MacAddress}, not {d.MacAddress} as defined: guests that cached the old one reach the host only after their ARP entries expire.",
                $"Restart-VNetwork -Name '{d.Name}' gives the bridge its defined address.");
    }

    private HealthFinding ForwardingCheck(NetworkDefinition d)
    {
        var keys = NetworkRuntime.ForwardingKeys(d);
        var off = keys.Where(k => sysctl.Read(k)?.Trim() != "1").ToList();
        if (off.Count == 0)
            return new(Forwarding, HealthStatus.Pass, keys.Count == 0 ? "The network has no address to forward for." : $"Forwarding is on ({string.Join(", ", keys.Select(Dotted))}).");
        return new(Forwarding, HealthStatus.Fail,
            $"Forwarding is off ({string.Join(", ", off.Select(k => Dotted(k) + "=" + (sysctl.Read(k)?.Trim() ?? "missing")))}): guests of {NetworkModeNames.ToLibvirt(d.Mode)} network '{d.Name}' cannot reach beyond the host.",
            $"Repair-VNetwork -Name '{d.Name}' turns it on (or: sysctl -w {string.Join(" ", off.Select(k => Dotted(k) + "=1"))}); find what turned it off (a sysctl.d file, a firewall service).");
    }

    private IEnumerable<HealthFinding> DaemonChecks(NetworkDefinition d, LinkState? bridge)
    {
        var repair = $"Repair-VNetwork -Name '{d.Name}' starts it again; leases are kept in its lease files.";
        if (daemon.Value is not { } served)
        {
            yield return new(DaemonRunning, HealthStatus.Fail, "vnetd, the DHCP, DNS and router advertisement daemon, is not running: new guests get no address, renewals fail, names do not resolve.", repair);
            yield break;
        }
        yield return new(DaemonRunning, HealthStatus.Pass, "vnetd is running.");
        var entry = served.FirstOrDefault(s => s.Name == d.Name);
        var stale = entry is not null && bridge is not null && entry.InterfaceIndex != bridge.Index;
        if (NetworkRuntime.ServesDhcp(d)) yield return Serving(DhcpServed, "DHCP", entry?.Dhcp == true, "new guests get no address and leases are not renewed");
        if (DnsPolicy.FromNetwork(d) is not null) yield return Serving(DnsServed, "DNS", entry?.Dns == true, "guests' names do not resolve");
        if (RouterAdvertisementPolicy.FromNetwork(d) is not null)
            yield return Serving(RouterAdvertisementsServed, "router advertisements", entry?.RouterAdvertisements == true,
                "guests get no IPv6 address by autoconfiguration and no IPv6 default route through the bridge");

        HealthFinding Serving(string check, string what, bool on, string breaks) =>
            !on ? new(check, HealthStatus.Fail, $"vnetd does not serve {what} on network '{d.Name}': {breaks}.", $"Repair-VNetwork -Name '{d.Name}' serves it again.")
            : stale ? new(check, HealthStatus.Fail, $"vnetd serves {what} on an older bridge {entry!.Bridge} (ifindex {entry.InterfaceIndex}, now {bridge!.Index}): {breaks}.", $"Repair-VNetwork -Name '{d.Name}' binds it to the bridge again.")
            : new(check, HealthStatus.Pass, $"vnetd serves {what} on {entry!.Bridge}.");
    }

    private HealthFinding CollisionCheck(NetworkDefinition d, LinkState? bridge)
    {
        var clashes = NetworkCatalog.Overlaps(prefixes.Value, d, bridge?.Index)
            .Select(o => $"{o.Subnet} overlaps {o.Prefix.Network} on {NetworkCatalog.LinkNameOf(host, o.Prefix.LinkIndex)}")
            .Distinct().ToList();
        return clashes.Count == 0
            ? new(SubnetCollision, HealthStatus.Pass, "No other link of the host has an address or route in the network's subnets.")
            : new(SubnetCollision, HealthStatus.Fail,
                $"{string.Join("; ", clashes)}: the host sends some of the guests' traffic the wrong way (a VPN or another network took the subnet since the start).",
                $"Give network '{d.Name}' another subnet (Set-VNetwork -Subnet, then Restart-VNetwork), or remove the other route.");
    }

    private HealthFinding AcceptRaCheck(NetworkDefinition d)
    {
        var unsafeLinks = Ipv6ForwardingSafety.UnsafeLinks(raLinks.Value, sysctl);
        return unsafeLinks.Count == 0
            ? new(AcceptRa, HealthStatus.Pass, "No link that learns IPv6 routes from router advertisements would lose them with forwarding on.")
            : new(AcceptRa, HealthStatus.Fail,
                $"{Ipv6ForwardingSafety.Describe(unsafeLinks)}: with IPv6 forwarding on (network '{d.Name}') the kernel ignores those advertisements, and the host's IPv6 routes expire.",
                $"{Ipv6ForwardingSafety.Remedy(unsafeLinks)}.");
    }

    private static string Dotted(string key) => key.Replace('/', '.');

    private static JsonNode? Parse(string? text)
    {
        if (text is null) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return null; }
    }
}
