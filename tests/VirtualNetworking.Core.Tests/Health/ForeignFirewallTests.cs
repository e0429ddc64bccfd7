using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Health;

namespace VirtualNetworking.Core.Tests.Health;

/// <summary>
/// The foreign-firewall analysis on rulesets captured from real iptables-nft/nft (Fixtures/capture-fixtures.sh):
/// Docker, ufw and firewalld layouts, each with and without the remedy, plus inline corner cases.
/// </summary>
public sealed class ForeignFirewallTests
{
    private const string Empty = """{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}""";

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Health", "Fixtures", name));

    private static ForeignFirewallInput Network(string? nft, string? save = null) =>
        new("virbr0", [IpNetwork.Parse("192.168.122.1/24")], Forwards: true, DnsServed: true, nft)
        {
            IptablesNftSave = save,
            OutsideInterface = "eth0",
        };

    /// <summary>A layout as the probes gather it: nft's JSON and, where iptables-nft wrote tables, their save text.</summary>
    private static ForeignFirewallInput Layout(string name) =>
        Network(Fixture($"{name}.json"), File.Exists(Path.Combine(AppContext.BaseDirectory, "Health", "Fixtures", $"{name}.txt")) ? Fixture($"{name}.txt") : null);

    private static HealthFinding Find(IReadOnlyList<HealthFinding> findings, string check) => findings.Single(f => f.Check == check);

    private static void AllPass(IReadOnlyList<HealthFinding> findings) =>
        Assert.All(findings, f => Assert.True(f.Status == HealthStatus.Pass && f.Remedy is null, $"{f.Check}: {f.Status} {f.Detail}"));

    [Fact]
    public void A_clean_host_passes_every_check_once_in_order()
    {
        var findings = ForeignFirewall.Analyze(Network(Empty));

        Assert.Equal([HealthCheckIds.ForeignForwardDrop, HealthCheckIds.BridgeNetfilter, HealthCheckIds.ForeignInputDrop], findings.Select(f => f.Check));
        AllPass(findings);
        Assert.Contains("br_netfilter is not loaded", Find(findings, HealthCheckIds.BridgeNetfilter).Detail);
    }

    [Fact]
    public void Our_own_table_is_skipped_even_with_a_drop_policy()
    {
        const string ours = """
            {"nftables": [
              {"table": {"family": "ip", "name": "virtualnetworking", "handle": 1}},
              {"chain": {"family": "ip", "table": "virtualnetworking", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
              {"chain": {"family": "ip", "table": "virtualnetworking", "name": "input", "handle": 2, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}
            ]}
            """;
        AllPass(ForeignFirewall.Analyze(Network(ours)));
    }

    [Fact]
    public void Dockers_forward_drop_fails_with_the_DOCKER_USER_remedy()
    {
        var findings = ForeignFirewall.Analyze(Layout("docker"));

        var forward = Find(findings, HealthCheckIds.ForeignForwardDrop);
        Assert.Equal(HealthStatus.Fail, forward.Status);
        Assert.Equal("table ip filter, chain FORWARD (Docker) has policy drop and no rule accepting virbr0's traffic: guests on virbr0 cannot " +
            "reach outside, replies to guests on virbr0 are dropped: guests cannot reach outside.", forward.Detail);
        Assert.Equal("iptables -I DOCKER-USER -i virbr0 -j ACCEPT && iptables -I DOCKER-USER -o virbr0 -j ACCEPT " +
            "(Docker keeps DOCKER-USER's rules; add them at boot after Docker starts)", forward.Remedy);
        Assert.Equal(HealthStatus.Pass, Find(findings, HealthCheckIds.ForeignInputDrop).Status);
        Assert.Equal(HealthStatus.Pass, Find(findings, HealthCheckIds.BridgeNetfilter).Status);
    }

    [Fact]
    public void Dockers_forward_drop_fails_from_nfts_json_alone()
    {
        // Without the save text Docker's conntrack match is an opaque "xt", but it sits behind oifname docker0.
        var forward = Find(ForeignFirewall.Analyze(Network(Fixture("docker.json"))), HealthCheckIds.ForeignForwardDrop);

        Assert.Equal(HealthStatus.Fail, forward.Status);
    }

    [Fact]
    public void Docker_with_DOCKER_USER_accepts_for_the_bridge_passes() => AllPass(ForeignFirewall.Analyze(Layout("docker-user-accept")));

    [Fact]
    public void An_isolated_network_is_not_on_the_forward_path()
    {
        var forward = Find(ForeignFirewall.Analyze(Layout("docker") with { Forwards = false }), HealthCheckIds.ForeignForwardDrop);

        Assert.Equal(HealthStatus.Pass, forward.Status);
    }

    [Fact]
    public void An_iptables_ip_table_does_not_touch_an_IPv6_only_network()
    {
        var findings = ForeignFirewall.Analyze(Layout("docker") with { BridgeAddresses = [IpNetwork.Parse("fd00:1::1/64")] });

        AllPass(findings);
    }

    [Fact]
    public void Br_netfilter_alone_is_a_warning()
    {
        var bridge = Find(ForeignFirewall.Analyze(Network(Empty) with { BridgeNfCallIptables = true, BridgeNfCallIp6tables = true }),
            HealthCheckIds.BridgeNetfilter);

        Assert.Equal(HealthStatus.Warning, bridge.Status);
        Assert.StartsWith("bridge-nf-call-iptables and -ip6tables are 1 (br_netfilter): traffic between guests on virbr0 passes", bridge.Detail);
        Assert.StartsWith("sysctl -w net.bridge.bridge-nf-call-iptables=0", bridge.Remedy);
    }

    [Fact]
    public void Br_netfilter_set_to_zero_passes()
    {
        var bridge = Find(ForeignFirewall.Analyze(Layout("docker") with { BridgeNfCallIptables = false, BridgeNfCallIp6tables = false }),
            HealthCheckIds.BridgeNetfilter);

        Assert.Equal(HealthStatus.Pass, bridge.Status);
    }

    [Fact]
    public void Br_netfilter_with_a_forward_drop_fails_guests_talking_to_each_other()
    {
        var bridge = Find(ForeignFirewall.Analyze(Layout("docker") with { BridgeNfCallIptables = true }), HealthCheckIds.BridgeNetfilter);

        Assert.Equal(HealthStatus.Fail, bridge.Status);
        Assert.Equal("bridge-nf-call-iptables=1 (br_netfilter), so traffic between guests on virbr0 passes the host's IP forward chains: " +
            "table ip filter, chain FORWARD (Docker) has policy drop and no rule accepting virbr0's traffic: guests on virbr0 cannot reach each other.",
            bridge.Detail);
        Assert.EndsWith("; or iptables -I DOCKER-USER -i virbr0 -o virbr0 -j ACCEPT (Docker keeps DOCKER-USER's rules; add it at boot after Docker starts)",
            bridge.Remedy);
    }

    [Fact]
    public void Docker_user_accepts_also_let_bridged_traffic_through_br_netfilter()
    {
        var bridge = Find(ForeignFirewall.Analyze(Layout("docker-user-accept") with { BridgeNfCallIptables = true }), HealthCheckIds.BridgeNetfilter);

        Assert.Equal(HealthStatus.Warning, bridge.Status);
    }

    [Fact]
    public void Ufws_defaults_drop_dns_and_forwarding()
    {
        var findings = ForeignFirewall.Analyze(Layout("ufw"));

        var input = Find(findings, HealthCheckIds.ForeignInputDrop);
        Assert.Equal(HealthStatus.Fail, input.Status);
        Assert.Equal("table ip filter, chain INPUT (ufw) has policy drop and no rule accepting virbr0's traffic: " +
            "guests on virbr0 cannot resolve names through 192.168.122.1 (udp), guests on virbr0 cannot resolve names through 192.168.122.1 (tcp).",
            input.Detail);
        Assert.Equal("ufw allow in on virbr0 to any port 53", input.Remedy);
        var forward = Find(findings, HealthCheckIds.ForeignForwardDrop);
        Assert.Equal(HealthStatus.Fail, forward.Status);
        Assert.Equal("ufw route allow in on virbr0 && ufw route allow out on virbr0", forward.Remedy);
    }

    [Fact]
    public void Without_dns_no_input_chain_is_on_the_guests_path()
    {
        // ufw drops DHCP (port 67) on purpose, but vnetd receives it on a packet socket ahead of netfilter.
        var input = Find(ForeignFirewall.Analyze(Layout("ufw") with { DnsServed = false }), HealthCheckIds.ForeignInputDrop);

        Assert.Equal(HealthStatus.Pass, input.Status);
    }

    [Fact]
    public void Ufw_from_nfts_json_alone_could_not_tell_because_its_conntrack_match_is_opaque()
    {
        var input = Find(ForeignFirewall.Analyze(Network(Fixture("ufw.json"))), HealthCheckIds.ForeignInputDrop);

        Assert.Equal(HealthStatus.Warning, input.Status);
        Assert.StartsWith("could not tell whether table ip filter, chain INPUT (ufw) drops virbr0's traffic: it depends on xt match ", input.Detail);
    }

    [Fact]
    public void Ufw_with_the_remedy_applied_passes() => AllPass(ForeignFirewall.Analyze(Layout("ufw-allow")));

    [Fact]
    public void Firewalld_rejects_dns_and_forwarding_from_the_public_zone()
    {
        var findings = ForeignFirewall.Analyze(Layout("firewalld"));

        var input = Find(findings, HealthCheckIds.ForeignInputDrop);
        Assert.Equal(HealthStatus.Fail, input.Status);
        Assert.StartsWith("table inet firewalld, chain filter_INPUT (firewalld) drops virbr0's traffic in chain filter_IN_public (rule handle ", input.Detail);
        Assert.EndsWith(": guests on virbr0 cannot resolve names through 192.168.122.1 (udp), guests on virbr0 cannot resolve names through 192.168.122.1 (tcp).", input.Detail);
        Assert.Equal("firewall-cmd --permanent --zone=trusted --add-interface=virbr0 && firewall-cmd --reload " +
            "(or --zone=libvirt where libvirt's zone is installed)", input.Remedy);
        var forward = Find(findings, HealthCheckIds.ForeignForwardDrop);
        // Replies are accepted (ct state established); new connections out are rejected unless eth0 is the way out.
        Assert.Equal(HealthStatus.Pass, forward.Status);
        var elsewhere = Find(ForeignFirewall.Analyze(Layout("firewalld") with { OutsideInterface = "wlan0" }), HealthCheckIds.ForeignForwardDrop);
        Assert.Equal(HealthStatus.Fail, elsewhere.Status);
        Assert.Contains("in chain filter_FWD_public", elsewhere.Detail);
        Assert.EndsWith(": guests on virbr0 cannot reach outside.", elsewhere.Detail);
    }

    [Fact]
    public void Firewalld_with_the_bridge_in_the_trusted_zone_passes() => AllPass(ForeignFirewall.Analyze(Layout("firewalld-trusted")));

    [Fact]
    public void An_unknown_outside_interface_makes_an_output_interface_rule_a_maybe()
    {
        var forward = Find(ForeignFirewall.Analyze(Layout("firewalld") with { OutsideInterface = null }), HealthCheckIds.ForeignForwardDrop);

        Assert.Equal(HealthStatus.Warning, forward.Status);
        Assert.Contains("it depends on a match on meta oifname", forward.Detail);
        Assert.Contains("firewall-cmd --permanent --zone=trusted --add-interface=virbr0", forward.Remedy);
    }

    [Theory]
    [InlineData(false, "xt match physdev")]
    [InlineData(true, "-m physdev --physdev-is-bridged")]
    public void An_xt_match_deciding_the_outcome_is_a_warning(bool withSave, string why)
    {
        var input = withSave ? Layout("xt") : Network(Fixture("xt.json"));

        var forward = Find(ForeignFirewall.Analyze(input), HealthCheckIds.ForeignForwardDrop);

        Assert.Equal(HealthStatus.Warning, forward.Status);
        Assert.Contains($"could not tell whether table ip filter, chain FORWARD (iptables: Docker?) drops virbr0's traffic: it depends on {why}", forward.Detail);
        Assert.Contains("iptables -I FORWARD -i virbr0 -j ACCEPT && iptables -I FORWARD -o virbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            forward.Remedy);
    }

    [Fact]
    public void Legacy_iptables_tables_are_evaluated_too()
    {
        var findings = ForeignFirewall.Analyze(Network(Empty) with { IptablesLegacySave = Fixture("docker-legacy.txt") });

        var forward = Find(findings, HealthCheckIds.ForeignForwardDrop);
        Assert.Equal(HealthStatus.Fail, forward.Status);
        Assert.StartsWith("table ip filter (iptables-legacy), chain FORWARD (Docker) has policy drop", forward.Detail);
        Assert.StartsWith("iptables-legacy -I DOCKER-USER -i virbr0 -j ACCEPT", forward.Remedy);
    }

    [Fact]
    public void Legacy_iptables_understands_wildcards_negation_multiport_and_counters()
    {
        const string save = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            [12:720] -A INPUT -i virbr+ -p udp -m multiport --dports 20:30,53 -m comment --comment "guests \"dns\" here" -j ACCEPT
            -A INPUT -i virbr+ -p tcp -m tcp --dport 53 -j ACCEPT
            -A FORWARD ! -i eth0 -s 192.168.122.0/24 -j ACCEPT
            -A FORWARD -o virbr0 -m state --state RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            """;
        AllPass(ForeignFirewall.Analyze(Network(Empty) with { IptablesLegacySave = save }));

        var noTcp = ForeignFirewall.Analyze(Network(Empty) with { IptablesLegacySave = save.Replace("-p tcp -m tcp --dport 53", "-p tcp -m tcp --dport 54") });
        Assert.EndsWith("guests on virbr0 cannot resolve names through 192.168.122.1 (tcp).", Find(noTcp, HealthCheckIds.ForeignInputDrop).Detail);
    }

    [Fact]
    public void Nft_wildcards_sets_and_ranges_are_understood()
    {
        const string nft = """
            {"nftables": [
              {"table": {"family": "inet", "name": "host", "handle": 1}},
              {"chain": {"family": "inet", "table": "host", "name": "in", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
              {"chain": {"family": "inet", "table": "host", "name": "guests", "handle": 2}},
              {"rule": {"family": "inet", "table": "host", "chain": "in", "handle": 3, "expr": [
                {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "virbr*"}},
                {"counter": {"packets": 0, "bytes": 0}}, {"goto": {"target": "guests"}}]}},
              {"rule": {"family": "inet", "table": "host", "chain": "guests", "handle": 4, "expr": [
                {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": {"set": [{"range": [50, 60]}, 67]}}},
                {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"set": ["10.0.0.1", {"prefix": {"addr": "192.168.122.0", "len": 24}}]}}},
                {"accept": null}]}}
            ]}
            """;
        AllPass(ForeignFirewall.Analyze(Network(nft)));
        var other = Find(ForeignFirewall.Analyze(Network(nft) with { Bridge = "br-lab" }), HealthCheckIds.ForeignInputDrop);
        Assert.Equal(HealthStatus.Fail, other.Status);
        Assert.Equal("nft insert rule inet host in iifname \"br-lab\" meta l4proto { udp, tcp } th dport 53 accept", other.Remedy);
    }

    /// <summary>An inet table whose forward base chain (policy drop) sends the bridge's traffic into a regular chain.</summary>
    private static string ForwardVia(params string[] regularRules) => $$$"""
        {"nftables": [
          {"table": {"family": "inet", "name": "host", "handle": 1}},
          {"chain": {"family": "inet", "table": "host", "name": "fwd", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
          {"chain": {"family": "inet", "table": "host", "name": "sub", "handle": 2}},
          {"chain": {"family": "inet", "table": "host", "name": "sub2", "handle": 3}},
          {{{string.Join(",\n", regularRules)}}}
        ]}
        """;

    private static string Rule(string chain, string expr) =>
        $$$"""{"rule": {"family": "inet", "table": "host", "chain": "{{{chain}}}", "handle": 9, "expr": [{{{expr}}}]}}""";

    [Theory]
    // jump: sub's return comes back to fwd, whose next rule accepts.
    [InlineData(HealthStatus.Pass, """{"jump": {"target": "sub"}}""", """{"return": null}""")]
    // goto: sub's return goes back past fwd, to its policy drop.
    [InlineData(HealthStatus.Fail, """{"goto": {"target": "sub"}}""", """{"return": null}""")]
    // a nested jump whose chain drops.
    [InlineData(HealthStatus.Fail, """{"jump": {"target": "sub"}}""", """{"jump": {"target": "sub2"}}""")]
    // queue hands the packet to a program: could be either.
    [InlineData(HealthStatus.Warning, """{"jump": {"target": "sub"}}""", """{"queue": {"num": 1}}""")]
    // a named set the JSON does not resolve.
    [InlineData(HealthStatus.Warning, """{"jump": {"target": "sub"}}""", """{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "@trusted"}}, {"drop": null}""")]
    public void Jump_goto_return_and_unknown_verdicts_follow_nftables(HealthStatus expected, string fromBase, string inSub)
    {
        var nft = ForwardVia(
            Rule("fwd", fromBase),
            Rule("fwd", """{"accept": null}"""),
            Rule("sub", inSub),
            Rule("sub2", """{"drop": null}"""));
        var v6 = Network(nft) with { BridgeAddresses = [IpNetwork.Parse("fd00:5::1/64")] };

        Assert.Equal(expected, Find(ForeignFirewall.Analyze(v6), HealthCheckIds.ForeignForwardDrop).Status);
    }

    [Fact]
    public void A_ruleset_that_cannot_be_read_is_a_warning_not_a_pass()
    {
        var findings = ForeignFirewall.Analyze(Network(null));

        Assert.Equal(HealthStatus.Warning, Find(findings, HealthCheckIds.ForeignForwardDrop).Status);
        Assert.Equal(HealthStatus.Warning, Find(findings, HealthCheckIds.ForeignInputDrop).Status);
        Assert.Equal(HealthStatus.Warning, Find(ForeignFirewall.Analyze(Network("{not json")), HealthCheckIds.ForeignInputDrop).Status);
    }
}
