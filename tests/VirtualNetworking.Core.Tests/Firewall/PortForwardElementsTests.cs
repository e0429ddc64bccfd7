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
    private const string AnySource = """{"prefix":{"addr":"0.0.0.0","len":0}}""";
    /// <summary>Every IPv4 address but 127.0.0.0/8, as two keys.</summary>
    private static readonly string[] AnyHost = ["""{"range":["0.0.0.0","126.255.255.255"]}""", """{"prefix":{"addr":"128.0.0.0","len":1}}"""];

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

    private static string Key(string source, string host, string protocol, string port) => $$"""{"concat":[{{source}},{{host}},"{{protocol}}",{{port}}]}""";

    private static string Pair(string key, string value) => $"[{key},{value}]";

    [Fact]
    public void A_shifted_single_port_maps_every_host_address_but_loopback_to_the_guest_and_its_port()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, guestPort: 80));

        var keys = AnyHost.Select(h => Key(AnySource, h, "tcp", "8080")).ToList();
        Assert.Equal(keys.Select(k => Pair(k, $"\"{Guest}\"")).Order(StringComparer.Ordinal), Added(network, FirewallLayout.ForwardAddresses));
        Assert.Equal(keys.Select(k => Pair(k, "80")).Order(StringComparer.Ordinal), Added(network, FirewallLayout.ForwardPorts));
        Assert.Equal([$$"""{"concat":["{{Guest}}","tcp",80]}"""], Added(network, FirewallLayout.Forwarded));
    }

    [Fact]
    public void A_range_to_the_same_ports_is_one_key_per_host_span_that_keeps_the_port()
    {
        var network = Network(NetworkMode.Nat, Forward("udp", 5000, hostEnd: 5009));

        Assert.Equal(AnyHost.Select(h => Pair(Key(AnySource, h, "udp", """{"range":[5000,5009]}"""), $"\"{Guest}\"")).Order(StringComparer.Ordinal),
            Added(network, FirewallLayout.ForwardAddresses));
        Assert.Empty(Added(network, FirewallLayout.ForwardPorts));
        Assert.Equal([$$"""{"concat":["{{Guest}}","udp",{"range":[5000,5009]}]}"""], Added(network, FirewallLayout.Forwarded));
    }

    [Fact]
    public void A_shifted_range_is_a_key_per_port()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 9000, hostEnd: 9002, guestPort: 7000, guestEnd: 7002, host: "203.0.113.5"));

        Assert.Equal(
            [Pair(Key(AnySource, "\"203.0.113.5\"", "tcp", "9000"), "7000"), Pair(Key(AnySource, "\"203.0.113.5\"", "tcp", "9001"), "7001"),
             Pair(Key(AnySource, "\"203.0.113.5\"", "tcp", "9002"), "7002")],
            Added(network, FirewallLayout.ForwardPorts));
        Assert.Equal(3, Added(network, FirewallLayout.ForwardAddresses).Count);
    }

    [Fact]
    public void Each_source_prefix_is_a_key_and_one_within_another_is_left_out_since_the_map_refuses_overlaps()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 443, host: "203.0.113.5", sources: ["198.51.100.0/24", "192.0.2.7/32", "198.51.100.128/25"]));

        Assert.Equal(
            [Pair(Key("\"192.0.2.7\"", "\"203.0.113.5\"", "tcp", "443"), $"\"{Guest}\""),
             Pair(Key("""{"prefix":{"addr":"198.51.100.0","len":24}}""", "\"203.0.113.5\"", "tcp", "443"), $"\"{Guest}\"")],
            Added(network, FirewallLayout.ForwardAddresses));
    }

    [Fact]
    public void An_IPv6_forward_goes_into_the_ip6_table_around_the_loopback_address()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 2222, guestPort: 22, guest: "2001:db8:ca2:2::10"));

        Assert.Empty(Added(network, FirewallLayout.ForwardAddresses));
        Assert.Equal(
            [Pair(Key("""{"prefix":{"addr":"::","len":0}}""", "\"::\"", "tcp", "2222"), "\"2001:db8:ca2:2::10\""),
             Pair(Key("""{"prefix":{"addr":"::","len":0}}""", """{"range":["::2","ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]}""", "tcp", "2222"), "\"2001:db8:ca2:2::10\"")],
            Added(network, FirewallLayout.ForwardAddresses, "ip6"));
    }

    [Fact]
    public void A_forward_on_loopback_is_its_own_key_apart_from_the_any_address_keys()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, host: "127.0.0.1"), Forward("tcp", 8080, guest: "192.168.122.11"));

        Assert.Contains(Pair(Key(AnySource, "\"127.0.0.1\"", "tcp", "8080"), $"\"{Guest}\""), Added(network, FirewallLayout.ForwardAddresses));
        Assert.Equal(3, Added(network, FirewallLayout.ForwardAddresses).Count);
    }

    [Fact]
    public void A_guests_forwarded_ports_are_merged_per_protocol_since_the_set_refuses_overlapping_intervals()
    {
        var network = Network(NetworkMode.Nat,
            Forward("tcp", 8000, hostEnd: 8010, guestPort: 80, guestEnd: 90), Forward("tcp", 9085, hostEnd: 9095, guestPort: 85, guestEnd: 95),
            Forward("tcp", 9096, guestPort: 96), Forward("tcp", 9100, guestPort: 100), Forward("udp", 9085, guestPort: 85));

        Assert.Equal(
            [$$"""{"concat":["{{Guest}}","tcp",100]}""", $$"""{"concat":["{{Guest}}","tcp",{"range":[80,96]}]}""", $$"""{"concat":["{{Guest}}","udp",85]}"""],
            Added(network, FirewallLayout.Forwarded));
    }

    [Fact]
    public void A_live_change_deletes_and_adds_only_the_difference()
    {
        var ssh = Forward("tcp", 2222, guestPort: 22);
        var before = Network(NetworkMode.Nat, ssh, Forward("tcp", 8080, guestPort: 80));
        var after = Network(NetworkMode.Nat, ssh, Forward("tcp", 8080, guestPort: 80), Forward("tcp", 8081, guestPort: 80));

        var adding = FirewallPlanner.BuildForwardChangeTransaction(Mapped(before), Mapped(after));
        Assert.DoesNotContain(adding.Commands, c => c["delete"] is not null);
        Assert.Equal(2, Elements(adding, "add", FirewallLayout.ForwardAddresses).Count);
        Assert.Equal(2, Elements(adding, "add", FirewallLayout.ForwardPorts).Count);
        // Guest port 80 was accepted already: a second forward to it adds nothing to the set, and removing one keeps it.
        Assert.Empty(Elements(adding, "add", FirewallLayout.Forwarded));
        Assert.All(adding.Commands, c => Assert.Null(c["add"]?["rule"]));

        var removing = FirewallPlanner.BuildForwardChangeTransaction(Mapped(after), Mapped(before));
        Assert.Equal(2, Elements(removing, "delete", FirewallLayout.ForwardAddresses).Count);
        Assert.Empty(Elements(removing, "delete", FirewallLayout.Forwarded));
        // Deleted by key alone.
        Assert.All(Elements(removing, "delete", FirewallLayout.ForwardPorts), e => Assert.StartsWith("{\"concat\"", e, StringComparison.Ordinal));

        Assert.True(FirewallPlanner.BuildForwardChangeTransaction(Mapped(before), Mapped(before)).IsEmpty);
    }

    [Fact]
    public void A_change_that_regroups_a_guests_ports_deletes_the_old_interval_before_adding_the_new()
    {
        var before = Network(NetworkMode.Nat, Forward("tcp", 80, hostEnd: 90), Forward("tcp", 1085, hostEnd: 1095, guestPort: 85, guestEnd: 95));
        var after = Network(NetworkMode.Nat, Forward("tcp", 80, hostEnd: 90));

        var change = FirewallPlanner.BuildForwardChangeTransaction(Mapped(before), Mapped(after));

        var verbs = change.Commands.Where(c => (string?)(c["delete"] ?? c["add"])!["element"]!["name"] == FirewallLayout.Forwarded).Select(c => c.Single().Key).ToList();
        Assert.Equal(["delete", "add"], verbs);
        Assert.Equal([$$"""{"concat":["{{Guest}}","tcp",{"range":[80,95]}]}"""], Elements(change, "delete", FirewallLayout.Forwarded));
        Assert.Equal([$$"""{"concat":["{{Guest}}","tcp",{"range":[80,90]}]}"""], Elements(change, "add", FirewallLayout.Forwarded));
    }

    [Fact]
    public void A_routed_network_forwards_and_the_modes_that_cannot_get_no_elements()
    {
        Assert.NotEmpty(Added(Network(NetworkMode.Routed, Forward("tcp", 8080)), FirewallLayout.ForwardAddresses));
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
    public void The_shared_rules_look_the_forwards_up_by_source_host_address_protocol_and_port()
    {
        var transaction = new NftTransaction();
        foreach (var rule in FirewallRuleBuilder.SharedRules(NftFamily.Ip)) NftJsonRenderer.Rule(transaction, "add", rule, "", comment: null);
        var rules = transaction.Commands.Select(c => c["add"]!["rule"]!).ToList();

        const string key = """{"concat":[{"payload":{"protocol":"ip","field":"saddr"}},{"payload":{"protocol":"ip","field":"daddr"}},{"meta":{"key":"l4proto"}},{"payload":{"protocol":"th","field":"dport"}}]}""";
        Assert.Equal(
            """{"dnat":{"family":"ip","addr":{"map":{"key":""" + key + ""","data":"@forward_addresses"}},"port":{"map":{"key":""" + key + ""","data":"@forward_ports"}}}}""",
            rules[0]["expr"]!.AsArray()[^1]!.ToJsonString());
        Assert.Equal("""{"dnat":{"family":"ip","addr":{"map":{"key":""" + key + ""","data":"@forward_addresses"}}}}""", rules[1]["expr"]!.AsArray()[^1]!.ToJsonString());
        // From outside never to loopback; the host's own connections to loopback only where a key names it.
        Assert.Contains("127.0.0.0", rules[1]["expr"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.0", rules[3]["expr"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(
            """[{"match":{"op":"in","left":{"ct":{"key":"status"}},"right":"dnat"}},{"match":{"op":"==","left":{"concat":[{"payload":{"protocol":"ip","field":"daddr"}},{"meta":{"key":"l4proto"}},{"payload":{"protocol":"th","field":"dport"}}]},"right":"@forwarded"}},{"counter":null},{"accept":null}]""",
            rules[4]["expr"]!.ToJsonString());
    }
}
