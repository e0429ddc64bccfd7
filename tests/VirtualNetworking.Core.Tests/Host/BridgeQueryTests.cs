using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Host;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Host;

/// <summary>Get-VNetworkBridge: every host bridge, joined with the active networks that use it.</summary>
public sealed class BridgeQueryTests
{
    private readonly TestHost test = new();

    public BridgeQueryTests()
    {
        Define("<network><name>nat</name><forward mode='nat'/><bridge name='virbr0'/><ip address='10.0.1.1' prefix='24'/></network>", active: true);
        // Two bridged networks on one host bridge (libvirt allows it: each is a different view of br0).
        Define("<network><name>lan-a</name><forward mode='bridge'/><bridge name='br0'/></network>", active: true);
        Define("<network><name>lan-b</name><forward mode='bridge'/><bridge name='br0'/></network>", active: true);
        // Inactive, but its bridge name exists on the host (left over, or someone else's): it is not ours now.
        Define("<network><name>sleepy</name><forward mode='nat'/><bridge name='virbr1'/><ip address='10.0.2.1' prefix='24'/></network>", active: false);
        foreach (var name in new[] { "virbr0", "br0", "virbr1", "docker0" }) test.Bridges.Bridges.Add(Bridge(name));
    }

    private static BridgeState Bridge(string name) =>
        new(name, "8000.020000000001", false, [], "02:00:00:00:00:01", [], 1500, true);

    private void Define(string xml, bool active)
    {
        var definition = NetworkXml.Parse(xml);
        test.Definitions.Save(definition);
        if (!active) return;
        test.Live.BeginStart(definition);
        test.Live.MarkActive(definition.Name, transient: false);
    }

    private BridgeQuery Query()
    {
        var ports = test.Ports();
        return new BridgeQuery(ports, new NetworkCatalog(ports));
    }

    private static Dictionary<string, string> Owners(IEnumerable<BridgeView> bridges) =>
        bridges.ToDictionary(b => b.Bridge.Name, b => string.Join(",", b.Networks.Order(StringComparer.Ordinal)));

    [Fact]
    public void Every_bridge_is_listed_with_the_active_networks_that_use_it()
    {
        var (bridges, problems) = Query().List(_ => true, null);

        Assert.Empty(problems);
        Assert.Equal(new Dictionary<string, string>
        {
            ["virbr0"] = "nat",
            ["br0"] = "lan-a,lan-b",
            ["virbr1"] = "",  // its network is not active
            ["docker0"] = "", // not ours
        }, Owners(bridges));
        Assert.Equal(["virbr0", "br0", "virbr1", "docker0"], bridges.Select(b => b.Bridge.Name)); // the inventory's order
    }

    [Fact]
    public void A_transient_network_owns_its_bridge_too()
    {
        var transient = NetworkXml.Parse("<network><name>temp</name><forward mode='nat'/><bridge name='virbr9'/><ip address='10.0.9.1' prefix='24'/></network>");
        test.Live.BeginStart(transient);
        test.Live.MarkActive("temp", transient: true);
        test.Bridges.Bridges.Add(Bridge("virbr9"));

        Assert.Equal("temp", Owners(Query().List(_ => true, null).Bridges)["virbr9"]);
    }

    [Fact]
    public void The_name_filter_selects_bridges_by_their_name()
    {
        var (bridges, _) = Query().List(name => name.StartsWith("virbr", StringComparison.Ordinal), null);
        Assert.Equal(["virbr0", "virbr1"], bridges.Select(b => b.Bridge.Name));
    }

    [Fact]
    public void The_network_filter_lists_only_the_bridges_of_those_networks()
    {
        var (bridges, problems) = Query().List(_ => true, ["lan-a"]);

        Assert.Empty(problems);
        var bridge = Assert.Single(bridges);
        Assert.Equal("br0", bridge.Bridge.Name);
        Assert.Equal(["lan-a", "lan-b"], bridge.Networks.Order(StringComparer.Ordinal)); // every owner still shown
    }

    [Fact]
    public void An_unknown_or_inactive_network_is_a_problem_of_its_own_and_the_others_are_still_listed()
    {
        var (bridges, problems) = Query().List(_ => true, ["nosuch", "nat", "sleepy"]);

        Assert.Equal(["virbr0"], bridges.Select(b => b.Bridge.Name));
        Assert.Equal(["VNetworkNotFound:nosuch", "VNetworkNotActive:sleepy"], problems.Select(p => $"{p.ErrorId}:{p.Target}"));
        Assert.Equal([ProblemCategory.ObjectNotFound, ProblemCategory.InvalidOperation], problems.Select(p => p.Category));
    }

    [Fact]
    public void Name_and_network_filters_combine()
    {
        var (bridges, _) = Query().List(name => name == "docker0", ["nat"]);
        Assert.Empty(bridges);
    }
}
