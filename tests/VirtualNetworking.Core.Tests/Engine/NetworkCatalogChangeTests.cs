using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Engine;

/// <summary>Set-VNetwork and Remove-VNetwork through the catalog: what is stored, and which warnings the user gets.</summary>
public sealed class NetworkCatalogChangeTests
{
    private readonly TestHost test = new();
    private readonly MemoryDefinitionStore definitions;
    private readonly MemoryLiveNetworkStore live;

    public NetworkCatalogChangeTests()
    {
        (definitions, live) = (test.Definitions, test.Live);
        test.Host.AddLink("lo", null, null, 65536);
        test.Host.AddLink("eth0", "veth");
        test.Host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        definitions.Save(NetworkXml.Parse(NetworkChangeTests.DualStack));
    }

    private NetworkCatalog Catalog() => new(test.Ports());

    /// <summary>Marks a network running with the given live definition, without building anything on the host.</summary>
    private void MarkActive(NetworkDefinition liveDefinition, bool transient = false)
    {
        live.BeginStart(liveDefinition);
        live.MarkActive(liveDefinition.Name, transient);
    }

    private void MarkActive(string name) => MarkActive(definitions.Load(name)!.Definition);

    [Fact]
    public void Update_stores_each_definition_property()
    {
        var (record, warnings) = Catalog().Update("lab", new NetworkChange
        {
            Mtu = 0, Domain = "", Stp = false, DhcpRange = (IPAddress.Parse("10.0.5.100"), IPAddress.Parse("10.0.5.150")),
        });

        Assert.Empty(warnings);
        var stored = definitions.Load("lab")!.Definition;
        Assert.Null(stored.Mtu);
        Assert.Null(stored.Domain);
        Assert.False(stored.Bridge!.Stp);
        Assert.Equal("10.0.5.100", stored.Ips[0].Dhcp!.Ranges.Single().Start.ToString());
        Assert.Equal(NetworkXml.Format(stored), NetworkXml.Format(record.Definition)); // the record shows what was stored
    }

    [Fact]
    public void Update_sets_and_clears_autostart_without_touching_the_definition()
    {
        var before = definitions.Files["lab"];

        var (record, _) = Catalog().Update("lab", new NetworkChange { Autostart = true });
        Assert.True(record.Autostart);
        Assert.Contains("lab", definitions.Autostart);

        Catalog().Update("lab", new NetworkChange { Autostart = false });
        Assert.DoesNotContain("lab", definitions.Autostart);
        Assert.Equal(before, definitions.Files["lab"]);
    }

    [Fact]
    public void Update_without_autostart_keeps_the_flag()
    {
        definitions.SetAutostart("lab", true);
        Catalog().Update("lab", new NetworkChange { Mtu = 1400 });
        Assert.Contains("lab", definitions.Autostart);
    }

    [Fact]
    public void A_definition_change_to_an_active_network_warns_that_it_waits_for_a_restart()
    {
        MarkActive("lab");

        var (record, warnings) = Catalog().Update("lab", new NetworkChange { Mtu = 1400, Domain = "other.test" });

        var warning = Assert.Single(warnings);
        Assert.Equal("VNetworkRestartPending", warning.ErrorId);
        Assert.Equal("lab", warning.Target);
        Assert.Contains("Mtu, Domain", warning.Message);
        Assert.Equal(9000, record.Definition.Mtu); // an active network shows its live definition
        Assert.Equal(1400, definitions.Load("lab")!.Definition.Mtu); // the change is stored for the next start
    }

    [Fact]
    public void A_change_equal_to_the_live_value_gives_no_warning_even_when_the_stored_value_differed()
    {
        MarkActive("lab"); // live: MTU 9000
        Catalog().Update("lab", new NetworkChange { Mtu = 1400 }); // stored: 1400, pending

        var (_, warnings) = Catalog().Update("lab", new NetworkChange { Mtu = 9000 }); // back to what runs

        Assert.Empty(warnings);
        Assert.Equal(9000, definitions.Load("lab")!.Definition.Mtu);
    }

    [Fact]
    public void An_autostart_change_to_an_active_network_gives_no_warning()
    {
        MarkActive("lab");
        Assert.Empty(Catalog().Update("lab", new NetworkChange { Autostart = true }).Warnings);
    }

    [Fact]
    public void A_definition_change_to_an_inactive_network_gives_no_warning()
    {
        Assert.Empty(Catalog().Update("lab", new NetworkChange { Mtu = 1400, Domain = "other.test", Stp = false }).Warnings);
        Assert.Equal(1400, definitions.Load("lab")!.Definition.Mtu);
    }

    public static TheoryData<string> RefusedChanges => new()
    {
        "mtu-too-small",     // Check
        "mixed-range",       // Check
        "range-of-no-block", // ApplyTo: no IPv6 block on 'four'
        "range-outside",     // the validator, after ApplyTo
        "range-reversed",    // the validator
    };

    private static (string Network, NetworkChange Change, string ErrorId) Refused(string which) => which switch
    {
        "mtu-too-small" => ("lab", new NetworkChange { Mtu = 10, Domain = "changed.test", Autostart = true }, "VNetworkMtuInvalid"),
        "mixed-range" => ("lab", new NetworkChange { DhcpRange = (IPAddress.Parse("10.0.5.10"), IPAddress.Parse("fd00:5::10")), Autostart = true }, "VNetworkDhcpRangeInvalid"),
        "range-of-no-block" => ("four", new NetworkChange { DhcpRange = (IPAddress.Parse("fd00:6::10"), IPAddress.Parse("fd00:6::ff")), Autostart = true }, "VNetworkDhcpRangeInvalid"),
        "range-outside" => ("lab", new NetworkChange { Mtu = 1400, DhcpRange = (IPAddress.Parse("10.9.9.10"), IPAddress.Parse("10.9.9.20")), Autostart = true }, "VNetworkDhcpRangeInvalid"),
        "range-reversed" => ("lab", new NetworkChange { Domain = "changed.test", DhcpRange = (IPAddress.Parse("10.0.5.200"), IPAddress.Parse("10.0.5.100")), Autostart = true }, "VNetworkDhcpRangeInvalid"),
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    [Theory]
    [MemberData(nameof(RefusedChanges))]
    public void A_refused_change_leaves_the_stored_definition_and_autostart_exactly_as_they_were(string which)
    {
        definitions.Save(NetworkXml.Parse(NetworkChangeTests.Ipv4Only));
        var (network, change, errorId) = Refused(which);
        var files = new Dictionary<string, string>(definitions.Files);

        var e = Assert.Throws<NetworkProblemException>(() => Catalog().Update(network, change));

        Assert.Contains(errorId, e.Problems.Select(p => p.ErrorId));
        Assert.Equal(files, definitions.Files);
        Assert.Empty(definitions.Autostart);
    }

    [Fact]
    public void Update_of_a_transient_network_is_refused_as_transient()
    {
        MarkActive(NetworkXml.Parse(NetworkChangeTests.Ipv4Only), transient: true);
        var e = Assert.Throws<NetworkProblemException>(() => Catalog().Update("four", new NetworkChange { Mtu = 1400 }));
        Assert.Equal("VNetworkTransient", e.First.ErrorId);
        Assert.Equal(ProblemCategory.InvalidOperation, e.First.Category);
        Assert.False(definitions.Files.ContainsKey("four")); // no definition appears
    }

    [Fact]
    public void Update_of_an_unknown_network_is_not_found()
    {
        var e = Assert.Throws<NetworkProblemException>(() => Catalog().Update("nosuch", new NetworkChange { Mtu = 1400 }));
        Assert.Equal("VNetworkNotFound", e.First.ErrorId);
        Assert.Equal("nosuch", e.First.Target);
    }

    [Fact]
    public void UpdateDefinition_hands_the_change_a_copy_so_a_failed_validation_changes_nothing()
    {
        var before = definitions.Files["lab"];
        Assert.Throws<NetworkProblemException>(() => Catalog().UpdateDefinition("lab", d =>
        {
            d.Bridge!.Name = "bad name with spaces";
            d.Ips.Clear();
        }, autostart: true));
        Assert.Equal(before, definitions.Files["lab"]);
        Assert.Empty(definitions.Autostart);
    }

    [Fact]
    public void Removing_an_inactive_network_removes_definition_and_autostart_without_a_warning()
    {
        definitions.SetAutostart("lab", true);

        Assert.Empty(Catalog().Remove("lab"));

        Assert.False(definitions.Files.ContainsKey("lab"));
        Assert.Empty(definitions.Autostart);
        Assert.Null(Catalog().Find("lab"));
    }

    [Fact]
    public void Removing_an_active_network_warns_that_it_is_now_transient_and_leaves_it_running()
    {
        definitions.Save(NetworkXml.Parse(NetworkChangeTests.Ipv4Only));
        var runtime = new NetworkRuntime(test.Ports());
        runtime.Start("four");
        var host = test.Host.Snapshot();

        var warning = Assert.Single(Catalog().Remove("four"));

        Assert.Equal("VNetworkNowTransient", warning.ErrorId);
        Assert.Equal("four", warning.Target);
        Assert.False(definitions.Files.ContainsKey("four"));
        Assert.Equal(host, test.Host.Snapshot()); // bridge, addresses and rules stay
        Assert.Contains("four", test.Dhcp.Served);
        var record = Catalog().Find("four")!;
        Assert.Equal((NetworkState.Active, false), (record.State, record.Persistent));
    }

    [Fact]
    public void Removing_a_transient_network_is_refused_as_transient()
    {
        MarkActive(NetworkXml.Parse(NetworkChangeTests.Ipv4Only), transient: true);
        var e = Assert.Throws<NetworkProblemException>(() => Catalog().Remove("four"));
        Assert.Equal("VNetworkTransient", e.First.ErrorId);
        Assert.True(live.Load("four")!.Active);
    }

    [Fact]
    public void Removing_an_unknown_network_is_not_found() =>
        Assert.Equal("VNetworkNotFound", Assert.Throws<NetworkProblemException>(() => Catalog().Remove("nosuch")).First.ErrorId);
}
