using System.Net;
using System.Text.Json;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Health;

/// <summary>
/// The foreign firewalls that drop a network's traffic without a trace (Docker's FORWARD policy drop, br_netfilter,
/// ufw's and firewalld's input rejects of DNS): a few synthetic packets are evaluated through every base chain not ours,
/// with nftables' semantics — every base chain on a hook sees the packet, and an accept in one (ours included)
/// does not save it from a drop in another. A drop that depends on a match the analysis cannot evaluate is a
/// Warning ("could not tell"), never a Fail. Not followed: bridge, netdev and arp tables (they see frames, not these
/// hooks), and DHCP (vnetd receives it on a packet socket ahead of netfilter, so no input chain can starve it).
/// </summary>
public static class ForeignFirewall
{
    // Documentation addresses (RFC 5737, RFC 3849) stand for "the outside": no real rule names them.
    private static readonly IPAddress OutsideV4 = IPAddress.Parse("203.0.113.10");
    private static readonly IPAddress OutsideV6 = IPAddress.Parse("2001:db8:ffff::10");
    private const int GuestPort = 40000;

    /// <summary>One finding per check: <see cref="HealthCheckIds.ForeignForwardDrop"/>, <see cref="HealthCheckIds.BridgeNetfilter"/>,
    /// <see cref="HealthCheckIds.ForeignInputDrop"/>, in that order, Pass included.</summary>
    public static IReadOnlyList<HealthFinding> Analyze(ForeignFirewallInput input) => Analyze(input, ReadTables(input));

    /// <summary>
    /// <see cref="Analyze(ForeignFirewallInput)"/> over tables read before: the host's rulesets are the same for every
    /// network, so a caller checking many reads them once (<see cref="ReadTables"/>).
    /// </summary>
    public static IReadOnlyList<HealthFinding> Analyze(ForeignFirewallInput input, ForeignFirewallTables host)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(host);
        var (tables, unreadable) = (host.Tables, host.Unreadable);
        return [Forward(input, tables, unreadable), BridgeNetfilter(input, tables, unreadable), Input(input, tables, unreadable)];
    }

    /// <summary>The host's rulesets of the input (nft's JSON and the iptables saves), parsed; its network fields are not read.</summary>
    public static ForeignFirewallTables ReadTables(ForeignFirewallInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string? unreadable = null;
        var tables = new List<FirewallTable>();
        var fromSave = new HashSet<(string, string)>();
        if (input.IptablesNftSave is { } v4) fromSave.UnionWith(ForeignFirewallIptables.TableNames(v4).Select(t => ("ip", t)));
        if (input.Ip6tablesNftSave is { } v6) fromSave.UnionWith(ForeignFirewallIptables.TableNames(v6).Select(t => ("ip6", t)));
        if (input.NftRuleset is null) unreadable = "nft is not available, so the nftables ruleset could not be read";
        else
        {
            try { tables.AddRange(ForeignFirewallNft.Read(input.NftRuleset, fromSave)); }
            catch (JsonException e) { unreadable = $"nft's ruleset could not be parsed ({e.Message})"; }
        }
        (string? Text, string Source, string Family)[] saves =
        [
            (input.IptablesNftSave, FirewallSources.IptablesNft, "ip"), (input.Ip6tablesNftSave, FirewallSources.IptablesNft, "ip6"),
            (input.IptablesLegacySave, FirewallSources.IptablesLegacy, "ip"), (input.Ip6tablesLegacySave, FirewallSources.IptablesLegacy, "ip6"),
        ];
        foreach (var (text, source, family) in saves)
            if (text is not null) tables.AddRange(ForeignFirewallIptables.Read(text, source, family));
        return new ForeignFirewallTables(tables, unreadable);
    }

    private static HealthFinding Forward(ForeignFirewallInput input, List<FirewallTable> tables, string? unreadable)
    {
        const string check = HealthCheckIds.ForeignForwardDrop;
        if (!input.Forwards)
            return new(check, HealthStatus.Pass, $"{input.Bridge}'s mode does not forward: no forward chain is on its guests' path.");
        var b = input.Bridge;
        var packets = input.BridgeAddresses.SelectMany(address =>
        {
            var guest = Guest(address);
            var outside = address.IsIPv6 ? OutsideV6 : OutsideV4;
            var family = address.IsIPv6 ? " over IPv6" : "";
            return new[]
            {
                new FirewallPacket($"guests on {b} cannot reach outside{family}", FirewallHook.Forward, b, input.OutsideInterface,
                    guest, outside, "tcp", GuestPort, 443, "new", "unicast"),
                new FirewallPacket($"replies to guests on {b} are dropped: guests cannot reach outside{family}", FirewallHook.Forward,
                    input.OutsideInterface, b, outside, guest, "tcp", 443, GuestPort, "established", "unicast"),
            };
        });
        return Judge(check, input, tables, packets, unreadable, $"no forward chain but ours drops {b}'s traffic to or from outside");
    }

    private static HealthFinding BridgeNetfilter(ForeignFirewallInput input, List<FirewallTable> tables, string? unreadable)
    {
        const string check = HealthCheckIds.BridgeNetfilter;
        var b = input.Bridge;
        bool v4 = input.BridgeNfCallIptables == true, v6 = input.BridgeNfCallIp6tables == true;
        if (!v4 && !v6)
            return new(check, HealthStatus.Pass, input.BridgeNfCallIptables is null && input.BridgeNfCallIp6tables is null
                ? $"br_netfilter is not loaded: traffic between guests on {b} stays on the bridge."
                : $"bridge-nf-call-iptables and -ip6tables are 0: traffic between guests on {b} stays on the bridge.");
        var packets = input.BridgeAddresses.Where(a => a.IsIPv6 ? v6 : v4).Select(address =>
        {
            // br_netfilter hands bridged packets to the IP forward hook with the bridge itself as both the in and
            // the out interface (brnf_get_logical_dev), so iif = oif = the bridge, not its ports.
            var one = Guest(address);
            var other = IpNetwork.Offset(one, -1);
            return new FirewallPacket($"guests on {b} cannot reach each other{(address.IsIPv6 ? " over IPv6" : "")}",
                FirewallHook.Forward, b, b, one, other, "tcp", GuestPort, 22, "new", "unicast");
        }).ToList();
        var sysctl = v4 && v6 ? "bridge-nf-call-iptables and -ip6tables are 1" : v4 ? "bridge-nf-call-iptables=1" : "bridge-nf-call-ip6tables=1";
        var finding = Judge(check, input, tables, packets, unreadable, "");
        var off = "sysctl -w net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 " +
            "(and the same in /etc/sysctl.d/ to keep it; Docker needs it only to isolate its own bridges)";
        return finding.Status == HealthStatus.Pass
            ? new(check, HealthStatus.Warning,
                $"{sysctl} (br_netfilter): traffic between guests on {b} passes the host's IP forward chains; none drops it now, " +
                "but a forward drop added later (Docker's) cuts guests off from each other.", off)
            : finding with
            {
                Detail = $"{sysctl} (br_netfilter), so traffic between guests on {b} passes the host's IP forward chains: {finding.Detail}",
                Remedy = $"{off}; or {finding.Remedy}",
            };
    }

    private static HealthFinding Input(ForeignFirewallInput input, List<FirewallTable> tables, string? unreadable)
    {
        const string check = HealthCheckIds.ForeignInputDrop;
        var b = input.Bridge;
        // DHCP is not at stake: vnetd receives it on a packet socket ahead of netfilter (ufw's drop of port 67 included).
        if (!input.DnsServed)
            return new(check, HealthStatus.Pass, $"{b} serves no DNS, and its DHCP is received ahead of the input chains.");
        var packets = input.BridgeAddresses.SelectMany(address => new[] { "udp", "tcp" }.Select(protocol =>
            new FirewallPacket($"guests on {b} cannot resolve names through {address.Address} ({protocol})", FirewallHook.Input, b, "",
                Guest(address), address.Address, protocol, GuestPort, 53, "new", "local")));
        return Judge(check, input, tables, packets, unreadable, $"no input chain but ours drops DNS to {b}");
    }

    /// <summary>Sends the packets through every foreign base chain of their hook; the worst fate decides the finding.</summary>
    private static HealthFinding Judge(string check, ForeignFirewallInput input, List<FirewallTable> tables,
        IEnumerable<FirewallPacket> packets, string? unreadable, string passDetail)
    {
        var dropped = new List<(FirewallPacket Packet, DropSite Site)>();
        var unsure = new List<(FirewallPacket Packet, DropSite Site, string? Why)>();
        var chains = new HashSet<(FirewallTable, string)>();
        foreach (var packet in packets)
            foreach (var table in tables.Where(t => t.Family == "inet" || t.Family == packet.Family))
                foreach (var chain in table.Chains.Values.Where(c => c.Hook == packet.Hook))
                {
                    chains.Add((table, chain.Name));
                    var fate = new ChainEvaluator(table, chain.Name, packet).Run();
                    if (fate.Drop is null) continue;
                    if (fate.Certain) dropped.Add((packet, fate.Drop));
                    else unsure.Add((packet, fate.Drop, fate.Unsure));
                }
        var b = input.Bridge;
        if (dropped.Count > 0)
        {
            // One sentence per place that drops, with everything guests lose there.
            var detail = string.Join("; ", dropped.GroupBy(d => d.Site.Drops(b))
                .Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Packet.What).Distinct())}"));
            return new(check, HealthStatus.Fail, detail + ".", Remedies(dropped.Select(d => (d.Packet, d.Site)), b));
        }
        if (unsure.Count > 0)
        {
            var detail = string.Join("; ", unsure.GroupBy(u => u.Site.Where).Select(g =>
                $"could not tell whether {g.Key} drops {b}'s traffic: it depends on {g.First().Why ?? "a rule"}, which this check " +
                $"does not evaluate (if it does, {string.Join(", ", g.Select(u => u.Packet.What).Distinct())})"));
            return new(check, HealthStatus.Warning, detail + ".",
                $"Look at that chain's rules (nft list ruleset, iptables-save); if they drop {b}'s traffic: " +
                Remedies(unsure.Select(u => (u.Packet, u.Site)), b));
        }
        if (unreadable is not null)
            return new(check, HealthStatus.Warning, $"could not check the foreign firewalls: {unreadable}.", "Install nftables (nft).");
        return new(check, HealthStatus.Pass, $"{passDetail} ({chains.Count} foreign base chains checked).");
    }

    private static string Remedies(IEnumerable<(FirewallPacket Packet, DropSite Site)> drops, string bridge) =>
        string.Join("; ", drops.GroupBy(d => (d.Site.Where, d.Packet.Hook))
            .Select(g => Remedy(g.First().Site, g.Key.Hook, g.Select(d => d.Packet).ToList(), bridge)).Distinct());

    /// <summary>What to run for the party that wrote the dropping chain.</summary>
    private static string Remedy(DropSite site, FirewallHook hook, List<FirewallPacket> packets, string b)
    {
        var table = site.Table;
        var ip6 = table.Family == "ip6";
        var cmd = (ip6 ? "ip6tables" : "iptables") + (table.Source == FirewallSources.IptablesLegacy ? "-legacy" : "");
        var nft = $"nft insert rule {table.Family} {table.Name} {site.BaseChain}";
        var crossOnly = packets.All(p => p.InInterface == b && p.OutInterface == b);
        return (table.Owner, hook) switch
        {
            (FirewallOwner.Firewalld, _) =>
                $"firewall-cmd --permanent --zone=trusted --add-interface={b} && firewall-cmd --reload (or --zone=libvirt where libvirt's zone is installed)",
            (FirewallOwner.Docker, FirewallHook.Forward) when crossOnly => $"{cmd} -I DOCKER-USER -i {b} -o {b} -j ACCEPT (Docker keeps DOCKER-USER's rules; add it at boot after Docker starts)",
            (FirewallOwner.Docker, FirewallHook.Forward) =>
                $"{cmd} -I DOCKER-USER -i {b} -j ACCEPT && {cmd} -I DOCKER-USER -o {b} -j ACCEPT (Docker keeps DOCKER-USER's rules; add them at boot after Docker starts)",
            (FirewallOwner.Ufw, FirewallHook.Forward) when crossOnly => $"ufw route allow in on {b} out on {b}",
            (FirewallOwner.Ufw, FirewallHook.Forward) => $"ufw route allow in on {b} && ufw route allow out on {b}",
            (FirewallOwner.Ufw, FirewallHook.Input) => $"ufw allow in on {b} to any port 53",
            (FirewallOwner.Nft, FirewallHook.Forward) when crossOnly => $"{nft} iifname \"{b}\" oifname \"{b}\" accept",
            (FirewallOwner.Nft, FirewallHook.Forward) =>
                $"{nft} iifname \"{b}\" accept && {nft} oifname \"{b}\" ct state established,related accept",
            (FirewallOwner.Nft, FirewallHook.Input) => $"{nft} iifname \"{b}\" meta l4proto {{ udp, tcp }} th dport 53 accept",
            (_, FirewallHook.Forward) when crossOnly => $"{cmd} -I {site.BaseChain} -i {b} -o {b} -j ACCEPT",
            (_, FirewallHook.Forward) =>
                $"{cmd} -I {site.BaseChain} -i {b} -j ACCEPT && {cmd} -I {site.BaseChain} -o {b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            _ => $"{cmd} -I {site.BaseChain} -i {b} -p udp --dport 53 -j ACCEPT && {cmd} -I {site.BaseChain} -i {b} -p tcp --dport 53 -j ACCEPT",
        };
    }

    /// <summary>A guest's address in the bridge address's subnet (not the bridge's own).</summary>
    private static IPAddress Guest(IpNetwork bridgeAddress)
    {
        var last = bridgeAddress.LastHost;
        return last.Equals(bridgeAddress.Address) ? IpNetwork.Offset(last, -1) : last;
    }
}
