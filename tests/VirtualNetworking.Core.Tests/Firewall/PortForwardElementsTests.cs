using System.Net;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Tests.Firewall;

/// <summary>
/// Port forwards as nft JSON: elements of the shared maps and set (keys, values, the merged guest ports), what a live change
/// deletes and adds, the shared lookup rules and the network's hairpin masquerading.
/// </summary>
public sealed class PortForwardElementsTests
{
    private const string Guest = "192.168.122.10";

    private static NetworkDefinition Network(NetworkMode mode, params PortForwardDefinition[] forwards)
    {
        var definition = TestNetworks.Define("fwd", mode, "192.168.122.1/255.255.255.0", "2001:db8:ca2:2::1/64");
        definition.PortForwards.AddRange(forwards);
        return definition;
    }

    private static PortForwardDefinition Forward(string protocol, int hostPort, int? hostEnd = null, int? guestPort = null, int? guestEnd = null,
        string guest = Guest, string? host = null, params string[] sources)
    {
        var forward = new PortForwardDefinition
        {
            Protocol = protocol == "udp" ? PortProtocol.Udp : PortProtocol.Tcp, HostPort = hostPort, HostPortEnd = hostEnd,
            GuestAddress = IPAddress.Parse(guest), GuestPort = guestPort, GuestPortEnd = guestEnd, HostAddress = host is null ? null : IPAddress.Parse(host),
        };
        forward.SourcePrefixes.AddRange(sources);
        return forward;
    }

    private static FirewallNetwork Mapped(NetworkDefinition definition) => FirewallNetworkMapper.FromDefinition(definition);

    /// <summary>The elements an apply adds to one set or map of one family, as JSON text, sorted.</summary>
    private static List<string> Added(NetworkDefinition definition, string set, string family = "ip") =>
        Elements(FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(Mapped(definition))), "add", set, family);

    private static List<string> Elements(NftTransaction transaction, string verb, string set, string family = "ip") =>
        [.. transaction.Commands.Select(c => c[verb]?["element"]).OfType<JsonObject>()
            .Where(e => (string?)e["name"] == set && (string?)e["family"] == family)
            .SelectMany(e => e["elem"]!.AsArray().Select(x => x!.ToJsonString())).Order(StringComparer.Ordinal)];

    private static string Key(params string[] fields) => $"{{\"concat\":[{string.Join(",", fields)}]}}";

    private static string Pair(string key, string value) => $"[{key},{value}]";

    [Fact]
    public void A_forward_on_every_address_maps_protocol_and_port_to_the_guest_and_its_port()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, guestPort: 80));

        Assert.Equal([Pair(Key("\"tcp\"", "8080"), $"\"{Guest}\"")], Added(network, FirewallLayout.ForwardAny));
        Assert.Equal([Pair(Key("\"tcp\"", "8080"), "80")], Added(network, FirewallLayout.ForwardAnyPorts));
        Assert.Equal([Key($"\"{Guest}\"", "\"tcp\"", "80")], Added(network, FirewallLayout.Forwarded));
        Assert.Empty(Added(network, FirewallLayout.ForwardHost));
        Assert.Empty(Added(network, FirewallLayout.ForwardSourced));
    }

    [Fact]
    public void A_range_is_a_key_per_port_in_maps_that_need_no_intervals()
    {
        var network = Network(NetworkMode.Nat, Forward("udp", 5000, hostEnd: 5009), Forward("tcp", 9000, hostEnd: 9002, guestPort: 7000, guestEnd: 7002, host: "203.0.113.5"));

        Assert.Equal(Enumerable.Range(5000, 10).Select(p => Pair(Key("\"udp\"", $"{p}"), $"{p}")).Order(StringComparer.Ordinal), Added(network, FirewallLayout.ForwardAnyPorts));
        Assert.Equal(
            [Pair(Key("\"203.0.113.5\"", "\"tcp\"", "9000"), "7000"), Pair(Key("\"203.0.113.5\"", "\"tcp\"", "9001"), "7001"), Pair(Key("\"203.0.113.5\"", "\"tcp\"", "9002"), "7002")],
            Added(network, FirewallLayout.ForwardHostPorts));
        Assert.Equal(13, Added(network, FirewallLayout.Forwarded).Count);
        var sets = FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(Mapped(network))).Commands
            .Select(c => c["add"]?["map"] ?? c["add"]?["set"]).OfType<JsonObject>().Where(m => (string?)m["family"] == "ip").ToList();
        Assert.Equal([FirewallLayout.ForwardSourced, FirewallLayout.ForwardSourcedPorts], sets.Where(m => m["flags"] is not null).Select(m => (string?)m["name"]));
    }

    [Fact]
    public void A_forward_from_sources_is_a_key_per_prefix_and_host_span_and_a_prefix_within_another_is_left_out()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 443, sources: ["198.51.100.0/24", "192.0.2.7/32", "198.51.100.128/25"]));

        const string below = """{"range":["0.0.0.0","126.255.255.255"]}""", above = """{"prefix":{"addr":"128.0.0.0","len":1}}""";
        const string prefix = """{"prefix":{"addr":"198.51.100.0","len":24}}""";
        Assert.Equal(
            new[] { Key("\"192.0.2.7\"", below, "\"tcp\"", "443"), Key("\"192.0.2.7\"", above, "\"tcp\"", "443"), Key(prefix, below, "\"tcp\"", "443"), Key(prefix, above, "\"tcp\"", "443") }
                .Select(k => Pair(k, $"\"{Guest}\"")).Order(StringComparer.Ordinal),
            Added(network, FirewallLayout.ForwardSourced));
        Assert.Empty(Added(network, FirewallLayout.ForwardAny));
    }

    [Fact]
    public void An_IPv6_forward_goes_into_the_ip6_table_and_its_sourced_keys_go_around_the_loopback_address()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 2222, guestPort: 22, guest: "2001:db8:ca2:2::10", sources: ["2001:db8::/32"]));

        Assert.Empty(Added(network, FirewallLayout.ForwardSourced));
        const string source = """{"prefix":{"addr":"2001:db8::","len":32}}""";
        Assert.Equal(
            [Pair(Key(source, "\"::\"", "\"tcp\"", "2222"), "\"2001:db8:ca2:2::10\""),
             Pair(Key(source, """{"range":["::2","ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]}""", "\"tcp\"", "2222"), "\"2001:db8:ca2:2::10\"")],
            Added(network, FirewallLayout.ForwardSourced, "ip6"));
    }

    [Fact]
    public void A_forward_on_loopback_is_a_host_address_key_apart_from_the_every_address_one()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, host: "127.0.0.1"), Forward("tcp", 8080, guest: "192.168.122.11"));

        Assert.Equal([Pair(Key("\"127.0.0.1\"", "\"tcp\"", "8080"), $"\"{Guest}\"")], Added(network, FirewallLayout.ForwardHost));
        Assert.Equal([Pair(Key("\"tcp\"", "8080"), "\"192.168.122.11\"")], Added(network, FirewallLayout.ForwardAny));
    }

    [Fact]
    public void A_live_change_deletes_and_adds_only_the_difference_and_a_guest_port_stays_while_a_forward_needs_it()
    {
        var ssh = Forward("tcp", 2222, guestPort: 22);
        var before = Network(NetworkMode.Nat, ssh, Forward("tcp", 8080, guestPort: 80));
        var after = Network(NetworkMode.Nat, ssh, Forward("tcp", 8080, guestPort: 80), Forward("tcp", 8081, guestPort: 80));

        var adding = FirewallPlanner.BuildForwardChangeTransaction(Mapped(before), Mapped(after));
        Assert.DoesNotContain(adding.Commands, c => c["delete"] is not null);
        Assert.Equal([Pair(Key("\"tcp\"", "8081"), $"\"{Guest}\"")], Elements(adding, "add", FirewallLayout.ForwardAny));
        Assert.Equal([Pair(Key("\"tcp\"", "8081"), "80")], Elements(adding, "add", FirewallLayout.ForwardAnyPorts));
        // Guest port 80 was accepted already: a second forward to it adds nothing to the set, and removing one keeps it.
        Assert.Empty(Elements(adding, "add", FirewallLayout.Forwarded));
        Assert.All(adding.Commands, c => Assert.Null(c["add"]?["rule"]));

        var removing = FirewallPlanner.BuildForwardChangeTransaction(Mapped(after), Mapped(before));
        // Deleted by key alone.
        Assert.Equal([Key("\"tcp\"", "8081")], Elements(removing, "delete", FirewallLayout.ForwardAny));
        Assert.Equal([Key("\"tcp\"", "8081")], Elements(removing, "delete", FirewallLayout.ForwardAnyPorts));
        Assert.Empty(Elements(removing, "delete", FirewallLayout.Forwarded));
        Assert.Equal([Key($"\"{Guest}\"", "\"tcp\"", "22")],
            Elements(FirewallPlanner.BuildForwardChangeTransaction(Mapped(before), Mapped(Network(NetworkMode.Nat, Forward("tcp", 8080, guestPort: 80)))), "delete", FirewallLayout.Forwarded));

        Assert.True(FirewallPlanner.BuildForwardChangeTransaction(Mapped(before), Mapped(before)).IsEmpty);
    }

    [Fact]
    public void A_routed_network_forwards_and_the_modes_that_cannot_get_no_elements()
    {
        Assert.NotEmpty(Added(Network(NetworkMode.Routed, Forward("tcp", 8080)), FirewallLayout.ForwardAny));
        Assert.True(Mapped(Network(NetworkMode.Isolated, Forward("tcp", 8080))).ForwardElements.IsEmpty);
        Assert.True(Mapped(Network(NetworkMode.Open, Forward("tcp", 8080))).ForwardElements.IsEmpty);
    }

    [Fact]
    public void The_network_masquerades_forwarded_connections_from_its_own_subnet_and_from_loopback()
    {
        var plan = TestNetworks.Plan(Network(NetworkMode.Nat));

        var hairpin = plan.Rules.Where(r => r.Chain == FirewallLayout.GuestNat && r.Matches.OfType<DnatStatusMatch>().Any()).ToList();
        Assert.Equal(
            ["192.168.122.0/24 -> 192.168.122.0/24", "2001:db8:ca2:2::/64 -> 2001:db8:ca2:2::/64", "127.0.0.0/8 -> "],
            hairpin.Select(r => string.Join(" -> ", r.Matches.OfType<AddressMatch>().Select(m => m.Network.ToString()).Append("").Take(2))));
        Assert.All(hairpin, r => Assert.IsType<MasqueradeAction>(r.Action));
        Assert.All(hairpin, r => Assert.Contains(new BridgeMatch(InterfaceDirection.Out), r.Matches));
    }

    [Fact]
    public void The_shared_rules_look_each_kind_of_key_up_and_accept_exactly_the_forwarded_ports()
    {
        var transaction = new NftTransaction();
        foreach (var rule in FirewallRuleBuilder.SharedRules(NftFamily.Ip)) NftJsonRenderer.Rule(transaction, "add", rule, "", comment: null);
        var rules = transaction.Commands.Select(c => c["add"]!["rule"]!).ToList();

        static string Field(string protocol, string field) => "{\"payload\":{\"protocol\":\"" + protocol + "\",\"field\":\"" + field + "\"}}";
        const string proto = """{"meta":{"key":"l4proto"}}""";
        string Dnat(string map, params string[] key)
        {
            var k = """{"concat":[""" + string.Join(",", key) + "]}";
            return "{\"dnat\":{\"family\":\"ip\",\"addr\":{\"map\":{\"key\":" + k + ",\"data\":\"@" + map + "\"}},\"port\":{\"map\":{\"key\":" + k + ",\"data\":\"@" + map + "_ports\"}}}}";
        }
        var host = Dnat(FirewallLayout.ForwardHost, Field("ip", "daddr"), proto, Field("th", "dport"));
        var sourced = Dnat(FirewallLayout.ForwardSourced, Field("ip", "saddr"), Field("ip", "daddr"), proto, Field("th", "dport"));
        var any = Dnat(FirewallLayout.ForwardAny, proto, Field("th", "dport"));
        Assert.Equal(
            [$"guest_dnat {host}", $"guest_dnat {sourced}", $"guest_dnat {any}", $"guest_dnat_output {host}", $"guest_dnat_output {sourced}", $"guest_dnat_output {any}"],
            rules.Take(6).Select(r => $"{r["chain"]} {r["expr"]!.AsArray()[^1]!.ToJsonString()}"));
        // From outside never to loopback; the host's own connections to loopback only where a host key names it.
        Assert.All(rules.Take(3), r => Assert.Contains("127.0.0.0", r["expr"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.DoesNotContain("127.0.0.0", rules[3]["expr"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.0", rules[5]["expr"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(
            """[{"match":{"op":"in","left":{"ct":{"key":"status"}},"right":"dnat"}},{"match":{"op":"==","left":{"concat":[{"payload":{"protocol":"ip","field":"daddr"}},{"meta":{"key":"l4proto"}},{"payload":{"protocol":"th","field":"dport"}}]},"right":"@forwarded"}},{"counter":null},{"accept":null}]""",
            rules[6]["expr"]!.ToJsonString());
    }
}
