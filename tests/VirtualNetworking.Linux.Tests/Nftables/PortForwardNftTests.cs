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

    /// <summary>
    /// A forward added live goes to the head of its chains and one removed takes only its own rules: nft then holds
    /// exactly what a fresh apply of the whole plan would (the audit checks each chain's order), and the handles kept in
    /// plan order name the listed rules one by one. With predicted handles (a counters file) and with nft's echo.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Forwards_inserted_and_deleted_alone_leave_the_rules_of_a_fresh_apply(bool predicted)
    {
        var counters = Path.Combine(Path.GetTempPath(), $"vnet-pf-counters-{Guid.NewGuid():N}");
        var nft = predicted ? new NftablesFirewall(counters) : firewall;
        try
        {
            var full = Network("pf");
            var without = full with { PortForwards = full.Forwards.Take(3).ToList() };
            var handles = nft.Apply(without).Handles;

            // Add the last two forwards live, one at a time.
            var current = without;
            foreach (var forward in full.Forwards.Skip(3))
            {
                var next = current with { PortForwards = [.. current.Forwards, forward] };
                var plan = FirewallPlanner.Plan(next);
                var added = nft.Insert(PortForwardRules.Of(plan, next.Forwards[^1]));
                Assert.Empty(added.CreatedTables);
                handles = PortForwardRules.WithAdded(plan, next.Forwards[^1], handles, added.Handles);
                AssertAsFreshlyApplied(next, handles);
                current = next;
            }

            // Remove the first forward (a shifted range: several DNAT rules) and one from the middle.
            foreach (var index in new[] { 0, 2 })
            {
                var plan = FirewallPlanner.Plan(current);
                var (mine, others) = PortForwardRules.Split(plan, current.Forwards[index], handles);
                Assert.True(nft.Delete(mine));
                current = current with { PortForwards = current.Forwards.Where((_, i) => i != index).ToList() };
                handles = others;
                AssertAsFreshlyApplied(current, handles);
            }

            // A handle that is gone fails the whole delete: nothing else goes.
            var stale = new RuleHandle(NftFamily.Ip, FirewallLayout.GuestDnat, 999_999);
            Assert.False(nft.Delete([handles[^1], stale]));
            AssertAsFreshlyApplied(current, handles);
        }
        finally { File.Delete(counters); }
    }

    private static void AssertAsFreshlyApplied(FirewallNetwork network, IReadOnlyList<RuleHandle> handles)
    {
        var ruleset = JsonNode.Parse(TestNamespace.Run("nft", "-j", "list", "ruleset"))!;
        var finding = FirewallAudit.Check(network, ruleset);
        Assert.True(finding.Status == HealthStatus.Pass, finding.Detail);
        var listing = NftListing.Parse(ruleset.ToJsonString());
        Assert.Equal(handles, PortForwardRules.AlignListed(FirewallPlanner.Plan(network), listing.Rules));
    }
}
