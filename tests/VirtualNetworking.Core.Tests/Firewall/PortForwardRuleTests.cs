using System.Net;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Tests.Firewall;

/// <summary>A port forward's rules as nft JSON: DNAT from outside and from the host, the forward accept, hairpin masquerading.</summary>
public sealed class PortForwardRuleTests
{
    private const string Local = """{"match":{"op":"==","left":{"fib":{"result":"type","flags":["daddr"]}},"right":"local"}}""";
    private const string NotLoopback = """{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"127.0.0.0","len":8}}}}""";
    private const string Counter = """{"counter":null}""";
    private const string DnatStatus = """{"match":{"op":"in","left":{"ct":{"key":"status"}},"right":"dnat"}}""";
    private const string ToBridge = """{"match":{"op":"==","left":{"meta":{"key":"oifname"}},"right":"virbr0"}}""";
    private const string ToGuest = """{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"192.168.122.10"}}""";

    private static string Port(string protocol, string right) =>
        $$$"""{"match":{"op":"==","left":{"payload":{"protocol":"{{{protocol}}}","field":"dport"}},"right":{{{right}}}}}""";

    private static NetworkDefinition Network(NetworkMode mode, params PortForwardDefinition[] forwards)
    {
        var definition = TestNetworks.Define("fwd", mode, "192.168.122.1/255.255.255.0", "2001:db8:ca2:2::1/64");
        definition.PortForwards.AddRange(forwards);
        return definition;
    }

    private static PortForwardDefinition Forward(string protocol, int hostPort, int? hostEnd = null, int? guestPort = null, int? guestEnd = null, string guest = "192.168.122.10") =>
        new()
        {
            Protocol = protocol == "udp" ? PortProtocol.Udp : PortProtocol.Tcp, HostPort = hostPort, HostPortEnd = hostEnd,
            GuestAddress = IPAddress.Parse(guest), GuestPort = guestPort, GuestPortEnd = guestEnd,
        };

    /// <summary>The expressions of the network's rules in one chain of one family, in plan order, as JSON text.</summary>
    private static List<string> Rules(NetworkDefinition definition, string chain, string family = "ip") =>
        FirewallPlanner.BuildApplyTransaction(TestNetworks.Plan(definition)).Commands
            .Select(c => c["insert"]?["rule"]).OfType<JsonObject>()
            .Where(r => (string?)r["chain"] == chain && (string?)r["family"] == family)
            .Select(r => { Assert.Equal(FirewallTag.For(null, "fwd"), (string?)r["comment"]); return r["expr"]!.ToJsonString(); })
            .ToList();

    private static string Expr(params string[] expressions) => "[" + string.Join(",", expressions) + "]";

    [Fact]
    public void A_single_port_is_DNATed_from_outside_and_from_the_host_but_not_from_loopback()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, guestPort: 80));
        const string dnat = """{"dnat":{"addr":"192.168.122.10","port":80}}""";

        Assert.Equal([Expr(Port("tcp", "8080"), Local, Counter, dnat)], Rules(network, FirewallLayout.GuestDnat));
        Assert.Equal([Expr(Port("tcp", "8080"), NotLoopback, Local, Counter, dnat)], Rules(network, FirewallLayout.GuestDnatOutput));
    }

    [Fact]
    public void The_forwarded_flow_alone_is_accepted_ahead_of_the_reject_and_hairpin_is_masqueraded()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, guestPort: 80));

        var input = Rules(network, FirewallLayout.GuestInput);
        // Inserted at the head, so the last rule of the plan is evaluated first: the accept comes before libvirt's reject.
        Assert.Equal(Expr(ToBridge, ToGuest, Port("tcp", "80"), DnatStatus, Counter, """{"accept":null}"""), input[^1]);
        Assert.Contains("reject", input[0]);
        var hairpin = Rules(network, FirewallLayout.GuestNat)[^1];
        Assert.Equal(Expr(ToBridge, """{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}}""",
            ToGuest, Port("tcp", "80"), DnatStatus, Counter, """{"masquerade":null}"""), hairpin);
    }

    [Fact]
    public void A_range_to_the_same_ports_is_one_rule_that_keeps_the_port()
    {
        var network = Network(NetworkMode.Nat, Forward("udp", 5000, hostEnd: 5009));

        Assert.Equal([Expr(Port("udp", """{"range":[5000,5009]}"""), Local, Counter, """{"dnat":{"addr":"192.168.122.10"}}""")], Rules(network, FirewallLayout.GuestDnat));
        Assert.Equal(Expr(ToBridge, ToGuest, Port("udp", """{"range":[5000,5009]}"""), DnatStatus, Counter, """{"accept":null}"""), Rules(network, FirewallLayout.GuestInput)[^1]);
    }

    [Fact]
    public void A_shifted_range_is_a_rule_per_port()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8000, hostEnd: 8002, guestPort: 9000, guestEnd: 9002));

        Assert.Equal(
            new[] { 0, 1, 2 }.Select(i => Expr(Port("tcp", $"{8000 + i}"), Local, Counter, $$$"""{"dnat":{"addr":"192.168.122.10","port":{{{9000 + i}}}}}""")),
            Rules(network, FirewallLayout.GuestDnat));
        Assert.Equal(Expr(ToBridge, ToGuest, Port("tcp", """{"range":[9000,9002]}"""), DnatStatus, Counter, """{"accept":null}"""), Rules(network, FirewallLayout.GuestInput)[^1]);
    }

    [Fact]
    public void Source_prefixes_are_a_rule_each_and_a_host_address_is_matched()
    {
        var forward = Forward("tcp", 443);
        forward.HostAddress = IPAddress.Parse("203.0.113.5");
        forward.SourcePrefixes.AddRange(["198.51.100.0/24", "192.0.2.7/32"]);
        var network = Network(NetworkMode.Nat, forward);
        static string From(string right) => $$$"""{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{{{right}}}}}""";
        const string toHost = """{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"203.0.113.5"}}""";
        const string dnat = """{"dnat":{"addr":"192.168.122.10"}}""";

        Assert.Equal(
            [Expr(Port("tcp", "443"), From("""{"prefix":{"addr":"198.51.100.0","len":24}}"""), toHost, Local, Counter, dnat),
             Expr(Port("tcp", "443"), From("\"192.0.2.7\""), toHost, Local, Counter, dnat)],
            Rules(network, FirewallLayout.GuestDnat));
    }

    [Fact]
    public void An_IPv6_forward_goes_into_the_ip6_table()
    {
        var network = Network(NetworkMode.Nat, Forward("tcp", 8080, guestPort: 80, guest: "2001:db8:ca2:2::10"));

        Assert.Empty(Rules(network, FirewallLayout.GuestDnat));
        Assert.Equal([Expr(Port("tcp", "8080"), Local, Counter, """{"dnat":{"addr":"2001:db8:ca2:2::10","port":80}}""")], Rules(network, FirewallLayout.GuestDnat, "ip6"));
        Assert.Contains("""{"op":"!=","left":{"payload":{"protocol":"ip6","field":"daddr"}},"right":"::1"}""", Rules(network, FirewallLayout.GuestDnatOutput, "ip6")[0]);
    }

    [Fact]
    public void A_routed_network_forwards_and_the_modes_that_cannot_get_no_forward_rules()
    {
        Assert.Single(Rules(Network(NetworkMode.Routed, Forward("tcp", 80)), FirewallLayout.GuestDnat));
        foreach (var mode in new[] { NetworkMode.Open, NetworkMode.Bridged })
            Assert.Empty(TestNetworks.Plan(Network(mode, Forward("tcp", 80))).Rules);
        var isolated = TestNetworks.Define("fwd", null, "192.168.122.1/255.255.255.0");
        isolated.PortForwards.Add(Forward("tcp", 80));
        Assert.DoesNotContain(TestNetworks.Plan(isolated).Rules, r => r.Chain is FirewallLayout.GuestDnat or FirewallLayout.GuestDnatOutput);
    }
}
