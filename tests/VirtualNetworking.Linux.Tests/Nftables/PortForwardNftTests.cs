using System.Net;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Health;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>
/// Port forward rules through the real nft: what we render is what nft lists back (so FirewallAudit, which compares
/// the two, passes), and removal by tag or handles takes them with the network's other rules.
/// </summary>
[Trait("Category", "Privileged")]
[Collection(NftablesCollection.Name)]
public sealed class PortForwardNftTests : IDisposable
{
    private readonly NftablesFirewall firewall;

    public PortForwardNftTests()
    {
        TestNamespace.AssertIsolated();
        firewall = new NftablesFirewall();
    }

    public void Dispose() => TestNamespace.Run("nft", "flush", "ruleset");

    /// <summary>Every shape of forward: same and shifted ports, a range of each, udp, a host address, source prefixes, IPv6.</summary>
    private static FirewallNetwork Network(string name) =>
        NftablesFirewallTests.Network(name, NetworkMode.Nat, null, "10.77.40.1/24", "fd77:40::1/64") with
        {
            PortForwards =
            [
                new("tcp", null, 8080, 8080, IPAddress.Parse("10.77.40.10"), 80, 80, []),
                new("udp", null, 5000, 5009, IPAddress.Parse("10.77.40.10"), 5000, 5009, []),
                new("tcp", null, 9000, 9002, IPAddress.Parse("10.77.40.11"), 7000, 7002, []),
                new("tcp", IPAddress.Parse("203.0.113.5"), 443, 443, IPAddress.Parse("10.77.40.12"), 443, 443,
                    [IpNetwork.Parse("198.51.100.0/24"), IpNetwork.Parse("192.0.2.7/32")]),
                new("tcp", null, 2222, 2222, IPAddress.Parse("fd77:40::10"), 22, 22, [IpNetwork.Parse("2001:db8::/32")]),
            ],
        };

    [Fact]
    public void Forward_rules_list_back_as_rendered_so_the_audit_passes_and_removal_takes_them()
    {
        var network = Network("pf");
        var plan = FirewallPlanner.Plan(network);
        Assert.Contains(plan.Rules, r => r.Chain == FirewallLayout.GuestDnat); // the forwards are part of the plan

        var applied = firewall.Apply(network);

        var ruleset = JsonNode.Parse(TestNamespace.Run("nft", "-j", "list", "ruleset"))!;
        var finding = FirewallAudit.Check(network, ruleset);
        Assert.True(finding.Status == HealthStatus.Pass, finding.Detail);
        Assert.Equal(plan.Rules.Count, applied.Handles.Count);

        // A forward the listing lacks is noticed: the audit is not blind to the new chains.
        var dnat = ruleset["nftables"]!.AsArray().First(i => (string?)i?["rule"]?["chain"] == FirewallLayout.GuestDnatOutput)!;
        ruleset["nftables"]!.AsArray().Remove(dnat);
        Assert.Equal(HealthStatus.Fail, FirewallAudit.Check(network, ruleset).Status);

        firewall.Remove(network, applied.Handles, othersHaveRules: true);

        var left = TestNamespace.Run("nft", "-j", "list", "ruleset");
        Assert.DoesNotContain(network.Tag, left);
        Assert.Contains(FirewallLayout.GuestDnat, left); // the chains stay, empty, for other networks
    }
}
