using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// Starts and stops networks (virsh net-start / net-destroy) in libvirt's order. Every step first records
/// its undo in a journal under /run, so a failed start leaves the host as it was, a killed start is undone
/// by the next start or stop, and a stop takes down exactly what the start made.
/// </summary>
public sealed partial class NetworkRuntime
{
    private readonly IDefinitionStore definitions;
    private readonly ILiveNetworkStore live;
    private readonly IPortRecordStore portRecords;
    private readonly IHostLinks host;
    private readonly IGuestLinks guestLinks;
    private readonly IHostUsers users;
    private readonly INetworkFirewall firewall;
    private readonly ISysctl sysctl;
    private readonly IDhcpService dhcp;
    private readonly IFaultInjector faults;
    private readonly IDnsRegistration dnsRegistration;
    private readonly IConntrack conntrack;

    public NetworkRuntime(EnginePorts ports)
    {
        definitions = ports.Definitions;
        live = ports.LiveNetworks;
        portRecords = ports.PortRecords;
        host = ports.Links;
        guestLinks = ports.GuestLinks;
        users = ports.Users;
        firewall = ports.Firewall;
        sysctl = ports.Sysctl;
        dhcp = ports.Dhcp;
        faults = ports.Faults;
        dnsRegistration = ports.DnsRegistration;
        conntrack = ports.Conntrack;
    }

    /// <summary>Throws VNetworkPermissionDenied when this process may not change the host's networks.</summary>
    public void EnsureCanChange() => users.EnsureCanChange();

    /// <summary>Starts a defined network. Returns the warnings the user must see.</summary>
    public IReadOnlyList<NetworkProblem> Start(string name)
    {
        users.EnsureCanChange();
        using var _ = live.Lock();
        var stored = definitions.Load(name) ?? throw NetworkCatalog.NotFound(name);
        return StartLocked(stored.Definition.Clone(), transient: false);
    }

    /// <summary>net-create: starts a definition that is not stored; it is gone after Stop.</summary>
    public IReadOnlyList<NetworkProblem> StartTransient(NetworkDefinition definition)
    {
        users.EnsureCanChange();
        using var _ = live.Lock();
        if (definitions.Load(definition.Name) is not null)
            throw new NetworkProblemException(ErrorIds.NameExists, ProblemCategory.ResourceExists,
                $"A network named '{definition.Name}' is already defined. Start it with Start-VNetwork, or choose another name.", definition.Name);
        return StartLocked(definition, transient: true);
    }

    public void Stop(string name)
    {
        users.EnsureCanChange();
        using var _ = live.Lock();
        var current = live.Load(name);
        if (current is null || !current.Active)
        {
            if (current is not null) Undo(current.Definition, startFailed: true);
            throw definitions.Load(name) is null && current is null ? NetworkCatalog.NotFound(name) : NotActive(name);
        }
        // As libvirt: the network's ports (its guests' links) go with it.
        RemovePorts(name);
        Undo(current.Definition, startFailed: false);
    }

    /// <summary>Remove-VNetwork -Force: stops the network first when it runs.</summary>
    public void StopIfActive(string name)
    {
        if (live.Load(name) is { Active: true }) Stop(name);
    }

    public IReadOnlyList<NetworkProblem> Restart(string name)
    {
        users.EnsureCanChange();
        using var _ = live.Lock();
        var current = live.Load(name);
        if (current is null || !current.Active) throw definitions.Load(name) is null ? NetworkCatalog.NotFound(name) : NotActive(name);
        // A transient network restarts with its live definition; a persistent one picks up its stored one.
        var next = current.Transient ? current.Definition.Clone()
            : (definitions.Load(name)?.Definition.Clone() ?? current.Definition.Clone());
        Undo(current.Definition, startFailed: false);
        IReadOnlyList<NetworkProblem> warnings;
        try { warnings = StartLocked(next, current.Transient); }
        catch
        {
            RemovePorts(name);
            throw;
        }
        // The ports outlived the old bridge (their guests keep their links open): attach them to the new one.
        var bridge = next.Bridge?.Name;
        foreach (var port in portRecords.LoadPorts(name))
        {
            if (bridge is null || host.GetLink(port.Name) is null) { portRecords.DeletePort(name, port.Name); continue; }
            guestLinks.AttachPort(port.Name, bridge);
            if (port.Bridge != bridge) portRecords.SavePort(port with { Bridge = bridge });
        }
        return warnings;
    }

    /// <summary>
    /// Applies a change to the live definition of an active network without a restart (reservations):
    /// the DHCP daemon gets the new definition. Returns false when the network is not active.
    /// </summary>
    public bool ApplyLive(string name, Action<NetworkDefinition> change)
    {
        using var _ = live.Lock();
        if (live.Load(name) is not { Active: true } current) return false;
        users.EnsureCanChange();
        var next = current.Definition.Clone();
        change(next);
        if (ServedByDaemon(next))
        {
            // A network the start left unserved (no DHCP, <dns enable='no'/>) that gets its first reservation is served
            // from now on: its stop must release it too.
            if (!Journal(name).OfType<UndoStep.ReleaseDhcp>().Any()) Record(name, new UndoStep.ReleaseDhcp());
            dhcp.Update(next);
        }
        live.SaveLiveDefinition(next);
        return true;
    }

    private IReadOnlyList<NetworkProblem> StartLocked(NetworkDefinition definition, bool transient)
    {
        var name = definition.Name;
        var previous = live.Load(name);
        if (previous is { Active: true })
            throw new NetworkProblemException(ErrorIds.AlreadyActive, ProblemCategory.InvalidOperation,
                $"Network '{name}' is already active. Stop it first, or use Restart-VNetwork.", name);
        if (previous is not null) Undo(previous.Definition, startFailed: true); // an interrupted start

        if (!NetworkModeNames.IsManagedBridge(definition.Mode) && definition.Mode != NetworkMode.Bridged)
            throw new NetworkProblemException(ErrorIds.ModeNotSupported, ProblemCategory.NotImplemented,
                $"Network '{name}' uses forward mode '{NetworkModeNames.ToLibvirt(definition.Mode)}' (macvtap/hostdev), which this module defines and exports but cannot start. Use Nat, Routed, Isolated, Open or Bridged.", name);

        CheckCollisions(definition);
        CheckIpv6Forwarding(definition);
        live.BeginStart(definition);
        try
        {
            var warnings = definition.Mode == NetworkMode.Bridged ? StartBridged(definition) : StartManaged(definition);
            faults.At("status");
            live.MarkActive(name, transient);
            return warnings;
        }
        catch (Exception cause)
        {
            try { Undo(definition, startFailed: true); }
            catch (NetworkProblemException cleanup) when (cause is NetworkProblemException first)
            {
                throw new NetworkProblemException(first.Problems.Concat(cleanup.Problems).ToList());
            }
            throw;
        }
    }

    /// <summary>nat, route, isolated, open: libvirt's networkStartNetworkVirtual, steps 3-12.</summary>
    private List<NetworkProblem> StartManaged(NetworkDefinition d)
    {
        var name = d.Name;
        var bridge = d.Bridge?.Name ?? throw new NetworkProblemException(ErrorIds.BridgeNameMissing, ProblemCategory.InvalidData,
            $"Network '{name}' has no bridge name. Redefine it (Import-VNetwork allocates one).", name);

        faults.At("bridge");
        Record(name, new UndoStep.DeleteLink(bridge));
        host.CreateBridge(bridge, d.MacAddress, d.Mtu, d.Bridge?.Stp ?? true, TimeSpan.FromSeconds(d.Bridge?.Delay ?? 0));

        faults.At("sysctl-bridge");
        var rules = FirewallNetworkMapper.FromDefinition(d);
        // Bridge sysctls go with the bridge, so they need no undo of their own.
        SetBridgeSysctls(sysctl, bridge, d.Ips.Any(ip => ip.IsIPv6));
        SetRouteLocalnet(rules);

        faults.At("firewall");
        if (rules.HasRules)
        {
            Record(name, new UndoStep.RemoveFirewall());
            var applied = firewall.Apply(rules);
            // Lets the stop delete by handle in one nft call instead of listing the whole ruleset.
            Record(name, new UndoStep.RemoveFirewall(applied.Handles));
            // Our tables were gone (nft flush ruleset) while other networks ran: their handles are stale now.
            live.ForgetHandlesIn(applied.CreatedTables, except: name);
        }

        faults.At("addresses");
        foreach (var ip in d.Ips)
            host.AddAddress(bridge, new IpNetwork(ip.Address, NetworkValidator.Subnet(ip).PrefixLength));

        faults.At("link-up");
        host.SetUp(bridge);

        faults.At("routes");
        foreach (var route in d.Routes)
            host.AddRoute(bridge, new IpNetwork(route.Address, RoutePrefix(route)).Canonical, route.Gateway, route.Metric is { } m ? (uint)m : null);

        faults.At("ip-forward");
        foreach (var key in ForwardingKeys(d)) EnableForwarding(name, key);

        faults.At("dhcp");
        var warnings = new List<NetworkProblem>();
        if (ServedByDaemon(d))
        {
            Record(name, new UndoStep.ReleaseDhcp());
            dhcp.Serve(d);
        }

        faults.At("dns-register");
        if (d.Domain is { Register: true } domain) warnings.AddRange(RegisterDns(d, bridge, domain.Name));
        if (rules.HasRules) warnings.AddRange(ForgetStaleFlows(name, rules.Forwards, added: true));
        warnings.AddRange(NotEnforced(d));
        warnings.AddRange(OpenInbound(d, rules));
        return warnings;
    }

    /// <summary>
    /// libvirt routes a network's IPv6 (route mode, or nat mode without &lt;nat ipv6='yes'/&gt;) and accepts any connection
    /// from outside to its guests: said at every start, since a NAT network's IPv4 suggests otherwise.
    /// </summary>
    private static IEnumerable<NetworkProblem> OpenInbound(NetworkDefinition d, FirewallNetwork rules)
    {
        var routed = rules.RoutedSubnets.Where(s => s.IsIPv6).ToList();
        if (routed.Count == 0) yield break;
        var restrict = d.Mode == NetworkMode.Nat
            ? "To keep them unreachable, masquerade IPv6 too with <nat ipv6='yes'/> in the <forward mode='nat'> element (Export-VNetwork, edit, Import-VNetwork, Restart-VNetwork), or drop new connections to them in the host's own firewall."
            : "To restrict it, drop or limit new connections to them in the host's own firewall (a forward chain of your own), or use a NAT network with <nat ipv6='yes'/>.";
        yield return new NetworkProblem(ErrorIds.Ipv6OpenInbound, ProblemCategory.SecurityError,
            $"Network '{d.Name}': IPv6 {string.Join(", ", routed)} is routed, not NATed: the guests' IPv6 addresses are reachable from outside the host, which forwards any connection to them (as libvirt does). {restrict}", d.Name);
    }

    /// <summary>Attach to an existing host bridge, or create it and move the uplink (with its addresses and routes) into it.</summary>
    private List<NetworkProblem> StartBridged(NetworkDefinition d)
    {
        var name = d.Name;
        var bridge = d.Bridge?.Name ?? throw new NetworkProblemException(ErrorIds.BridgeNameMissing, ProblemCategory.InvalidData,
            $"Bridged network '{name}' names no bridge. Give -BridgeName.", name);
        var existing = host.GetLink(bridge);
        if (existing is not null)
        {
            if (existing.Kind != "bridge")
                throw new NetworkProblemException(ErrorIds.BridgeNotABridge, ProblemCategory.InvalidData,
                    $"'{bridge}' exists on the host but is a {existing.Kind ?? "plain"} link, not a bridge. Name an existing bridge, or a new name together with -ForwardDevice.", name);
            return NotEnforced(d);
        }
        if (d.UplinkDevice is not { } uplinkName)
            throw new NetworkProblemException(ErrorIds.BridgeNotFound, ProblemCategory.ObjectNotFound,
                $"Bridge '{bridge}' does not exist. Create it, or redefine the network with the uplink to move into it (New-VNetwork -Mode Bridged -BridgeName {bridge} -ForwardDevice <uplink>).", name);
        var uplink = host.GetLink(uplinkName) ?? throw new NetworkProblemException(ErrorIds.UplinkNotFound, ProblemCategory.ObjectNotFound,
            $"Uplink '{uplinkName}' of network '{name}' does not exist on this host. Check the interface name (ip link).", name);

        // Undo runs in reverse: release the uplink, delete the bridge (its copies of the addresses and routes go with it),
        // then give the uplink back its addresses and routes. Restoring before the bridge is gone would collide with
        // the bridge's identical default route (EEXIST) and lose it when the bridge is deleted.
        var addresses = host.GetAddresses(uplink.Index).Where(a => !IsLinkLocal(a.Network)).ToList();
        var routes = host.GetRoutes(uplink.Index).Where(r => !r.IsKernelRoute).ToList();
        foreach (var r in routes) Record(name, new UndoStep.RestoreRoute(uplinkName, r.Destination, r.Gateway, r.Metric));
        foreach (var a in addresses) Record(name, new UndoStep.RestoreAddress(uplinkName, a.Network, a.Broadcast));

        faults.At("bridge");
        Record(name, new UndoStep.DeleteLink(bridge));
        // The bridge takes the uplink's MAC so the upstream network (and its DHCP server) sees the same host.
        host.CreateBridge(bridge, uplink.MacAddress, uplink.Mtu, d.Bridge?.Stp ?? false, TimeSpan.Zero);

        faults.At("uplink");
        Record(name, new UndoStep.ReleaseMaster(uplinkName));
        host.SetMaster(uplinkName, bridge);
        foreach (var a in addresses)
        {
            host.DeleteAddress(uplinkName, a.Network);
            host.AddAddress(bridge, a.Network, a.Broadcast);
        }
        faults.At("link-up");
        host.SetUp(bridge);
        faults.At("routes");
        foreach (var r in routes) host.AddRoute(bridge, r.Destination, r.Gateway, r.Metric);
        return NotEnforced(d);
    }

    /// <summary>
    /// libvirt 10.1's &lt;domain register='yes'&gt;: the host asks the network's DNS server about its domain (libvirt tells
    /// systemd-resolved the same). Where that cannot be done, a warning says so; a registration that fails fails the start.
    /// </summary>
    private List<NetworkProblem> RegisterDns(NetworkDefinition d, string bridge, string domain)
    {
        var policy = DnsPolicy.FromNetwork(d);
        if ((policy is null ? "the network serves no DNS (<dns enable='no'>)" : dnsRegistration.Unavailable()) is { } reason)
            return [new NetworkProblem(ErrorIds.FeatureNotEnforced, ProblemCategory.NotImplemented,
                $"Network '{d.Name}': registering its DNS server for domain '{domain}' with the host's resolver (<domain register='yes'>) is not enforced: {reason}. The host resolves names under {domain} through its usual servers.", d.Name)];
        Record(d.Name, new UndoStep.UnregisterDns(bridge));
        dnsRegistration.Register(bridge, policy!.OwnAddresses, domain);
        return [];
    }

    /// <summary>The modes whose guests' traffic the host forwards (libvirt turns forwarding on for them).</summary>
    internal static bool Forwards(NetworkDefinition d) => d.Mode is NetworkMode.Nat or NetworkMode.Routed or NetworkMode.Open;

    /// <summary>The forwarding sysctls a started network needs on: IPv4 and IPv6 as it has addresses of each.</summary>
    internal static IReadOnlyList<string> ForwardingKeys(NetworkDefinition d)
    {
        if (!Forwards(d)) return [];
        var keys = new List<string>();
        if (d.Ips.Any(ip => !ip.IsIPv6)) keys.Add("net/ipv4/ip_forward");
        if (d.Ips.Any(ip => ip.IsIPv6)) keys.Add("net/ipv6/conf/all/forwarding");
        return keys;
    }

    /// <summary>IPv6 on the bridge only when the network has IPv6; never autoconfigured from RAs (libvirt's settings).</summary>
    internal static void SetBridgeSysctls(ISysctl sysctl, string bridge, bool ipv6)
    {
        if (sysctl.Read($"net/ipv6/conf/{bridge}/disable_ipv6") is null) return;
        sysctl.Write($"net/ipv6/conf/{bridge}/disable_ipv6", ipv6 ? "0" : "1");
        sysctl.Write($"net/ipv6/conf/{bridge}/accept_ra", "0");
        sysctl.Write($"net/ipv6/conf/{bridge}/autoconf", "0");
    }

    /// <summary>
    /// Refuses, before anything changes, a start that would turn IPv6 forwarding on while a link of the host learns its
    /// routes from router advertisements with accept_ra not 2. Where forwarding is on already the start changes nothing for
    /// those links (libvirt refuses then too; Test-VNetworkHealth's AcceptRa check reports it).
    /// </summary>
    private void CheckIpv6Forwarding(NetworkDefinition d)
    {
        const string key = "net/ipv6/conf/all/forwarding";
        if (!ForwardingKeys(d).Contains(key) || sysctl.Read(key)?.Trim() is null or "1") return;
        var links = Ipv6ForwardingSafety.UnsafeLinks(host.LinksWithRaRoutes(), sysctl);
        if (links.Count == 0) return;
        throw new NetworkProblemException(ErrorIds.Ipv6ForwardingUnsafe, ProblemCategory.InvalidOperation,
            $"Network '{d.Name}' cannot start: it turns IPv6 forwarding on, and {Ipv6ForwardingSafety.Describe(links)}; with forwarding on the kernel ignores those advertisements and the host's IPv6 routes through {string.Join(", ", links)} expire. " +
            $"Run {Ipv6ForwardingSafety.Remedy(links)}, then start the network again.", d.Name);
    }

    private void EnableForwarding(string name, string key)
    {
        var old = sysctl.Read(key);
        if (old is null || old.Trim() == "1") return;
        Record(name, new UndoStep.RestoreSysctl(key, old.Trim()));
        sysctl.Write(key, "1");
    }

    /// <summary>Undoes the journal in reverse. On a stop, start-only steps (forwarding) are kept.</summary>
    private void Undo(NetworkDefinition definition, bool startFailed)
    {
        var errors = new List<Exception>();
        var firewallDone = false;
        foreach (var step in Journal(definition.Name).AsEnumerable().Reverse())
        {
            if (step.StartOnly && !startFailed) continue;
            // Only the last firewall line counts: the one with the handles when the apply got that far.
            if (step is UndoStep.RemoveFirewall && firewallDone) continue;
            firewallDone |= step is UndoStep.RemoveFirewall;
            try { UndoOne(definition, step); }
            catch (Exception e) { errors.Add(e); }
        }
        var problems = errors.Select(e => e is NetworkProblemException p ? p.First
            : new NetworkProblem(ErrorIds.CleanupIncomplete, ProblemCategory.InvalidOperation,
                $"Taking down network '{definition.Name}' left something behind: {e.Message}", definition.Name)).ToList();
        // A caller without the right to change the host changed nothing: keep the live state (the network stays
        // active, or an interrupted start stays to be undone) instead of forgetting a bridge and rules still there.
        if (problems.Any(p => p.Category == ProblemCategory.PermissionDenied)) throw new NetworkProblemException(problems);
        live.Clear(definition.Name);
        // Stop is best effort: every step ran; report what could not be undone.
        if (problems.Count > 0) throw new NetworkProblemException(problems);
    }

    private void UndoOne(NetworkDefinition definition, UndoStep step)
    {
        switch (step)
        {
            case UndoStep.DeleteLink s: host.DeleteLink(s.Name); break;
            case UndoStep.RestoreSysctl s: sysctl.Write(s.Key, s.Value); break;
            case UndoStep.RemoveFirewall s:
                firewall.Remove(FirewallNetworkMapper.FromDefinition(definition), s.Handles, OthersHaveFirewall(definition.Name));
                break;
            case UndoStep.ReleaseDhcp: dhcp.Release(definition.Name); break;
            case UndoStep.UnregisterDns s: dnsRegistration.Unregister(s.Link); break;
            case UndoStep.ReleaseMaster s: if (host.GetLink(s.Link) is not null) host.SetMaster(s.Link, null); break;
            case UndoStep.RestoreAddress s:
                if (host.GetLink(s.Link) is { } l && !host.GetAddresses(l.Index).Any(a => a.Network == s.Address)) host.AddAddress(s.Link, s.Address, s.Broadcast);
                break;
            case UndoStep.RestoreRoute s:
                if (host.GetLink(s.Link) is { } rl && !host.GetRoutes(rl.Index).Any(r => r.Destination == s.Destination && Equals(r.Gateway, s.Gateway)))
                    host.AddRoute(s.Link, s.Destination, s.Gateway, s.Metric);
                break;
        }
    }

    private void Record(string name, UndoStep step) => live.Append(name, step);

    private IReadOnlyList<UndoStep> Journal(string name) => live.Steps(name);

    /// <summary>Deletes the ports' links (a veth's peer in its container goes too) and their records.</summary>
    private void RemovePorts(string name)
    {
        foreach (var port in portRecords.LoadPorts(name))
        {
            host.DeleteLink(port.Name);
            portRecords.DeletePort(name, port.Name);
        }
    }

    /// <summary>
    /// Whether another network with live state (active, or an interrupted start) journaled firewall rules, so
    /// our tables must stay. Stops at the first such network: with many NAT networks that is the first look.
    /// </summary>
    private bool OthersHaveFirewall(string name) =>
        live.Names().Where(n => n != name).Any(n => Journal(n).Any(s => s is UndoStep.RemoveFirewall));

    /// <summary>libvirt refuses an exact subnet match with an existing route; we refuse any overlap.</summary>
    private void CheckCollisions(NetworkDefinition definition)
    {
        if (!NetworkModeNames.IsManagedBridge(definition.Mode)) return;
        var own = definition.Bridge?.Name is { } bridge ? host.GetLink(bridge) : null;
        var problems = new List<NetworkProblem>();
        foreach (var (subnet, (linkIndex, network)) in NetworkCatalog.Overlaps(NetworkCatalog.HostPrefixes(host), definition, own?.Index).DistinctBy(o => o.Subnet))
            problems.Add(new NetworkProblem(ErrorIds.SubnetInUse, ProblemCategory.ResourceExists,
                $"Network '{definition.Name}' cannot start: its subnet {subnet} is already in use by interface {NetworkCatalog.LinkNameOf(host, linkIndex)} ({network}). Stop what uses it, or give the network another subnet (Set-VNetwork, or redefine it).",
                definition.Name));
        problems.AddRange(ForwardCollisions(definition));
        if (own is not null)
            problems.Add(new NetworkProblem(ErrorIds.BridgeExists, ProblemCategory.ResourceExists,
                $"Network '{definition.Name}' cannot start: a link named '{own.Name}' already exists on the host. Remove that link, or give the network another bridge name.",
                definition.Name));
        if (problems.Count > 0) throw new NetworkProblemException(problems);
    }

    /// <summary>Port forwards that claim a host port an active network forwards already (only read when this network has forwards).</summary>
    private IEnumerable<NetworkProblem> ForwardCollisions(NetworkDefinition definition)
    {
        if (definition.PortForwards.Count == 0) yield break;
        foreach (var other in live.Names().Where(n => n != definition.Name).Select(live.Load).OfType<LiveNetwork>().Where(n => n.Active))
            foreach (var forward in definition.PortForwards)
                if (other.Definition.PortForwards.FirstOrDefault(forward.ClaimsSameHostPort) is { } taken)
                    yield return PortForwardTaken(definition.Name, forward, other.Definition.Name, taken);
    }

    internal static NetworkProblem PortForwardTaken(string network, PortForwardDefinition forward, string otherNetwork, PortForwardDefinition taken) =>
        new(ErrorIds.PortForwardDuplicate, ProblemCategory.ResourceExists,
            $"Port forward {forward} of network '{network}' claims a host port that network '{otherNetwork}' forwards already ({taken}). Remove one of them (Remove-VNetworkPortForward), or use another host port or host address.",
            network);

    /// <summary>
    /// Whether the daemon serves the network: a managed bridge with an IPv4 DHCP block, DNS (on unless
    /// &lt;dns enable='no'/&gt;) or router advertisements (an IPv6 address, with or without a DHCPv6 block).
    /// </summary>
    internal static bool ServedByDaemon(NetworkDefinition d) =>
        NetworkModeNames.IsManagedBridge(d.Mode) &&
        (ServesDhcp(d) || DnsPolicy.FromNetwork(d) is not null || RouterAdvertisementPolicy.FromNetwork(d) is not null);

    /// <summary>Whether the network has an IPv4 DHCP block (ranges or hosts) for the daemon to serve.</summary>
    internal static bool ServesDhcp(NetworkDefinition d) =>
        d.Ips.Any(ip => !ip.IsIPv6 && ip.Dhcp is { } b && (b.Ranges.Count > 0 || b.Hosts.Count > 0));

    /// <summary>One warning per element that a started network does not act on yet, never silence.</summary>
    private static List<NetworkProblem> NotEnforced(NetworkDefinition d)
    {
        var missing = new List<string>();
        if (d.Ips.Any(ip => ip.TftpRoot is not null)) missing.Add("TFTP (<tftp root>)");
        if (d.Bandwidth is not null) missing.Add("bandwidth limits (<bandwidth>)");
        if (d.Port is not null) missing.Add("port isolation (<port isolated>)");
        if (d.Bridge?.MacTableManager == "libvirt") missing.Add("macTableManager='libvirt'");
        if (d.Bridge?.Zone is not null) missing.Add($"firewalld zone '{d.Bridge.Zone}'");
        if (d.Vlan is not null) missing.Add("VLAN tagging (<vlan>)");
        if (d.VirtualPort is not null) missing.Add("<virtualport>");
        return missing.Select(m => new NetworkProblem(ErrorIds.FeatureNotEnforced, ProblemCategory.NotImplemented,
            $"Network '{d.Name}': {m} is defined but not enforced by this version.", d.Name)).ToList();
    }

    private static bool IsLinkLocal(IpNetwork a) =>
        a.IsIPv6 ? a.Address.IsIPv6LinkLocal : a.Address.GetAddressBytes() is [169, 254, ..];

    internal static int RoutePrefix(RouteDefinition route) =>
        route.Prefix ?? (route.Netmask is { } m ? IpNetwork.PrefixFromNetmask(m) ?? 32 : IpNetwork.ClassfulPrefix(route.Address));

    public static NetworkProblemException NotActive(string name) =>
        new(ErrorIds.NotActive, ProblemCategory.InvalidOperation,
            $"Network '{name}' is not active. Start it with Start-VNetwork.", name);
}
