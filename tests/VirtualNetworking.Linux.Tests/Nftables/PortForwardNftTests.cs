using System.Net;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Health;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>
/// Port forwards through the real nft: the shared maps and set take the elements we render and list them back as rendered
/// (so FirewallAudit, which compares the two, passes), live changes add and delete exactly the difference, and removal
/// takes a network's elements with its rules.
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

    /// <summary>Every shape of forward: same and shifted ports, a range of each, udp, a host address, loopback, source prefixes, IPv6.</summary>
    private static FirewallNetwork Network(string name) =>
        NftablesFirewallTests.Network(name, NetworkMode.Nat, null, "10.77.40.1/24", "fd77:40::1/64") with
        {
            PortForwards =
            [
                new("tcp", null, 8080, 8080, IPAddress.Parse("10.77.40.10"), 80, 80, []),
                new("udp", null, 5000, 5009, IPAddress.Parse("10.77.40.10"), 5000, 5009, []),
                new("tcp", null, 9000, 9002, IPAddress.Parse("10.77.40.11"), 7000, 7002, []),
                new("tcp", IPAddress.Parse("127.0.0.1"), 8080, 8080, IPAddress.Parse("10.77.40.10"), 80, 80, []),
                new("tcp", IPAddress.Parse("203.0.113.5"), 443, 443, IPAddress.Parse("10.77.40.12"), 443, 443,
                    [IpNetwork.Parse("198.51.100.0/24"), IpNetwork.Parse("192.0.2.7/32")]),
                new("tcp", null, 2222, 2222, IPAddress.Parse("fd77:40::10"), 22, 22, [IpNetwork.Parse("2001:db8::/32")]),
            ],
        };

    private static JsonNode Ruleset() => JsonNode.Parse(TestNamespace.Run("nft", "-j", "list", "ruleset"))!;

    /// <summary>Our rules and elements, without the counters' values (the test host's own connections count too).</summary>
    private static string Contents()
    {
        var listing = NftListing.Parse(Ruleset().ToJsonString());
        return string.Join("\n", listing.Rules.Select(r => r.ToString()).Concat(listing.Elements.Select(e => $"{e.Family} {e.Set} {e.Key.ToJsonString()}")));
    }

    private static void AssertAudited(FirewallNetwork network)
    {
        var finding = FirewallAudit.Check(network, Ruleset());
        Assert.True(finding.Status == HealthStatus.Pass, finding.Detail);
    }

    [Fact]
    public void Forward_elements_list_back_as_rendered_so_the_audit_passes_and_removal_takes_them()
    {
        var network = Network("pf");
        var other = NftablesFirewallTests.Network("other", NetworkMode.Routed, null, "10.77.41.1/24") with
        {
            PortForwards = [new("tcp", null, 8081, 8081, IPAddress.Parse("10.77.41.10"), 80, 80, [])],
        };
        var applied = firewall.Apply(network);
        firewall.Apply(other);
        AssertAudited(network);
        AssertAudited(other);

        // An element the listing lacks is noticed: the audit is not blind to the maps.
        var ruleset = Ruleset();
        var map = ruleset["nftables"]!.AsArray().Select(i => i?["map"]).OfType<JsonObject>().First(m => (string?)m["name"] == FirewallLayout.ForwardAny);
        map["elem"]!.AsArray().RemoveAt(0);
        Assert.Equal(HealthStatus.Fail, FirewallAudit.Check(network, ruleset).Status);

        firewall.Remove(network, applied.Handles, othersHaveRules: true);

        var left = NftListing.Parse(Ruleset().ToJsonString());
        Assert.DoesNotContain(left.Rules, r => r.Comment == network.Tag);
        Assert.All(left.Elements, e => Assert.True(other.Subnets[0].Contains(e.Guest!), $"{e.Set} {e.Key.ToJsonString()}"));
        AssertAudited(other);
    }

    /// <summary>
    /// Forwards added and removed live change elements only: after each change nft holds exactly what a fresh apply of the
    /// whole definition would (the audit compares rules and elements), and no rule's handle changes. With predicted handles
    /// (a counters file) the next apply's prediction still holds: elements take no handles.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Forwards_changed_live_leave_the_elements_of_a_fresh_apply_and_the_rules_untouched(bool predicted)
    {
        var counters = Path.Combine(Path.GetTempPath(), $"vnet-pf-counters-{Guid.NewGuid():N}");
        var nft = predicted ? new NftablesFirewall(counters) : firewall;
        try
        {
            var full = Network("pf");
            var current = full with { PortForwards = full.Forwards.Take(3).ToList() };
            nft.Apply(current);
            var rules = NftListing.Parse(Ruleset().ToJsonString()).Rules;

            foreach (var forward in full.Forwards.Skip(3))
            {
                var next = current with { PortForwards = [.. current.Forwards, forward] };
                Assert.True(nft.ChangeForwards(current, next));
                current = next;
                AssertAudited(current);
            }
            foreach (var index in new[] { 0, 2 })
            {
                var next = current with { PortForwards = current.Forwards.Where((_, i) => i != index).ToList() };
                Assert.True(nft.ChangeForwards(current, next));
                current = next;
                AssertAudited(current);
            }
            Assert.Equal(rules, NftListing.Parse(Ruleset().ToJsonString()).Rules);

            // An element to delete that is gone fails the whole change: nothing else goes.
            TestNamespace.Run("nft", "delete", "element", "ip", FirewallLayout.TableName, FirewallLayout.Forwarded, "{ 10.77.40.11 . tcp . 7001 }");
            var before = Contents();
            Assert.False(nft.ChangeForwards(current, current with { PortForwards = [] }));
            Assert.Equal(before, Contents());

            if (predicted)
            {
                // The probe in the transaction refuses a wrong prediction (ENOENT): nft accepting it proves the counters exact.
                var second = NftablesFirewallTests.Network("second", NetworkMode.Nat, null, "10.77.42.1/24");
                var transaction = FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(second), HandleCounters.TryParse(File.ReadAllText(counters))!);
                var file = Path.Combine(Path.GetTempPath(), $"vnet-pf-apply-{Guid.NewGuid():N}.json");
                File.WriteAllText(file, transaction.Transaction.ToJsonString());
                try { TestNamespace.Run("nft", "-j", "-f", file); }
                finally { File.Delete(file); }
            }
        }
        finally { File.Delete(counters); }
    }
}
