using System.Net;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;

namespace VirtualNetworking.Core.Health;

/// <summary>
/// Reads `nft -j list ruleset` into <see cref="FirewallTable"/>s: the ip, ip6 and inet tables but ours (bridge,
/// netdev and arp tables see frames, not the IP hooks this analysis follows). Matches it knows become tests on
/// the packet; anything else (an "xt" match iptables-nft could not translate, a named set, a limit) is a Maybe.
/// </summary>
internal static class ForeignFirewallNft
{
    /// <param name="skip">Tables read from iptables-nft-save instead (family, name): that text keeps xt matches' arguments.</param>
    public static IReadOnlyList<FirewallTable> Read(string json, IReadOnlySet<(string Family, string Name)> skip)
    {
        var tables = new Dictionary<(string, string), (Dictionary<string, (FirewallHook? Hook, bool Drops)> Chains, Dictionary<string, List<FirewallChainRule>> Rules)>();
        if (JsonNode.Parse(json)?["nftables"] is not JsonArray items) return [];
        foreach (var item in items.OfType<JsonObject>())
        {
            if (item["chain"] is JsonObject chain && Table(chain, "table") is { } ct)
            {
                var entry = Entry(ct);
                var hook = (string?)chain["hook"] switch { "input" => FirewallHook.Input, "forward" => FirewallHook.Forward, _ => (FirewallHook?)null };
                entry.Chains[(string)chain["name"]!] = (hook, (string?)chain["policy"] == "drop");
            }
            else if (item["rule"] is JsonObject rule && Table(rule, "table") is { } rt && rule["expr"] is JsonArray expr)
            {
                var chainName = (string)rule["chain"]!;
                var list = Entry(rt).Rules;
                if (!list.TryGetValue(chainName, out var rules)) list[chainName] = rules = [];
                rules.Add(ReadRule($"rule handle {(long?)rule["handle"]}", expr));
            }
        }
        var result = new List<FirewallTable>();
        foreach (var ((family, name), (chains, rules)) in tables)
        {
            var read = new Dictionary<string, FirewallChain>(StringComparer.Ordinal);
            foreach (var (chainName, (hook, drops)) in chains)
                read[chainName] = new FirewallChain(chainName, hook, drops, rules.TryGetValue(chainName, out var list) ? list : []);
            result.Add(new FirewallTable(FirewallSources.Nft, family, name, read));
        }
        return result;

        (string, string)? Table(JsonObject node, string key)
        {
            var family = (string?)node["family"];
            var name = (string?)node[key];
            if (family is not ("ip" or "ip6" or "inet") || name is null) return null;
            if (name == FirewallLayout.TableName || skip.Contains((family, name))) return null;
            return (family, name);
        }

        (Dictionary<string, (FirewallHook?, bool)> Chains, Dictionary<string, List<FirewallChainRule>> Rules) Entry((string, string) key)
        {
            if (!tables.TryGetValue(key, out var entry)) tables[key] = entry = ([], []);
            return entry;
        }
    }

    private static FirewallChainRule ReadRule(string label, JsonArray expr)
    {
        var matches = new List<FirewallMatch>();
        var verdict = FirewallVerdict.Continue;
        foreach (var statement in expr.OfType<JsonObject>())
        {
            var (key, value) = statement.First();
            switch (key)
            {
                case "match": matches.Add(Match(value!.AsObject())); break;
                case "accept": verdict = FirewallVerdict.Accept; break;
                case "drop" or "reject": verdict = FirewallVerdict.Drop; break;
                case "return": verdict = FirewallVerdict.Return; break;
                case "continue": verdict = FirewallVerdict.Continue; break;
                case "jump": verdict = new(VerdictKind.Jump, Text(value, "target")); break;
                case "goto": verdict = new(VerdictKind.Goto, Text(value, "target")); break;
                // A translation accepts in a nat chain: the packet goes on.
                case "snat" or "dnat" or "masquerade" or "redirect": verdict = FirewallVerdict.Accept; break;
                // Side effects only.
                case "counter" or "log" or "mangle" or "notrack" or "set" or "ct helper" or "ct timeout" or "ct expectation" or "secmark": break;
                case "xt" when Text(value, "type") == "target": verdict = XtTarget(Text(value, "name")) ?? verdict; break;
                case "xt": matches.Add(Unknown($"xt match {Text(value, "name")}")); break;
                case "limit" or "quota": matches.Add(Unknown(key)); break;
                case "queue" or "vmap": verdict = FirewallVerdict.Unknown($"a {key} verdict"); break;
                default: matches.Add(Unknown($"a {key} statement")); break;
            }
        }
        return new FirewallChainRule(label, matches, verdict);
    }

    /// <summary>An iptables target nft could not translate: LOG-like goes on, NAT accepts, the rest is unknown.</summary>
    internal static FirewallVerdict? XtTarget(string? name) => name switch
    {
        "LOG" or "NFLOG" or "ULOG" or "MARK" or "CONNMARK" or "TCPMSS" or "CHECKSUM" or "CT" or "TRACE" or "AUDIT"
            or "CLASSIFY" or "DSCP" or "TOS" or "TTL" or "HL" or "SET" or "SECMARK" or "CONNSECMARK" => null,
        "ACCEPT" or "MASQUERADE" or "SNAT" or "DNAT" or "REDIRECT" or "NETMAP" => FirewallVerdict.Accept,
        "DROP" or "REJECT" => FirewallVerdict.Drop,
        "RETURN" => FirewallVerdict.Return,
        _ => FirewallVerdict.Unknown($"the target {name}"),
    };

    private static string? Text(JsonNode? node, string key) => (string?)node?[key];

    internal static FirewallMatch Unknown(string what) => new(_ => Tri.Maybe, what);

    private static FirewallMatch Match(JsonObject match)
    {
        var op = (string?)match["op"];
        var left = match["left"];
        var right = match["right"];
        if (op is not ("==" or "!=" or "in")) return Unknown($"a match with operator {op}");
        var field = Field(left);
        if (field is null) return Unknown($"a match on {Describe(left)}");
        var elements = Elements(right);
        var negate = op == "!=";
        var what = Describe(left);
        return new FirewallMatch(p => PacketMatches.Compare(field(p), elements, negate), $"a match on {what}");
    }

    /// <summary>The packet's value for a left-hand expression: a string, address, port, bool, or a <see cref="PacketValue"/> marker.</summary>
    private static Func<FirewallPacket, object?>? Field(JsonNode? left)
    {
        if (left is not JsonObject o) return null;
        if (o["meta"] is JsonObject meta)
            return (string?)meta["key"] switch
            {
                "iifname" or "iif" => p => p.InInterface is null ? PacketValue.UnknownName : new InterfaceName(p.InInterface),
                "oifname" or "oif" => p => p.OutInterface is null ? PacketValue.UnknownName : new InterfaceName(p.OutInterface),
                "l4proto" => p => p.Protocol,
                "nfproto" => p => p.IsIPv6 ? "ipv6" : "ipv4",
                "protocol" => p => p.IsIPv6 ? "ip6" : "ip",
                // Every packet here is addressed to the host's or a router's MAC.
                "pkttype" => _ => "host",
                _ => null,
            };
        if (o["payload"] is JsonObject payload)
        {
            var protocol = (string?)payload["protocol"];
            var name = (string?)payload["field"];
            return (protocol, name) switch
            {
                ("ip", "saddr") => p => p.IsIPv6 ? PacketValue.Absent : p.Source,
                ("ip", "daddr") => p => p.IsIPv6 ? PacketValue.Absent : p.Destination,
                ("ip", "protocol") => p => p.IsIPv6 ? PacketValue.Absent : p.Protocol,
                ("ip6", "saddr") => p => p.IsIPv6 ? p.Source : PacketValue.Absent,
                ("ip6", "daddr") => p => p.IsIPv6 ? p.Destination : PacketValue.Absent,
                ("ip6", "nexthdr") => p => p.IsIPv6 ? p.Protocol : PacketValue.Absent,
                ("udp" or "tcp" or "th", "sport") => p => protocol == "th" || protocol == p.Protocol ? p.SourcePort : PacketValue.Absent,
                ("udp" or "tcp" or "th", "dport") => p => protocol == "th" || protocol == p.Protocol ? p.DestinationPort : PacketValue.Absent,
                // nft adds the protocol dependency: a header our udp/tcp packets do not have never matches.
                ("icmp" or "icmpv6" or "igmp" or "sctp" or "dccp" or "udplite" or "esp" or "ah" or "comp" or "gre", _) => _ => PacketValue.Absent,
                _ => null,
            };
        }
        if (o["ct"] is JsonObject ct)
            return (string?)ct["key"] switch
            {
                "state" => p => p.CtState,
                // We never DNAT guests' traffic; other status bits (snat of a masqueraded reply) are not modelled.
                "status" => _ => PacketValue.CtStatus,
                _ => null,
            };
        if (o["fib"] is JsonObject fib && fib["flags"] is JsonArray flags)
        {
            var names = flags.Select(f => (string?)f).ToList();
            return (string?)fib["result"] switch
            {
                "type" when names.Contains("daddr") => p => p.DaddrType,
                // Reverse-path lookups: guests' and replies' sources route back where they came from.
                "oif" or "oifname" when names.Contains("saddr") => _ => true,
                _ => null,
            };
        }
        return null;
    }

    private static IReadOnlyList<object?> Elements(JsonNode? right) => right switch
    {
        JsonObject { } o when o["set"] is JsonArray set => [.. set.Select(Element)],
        JsonArray array => [.. array.Select(Element)],
        _ => [Element(right)],
    };

    private static object? Element(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue<bool>(out var b): return b;
            case JsonValue v when v.TryGetValue<long>(out var n): return n;
            case JsonValue v when v.TryGetValue<string>(out var s):
                if (s.StartsWith('@')) return PacketValue.NamedSet;
                return IPAddress.TryParse(s, out var address) ? address : s;
            case JsonObject o when o["prefix"] is JsonObject prefix && IPAddress.TryParse((string?)prefix["addr"], out var net):
                return new IpNetwork(net, (int)prefix["len"]!);
            case JsonObject o when o["range"] is JsonArray range && range.Count == 2:
                return new ElementRange(Element(range[0]), Element(range[1]));
            default: return PacketValue.NamedSet;
        }
    }

    private static string Describe(JsonNode? left) => left switch
    {
        JsonObject o when o["meta"] is JsonObject m => $"meta {(string?)m["key"]}",
        JsonObject o when o["payload"] is JsonObject p => $"{(string?)p["protocol"]} {(string?)p["field"]}",
        JsonObject o when o["ct"] is JsonObject c => $"ct {(string?)c["key"]}",
        JsonObject o when o["fib"] is JsonObject f => $"fib {(string?)f["result"]}",
        JsonObject o => o.First().Key,
        _ => "an expression",
    };
}
