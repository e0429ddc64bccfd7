using System.Diagnostics;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Live;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>
/// Core's restore over the real adapters: the live store's files and lock, and libnftables, in a throwaway network
/// namespace. The networks' rules and journals are made as a start makes them (no bridges are needed: rules match
/// the bridge by name).
/// </summary>
[Trait("Category", "Privileged")]
[Collection(NftablesCollection.Name)]
public sealed class FirewallRestoreOnNftTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("vnet-restore-tests-");
    private readonly FileLiveNetworkStore live;
    private readonly NftablesNetworkFirewall firewall;

    public FirewallRestoreOnNftTests()
    {
        TestNamespace.AssertIsolated();
        var paths = new StatePaths(root.FullName);
        live = new FileLiveNetworkStore(paths);
        firewall = new NftablesNetworkFirewall(paths);
    }

    public void Dispose()
    {
        TestNamespace.Run("nft", "flush", "ruleset");
        root.Delete(recursive: true);
    }

    [Fact]
    public void After_nft_flush_ruleset_every_networks_rules_are_back_with_journaled_handles_that_remove_exactly_them()
    {
        var b = Started("rb", "10.78.2.1/24");
        var a = Started("ra", "10.78.1.1/24", "fd78:1::1/64");
        TestNamespace.Run("nft", "flush", "ruleset");

        var result = new FirewallRestore(live, firewall).Restore();

        Assert.Equal(["ra", "rb"], result.Restored.Order());
        Assert.Equal(FirewallLayout.Families, result.RecreatedTables);
        foreach (var network in new[] { a, b })
        {
            var listed = firewall.List().Rules.Where(r => r.Comment == network.Tag).Select(r => new RuleHandle(r.Family, r.Chain, r.Handle)).ToHashSet();
            Assert.Equal(FirewallPlanner.Plan(network).Rules.Count, listed.Count);
            Assert.True(listed.SetEquals(Journaled(network.Name)), network.Name);
        }
        firewall.Remove(b, Journaled(b.Name), othersHaveRules: true); // b's stop
        live.Clear(b.Name);
        Assert.Equal(FirewallPlanner.Plan(a).Rules.Count, firewall.List().Rules.Count(r => r.Comment == a.Tag));
        Assert.Empty(new FirewallRestore(live, firewall).Restore().Restored);
    }

    [Fact]
    public void TryRestore_gives_up_after_its_wait_while_another_holder_has_the_lock()
    {
        Started("rc", "10.78.3.1/24");
        TestNamespace.Run("nft", "flush", "ruleset");
        var restore = new FirewallRestore(live, firewall);

        var clock = Stopwatch.StartNew();
        using (live.Lock()) Assert.Null(restore.TryRestore(TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Empty(firewall.List().Tables);

        Assert.Equal(["rc"], restore.TryRestore(TimeSpan.FromMilliseconds(300))!.Restored);
    }

    /// <summary>The handles the network's stop would delete: its journal's last firewall line.</summary>
    private IReadOnlyList<RuleHandle> Journaled(string name) =>
        live.ReadUndo(name).Select(UndoStep.Decode).OfType<UndoStep.RemoveFirewall>().Last().Handles!;

    /// <summary>As a start journals a NAT network's rules.</summary>
    private FirewallNetwork Started(string name, params string[] addresses)
    {
        var ips = string.Concat(addresses.Select(a => a.Contains(':')
            ? $"<ip family='ipv6' address='{a.Split('/')[0]}' prefix='{a.Split('/')[1]}'/>"
            : $"<ip address='{a.Split('/')[0]}' prefix='{a.Split('/')[1]}'/>"));
        var definition = NetworkXml.Parse($"<network><name>{name}</name><forward mode='nat'/><bridge name='{name}0'/>{ips}</network>");
        var rules = FirewallNetworkMapper.FromDefinition(definition);
        live.BeginStart(definition);
        live.AppendUndo(name, new UndoStep.RemoveFirewall().Encode());
        live.AppendUndo(name, new UndoStep.RemoveFirewall(firewall.Apply(rules).Handles).Encode());
        live.MarkActive(name, transient: false);
        return rules;
    }
}
