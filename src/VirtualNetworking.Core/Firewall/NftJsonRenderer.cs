using VirtualNetworking.Core.Addressing;
using System.Text.Json.Nodes;
using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Renders tables, chains and rules as nft JSON commands (libnftables-json(5)). The bridge and the forward
/// device are matched by name (meta iifname/oifname) as JSON strings. libvirt matches its bridge with
/// `iif`, which libnftables resolves by dumping every link of the host on each call: with 200 bridges that
/// made an apply 4.1 ms instead of 2.3 ms. A name also matches a bridge re-created under the same name.
/// </summary>
internal static class NftJsonRenderer
{
    public static void AddTable(NftTransaction transaction, NftFamily family) =>
        transaction.Add("add", "table", new JsonObject { ["family"] = family.ToNft(), ["name"] = TableName });

    public static void DeleteTable(NftTransaction transaction, NftFamily family) =>
        transaction.Add("delete", "table", new JsonObject { ["family"] = family.ToNft(), ["name"] = TableName });

    public static void AddChain(NftTransaction transaction, NftFamily family, ChainSpec chain)
    {
        var body = ChainReference(family, chain.Name);
        if (chain.Hook is { } hook)
        {
            body["type"] = hook.Type;
            body["hook"] = hook.Hook;
            body["prio"] = hook.Priority;
            body["policy"] = "accept";
        }
        transaction.Add("add", "chain", body);
    }

    /// <summary>An interval set or map of <see cref="FirewallLayout.Sets"/>; `add` leaves an existing one and its elements as they are.</summary>
    public static void AddSet(NftTransaction transaction, NftFamily family, SetSpec set)
    {
        var body = new JsonObject
        {
            ["family"] = family.ToNft(), ["table"] = TableName, ["name"] = set.Name,
            ["type"] = new JsonArray([.. set.Key.Select(f => (JsonNode)JsonValue.Create(TypeOf(f, family)))]),
        };
        if (set.Value is { } value) body["map"] = TypeOf(value, family);
        if (set.Interval) body["flags"] = new JsonArray("interval");
        transaction.Add("add", set.Value is null ? "set" : "map", body);
    }

    /// <param name="verb">"add" or "delete" (by key: a map's value is not needed).</param>
    public static void Elements(NftTransaction transaction, string verb, PortForwardElements elements)
    {
        foreach (var group in ElementsOf(elements, withValues: verb == "add").GroupBy(e => (e.Family, e.Set)))
            Elements(transaction, verb, group.Key.Family, group.Key.Set, group.Select(e => e.Element));
    }

    /// <summary>Each element as nft takes and lists it: a set's key, or a map's [key, value] <paramref name="withValues"/>.</summary>
    public static IEnumerable<(NftFamily Family, string Set, JsonNode Element)> ElementsOf(PortForwardElements elements, bool withValues)
    {
        foreach (var e in elements.Addresses)
            yield return (e.Key.Family, AddressMap(e.Key.Kind), withValues ? Pair(Key(e.Key), Address(e.Guest)) : Key(e.Key));
        foreach (var e in elements.Ports)
            yield return (e.Key.Family, PortMap(e.Key.Kind), withValues ? Pair(Key(e.Key), JsonValue.Create(e.Port)) : Key(e.Key));
        foreach (var g in elements.Guests)
            yield return (g.Family, Forwarded, new JsonObject { ["concat"] = new JsonArray(Address(g.Address), g.Protocol, g.Port) });
    }

    /// <summary>Deletes elements as a listing gave their keys.</summary>
    public static void DeleteListedElements(NftTransaction transaction, IEnumerable<ListedElement> elements)
    {
        foreach (var group in elements.GroupBy(e => (e.Family, e.Set)))
            Elements(transaction, "delete", group.Key.Family, group.Key.Set, group.Select(e => e.Key.DeepClone()));
    }

    private static void Elements(NftTransaction transaction, string verb, NftFamily family, string set, IEnumerable<JsonNode> elements)
    {
        var list = new JsonArray([.. elements]);
        if (list.Count == 0) return;
        transaction.Add(verb, "element", new JsonObject { ["family"] = family.ToNft(), ["table"] = TableName, ["name"] = set, ["elem"] = list });
    }

    private static string TypeOf(SetField field, NftFamily family) => field switch
    {
        SetField.Address => family == NftFamily.Ip ? "ipv4_addr" : "ipv6_addr",
        SetField.Protocol => "inet_proto",
        _ => "inet_service",
    };

    private static JsonNode Pair(JsonNode key, JsonNode value) => new JsonArray(key, value);

    private static JsonNode Key(ForwardKey key)
    {
        var fields = new JsonArray();
        if (key.Source is { } source)
            fields.Add(source.PrefixLength == source.MaxPrefix ? Address(source.Address)
                : new JsonObject { ["prefix"] = new JsonObject { ["addr"] = source.Address.ToString(), ["len"] = source.PrefixLength } });
        if (key.Destination is { } destination) fields.Add(Span(destination));
        fields.Add((JsonNode)JsonValue.Create(key.Protocol));
        fields.Add((JsonNode)JsonValue.Create(key.Port));
        return new JsonObject { ["concat"] = fields };
    }

    private static JsonNode Address(System.Net.IPAddress address) => JsonValue.Create(address.ToString());

    /// <summary>One address, a prefix when the span is exactly one, else a range: as nft lists it, so an audit can compare.</summary>
    private static JsonNode Span(AddressSpan span)
    {
        if (span.First.Equals(span.Last)) return Address(span.First);
        var ipv6 = span.First.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var size = IpNetwork.ToInteger(span.Last) - IpNetwork.ToInteger(span.First) + 1;
        if (size != 0 && UInt128.IsPow2(size) && (IpNetwork.ToInteger(span.First) & (size - 1)) == 0)
            return new JsonObject { ["prefix"] = new JsonObject { ["addr"] = span.First.ToString(), ["len"] = (ipv6 ? 128 : 32) - (int)UInt128.Log2(size) } };
        return new JsonObject { ["range"] = new JsonArray(Address(span.First), Address(span.Last)) };
    }

    public static void FlushChain(NftTransaction transaction, NftFamily family, string chain) =>
        transaction.Add("flush", "chain", ChainReference(family, chain));

    /// <param name="verb">"insert" (head of chain, libvirt's order) or "add" (tail).</param>
    public static void Rule(NftTransaction transaction, string verb, FirewallRule rule, string bridge, string? comment)
    {
        // Added as JsonNode: JsonArray.Add<T> may serialise by reflection, which vnetd (NativeAOT) cannot.
        var expressions = new JsonArray();
        foreach (var match in rule.Matches) expressions.Add((JsonNode)Match(match, bridge));
        expressions.Add((JsonNode)new JsonObject { ["counter"] = null });
        expressions.Add((JsonNode)Action(rule.Action));

        var body = new JsonObject { ["family"] = rule.Family.ToNft(), ["table"] = TableName, ["chain"] = rule.Chain };
        if (comment is not null) body["comment"] = comment;
        body["expr"] = expressions;
        transaction.Add(verb, "rule", body);
    }

    public static void DeleteRule(NftTransaction transaction, RuleHandle rule)
    {
        transaction.Add("delete", "rule", new JsonObject
        {
            ["family"] = rule.Family.ToNft(), ["table"] = TableName, ["chain"] = rule.Chain, ["handle"] = rule.Handle,
        });
    }

    private static JsonObject ChainReference(NftFamily family, string chain) =>
        new() { ["family"] = family.ToNft(), ["table"] = TableName, ["name"] = chain };

    private static JsonObject Match(RuleMatch match, string bridge) => match switch
    {
        BridgeMatch m => Compare("==", Meta(m.Direction == InterfaceDirection.In ? "iifname" : "oifname"), bridge),
        InterfaceNameMatch m => Compare("==", Meta(m.Direction == InterfaceDirection.In ? "iifname" : "oifname"), m.Name),
        AddressMatch m => Compare(m.Negated ? "!=" : "==", Payload(m.Network.IsIPv6 ? "ip6" : "ip", m.Field == AddressField.Source ? "saddr" : "daddr"), Prefix(m)),
        L4ProtocolMatch m => Compare("==", Meta("l4proto"), m.Protocol),
        RelatedOrEstablishedMatch => Compare("in", new JsonObject { ["ct"] = new JsonObject { ["key"] = "state" } }, new JsonArray("related", "established")),
        DestinationPortMatch m => Compare("==", Payload(m.Protocol, "dport"),
            m.Last is { } last && last != m.Port ? new JsonObject { ["range"] = new JsonArray(m.Port, last) } : JsonValue.Create(m.Port)),
        LocalDestinationMatch => Compare("==", new JsonObject { ["fib"] = new JsonObject { ["result"] = "type", ["flags"] = new JsonArray("daddr") } }, "local"),
        DnatStatusMatch => Compare("in", new JsonObject { ["ct"] = new JsonObject { ["key"] = "status" } }, "dnat"),
        TcpOrUdpMatch => Compare("==", Meta("l4proto"), new JsonObject { ["set"] = new JsonArray("tcp", "udp") }),
        ForwardedGuestMatch m => Compare("==", new JsonObject { ["concat"] = new JsonArray(Payload(m.Family.ToNft(), "daddr"), Meta("l4proto"), Payload("th", "dport")) }, "@" + Forwarded),
        _ => throw new ArgumentOutOfRangeException(nameof(match), match, "Unknown match."),
    };

    private static JsonObject Action(RuleAction action) => action switch
    {
        AcceptAction => new() { ["accept"] = null },
        RejectAction => new() { ["reject"] = null },
        ReturnAction => new() { ["return"] = null },
        JumpAction j => new() { ["jump"] = new JsonObject { ["target"] = j.Chain } },
        MasqueradeAction m => new() { ["masquerade"] = m.Ports is null ? null : new JsonObject { ["port"] = Ports(m.Ports) } },
        SnatAction s => new() { ["snat"] = Snat(s) },
        DnatAction d => new() { ["dnat"] = d.Port is { } port ? new JsonObject { ["addr"] = d.Address.ToString(), ["port"] = port } : new JsonObject { ["addr"] = d.Address.ToString() } },
        ForwardDnatAction d => new() { ["dnat"] = ForwardDnat(d) },
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown action."),
    };

    /// <summary>
    /// The address and the port each from a map of their own: libnftables 1.0.6 crashes parsing JSON for a map whose value is
    /// address . port.
    /// </summary>
    private static JsonObject ForwardDnat(ForwardDnatAction dnat)
    {
        JsonObject Lookup(string map)
        {
            var key = new JsonArray();
            if (dnat.Kind == ForwardKind.Sourced) key.Add((JsonNode)Payload(dnat.Family.ToNft(), "saddr"));
            if (dnat.Kind != ForwardKind.AnyAddress) key.Add((JsonNode)Payload(dnat.Family.ToNft(), "daddr"));
            key.Add((JsonNode)Meta("l4proto"));
            key.Add((JsonNode)Payload("th", "dport"));
            return new() { ["map"] = new JsonObject { ["key"] = new JsonObject { ["concat"] = key }, ["data"] = "@" + map } };
        }
        return new JsonObject { ["family"] = dnat.Family.ToNft(), ["addr"] = Lookup(AddressMap(dnat.Kind)), ["port"] = Lookup(PortMap(dnat.Kind)) };
    }
    private static JsonObject Snat(SnatAction snat)
    {
        var start = snat.Addresses.Start.ToString();
        var body = new JsonObject
        {
            ["addr"] = snat.Addresses.End is { } end
                ? new JsonObject { ["range"] = new JsonArray(start, end.ToString()) }
                : JsonValue.Create(start),
        };
        if (snat.Ports is not null) body["port"] = Ports(snat.Ports);
        return body;
    }

    /// <summary>Same simplification as libvirt: an empty or inverted range becomes its start port.</summary>
    private static JsonNode Ports(NatPortRange ports) => ports.IsSinglePort
        ? JsonValue.Create(ports.Start)
        : new JsonObject { ["range"] = new JsonArray(ports.Start, ports.End) };

    /// <summary>A full-length prefix is written as a plain address (what nft itself lists).</summary>
    private static JsonNode Prefix(AddressMatch m) => m.Network.PrefixLength == m.Network.MaxPrefix
        ? JsonValue.Create(m.Network.Address.ToString())
        : new JsonObject { ["prefix"] = new JsonObject { ["addr"] = m.Network.Address.ToString(), ["len"] = m.Network.PrefixLength } };

    private static JsonObject Compare(string op, JsonNode left, JsonNode right) =>
        new() { ["match"] = new JsonObject { ["op"] = op, ["left"] = left, ["right"] = right } };

    private static JsonObject Meta(string key) => new() { ["meta"] = new JsonObject { ["key"] = key } };

    private static JsonObject Payload(string protocol, string field) =>
        new() { ["payload"] = new JsonObject { ["protocol"] = protocol, ["field"] = field } };
}
